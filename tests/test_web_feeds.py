"""Atom feeds (valid, newest first, stable ids, links to pages) and conditional GET on pages and feeds."""

from __future__ import annotations

from datetime import date

import feedparser
import pytest
from lxml import etree

from bot.following.levels import Level
from tests.web_support import public_client, set_status

ATOM = "{http://www.w3.org/2005/Atom}"


def check_atom(body: bytes) -> etree._Element:
    """The structure RFC 4287 requires: feed id/title/updated/author, each entry id/title/updated/link."""
    root = etree.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        links = entry.findall(f"{ATOM}link")
        assert [link.get("rel", "alternate") for link in links].count("alternate") == 1
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids))
    return root


async def test_feeds_are_valid_atom_newest_first_with_stable_ids(app):
    await set_status(app, "2.12", Level.LIMITED, "First", "https://www.hatvp.fr/", date(2022, 5, 1))
    await set_status(app, "1.1", Level.SUBSTANTIAL, "Other action", None, date(2022, 9, 1))
    await set_status(app, "2.12", Level.COMPLETE, "Done", None, date(2023, 6, 1))
    async with public_client(app) as client:
        response = await client.get("/feed.atom")
        assert response.status == 200 and response.content_type == "application/atom+xml"
        body = await response.read()
        check_atom(body)
        parsed = feedparser.parse(body)
        assert not parsed.bozo and parsed.version == "atom10"
        titles = [e.title for e in parsed.entries]
        assert titles[0].startswith("2.12 · ") and "Complete" in titles[0]
        assert titles[1].startswith("1.1 · ") and titles[2].startswith("2.12 · ")
        updated = [e.updated_parsed for e in parsed.entries]
        assert updated == sorted(updated, reverse=True)
        base = str(client.make_url("")).rstrip("/")
        assert parsed.entries[0].link.startswith(f"{base}/actions/2.12#status-")
        # the page each entry links to exists and carries the entry's anchor
        for entry in parsed.entries:
            path, anchor = entry.link[len(base):].split("#")
            page = await (await client.get(path)).text()
            assert f'id="{anchor}"' in page

        french = feedparser.parse(await (await client.get("/fr/feed.atom")).read())
        assert french.feed.language == "fr" and "Achevée" in french.entries[0].title
        assert [e.id for e in french.entries] == [e.id for e in parsed.entries]  # one id per change
        assert french.entries[0].link.startswith(f"{base}/fr/actions/2.12#status-")
        again = feedparser.parse(await (await client.get("/feed.atom")).read())
        assert [e.id for e in again.entries] == [e.id for e in parsed.entries]

        one = await client.get("/actions/2.12/feed.atom")
        one_body = await one.read()
        check_atom(one_body)
        only = feedparser.parse(one_body)
        assert [e.title[:5] for e in only.entries] == ["2.12 ", "2.12 "]
        assert only.feed.links[0].href.endswith("/actions/2.12/feed.atom")


async def test_feed_links_and_ids_use_public_url(app, settings):
    await set_status(app, "2.12", Level.LIMITED)
    public = settings.model_copy(update={"public_url": "https://opengov.example.org"})
    async with public_client(app, public) as client:
        parsed = feedparser.parse(await (await client.get("/feed.atom")).read())
        assert parsed.feed.id == "https://opengov.example.org/feed.atom"
        assert parsed.entries[0].id.startswith("https://opengov.example.org/actions/2.12#status-")
        assert parsed.entries[0].link.startswith("https://opengov.example.org/actions/2.12#status-")


async def test_empty_feed_is_valid(app):
    async with public_client(app) as client:
        body = await (await client.get("/fr/actions/3.1/feed.atom")).read()
        root = check_atom(body)
        assert root.findall(f"{ATOM}entry") == []
        assert not feedparser.parse(body).bozo


@pytest.mark.parametrize("path", ["/", "/fr/", "/actions/2.12", "/fr/commitments/2", "/topics/about.ogp",
                                  "/feed.atom", "/fr/actions/2.12/feed.atom", "/progress.png", "/static/style.css"])
async def test_conditional_get(app, path):
    async with public_client(app) as client:
        first = await client.get(path)
        assert first.status == 200
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert first.headers["Cache-Control"].startswith("public, ")
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status == 304 and await again.read() == b""
        assert again.headers["ETag"] == etag and "Cache-Control" in again.headers
        assert (await client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'})).status == 304
        assert (await client.get(path, headers={"If-Modified-Since": modified})).status == 304
        assert (await client.get(path, headers={"If-None-Match": '"stale"', "If-Modified-Since": modified})).status == 200
        head = await client.head(path, headers={"If-None-Match": etag})
        assert head.status == 304


async def test_a_status_change_makes_pages_and_feeds_new(app):
    async with public_client(app) as client:
        paths = ["/en/", "/actions/2.12", "/commitments/2", "/feed.atom", "/actions/2.12/feed.atom", "/progress.png"]
        before = {p: (await client.get(p)).headers["ETag"] for p in paths}
        await set_status(app, "2.12", Level.SUBSTANTIAL, "Published", None, date(2023, 1, 5))
        for path in paths:
            response = await client.get(path, headers={"If-None-Match": before[path]})
            assert response.status == 200, path
            assert response.headers["ETag"] != before[path], path
        page = await (await client.get("/actions/2.12")).text()
        assert "Substantial" in page and "2023-01-05" in page


async def test_feed_text_is_escaped(app):
    await set_status(app, "1.1", Level.LIMITED, "<b>bold</b> & </content>")
    async with public_client(app) as client:
        body = await (await client.get("/feed.atom")).read()
        check_atom(body)
        assert feedparser.parse(body).entries[0].content[0].value.count("<b>bold</b> & </content>") == 1
