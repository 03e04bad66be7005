"""The conversation core, platform-neutral: commands, answers, limits and bad input."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from adapters.discord.capabilities import CAPABILITIES as DISCORD
from adapters.telegram.capabilities import CAPABILITIES as TELEGRAM
from bot.domain import ChatRef, IncomingMessage, Reply
from bot.presentation.fitting import pack
from bot.storage.models import Chat, StatusChange, Subscription
from tests.test_knowledge import plan_index

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def message(text: str, user: str = "alice", **kwargs) -> IncomingMessage:
    return IncomingMessage(ChatRef("console", user), user, text, **kwargs)


async def ask(app, text: str, **kwargs) -> list[Reply]:
    return await app.assistant.handle(message(text, **kwargs))


def everything(replies: list[Reply]) -> str:
    return "\n".join(r.plain_text for r in replies)


async def test_start_and_help_in_both_languages(app):
    start = await ask(app, "/start")
    assert "browse" in start[0].commands
    assert "Hello" in everything(start)
    help_fr = await ask(app, "/help", user="bruno", locale="fr-FR")
    assert "Ce que je sais faire" in everything(help_fr)


async def test_a_question_gets_the_action_with_leads_status_and_source(app):
    replies = await ask(app, "what is France doing on lobbying transparency?")
    text = everything(replies)
    assert "2.12" in text and "High Authority for Transparency in Public Life" in text
    assert "not rated yet" in text and "2021–2023" in text  # never an invented status
    assert "follow 2.12" in replies[0].commands
    # The citation of the plan passage is one button away (the short answer leaves the passage out).
    assert "plan 2.12" in replies[0].commands
    plan = everything(await ask(app, "plan 2.12", via_button=True))
    assert "Commitment 2 › Roadmap" in plan


async def test_an_off_plan_question_gets_an_honest_not_sure_with_suggestions(app):
    replies = await ask(app, "tell me a joke about cats")
    assert "not sure" in everything(replies) or "couldn't find" in everything(replies)
    assert "browse" in replies[0].commands
    assert not any(c.startswith("follow") for c in replies[0].commands)


@pytest.mark.parametrize("item_id", [i for i, _ in plan_index()])
async def test_show_works_for_every_id_of_the_plan(app, item_id):
    replies = await ask(app, f"show {item_id}")
    text = everything(replies)
    assert item_id in text
    assert "There is no item" not in text
    assert "Source" in text


async def test_show_an_unknown_id_is_polite(app):
    replies = await ask(app, "/show 99.99")
    assert "There is no item “99.99”" in everything(replies)


async def test_browse_commitments_then_actions_as_buttons(app):
    top = await ask(app, "browse")
    assert [c for c in top[0].commands] == [f"browse {i}" for i in "123456"]
    level2 = await ask(app, "browse 3", via_button=True)
    assert level2[0].edit is True
    assert "show 3.7" in level2[0].commands


async def test_status_overview_and_progress_chart(app):
    status = await ask(app, "status")
    assert "No evidence available: 58" in everything(status)
    progress = await ask(app, "progress")
    image = progress[0].image
    assert image is not None and image.data.startswith(PNG_MAGIC) and len(image.data) > 5000


async def test_language_choice_is_remembered(app):
    await ask(app, "language fr")
    replies = await ask(app, "show 2.12")
    assert "Renforcer la transparence du lobbying" in everything(replies)
    async with app.db.session() as session:
        chat = await session.scalar(select(Chat).where(Chat.chat_id == "alice"))
    assert chat.language == "fr"


async def test_language_defaults_to_the_platform_locale_then_the_setting(app):
    french = await ask(app, "/about", user="claire", locale="fr-CA")
    assert "À propos" in everything(french)
    other = await ask(app, "/about", user="dan", locale="de-DE")
    assert "About opengov-bot" in everything(other)


async def test_about_says_where_facts_come_from(app):
    assert "December 2021" in everything(await ask(app, "about"))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00\x01\x02", "😀🎉", "<b>hi</b><script>alert(1)</script>", "**bold** _it_ [x](http://e.x)",
     "'; DROP TABLE chats; --", "/definitely_not_a_command", "/", "show", "setstatus 2.12 complete",
     "x" * 10_000, "forget", "follow nothing-at-all", "language xx", "browse 99"],
)
async def test_bad_input_gets_a_polite_reply_and_changes_nothing(app, text):
    replies = await ask(app, text)
    assert replies and all(r.plain_text.strip() for r in replies)
    assert "Traceback" not in everything(replies) and "something went wrong" not in everything(replies)
    async with app.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(StatusChange)) == 0
        assert await session.scalar(select(func.count()).select_from(Subscription)) == 0


async def test_every_reply_fits_telegram_and_discord_limits(app):
    for text in ["show 1", "show 2", "status", "help", "show 2.3", "x" * 10_000]:
        for reply in await ask(app, text):
            for limit in (TELEGRAM.message_limit, DISCORD.message_limit):
                chunks = pack([b.text for b in reply.blocks], limit)
                assert all(len(c) <= limit for c in chunks)
                assert "".join(chunks).replace("\n", "") == "".join(b.text for b in reply.blocks).replace("\n", "")


@hyp_settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=80),
    st.builds(lambda c, a: f"/{c} {a}", st.sampled_from(["show", "browse", "follow", "unfollow", "setstatus",
                                                          "announce", "language", "frequency", "ask", "forget"]),
              st.text(max_size=40)),
))
def test_random_strings_never_break_the_assistant(app_sync, text):
    replies = app_sync(text)
    assert replies and all(isinstance(r, Reply) for r in replies)
    assert not any("something went wrong" in r.plain_text for r in replies)


@pytest.fixture
def app_sync(settings):
    """A synchronous facade over one app and one event loop, for hypothesis (which drives tests itself)."""
    import asyncio

    from adapters.bootstrap import bootstrap

    loop = asyncio.new_event_loop()
    application = loop.run_until_complete(bootstrap(settings))
    yield lambda text: loop.run_until_complete(application.assistant.handle(message(text, user="fuzz")))
    loop.run_until_complete(application.close())
    loop.close()
