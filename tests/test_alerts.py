"""Statuses, alerts, digests, delivery and announcements: set from chat or CLI, fanned out through the outbox,
delivered by the DeliveryWorker through a recording outbound (or the console's), against SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.following.delivery import QUICK_RETRIES, DeliveryWorker
from bot.presentation.alerts import AlertRenderer
from bot.storage.db import Database
from bot.storage.models import Announcement, AuditEntry, Chat, Notification, StatusChange
from jobs.digests import build_digests
from tests.outbox_support import (
    FakeClock,
    RecordingOutbound,
    add_followers,
    chat_pk,
    count,
    follow,
    make_worker,
    notifications,
    say,
    text_of,
)

ADMINS = [("console", "admin", "admin"), ("telegram", "1001", "1001"), ("discord", "2001", "user:2001")]
NON_ADMINS = [("console", "alice", "alice"), ("telegram", "1002", "1002"), ("discord", "2002", "user:2002")]
MONDAY_8AM_PARIS = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TUESDAY_8AM_PARIS = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
BIN = Path(sys.executable).parent / "opengov-bot"


async def admin(app, command: str) -> str:
    return text_of(await say(app, "admin", command))


async def states(app, *where) -> list[str]:
    return [n.state for n in await notifications(app, *where)]


# -- setting a status ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("platform", "user", "chat_id"), ADMINS)
async def test_an_admin_sets_a_status_from_chat_and_it_is_audited(app, platform, user, chat_id) -> None:
    body = text_of(await say(app, user, 'setstatus 2.12 substantial "Register opened to the public" '
                             'https://example.org/hatvp 2026-03-01', platform=platform, chat_id=chat_id))
    assert "Action 2.12 is now “Substantial”. 0 alerts queued." in body
    async with app.db.session() as session:
        change = await session.scalar(select(StatusChange))
        entry = await session.scalar(select(AuditEntry))
    assert (change.action_id, change.status, change.previous_status) == ("2.12", "substantial", "no_evidence")
    assert change.note == "Register opened to the public" and change.source_url == "https://example.org/hatvp"
    assert change.effective_date.isoformat() == "2026-03-01" and change.set_by == f"{platform}:{user}"
    assert (entry.platform, entry.user_id, entry.action) == (platform, user, "setstatus")
    assert entry.detail == {"action": "2.12", "status": "substantial", "change": change.id}


@pytest.mark.parametrize(("platform", "user", "chat_id"), NON_ADMINS)
async def test_a_non_admin_is_refused_politely_and_nothing_happens(app, platform, user, chat_id) -> None:
    await say(app, "alice", "follow 2.12")
    for command in ("setstatus 2.12 complete", "/setstatus 2.12 complete", "announce to all Free pizza",
                    "announce dry Free pizza", "stats"):
        body = text_of(await say(app, user, command, platform=platform, chat_id=chat_id))
        assert body == "Sorry, only the bot's administrators can do that.", command
    assert await count(app, StatusChange) == 0
    assert await count(app, AuditEntry) == 0
    assert await count(app, Notification) == 0
    assert await count(app, Announcement) == 0


async def test_bad_setstatus_commands_change_nothing(app) -> None:
    assert "There is no action “9.99”" in await admin(app, "setstatus 9.99 complete")
    assert "Unknown level" in await admin(app, "setstatus 2.12 finished")
    assert "quote is not closed" in await admin(app, 'setstatus 2.12 complete "oops')
    assert "date is not valid" in await admin(app, "setstatus 2.12 complete 2026-02-30")
    assert "Usage" in await admin(app, "setstatus 2.12")
    assert await count(app, StatusChange) == 0 and await count(app, AuditEntry) == 0


async def test_setting_the_same_status_twice_changes_nothing_and_alerts_no_one(app) -> None:
    await say(app, "alice", "follow 2.12")
    assert "1 alert queued" in await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert len(outbound.sent) == 1
    again = await admin(app, "setstatus 2.12 Limitée \"another note\"")
    assert "already “Limited”: nothing changed, no alert sent" in again
    assert await count(app, StatusChange) == 1
    assert await count(app, Notification) == 1
    assert await count(app, AuditEntry) == 1
    assert await make_worker(app, outbound).run_once() == {}
    assert len(outbound.sent) == 1


# -- fan-out ------------------------------------------------------------------------------------------------


async def test_one_notification_per_change_even_when_following_the_action_its_commitment_and_institution(app) -> None:
    for item in ("2.12", "2", "HATVP", "all"):
        await say(app, "alice", f"follow {item}")
    await say(app, "bob", "follow HATVP")
    await say(app, "carol", "follow 2.11")  # not concerned
    assert "2 alerts queued" in await admin(app, "setstatus 2.12 limited")
    rows = await notifications(app)
    async with app.db.session() as session:
        change_id = await session.scalar(select(StatusChange.id))
    alice, bob = await chat_pk(app, "alice"), await chat_pk(app, "bob")
    assert sorted(n.key for n in rows) == sorted([f"status:{change_id}:{alice}", f"status:{change_id}:{bob}"])
    outbound = RecordingOutbound()
    assert (await make_worker(app, outbound).run_once())["sent"] == 2
    assert sorted(s.chat_id for s in outbound.sent) == ["alice", "bob"]
    # alice's alert offers to unfollow each of her follows that caused it
    alert = outbound.to("alice")[0]
    assert set(alert.reply.commands) >= {"unfollow 2.12", "unfollow 2", "unfollow hatvp", "unfollow all"}


async def test_immediate_followers_receive_the_alert_once_through_the_worker(app) -> None:
    await add_followers(app, 25)
    await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    worker = make_worker(app, outbound)
    assert await worker.run_once() == {"sent": 25}
    assert len({s.key for s in outbound.sent}) == 25
    assert set(await states(app)) == {"sent"}
    assert await worker.run_once() == {}
    assert len(outbound.sent) == 25


async def test_inactive_chats_get_no_alert(app) -> None:
    await add_followers(app, 3)
    async with app.db.session() as session, session.begin():
        chat = await session.scalar(select(Chat).where(Chat.chat_id == "user00001"))
        chat.active = False
    assert "2 alerts queued" in await admin(app, "setstatus 2.12 limited")


async def test_the_alert_cites_old_and_new_status_note_source_date_and_the_plan_passage(app) -> None:
    await say(app, "alice", "follow 2.12")
    await say(app, "amelie", "language fr")
    await say(app, "amelie", "suivre 2.12")
    await admin(app, 'setstatus 2.12 substantial "Register opened" https://example.org/hatvp 2026-03-01')
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    action = app.kb.actions["2.12"]

    alert = outbound.to("alice")[0]
    body = alert.text
    assert "Status change" in body
    assert "2.12 · Increase transparency surrounding lobbying" in body
    assert "No evidence available → 🟡 Substantial (since 2026-03-01)" in body
    assert "Register opened" in body and "source: https://example.org/hatvp" in body
    assert action.text.en.split(".")[0] in body  # the plan's own words
    assert f"Source: {action.source.document}, {action.source.section}" in body
    assert "unfollow 2.12" in alert.reply.commands and "show 2.12" in alert.reply.commands

    french = outbound.to("amelie")[0].text
    assert "Aucune information disponible → 🟡 Substantielle (depuis le 2026-03-01)" in french
    assert action.text.fr.split(".")[0] in french


# -- digests ------------------------------------------------------------------------------------------------


async def test_daily_and_weekly_followers_get_one_digest_and_immediate_ones_each_alert(app) -> None:
    for name, frequency in (("ivan", "immediately"), ("dave", "daily"), ("wendy", "weekly")):
        await follow(app, name, "2", frequency)
    await admin(app, 'setstatus 2.12 limited "first step"')
    await admin(app, 'setstatus 2.11 complete "done"')
    dave, wendy = await chat_pk(app, "dave"), await chat_pk(app, "wendy")
    assert await states(app, Notification.chat_pk == dave) == ["held", "held"]
    assert await states(app, Notification.chat_pk == wendy) == ["held", "held"]

    outbound = RecordingOutbound()
    worker = make_worker(app, outbound)
    await worker.run_once()
    assert sorted(s.chat_id for s in outbound.sent) == ["ivan", "ivan"]  # held rows are not sent

    # Tuesday: the daily digest only
    assert await build_digests(app.db, app.settings, now=TUESDAY_8AM_PARIS) == 1
    assert await build_digests(app.db, app.settings, now=TUESDAY_8AM_PARIS + timedelta(minutes=5)) == 0
    assert await states(app, Notification.chat_pk == wendy) == ["held", "held"]
    await worker.run_once()
    digest = outbound.to("dave")
    assert len(digest) == 1
    assert "Your digest: 2 status changes" in digest[0].text
    assert "first step" in digest[0].text and "done" in digest[0].text
    assert "Not started" not in digest[0].text and "No evidence available → 🟠 Limited" in digest[0].text
    assert "unfollow 2" in digest[0].reply.commands

    # Monday (the digest weekday): the weekly one; twice queues nothing more
    assert await build_digests(app.db, app.settings, now=MONDAY_8AM_PARIS + timedelta(days=7)) == 1
    assert await build_digests(app.db, app.settings, now=MONDAY_8AM_PARIS + timedelta(days=7)) == 0
    await worker.run_once()
    assert len(outbound.to("wendy")) == 1 and "2 status changes" in outbound.to("wendy")[0].text
    assert len(outbound.to("dave")) == 1
    assert await states(app, Notification.chat_pk == wendy) == ["digested", "digested", "sent"]
    assert await worker.run_once() == {}


async def test_a_change_after_todays_digest_waits_for_the_next_one(app) -> None:
    await follow(app, "dave", "2.12", "daily")
    await admin(app, "setstatus 2.12 limited")
    assert await build_digests(app.db, app.settings, now=TUESDAY_8AM_PARIS) == 1
    await admin(app, "setstatus 2.12 complete")
    assert await build_digests(app.db, app.settings, now=TUESDAY_8AM_PARIS + timedelta(hours=2)) == 0  # same day
    assert await build_digests(app.db, app.settings, now=TUESDAY_8AM_PARIS + timedelta(days=1)) == 1
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert len(outbound.sent) == 2
    assert "Limited → 🟢 Complete" in outbound.sent[1].text


# -- delivery -----------------------------------------------------------------------------------------------


async def test_a_temporary_failure_is_retried_with_exponential_backoff_then_delivered_once(app, settings) -> None:
    await say(app, "alice", "follow 2.12")
    await admin(app, "setstatus 2.12 limited")
    clock = FakeClock()
    outbound = RecordingOutbound()
    outbound.fail_temporarily(3 * QUICK_RETRIES, retry_after=0.001)  # three rounds of quick in-process attempts
    worker = make_worker(app, outbound, settings.model_copy(update={"retry_base_seconds": 10}), clock)

    delays = []
    for round_ in range(1, 4):
        assert await worker.run_once() == {"retry": 1}
        [row] = await notifications(app)
        assert (row.state, row.attempts, row.claimed_until) == ("pending", round_, None)
        assert "flood control" in row.last_error
        delay = (row.due_at - clock.now).total_seconds()
        assert 10 * 2 ** (round_ - 1) <= delay <= 12.5 * 2 ** (round_ - 1)
        delays.append(delay)
        clock.advance(delay - 1)
        assert await worker.run_once() == {}  # not before it is due
        clock.advance(1.01)
    assert delays == sorted(delays)
    assert await worker.run_once() == {"sent": 1}
    assert len(outbound.attempts) == 3 * QUICK_RETRIES + 1 and len(outbound.sent) == 1
    [row] = await notifications(app)
    assert row.state == "sent" and row.sent_at == clock.now
    assert await worker.run_once() == {}


async def test_a_short_retry_after_is_honoured_in_process(app) -> None:
    await say(app, "alice", "follow 2.12")
    await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    outbound.fail_temporarily(2, retry_after=0.2)
    assert await make_worker(app, outbound).run_once() == {"sent": 1}
    times = [t for _, _, t in outbound.attempts]
    assert len(times) == 3 and times[1] - times[0] >= 0.19 and times[2] - times[1] >= 0.19  # QUICK_RETRIES >= 3
    [row] = await notifications(app)
    assert (row.state, row.attempts) == ("sent", 0)


async def test_a_long_retry_after_goes_back_to_the_outbox_without_waiting(app, settings, monkeypatch) -> None:
    monkeypatch.setattr("bot.following.delivery.MAX_INLINE_WAIT", 0.3)  # the longest wait held in process
    await say(app, "alice", "follow 2.12")
    await admin(app, "setstatus 2.12 limited")
    outbound, clock = RecordingOutbound(), FakeClock()
    worker = make_worker(app, outbound, settings.model_copy(update={"retry_base_seconds": 0.01}), clock)
    outbound.fail_temporarily(1, retry_after=0.31)
    began = asyncio.get_running_loop().time()
    assert await worker.run_once() == {"retry": 1}
    assert len(outbound.attempts) == 1 and asyncio.get_running_loop().time() - began < 0.3  # neither retried nor slept
    [row] = await notifications(app)
    assert (row.state, row.attempts) == ("pending", 1)
    assert 0.31 <= (row.due_at - clock.now).total_seconds() <= 0.31 * 1.25  # the outbox waits the Retry-After
    outbound.fail_temporarily(QUICK_RETRIES - 1, retry_after=0.3)  # as long as may be waited in process
    clock.advance(1)
    assert await worker.run_once() == {"sent": 1}
    times = [t for _, _, t in outbound.attempts[1:]]
    assert len(times) == QUICK_RETRIES and all(b - a >= 0.29 for a, b in itertools.pairwise(times))


async def test_a_permanent_failure_marks_the_chat_inactive_and_skips_its_other_rows(app) -> None:
    for name in ("bob", "carol"):
        await say(app, name, "follow 2.12")
    await admin(app, "announce at 2099-01-01T10:00 to followers:2.12 Later news")
    await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    outbound.fail_permanently(times=5, chat_id="bob")
    stats = await make_worker(app, outbound).run_once()
    assert stats == {"failed": 1, "sent": 1}
    bob, carol = await chat_pk(app, "bob"), await chat_pk(app, "carol")
    async with app.db.session() as session:
        chat = await session.get(Chat, bob)
    assert chat.active is False and "blocked" in chat.inactive_reason
    assert [n.kind for n in await notifications(app, Notification.chat_pk == bob)] == ["announcement", "alert"]
    assert await states(app, Notification.chat_pk == bob) == ["skipped", "failed"]
    assert await states(app, Notification.chat_pk == carol) == ["pending", "sent"]
    assert len([a for a in outbound.attempts if a[0] == "bob"]) == 1  # never retried

    # the inactive chat gets nothing more; the announcement still reaches carol when due
    assert "1 alert queued" in await admin(app, "setstatus 2.12 complete")
    later = make_worker(app, outbound, clock=FakeClock(datetime(2099, 1, 1, 9, 1, tzinfo=UTC)))
    await later.run_once()
    assert [s.chat_id for s in outbound.sent] == ["carol", "carol", "carol", "admin"]
    assert "1 sent, 0 failed, 1 skipped (of 2)" in outbound.sent[-1].text  # the admin's final report

    # talking to the bot again makes the chat reachable again
    await say(app, "bob", "hello")
    async with app.db.session() as session:
        assert (await session.get(Chat, bob)).active is True


async def test_exhausting_max_attempts_marks_the_notification_failed(app, settings) -> None:
    await say(app, "alice", "follow 2.12")
    await admin(app, "setstatus 2.12 limited")
    clock = FakeClock()
    outbound = RecordingOutbound()
    outbound.fail_temporarily(1000, retry_after=0.001)
    worker = make_worker(app, outbound, settings.model_copy(update={"max_attempts": 3}), clock)
    outcomes = []
    for _ in range(5):
        outcomes.append(await worker.run_once())
        clock.advance(3600)
    assert outcomes == [{"retry": 1}, {"retry": 1}, {"failed": 1}, {}, {}]
    [row] = await notifications(app)
    assert (row.state, row.attempts) == ("failed", 3)
    assert outbound.sent == [] and len(outbound.attempts) == 3 * QUICK_RETRIES
    async with app.db.session() as session:
        assert (await session.get(Chat, row.chat_pk)).active is True  # a temporary problem, not a block


async def test_the_platform_rate_limit_spaces_sends(app, settings) -> None:
    rate = 20.0
    await add_followers(app, 12)
    await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound()
    # small batches: the spacing must hold across batch boundaries too
    worker = make_worker(app, outbound, settings.model_copy(update={"console_rate_limit": rate, "worker_batch": 5}))
    assert await worker.run_once() == {"sent": 12}
    times = sorted(s.at for s in outbound.sent)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / rate - 0.002, gaps
    assert times[-1] - times[0] >= 11 / rate - 0.01


# -- announcements ------------------------------------------------------------------------------------------


async def _audience(app) -> None:
    await say(app, "admin", "hello")
    await say(app, "alice", "follow 2.12")
    await say(app, "bob", "follow 2")  # the commitment covers 2.12
    await say(app, "carol", "follow 3")
    await say(app, "5001", "follow 2.12", platform="telegram")
    await say(app, "user:6001", "hello", platform="discord")


async def test_a_dry_run_counts_recipients_and_queues_nothing(app) -> None:
    await _audience(app)
    cases = {"to all": 6, "to followers:2.12": 3, "to followers:HATVP": 0, "to platform:console": 4,
             "to telegram": 1, "": 6}
    for audience, expected in cases.items():
        body = await admin(app, f"announce dry {audience} Hello there")
        assert f"would reach {expected} recipient{'' if expected == 1 else 's'} (" in body, audience
        assert "Nothing was sent" in body and "Hello there" in body
    assert await count(app, Announcement) == 0 and await count(app, Notification) == 0
    assert "Unknown audience" in await admin(app, "announce dry to followers:9.99 Hello")


async def test_announcements_reach_everyone_the_followers_of_an_item_or_one_platform(app) -> None:
    await _audience(app)
    console, telegram, discord = RecordingOutbound(), RecordingOutbound(), RecordingOutbound()
    worker = DeliveryWorker(app.db, AlertRenderer(app.kb), {"console": console, "telegram": telegram,
                                                            "discord": discord}, app.settings)

    assert "queued for 6 recipients" in await admin(app, "announce to all Hello everyone || Bonjour à tous")
    assert "queued for 3 recipients" in await admin(app, "announce to followers:2.12 Lobbying news")
    assert "queued for 4 recipients" in await admin(app, "announce to platform:console Console only")
    await worker.run_once()

    def got(outbound, chat_id):
        return [s.text.split("\n\n", 1)[1] for s in outbound.to(chat_id) if "Announcement" in s.text
                and "finished" not in s.text]

    assert sorted(got(console, "alice")) == ["Console only", "Hello everyone", "Lobbying news"]
    assert sorted(got(console, "bob")) == ["Console only", "Hello everyone", "Lobbying news"]
    assert sorted(got(console, "carol")) == ["Console only", "Hello everyone"]
    assert sorted(got(console, "admin")) == ["Console only", "Hello everyone"]
    assert sorted(got(telegram, "5001")) == ["Hello everyone", "Lobbying news"]
    assert got(discord, "user:6001") == ["Hello everyone"]
    async with app.db.session() as session:
        audits = list(await session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "announce")))
    assert [a["recipients"] for a in audits] == [6, 3, 4]


async def test_an_announcement_is_sent_in_the_recipients_language(app) -> None:
    await say(app, "admin", "hello")
    await say(app, "amelie", "language fr")
    outbound = RecordingOutbound()
    await admin(app, "announce Maintenance tonight || Maintenance ce soir")
    await make_worker(app, outbound).run_once()
    assert "Maintenance ce soir" in outbound.to("amelie")[0].text
    assert "Annonce" in outbound.to("amelie")[0].text
    assert "Maintenance tonight" in outbound.to("admin")[0].text


async def test_a_scheduled_announcement_is_not_sent_before_it_is_due(app) -> None:
    await _audience(app)
    body = await admin(app, "announce at 2099-01-01T10:00 to platform:console Happy new year")
    assert "scheduled for 2099-01-01T10:00" in body and "4 recipients" in body
    async with app.db.session() as session:
        announcement = await session.scalar(select(Announcement))
    assert announcement.scheduled_at == datetime(2099, 1, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    outbound = RecordingOutbound()
    assert await make_worker(app, outbound).run_once() == {}
    before = make_worker(app, outbound, clock=FakeClock(datetime(2099, 1, 1, 8, 59, tzinfo=UTC)))
    assert await before.run_once() == {}
    assert outbound.sent == []
    due = make_worker(app, outbound, clock=FakeClock(datetime(2099, 1, 1, 9, 0, 1, tzinfo=UTC)))
    assert (await due.run_once())["sent"] == 5  # four recipients and the admin's final report
    assert sum("Happy new year" in s.text for s in outbound.sent) == 4


async def test_cancel_skips_what_is_still_pending(app) -> None:
    await _audience(app)
    await admin(app, "announce at 2099-01-01T10:00 Not any more")
    body = await admin(app, "announce cancel 1")
    assert body == "Announcement #1 cancelled: 6 pending messages will not be sent."
    assert set(await states(app)) == {"skipped"}
    assert "no announcement #7" in await admin(app, "announce cancel 7")
    outbound = RecordingOutbound()
    worker = DeliveryWorker(app.db, AlertRenderer(app.kb), {p: outbound for p in ("console", "telegram", "discord")},
                            app.settings, clock=FakeClock(datetime(2099, 1, 2, tzinfo=UTC)))
    assert await worker.run_once() == {}
    assert "0 sent, 0 failed, 6 skipped, 0 to go (of 6)" in await admin(app, "announce status 1")
    async with app.db.session() as session:
        assert (await session.scalar(select(Announcement))).state == "cancelled"
        assert await session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "announce_cancel")) == {
            "announcement": 1, "skipped": 6}


async def test_progress_counts_and_one_final_report_to_the_admin(app) -> None:
    await _audience(app)
    await admin(app, "announce to platform:console Survey open")
    assert "Announcement #1: 0 sent, 0 failed, 0 skipped, 4 to go (of 4)." == await admin(app, "announce status 1")
    outbound = RecordingOutbound()
    outbound.fail_permanently(chat_id="carol")
    worker = make_worker(app, outbound)
    await worker.run_once(limit=2)
    middle = await admin(app, "announce status 1")
    assert "2 to go (of 4)" in middle
    await worker.run_once()
    assert "Announcement #1: 3 sent, 1 failed, 0 skipped, 0 to go (of 4)." == await admin(app, "announce status 1")
    reports = [s for s in outbound.sent if "finished" in s.text]
    assert [r.chat_id for r in reports] == ["admin"]
    assert "Announcement #1 finished: 3 sent, 1 failed, 0 skipped (of 4)." in reports[0].text
    await worker.run_once()
    await admin(app, "setstatus 2.12 limited")  # more deliveries, yet no second report
    await worker.run_once()
    assert len([s for s in outbound.sent if "finished" in s.text]) == 1
    assert "no announcement #9" in await admin(app, "announce status 9")


async def test_announce_usage_and_bad_times(app) -> None:
    assert "Usage: announce" in await admin(app, "announce")
    assert "couldn't read that time" in await admin(app, "announce at tomorrow Hello")
    assert "Usage: announce" in await admin(app, "announce to all")
    assert await count(app, Announcement) == 0


# -- the command line ---------------------------------------------------------------------------------------


def _cli(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1",
           "LOG_LEVEL": "WARNING"}
    return subprocess.run([str(BIN), *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


async def test_the_cli_sets_a_status_and_shows_its_history(app, database_url, tmp_path) -> None:
    await say(app, "alice", "follow 2.12")
    run = _cli(database_url, tmp_path, "status", "set", "2.12", "substantial", "--note", "Register opened",
               "--source", "https://example.org/hatvp", "--date", "2026-03-01", "--by", "ops")
    assert run.returncode == 0, run.stderr
    assert "2.12: No evidence available -> Substantial" in run.stdout
    again = _cli(database_url, tmp_path, "status", "set", "2.12", "substantial")
    assert again.returncode == 0 and "already Substantial: nothing changed, no alert" in again.stdout
    history = _cli(database_url, tmp_path, "status", "history", "2.12")
    assert history.returncode == 0, history.stderr
    assert history.stdout.strip() == (
        "2026-03-01 no_evidence -> substantial by cli:ops — Register opened <https://example.org/hatvp>")

    assert await count(app, StatusChange) == 1
    assert await states(app) == ["pending"]  # alice's alert, queued by the CLI's transaction
    async with app.db.session() as session:
        entry = await session.scalar(select(AuditEntry))
    assert (entry.platform, entry.user_id, entry.action) == ("cli", "ops", "setstatus")
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert "Register opened" in outbound.to("alice")[0].text


# -- several workers at once --------------------------------------------------------------------------------


async def test_two_workers_on_postgresql_deliver_500_notifications_without_duplicates(app, database_url) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("concurrent workers need PostgreSQL (FOR UPDATE SKIP LOCKED); set TEST_DATABASE_URL")
    await add_followers(app, 500)
    assert "500 alerts queued" in await admin(app, "setstatus 2.12 limited")
    outbound = RecordingOutbound(delay=0.001)
    second_db = Database(database_url)
    try:
        first = make_worker(app, outbound)
        second = make_worker(app, outbound, db=second_db)
        one, two = await asyncio.gather(first.run_once(), second.run_once())
    finally:
        await second_db.close()
    keys = [s.key for s in outbound.sent]
    assert len(keys) == 500 and len(set(keys)) == 500
    assert one["sent"] + two["sent"] == 500
    assert one["sent"] > 0 and two["sent"] > 0  # both really worked
    assert set(await states(app)) == {"sent"}


async def test_a_recipient_found_unreachable_is_not_tried_again_in_the_same_batch(app) -> None:
    await say(app, "bob", "follow 2.12")
    await admin(app, "announce to followers:2.12 First news")
    await admin(app, "announce to followers:2.12 Second news")
    outbound = RecordingOutbound()
    outbound.fail_permanently(times=5, chat_id="bob")
    stats = await make_worker(app, outbound).run_once()
    assert stats["failed"] == 1 and stats["skipped"] == 1
    assert len([a for a in outbound.attempts if a[0] == "bob"]) == 1
