"""The public pages without a browser: status codes, language, structure, links that resolve, 404s, escaping."""

from __future__ import annotations

from collections import deque
from datetime import date
from urllib.parse import urldefrag, urlsplit

import pytest

from adapters.web.public.routes import preferred_language
from bot.following.levels import Level
from bot.settings import Settings
from tests.web_support import parse, public_client, set_status

FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def check_structure(doc, lang: str, path: str) -> None:
    assert doc.get("lang") == lang, path
    assert len(doc.xpath("//h1")) == 1, path
    for landmark in ("header", "main", "footer"):
        assert len(doc.xpath(f"//body/{landmark}")) == 1, (path, landmark)
    assert doc.xpath("//header//nav[@aria-label]"), path
    assert doc.xpath("//meta[@name='viewport']"), path
    assert all(img.get("alt", "").strip() for img in doc.xpath("//img")), path
    assert not doc.xpath("//script"), path  # nothing needs JavaScript


@pytest.mark.parametrize(("headers", "lang"), [({}, "en"), (FR, "fr"), ({"Accept-Language": "de, fr;q=0.3"}, "fr")])
async def test_index_language_from_accept_language(app, headers, lang):
    async with public_client(app) as client:
        response = await client.get("/", headers=headers)
        assert response.status == 200
        assert response.headers["Content-Language"] == lang
        assert "Accept-Language" in response.headers["Vary"]
        doc = parse(await response.text())
        check_structure(doc, lang, "/")
        switch = doc.xpath("//header//a[@hreflang]")[0]
        assert switch.get("href") == ("/en/" if lang == "fr" else "/fr/")


def test_preferred_language():
    assert preferred_language(None, "en") == "en"
    assert preferred_language("", "fr") == "fr"
    assert preferred_language("fr-CA,fr;q=0.9,en;q=0.8", "en") == "fr"
    assert preferred_language("en;q=0.5, fr;q=0.8", "en") == "fr"
    assert preferred_language("fr;q=0, en", "fr") == "en"
    assert preferred_language("de-DE, es", "fr") == "fr"
    assert preferred_language("fr;q=bad, en", "fr") == "en"


async def crawl(client, start: str, headers: dict) -> dict[str, str]:
    """Every internal page reachable from `start`: path -> language. Fails on any link that does not resolve
    (status, or an #anchor missing from its page)."""
    seen: dict[str, str] = {}
    docs: dict[str, object] = {}
    anchors: list[tuple[str, str, str]] = []
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        response = await client.get(path, headers=headers if path == start else {})
        assert response.status == 200, (path, response.status)
        kind = response.content_type
        seen[path] = kind
        if kind != "text/html":
            continue
        doc = parse(await response.text())
        docs[path] = doc
        check_structure(doc, doc.get("lang"), path)
        for link in doc.xpath("//a/@href | //link/@href | //img/@src"):
            target, fragment = urldefrag(link)
            if urlsplit(link).scheme:
                continue
            target = target or path
            if fragment:
                anchors.append((path, target, fragment))
            queue.append(target)
    for source, target, fragment in anchors:
        assert docs[target].xpath(f"//*[@id='{fragment}']"), (source, target, fragment)
    return seen


async def test_every_internal_link_resolves_in_both_languages(app):
    await set_status(app, "2.12", Level.LIMITED, "Register analysis started", "https://www.hatvp.fr/", date(2022, 5, 1))
    await set_status(app, "2.12", Level.SUBSTANTIAL, "Analyses published", None, date(2023, 3, 1))
    async with public_client(app) as client:
        for headers, lang in (({}, "en"), (FR, "fr")):
            seen = await crawl(client, "/", headers)
            pages = [p for p, kind in seen.items() if kind == "text/html"]
            prefix = "/fr/" if lang == "fr" else "/"
            for section, ids in (("actions", app.kb.actions), ("commitments", app.kb.commitments),
                                 ("topics", app.kb.topics)):
                for item_id in ids:
                    assert f"{prefix}{section}/{item_id}" in pages, (lang, section, item_id)
            assert f"{prefix}feed.atom" in seen and f"{prefix}progress.png" in seen
            assert "/static/style.css" in seen


async def test_action_page_shows_status_history_and_plan(app):
    await set_status(app, "2.12", Level.LIMITED, "First step", "https://www.hatvp.fr/a", date(2022, 5, 1))
    await set_status(app, "2.12", Level.COMPLETE, "Done", "https://www.hatvp.fr/b", date(2023, 6, 1))
    async with public_client(app) as client:
        doc = parse(await (await client.get("/actions/2.12")).text())
        rows = doc.xpath("//table//tbody/tr")
        assert [r.xpath("string(td[1])") for r in rows] == ["2023-06-01", "2022-05-01"]  # newest first
        assert rows[0].xpath("td[5]/a/@href") == ["https://www.hatvp.fr/b"]
        assert "Complete" in doc.xpath("string(//dl)")
        assert "HATVP" in doc.xpath("string(//dl)")
        assert app.kb.actions["2.12"].text.en.split(".")[0] in doc.xpath("string(//blockquote)")
        promises = [p.en for p in app.kb.actions["2.12"].promises]
        assert promises and [li.text_content() for li in doc.xpath("//section[@aria-labelledby='promises']//li")] == promises
        fr = parse(await (await client.get("/fr/actions/2.12")).text())
        assert "Achevée" in fr.xpath("string(//dl)")
        assert fr.xpath("//blockquote/@lang") == ["fr"]
        unrated = parse(await (await client.get("/fr/actions/1.1")).text())
        assert "Pas encore évaluée" in unrated.xpath("string(//dl)")
        assert not unrated.xpath("//table")


async def test_commitment_and_topic_pages(app):
    await set_status(app, "3.1", Level.SUBSTANTIAL)
    async with public_client(app) as client:
        doc = parse(await (await client.get("/commitments/3")).text())
        links = doc.xpath("//section[@aria-labelledby='actions']//a/@href")
        assert links == [f"/actions/{a.id}" for a in app.kb.actions_of("3")]
        assert "Substantial: 1" in doc.xpath("string(//dl)")
        aims = [aim.en for aim in app.kb.commitments["3"].aims]
        assert [li.text_content() for li in doc.xpath("//section[@aria-labelledby='aims']//li")] == aims
        topic = parse(await (await client.get("/fr/topics/about.ogp")).text())
        assert app.kb.topics["about.ogp"].title.fr in topic.xpath("string(//h1)")


@pytest.mark.parametrize(("path", "lang"), [
    ("/actions/9.9", "en"), ("/fr/actions/9.9", "fr"), ("/actions/2", "en"), ("/commitments/2.12", "en"),
    ("/fr/topics/about.nothing", "fr"), ("/nowhere", "en"), ("/fr/nowhere", "fr"), ("/actions/9.9/feed.atom", "en"),
    ("/fr/actions/2/feed.atom", "fr"),
])
async def test_unknown_is_a_404_page_in_the_right_language(app, path, lang):
    async with public_client(app) as client:
        response = await client.get(path)
        assert response.status == 404
        doc = parse(await response.text())
        check_structure(doc, lang, path)
        assert doc.xpath("string(//h1)") == ("Page introuvable" if lang == "fr" else "Page not found")


async def test_user_text_is_escaped(app):
    await set_status(app, "1.1", Level.LIMITED, '<script>alert("x")</script> & <b>bold</b>',
                     'https://example.org/?a=1&b="2"')
    async with public_client(app) as client:
        body = await (await client.get("/actions/1.1")).text()
        assert "<script>" not in body and "&lt;script&gt;" in body
        assert 'href="https://example.org/?a=1&amp;b=&#34;2&#34;"' in body
        doc = parse(body)
        assert not doc.xpath("//b")


async def test_follow_links(app, settings):
    async with public_client(app) as client:
        doc = parse(await (await client.get("/actions/2.12")).text())
        assert not doc.xpath("//a[contains(@href, 't.me')]")  # no bot username: no Telegram link
        assert "/follow target:2.12" in doc.xpath("string(//section[@aria-labelledby='follow'])")
    named = settings.model_copy(update={"telegram_bot_username": "opengov_test_bot"})
    async with public_client(app, named) as client:
        doc = parse(await (await client.get("/fr/actions/2.12")).text())
        assert doc.xpath("//a[contains(@href, 't.me')]/@href") == ["https://t.me/opengov_test_bot?start=show_2_12"]
        assert "Sur Telegram" in doc.xpath("string(//section[@aria-labelledby='follow'])")
        doc = parse(await (await client.get("/topics/about.ogp")).text())
        assert not doc.xpath("//a[contains(@href, 't.me')]")  # topics are not followed
        doc = parse(await (await client.get("/commitments/2")).text())
        assert doc.xpath("//a[contains(@href, 't.me')]/@href") == ["https://t.me/opengov_test_bot?start=show_2"]


async def test_progress_chart_is_a_png_per_language(app):
    async with public_client(app) as client:
        english = await client.get("/progress.png")
        french = await client.get("/fr/progress.png")
        assert english.status == french.status == 200
        assert english.content_type == "image/png"
        en_png, fr_png = await english.read(), await french.read()
        assert en_png.startswith(b"\x89PNG") and fr_png.startswith(b"\x89PNG") and en_png != fr_png
        index = parse(await (await client.get("/en/")).text())
        alt = index.xpath("//img/@alt")[0]
        assert "Commitment 2: Not rated yet: 15." in alt


def test_settings_public_url_and_bot_username():
    settings = Settings(_env_file=None, public_url="https://bot.example.org/", telegram_bot_username="@my_bot")
    assert settings.public_url == "https://bot.example.org"
    assert settings.telegram_bot_username == "my_bot"
    assert Settings(_env_file=None, public_url=" ").public_url is None
    for bad in ("bot.example.org", "ftp://x.org", "https://x.org/a b"):
        with pytest.raises(ValueError):
            Settings(_env_file=None, public_url=bad)
    with pytest.raises(ValueError):
        Settings(_env_file=None, telegram_bot_username="no spaces")


def test_templates_and_stylesheet_are_package_data():
    """A non-editable `pip install .` ships what the pages need: pyproject's package-data covers every file."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    root = Path(__file__).parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["adapters"]
    package = root / "adapters"
    files = [p.relative_to(package).as_posix() for sub in ("templates", "static")
             for p in (package / "web" / "public" / sub).rglob("*") if p.is_file()]
    assert files
    missing = [f for f in files if not any(fnmatch(f, pattern) and f.count("/") == pattern.count("/")
                                           for pattern in patterns)]
    assert not missing


async def test_security_headers(app):
    async with public_client(app) as client:
        for path in ("/", "/actions/2.12", "/nowhere", "/feed.atom", "/static/style.css"):
            response = await client.get(path)
            assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' covers it
            assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
            assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_web_process_serves_the_pages_with_its_probes(app):
    """`opengov-bot web` (and `run` with PORT) builds its application with the public routes."""
    from aiohttp.test_utils import TestClient, TestServer

    from adapters.runner import route_adders
    from adapters.web.app import build_web_app

    application = build_web_app(app.db, route_adders=route_adders(app))
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        for path in ("/healthz", "/readyz", "/metrics", "/", "/fr/actions/2.12", "/feed.atom", "/progress.png"):
            assert (await client.get(path)).status == 200, path
        missing = await client.get("/fr/nowhere")
        assert missing.status == 404 and 'lang="fr"' in await missing.text()
