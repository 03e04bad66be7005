"""Races and faults of the outbox and of status changes: several workers, several writers, erasure in flight,
a small connection pool. Tests needing row locks across connections run on PostgreSQL only (TEST_DATABASE_URL);
the others run on both databases, each "process" being its own engine (its own connections)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.following.delivery import DeliveryWorker
from bot.following.feed import import_feed
from bot.following.levels import Level
from bot.following.status_reads import history
from bot.following.status_updates import StatusUpdate, apply_status
from bot.presentation.alerts import AlertRenderer
from bot.storage.db import Database
from bot.storage.models import Chat, ConsoleInbox, Notification, StatusChange
from tests.outbox_support import (
    FakeClock,
    RecordingOutbound,
    add_followers,
    chat_pk,
    count,
    make_worker,
    notifications,
    say,
)

EXAMPLE_FEED = Path(__file__).resolve().parent.parent / "examples" / "status-feed.json"
NEEDS_POSTGRES = "row locks held across connections need PostgreSQL: set TEST_DATABASE_URL"


def postgres_only(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(NEEDS_POSTGRES)


async def engines(database_url: str, n: int) -> list[Database]:
    return [Database(database_url) for _ in range(n)]


async def close_all(dbs: list[Database]) -> None:
    for db in dbs:
        await db.close()


async def set_level(db: Database, kb, level: Level, action: str = "2.12") -> StatusChange | None:
    async with db.session() as session, session.begin():
        return await apply_status(session, kb, StatusUpdate(action, level, f"to {level.value}"), "race")


def assert_chain(rows: list[StatusChange]) -> None:
    previous = Level.NO_EVIDENCE.value
    for row in rows:
        assert row.previous_status == previous, [(r.previous_status, r.status) for r in rows]
        assert row.status != row.previous_status
        previous = row.status


# -- item 2: status changes from several writers at once -----------------------------------------------------


async def test_the_same_level_set_by_six_writers_at_once_is_recorded_and_alerted_once(app, database_url) -> None:
    await add_followers(app, 3)
    dbs = await engines(database_url, 6)
    try:
        changes = await asyncio.gather(*(set_level(db, app.kb, Level.LIMITED) for db in dbs))
    finally:
        await close_all(dbs)
    assert len([c for c in changes if c is not None]) == 1
    assert await count(app, StatusChange) == 1 and await count(app, Notification) == 3


async def test_concurrent_changes_of_one_action_form_a_chain(app, database_url) -> None:
    levels = [Level.LIMITED, Level.SUBSTANTIAL, Level.COMPLETE, Level.LIMITED, Level.NOT_STARTED, Level.SUBSTANTIAL]
    dbs = await engines(database_url, len(levels))
    try:
        for _ in range(3):
            await asyncio.gather(*(set_level(db, app.kb, level) for db, level in zip(dbs, levels, strict=True)))
    finally:
        await close_all(dbs)
    async with app.db.session() as session:
        rows = await history(session, "2.12")
    assert len(rows) >= 3
    assert_chain(rows)


async def test_two_imports_of_one_feed_at_once_neither_crash_nor_double_it(app, database_url, tmp_path) -> None:
    feed = tmp_path / "feed.json"
    shutil.copy(EXAMPLE_FEED, feed)
    dbs = await engines(database_url, 3)
    try:
        results = await asyncio.gather(*(import_feed(db, app.kb, app.settings, str(feed), capabilities=app.capabilities)
                                         for db in dbs))
    finally:
        await close_all(dbs)
    assert all(r.ok for r in results), [r.problems for r in results]
    # the example feed's six rows (five statuses, one fact), recorded once
    assert sum(r.changed for r in results) == 6
    assert await count(app, StatusChange) == 5


# -- item 3: `forget` while alerts are in flight ---------------------------------------------------------------


class ForgetWhileRendering(AlertRenderer):
    """The person erases everything at the worst moment: after the worker's checks, before it stores."""

    def __init__(self, app, who: str):
        super().__init__(app.kb, "en")
        self.app, self.who, self.forgetting = app, who, None

    async def render(self, session, chat, notification):
        reply = await super().render(session, chat, notification)
        if chat.chat_id == self.who and self.forgetting is None:
            self.forgetting = asyncio.create_task(say(self.app, self.who, "forget confirm"))
            await asyncio.sleep(0.3)  # SQLite: the erasure commits now; PostgreSQL: it waits for this delivery
        return reply


async def test_nothing_is_stored_for_a_console_user_who_forgot_during_the_delivery(app) -> None:
    from adapters.console import ConsoleOutbound

    await say(app, "bob", "follow 2.12")
    await say(app, "alice", "follow 2.12")
    await say(app, "admin", "setstatus 2.12 limited")
    renderer = ForgetWhileRendering(app, "bob")
    worker = DeliveryWorker(app.db, renderer, {"console": ConsoleOutbound(app.db)}, app.settings)
    await worker.run_once()
    await renderer.forgetting
    async with app.db.session() as session:
        inbox = list(await session.scalars(select(ConsoleInbox.chat_id)))
    assert inbox == ["alice"]
    assert await chat_pk(app, "bob") is None


async def test_forget_waits_for_the_send_under_way_and_nothing_follows_it(app, database_url) -> None:
    """A remote platform's send under way when the person says `forget`: on PostgreSQL the worker is another
    process (row locks); on SQLite, the embedded default, it runs in the bot's own process (an in-process lock)."""
    await say(app, "bob", "follow 2.12")
    await say(app, "admin", "setstatus 2.12 limited")
    await say(app, "admin", "announce to followers:2.12 Second news")
    await say(app, "admin", "announce to followers:2.12 Third news")
    outbound = RecordingOutbound(delay=0.5)
    sqlite = app.db.is_sqlite
    other = None if sqlite else (await engines(database_url, 1))[0]  # the worker in its own "process"
    try:
        delivering = asyncio.create_task(make_worker(app, outbound, db=other).run_once())
        while not outbound.attempts:
            await asyncio.sleep(0.01)
        await say(app, "bob", "forget confirm")
        sent_when_forget_returned = len(outbound.to("bob"))
        await delivering
    finally:
        await close_all([other] if other else [])
    assert sent_when_forget_returned == 1  # the send under way finished before `forget` returned...
    assert len([a for a in outbound.attempts if a[0] == "bob"]) == 1  # ...and nothing was tried after it
    assert len(outbound.to("bob")) == 1
    assert await chat_pk(app, "bob") is None


# -- item 4: a claim is its holder's only ---------------------------------------------------------------------


async def test_a_claim_taken_over_after_its_lease_is_not_sent_again_by_its_first_holder(app) -> None:
    await add_followers(app, 1)
    await say(app, "admin", "setstatus 2.12 limited")
    clock, outbound = FakeClock(), RecordingOutbound()
    first, second = make_worker(app, outbound, clock=clock), make_worker(app, outbound, clock=clock)
    [stale] = await first.claim(10)
    clock.advance(app.settings.worker_lease_seconds + 1)  # the first worker stalled past its lease
    assert await second.run_once() == {"sent": 1}
    assert await first._deliver(stale) == "skipped"
    assert len(outbound.sent) == 1
    [row] = await notifications(app)
    assert (row.state, row.claim_token, row.claimed_until) == ("sent", None, None)


async def test_a_slow_send_is_not_taken_over_by_another_worker(app, database_url) -> None:
    postgres_only(database_url)
    await add_followers(app, 1)
    await say(app, "admin", "setstatus 2.12 limited")
    clock, outbound = FakeClock(), RecordingOutbound(delay=1.0)
    [other] = await engines(database_url, 1)
    try:
        slow = asyncio.create_task(make_worker(app, outbound, clock=clock).run_once())
        while not outbound.attempts:
            await asyncio.sleep(0.01)
        clock.advance(app.settings.worker_lease_seconds + 1)  # the send outlives its lease
        assert await make_worker(app, outbound, clock=clock, db=other).run_once() == {}
        assert await slow == {"sent": 1}
    finally:
        await close_all([other])
    assert len(outbound.sent) == 1


# -- item 5: the pool, and supervised deliveries ----------------------------------------------------------------


async def test_hundreds_of_failing_rows_on_a_small_pool_all_settle(app, database_url) -> None:
    await add_followers(app, 300)
    async with app.db.session() as session, session.begin():
        chats = list(await session.scalars(select(Chat.id)))  # a notification none can render, for each
        await session.execute(insert(Notification), [
            {"chat_pk": pk, "key": f"broken:{pk}", "kind": "alert", "payload": {"type": "from-the-future"},
             "state": "pending"} for pk in chats
        ])
    small = Database(database_url, pool_size=3, max_overflow=1, pool_timeout=2)
    try:
        stats = await asyncio.wait_for(make_worker(app, RecordingOutbound(), db=small).run_once(), timeout=60)
    finally:
        await small.close()
    assert stats == {"failed": 300}
    assert {n.state for n in await notifications(app)} == {"failed"}


class FailingClaims(DeliveryWorker):
    """The database goes away after the first batch is claimed."""

    claims = 0

    async def claim(self, size):
        self.claims += 1
        if self.claims > 1:
            raise ConnectionError("database unreachable")
        return await super().claim(size)


async def test_a_round_that_fails_leaves_no_delivery_running_unwatched(app) -> None:
    await add_followers(app, 30)
    await say(app, "admin", "setstatus 2.12 limited")
    outbound = RecordingOutbound(delay=0.01)
    settings = app.settings.model_copy(update={"worker_batch": 20})
    worker = FailingClaims(app.db, AlertRenderer(app.kb), {"console": outbound}, settings)
    with pytest.raises(ConnectionError):
        await worker.run_once()
    running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert running == []
    assert len(outbound.sent) == 20  # the claimed batch was delivered, not abandoned mid-way
    assert sorted(n.state for n in await notifications(app)) == ["pending"] * 10 + ["sent"] * 20


# -- item 6: one loop drives delivery ---------------------------------------------------------------------------


async def test_delivery_is_no_scheduler_job_and_its_loop_stops_within_the_batch_under_way(app) -> None:
    from jobs.scheduler import build_scheduler

    assert all("deliver" not in job.id for job in build_scheduler(app.settings, app.db, app.kb, app.capabilities).get_jobs())
    await add_followers(app, 200)
    await say(app, "admin", "setstatus 2.12 limited")
    settings = app.settings.model_copy(update={"console_rate_limit": 50.0, "worker_batch": 10})
    outbound = RecordingOutbound()
    worker = make_worker(app, outbound, settings=settings)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    while len(outbound.sent) < 5:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, timeout=3)  # not the whole 4-second fan-out
    assert 5 <= len(outbound.sent) < 200
    assert not [n for n in await notifications(app) if n.state == "sending"]


async def announce(app) -> str:
    replies = await say(app, "admin", "announce to followers:2.12 News")
    return "\n".join(r.plain_text for r in replies)


@pytest.mark.parametrize("fan_out", ["status", "announcement"])
async def test_a_fan_out_while_someone_is_erasing_leaves_them_out_instead_of_failing(app, database_url,
                                                                                     fan_out) -> None:
    postgres_only(database_url)
    from sqlalchemy import delete

    await say(app, "alice", "follow 2.12")
    await say(app, "bob", "follow 2.12")
    bob = await chat_pk(app, "bob")
    [other] = await engines(database_url, 1)
    try:
        async with other.session() as erasing, erasing.begin():  # bob's `forget`, not yet committed
            await erasing.execute(delete(Chat).where(Chat.id == bob))
            if fan_out == "status":
                queued = asyncio.create_task(set_level(app.db, app.kb, Level.LIMITED))
            else:
                queued = asyncio.create_task(announce(app))
            await asyncio.sleep(0.3)
            assert not queued.done()  # it waits for the erasure...
        result = await queued  # ...then goes on without bob
        if fan_out == "status":
            assert result is not None
        else:
            assert "queued for 1 recipient" in result
    finally:
        await close_all([other])
    alice = await chat_pk(app, "alice")
    assert [n.chat_pk for n in await notifications(app)] == [alice]
