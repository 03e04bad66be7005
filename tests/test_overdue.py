"""Overdue promises (issue 11 item 3): deadlines as data, `show`/answers/`status` saying an action is overdue,
and the daily job alerting followers once when a deadline passes — never for deadlines already past when
they started following — under a fake clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.following.levels import Level
from bot.following.overdue import alert_passed_deadlines, dated_promises, overdue_promise
from bot.storage.models import Chat, DeadlineAlert, Notification
from jobs.digests import build_digests
from knowledge.loader import KnowledgeError, load
from tests.outbox_support import (
    FakeClock,
    RecordingOutbound,
    chat_pk,
    count,
    follow,
    make_worker,
    notifications,
    say,
    text_of,
)

DATA = Path(__file__).resolve().parent.parent / "knowledge" / "data"


def test_every_dated_promise_quotes_the_plan_and_the_seed_dates_are_kept(app) -> None:
    deadlines = {a.id: p.deadline.date for a, p in dated_promises(app.kb)}
    assert deadlines == {
        "1.8": date(2024, 12, 31), "2.5": date(2022, 6, 30), "2.11": date(2025, 12, 31),
        "2.14": date(2025, 12, 31), "3.1": date(2022, 12, 31), "4.1": date(2024, 12, 31),
        "5.5": date(2022, 1, 31), "6.1": date(2022, 3, 31),
    }
    for action, promise in dated_promises(app.kb):
        assert promise.deadline.wording in " ".join(action.text.en.split())
        assert promise.deadline.label.en and promise.deadline.label.fr


def test_a_deadline_whose_wording_is_not_in_the_plan_text_is_refused(tmp_path) -> None:
    for path in DATA.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "actions-3.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('wording: "accessible by the end of 2022"', 'wording: "by the end of 2023"'),
                      encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load(tmp_path)
    assert "actions (id 3.1): field promises[0].deadline.wording" in str(info.value)
    target.write_text(text.replace("date: 2022-12-31", "date: 2019-12-31"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"promises\[0\]\.deadline\.date"):
        load(tmp_path)


def test_overdue_only_after_the_deadline_and_until_something_is_recorded(app) -> None:
    action = app.kb.actions["3.1"]
    assert overdue_promise(action, date(2022, 12, 31), None, Level.NO_EVIDENCE) is None  # its last day
    overdue = overdue_promise(action, date(2023, 1, 1), None, Level.NO_EVIDENCE)
    assert overdue.deadline == date(2022, 12, 31) and overdue.label("fr") == "fin 2022"
    assert overdue_promise(action, date(2023, 1, 1), date(2022, 11, 1), Level.LIMITED) is not None
    assert overdue_promise(action, date(2023, 1, 1), date(2023, 1, 1), Level.LIMITED) is None  # recorded since
    assert overdue_promise(action, date(2023, 1, 1), date(2022, 6, 1), Level.COMPLETE) is None  # done in time
    assert overdue_promise(app.kb.actions["2.12"], date(2026, 1, 1), None, Level.NO_EVIDENCE) is None  # undated


async def test_show_answers_and_status_say_what_is_overdue(app) -> None:
    app.assistant.services = replace(app.assistant.services, clock=lambda: datetime(2023, 2, 1, 12, tzinfo=UTC))
    body = text_of(await say(app, "alice", "show 3.1"))
    assert "⏰ Overdue: promised by the end of 2022; nothing recorded since." in body
    assert "80% of the 250 most frequently used procedures accessible (due: the end of 2022)" in body
    body = text_of(await say(app, "alice", "language fr") + await say(app, "alice", "voir 3.1"))
    assert "⏰ En retard\u202f: promis pour fin 2022\u202f; rien n'a été enregistré depuis." in body
    await say(app, "alice", "language en")
    status = text_of(await say(app, "alice", "status"))
    assert "⏰ Overdue promises (4)" in status
    for line in ("3.1 ", "2.5 ", "5.5 ", "6.1 "):
        assert line in status
    assert "2.11 Open up" not in status.split("Overdue promises", 1)[1].split("\n\n", 1)[0]  # due end 2025
    answer = text_of(await say(app, "alice", "are online procedures accessible to disabled people?"))
    assert "promised by the end of 2022; nothing recorded since" in answer
    # a status dated after the deadline: no longer overdue
    await say(app, "admin", "setstatus 3.1 limited \"Audit published\" https://example.org/a 2023-01-20")
    assert "Overdue" not in text_of(await say(app, "alice", "show 3.1"))
    assert "⏰ Overdue promises (3)" in text_of(await say(app, "alice", "status"))


async def test_followers_are_alerted_once_when_a_deadline_passes(app) -> None:
    await follow(app, "alice", "3.1", since=datetime(2022, 11, 2, tzinfo=UTC))
    await follow(app, "bob", "3", since=datetime(2022, 12, 1, tzinfo=UTC))  # the commitment covers 3.1
    await follow(app, "carol", "3.1", since=datetime(2023, 1, 5, tzinfo=UTC))  # after the deadline passed
    clock = FakeClock(datetime(2022, 12, 31, 22, 0, tzinfo=UTC))
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 0  # 3.1 still has its last day
    clock.now = datetime(2023, 1, 1, 6, 0, tzinfo=UTC)
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 2
    alerts = await notifications(app, Notification.kind == "alert")
    expected = [f"deadline:3.1:2022-12-31:{await chat_pk(app, user)}" for user in ("alice", "bob")]
    assert sorted(n.key for n in alerts) == sorted(expected)
    # the next days, or after a restart: nothing more (the deadline is recorded as fanned out)
    clock.now = datetime(2023, 1, 9, 6, 0, tzinfo=UTC)
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 0
    assert await count(app, Notification, Notification.kind == "alert") == 2
    async with app.db.session() as session:
        handled = await session.get(DeadlineAlert, ("3.1", date(2022, 12, 31)))
    assert handled.alerted == 2

    outbound = RecordingOutbound(keep_replies=True)
    await make_worker(app, outbound).run_once()
    assert sorted(s.chat_id for s in outbound.sent) == ["alice", "bob"]
    text = outbound.to("alice")[0].text
    assert "⏰ A promised deadline has passed" in text
    assert "The plan promised “80% of the 250 most frequently used procedures accessible” by the end of 2022" in text
    assert "show 3.1" in outbound.to("alice")[0].reply.commands


async def test_no_alert_for_deadlines_already_past_when_following_began(app) -> None:
    # Following today (2026): every deadline but 2025's is long past; when those pass, nobody is told.
    await say(app, "alice", "follow all")
    clock = FakeClock(datetime.now(UTC))
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 0
    assert await count(app, Notification, Notification.kind == "alert") == 0
    assert await count(app, DeadlineAlert) == 8


async def test_no_alert_when_a_status_was_recorded_after_the_deadline(app) -> None:
    await follow(app, "alice", "5.5", since=datetime(2021, 12, 20, tzinfo=UTC))
    await say(app, "admin", "setstatus 5.5 complete \"Mon Espace Santé opened\" https://example.org/mes 2022-01-19")
    async with app.db.session() as session, session.begin():
        await session.execute(update(Notification).values(state="sent"))
    clock = FakeClock(datetime(2022, 2, 1, 1, tzinfo=UTC))
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 0  # complete before its deadline


async def test_a_digest_reader_gets_the_passed_deadline_in_the_digest(app) -> None:
    await follow(app, "alice", "2.5", "daily", since=datetime(2022, 3, 1, tzinfo=UTC))
    clock = FakeClock(datetime(2022, 7, 1, 3, tzinfo=UTC))
    assert await alert_passed_deadlines(app.db, app.kb, clock) == 1
    assert await build_digests(app.db, app.settings, now=datetime(2022, 7, 1, 6, tzinfo=UTC)) == 1
    outbound = RecordingOutbound(keep_replies=True)
    await make_worker(app, outbound).run_once()
    text = outbound.to("alice")[0].text
    assert "2.5 · Step up discussions with civil society" in text
    assert "by the first half of 2022" in text
    assert "Your digest: 1 passed deadline\n" in text  # not counted as a status change
    async with app.db.session() as session:
        assert (await session.get(Chat, await chat_pk(app, "alice"))).frequency == "daily"


async def test_the_follow_ups_is_it_done_and_when_say_it_is_overdue(app) -> None:
    await say(app, "alice", "show 3.1")
    assert "⏰ Overdue: promised by the end of 2022" in text_of(await say(app, "alice", "is it finished?"))
    assert "⏰ Overdue: promised by the end of 2022" in text_of(await say(app, "alice", "when?"))
