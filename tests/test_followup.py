"""Follow-ups of the item shown last: "who leads it?", « et c'est pour quand ? », « suivre »; their expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.bootstrap import Reader, bootstrap, build_assistant
from bot.conversation.followup import Intent, classify
from tests.outbox_support import commands_of, say, text_of


class Clock:
    """A controllable "now" for the follow-up window."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def app(settings, clock):
    """The bootstrap with a controllable clock (it overrides the conftest's `app`)."""
    application = await bootstrap(settings, clock=clock)
    yield application
    await application.close()


@pytest.mark.parametrize(("text", "intent"), [
    ("who leads it?", Intent.LEADS),
    ("who is in charge?", Intent.LEADS),
    ("qui s'en occupe ?", Intent.LEADS),
    ("qui pilote ?", Intent.LEADS),
    ("is it finished?", Intent.STATUS),
    ("is it done yet", Intent.STATUS),
    ("c'est fini ?", Intent.STATUS),
    ("cest fini ou pas", Intent.STATUS),
    ("où en est-on ?", Intent.STATUS),
    ("when?", Intent.WHEN),
    ("and when does it end?", Intent.WHEN),
    ("et c'est pour quand ?", Intent.WHEN),
    ("et cest pour qd", Intent.WHEN),
    ("quand est-ce que c'est fini ?", Intent.WHEN),
    ("follow it", Intent.FOLLOW),
    ("suivre", Intent.FOLLOW),
    ("je veux suivre ça", Intent.FOLLOW),
    # a question about something else is a new question
    ("who leads the lobbying register?", None),
    ("qui s'occupe des données de santé ?", None),
    ("when were the Open d'État forums?", None),
    ("is the open data action finished?", None),
    ("how many actions are there?", None),
    ("thanks", None),
    ("lobbying", None),
    ("", None),
])
def test_what_counts_as_a_follow_up(text: str, intent: Intent | None) -> None:
    assert classify(text) == intent


async def test_follow_ups_refer_to_the_item_just_shown(app, clock) -> None:
    await say(app, "ann", "what is France doing on lobbying transparency?")
    leads = text_of(await say(app, "ann", "who leads it?"))
    assert leads.startswith("Action 2.12") and "Implemented by: High Authority for Transparency in Public Life" in leads
    status = text_of(await say(app, "ann", "is it finished?"))
    assert "2.12" in status and "Status: not rated yet" in status
    when = text_of(await say(app, "ann", "and when?"))
    assert "2.12" in when and "every six months" in when  # the plan's own words, not an invented date
    followed = await say(app, "ann", "follow it")
    assert "You now follow 2.12" in text_of(followed) and "unfollow 2.12" in commands_of(followed)


async def test_french_follow_ups_after_show_and_in_french(app, clock) -> None:
    await say(app, "bea", "voir 2", locale="fr")
    leads = text_of(await say(app, "bea", "qui s'en occupe ?", locale="fr"))
    assert leads.startswith("Engagement 2") and "Pilotage" in leads
    when = text_of(await say(app, "bea", "et c'est pour quand ?", locale="fr"))
    assert when.startswith("Engagement 2") and "2021-2023" in when
    followed = text_of(await say(app, "bea", "je veux suivre ça", locale="fr"))
    assert "Vous suivez désormais 2" in followed


async def test_a_new_question_is_not_taken_for_a_follow_up(app, clock) -> None:
    await say(app, "cid", "show 2.12")
    other = text_of(await say(app, "cid", "who leads the open data action in schools?"))
    assert not other.startswith("Action 2.12")


async def test_follow_ups_expire(app, clock) -> None:
    app.settings.followup_minutes = 10
    await say(app, "dan", "show 2.12")
    clock.advance(minutes=9)
    assert text_of(await say(app, "dan", "who leads it?")).startswith("Action 2.12")
    clock.advance(minutes=9)  # the follow-up above renewed the window: still fresh
    assert text_of(await say(app, "dan", "suivre", locale="fr")).startswith("🔔 Vous suivez désormais 2.12")
    clock.advance(minutes=10, seconds=1)
    usage = text_of(await say(app, "dan", "suivre", locale="fr"))
    assert usage.startswith("Que voulez-vous suivre\u202f?")  # the follow usage, not the old item
    assert not text_of(await say(app, "dan", "who leads it?")).startswith("Action 2.12")


async def test_a_follow_up_works_in_another_process(app, clock) -> None:
    """Two Assistants on one database stand for two processes: the item shown by one is known to the other."""
    await say(app, "eve", "show 3.4")
    reader = Reader(app.kb, app.assistant.services.matcher, app.assistant.detector)
    other = build_assistant(reader, app.db, app.settings, clock=clock)
    from bot.domain import ChatRef, IncomingMessage

    replies = await other.handle(IncomingMessage(ChatRef("console", "eve"), "eve", "who leads it?"))
    assert text_of(replies).startswith("Action 3.4")
    clock.advance(minutes=app.settings.followup_minutes + 1)
    later = await other.handle(IncomingMessage(ChatRef("console", "eve"), "eve", "who leads it?"))
    assert not text_of(later).startswith("Action 3.4")


async def test_follow_it_without_anything_shown_asks_what_to_follow(app, clock) -> None:
    assert text_of(await say(app, "fay", "follow it")).startswith("What would you like to follow?")


async def test_a_question_answered_otherwise_ends_the_follow_up(app, clock) -> None:
    await say(app, "gus", "show 2.12")
    await say(app, "gus", "what is the Open Government Partnership?")  # a topic: nobody "leads" it
    assert not text_of(await say(app, "gus", "who leads it?")).startswith("Action 2.12")
    await say(app, "gus", "show 2.12")
    await say(app, "gus", "quel temps fera-t-il demain à Brest ?")  # declined: the old item is not "it" either
    assert text_of(await say(app, "gus", "follow it")).startswith("What would you like to follow?")
