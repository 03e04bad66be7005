"""Retention (issue 12 item 7): sent alerts and console-inbox rows older than RETENTION_DAYS are purged in
bounded batches; pending, failed and recent rows, the audit log and the status history stay."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select, update

from bot.following.retention import purge
from bot.storage.models import AuditEntry, ConsoleInbox, Notification, StatusChange, Subscription, utcnow
from tests.outbox_support import FakeClock, count, make_worker, notifications, say

BIN = Path(sys.executable).parent / "opengov-bot"


async def history(app, days_ago: float) -> None:
    """alice, bob, carol and dave follow 2.12 and get one alert each through the real console outbound (rows in
    the console inbox); then carol's alert is made failed and dave's pending (due later). All dated `days_ago`."""
    for user in ("alice", "bob", "carol", "dave"):
        await say(app, user, "follow 2.12")
    await say(app, "admin", "setstatus 2.12 limited")
    assert (await make_worker(app, app.outbounds["console"]).run_once())["sent"] == 4
    then = utcnow() - timedelta(days=days_ago)
    async with app.db.session() as session, session.begin():
        *_, carol, dave = sorted(await session.scalars(select(Notification.id)))
        await session.execute(update(Notification).values(sent_at=then, created_at=then, due_at=then))
        await session.execute(update(Notification).where(Notification.id == carol).values(state="failed"))
        await session.execute(update(Notification).where(Notification.id == dave)
                              .values(state="pending", sent_at=None, due_at=utcnow() + timedelta(days=1)))
        await session.execute(update(ConsoleInbox).values(created_at=then))
        await session.execute(update(AuditEntry).values(at=then))
        await session.execute(update(StatusChange).values(created_at=then))


async def test_the_purge_removes_old_sent_alerts_and_inbox_rows_and_keeps_the_rest(app) -> None:
    await history(app, days_ago=31)
    assert await count(app, ConsoleInbox) == 4
    # and a recent alert, sent yesterday to alice: within retention
    await say(app, "admin", "setstatus 2.12 substantial")
    await make_worker(app, app.outbounds["console"]).run_once()
    recent = [n.id for n in await notifications(app, Notification.key.like("status:2:%"), Notification.state == "sent")]
    assert len(recent) == 4  # dave's old one is pending still, and is not due again: these are the new ones

    removed = await purge(app.db, app.settings)
    assert removed == {"notifications": 2, "console_inbox": 4}
    left = await notifications(app)
    assert sorted((n.state, n.key.split(":")[1]) for n in left if n.id not in recent) == [
        ("failed", "1"), ("pending", "1")]  # the old failed and pending rows stay
    assert {n.id for n in left} >= set(recent)
    assert await count(app, ConsoleInbox) == 4  # the recent copies of the recent alerts
    assert await count(app, StatusChange) == 2 and await count(app, AuditEntry) == 2
    assert await count(app, Subscription) == 4
    assert await purge(app.db, app.settings) == {"notifications": 0, "console_inbox": 0}  # nothing more


async def test_rows_inside_the_retention_period_stay(app) -> None:
    await history(app, days_ago=29)
    assert await purge(app.db, app.settings) == {"notifications": 0, "console_inbox": 0}
    assert await count(app, Notification) == 4 and await count(app, ConsoleInbox) == 4
    # a shorter setting, or a later day, and they go
    later = FakeClock(utcnow() + timedelta(days=2))
    assert await purge(app.db, app.settings, clock=later) == {"notifications": 2, "console_inbox": 4}


async def test_the_purge_deletes_in_bounded_batches(app) -> None:
    await history(app, days_ago=40)
    deletes: list[str] = []

    @event.listens_for(app.db.engine.sync_engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE"):
            deletes.append(statement)

    assert await purge(app.db, app.settings, batch=1) == {"notifications": 2, "console_inbox": 4}
    # one DELETE per row here (batch of 1), then one that finds nothing, per table
    assert sum("notifications" in d for d in deletes) == 3 and sum("console_inbox" in d for d in deletes) == 5
    assert all("LIMIT" in d.upper() for d in deletes)


def test_the_purge_command_says_what_it_deleted(database_url, tmp_path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1",
           "LOG_LEVEL": "WARNING", "RETENTION_DAYS": "7"}
    run = subprocess.run([str(BIN), "purge"], check=False, cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "older than 7 days: 0 sent alert(s) and 0 console-inbox row(s) deleted"
