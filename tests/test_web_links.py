"""With PUBLIC_URL set, answers, `show`, `plan` and alerts link to the item's public page; without it, to the
plan's source passage as before (issue 13, item 3)."""

from __future__ import annotations

import pytest

from adapters.bootstrap import bootstrap
from bot.domain import Style
from bot.following.delivery import DeliveryWorker
from bot.following.levels import Level
from bot.presentation.alerts import AlertRenderer
from tests.outbox_support import RecordingOutbound, say
from tests.web_support import set_status

PUBLIC = "https://opengov.example.org"
PLAN_SOURCE = "https://modernisation.gouv.fr"


@pytest.fixture
async def public_app(settings):
    application = await bootstrap(settings.model_copy(update={"public_url": PUBLIC}))
    yield application
    await application.close()


def urls(replies) -> list[str]:
    return [block.url for reply in replies for block in reply.blocks if block.url]


@pytest.mark.parametrize(("text", "lang", "page"), [
    ("show 2.12", "en", "/actions/2.12"), ("voir 2.12", "fr", "/fr/actions/2.12"),
    ("show 2", "en", "/commitments/2"), ("show about.ogp", "en", "/topics/about.ogp"),
    ("plan 2.12", "en", "/actions/2.12"), ("texte 3", "fr", "/fr/commitments/3"),
])
async def test_show_and_plan_link_to_the_page(public_app, app, text, lang, page):
    replies = await say(public_app, "alice", text, language=lang)
    assert urls(replies) == [PUBLIC + page]
    assert urls(await say(app, "alice", text, language=lang)) == [PLAN_SOURCE]  # without PUBLIC_URL: as today


async def test_an_answer_links_to_the_page(public_app, app):
    replies = await say(public_app, "alice", "what is France doing on lobbying transparency?")
    line = replies[0].blocks[1]
    assert line.style == Style.META and line.url == PUBLIC + "/actions/2.12"
    replies = await say(public_app, "lea", "que fait la France pour la transparence du lobbying ?")
    assert replies[0].blocks[1].url == PUBLIC + "/fr/actions/2.12"
    assert urls(await say(app, "alice", "what is France doing on lobbying transparency?")) == []


@pytest.mark.parametrize(("public_url", "expected"), [(PUBLIC, [PUBLIC + "/fr/actions/2.12"] * 2),
                                                      (None, [PLAN_SOURCE])])
async def test_alerts_link_to_the_page(app, public_url, expected):
    await say(app, "lea", "langue fr")
    await say(app, "lea", "suivre 2.12")
    await set_status(app, "2.12", Level.SUBSTANTIAL, "Analyses publiées")
    outbound = RecordingOutbound()
    worker = DeliveryWorker(app.db, AlertRenderer(app.kb, "en", public_url), {"console": outbound}, app.settings)
    await worker.run_once()
    [sent] = outbound.to("lea")
    assert urls([sent.reply]) == expected


def test_discord_embed_title_links_to_the_page():
    from adapters.discord.rendering import render_reply
    from bot.domain import Block, Reply

    reply = Reply((Block("🔔 Status change", Style.META), Block("2.12 · Lobbying", Style.HEADING, PUBLIC + "/actions/2.12"),
                   Block("Limited → Substantial")))
    [outgoing] = render_reply(reply)
    embed = outgoing.kwargs()["embeds"][0]
    assert (embed.title, embed.url) == ("2.12 · Lobbying", PUBLIC + "/actions/2.12")
    [plain] = render_reply(Reply((Block("2.12 · Lobbying", Style.HEADING), Block("x"))))
    assert plain.kwargs()["embeds"][0].url is None
