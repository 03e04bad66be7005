"""The delivery claim reads the head of two partial indexes (O(batch)), never sorts the backlog (issue 12 item 1).

The plans are those of the very statements `DeliveryWorker.claim` runs (captured as they execute), EXPLAINed on a
backlog; on PostgreSQL after ANALYZE of a 20k-row backlog, on SQLite with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select, text, update

from bot.storage.models import Chat, Notification, utcnow
from tests.outbox_support import FakeClock, RecordingOutbound, make_worker

BACKLOG = 20_000


def capture(app) -> list[tuple[str, object]]:
    """Every statement the app's engine runs from now on, with its parameters."""
    seen: list[tuple[str, object]] = []

    @event.listens_for(app.db.engine.sync_engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    return seen


def claim_reads(statements) -> list[tuple[str, object]]:
    return [(sql, params) for sql, params in statements
            if sql.lstrip().upper().startswith("SELECT") and "FROM notifications" in sql]


async def add_chats(app, platform: str, n: int, *, first: int = 0) -> list[int]:
    async with app.db.session() as session, session.begin():
        await session.execute(insert(Chat), [{"platform": platform, "chat_id": f"c{first + i}"} for i in range(n)])
        return list(await session.scalars(select(Chat.id).where(Chat.platform == platform).order_by(Chat.id)))


async def add_rows(app, chat_pks: list[int], state: str, due_offsets: list[float], clock: FakeClock) -> list[int]:
    ids = []
    async with app.db.session() as session, session.begin():
        for pk, offset in zip(chat_pks, due_offsets, strict=True):
            row = Notification(chat_pk=pk, key=f"k{len(ids)}-{state}-{offset}-{pk}", kind="notice",
                               payload={"type": "notice", "text": {"en": "x", "fr": "x"}}, state=state,
                               due_at=clock() + timedelta(seconds=offset))
            if state == "sending":
                row.claimed_until, row.claim_token = clock() + timedelta(seconds=offset), "dead:1"
            session.add(row)
            await session.flush()
            ids.append(row.id)
    return ids


# ---------------------------------------------------------------------------------------------- behaviour


async def test_claims_take_expired_leases_then_due_rows_in_due_order(app) -> None:
    clock = FakeClock()
    pks = await add_chats(app, "console", 6)
    late, early, future = await add_rows(app, pks[:3], "pending", [-10, -20, 60], clock)
    expired, alive = await add_rows(app, pks[3:5], "sending", [-1, 60], clock)
    worker = make_worker(app, RecordingOutbound(), clock=clock)
    claims = await worker.claim(10)
    assert {c.id for c in claims} == {expired, early, late}  # not the future row, not the live lease
    assert [c.id for c in await worker.claim(10)] == []
    clock.advance(61)
    assert {c.id for c in await worker.claim(10)} == {future, alive}


async def test_a_small_batch_takes_the_expired_lease_first_then_the_earliest_due(app) -> None:
    clock = FakeClock()
    pks = await add_chats(app, "console", 4)
    _late, early, _ = await add_rows(app, pks[:3], "pending", [-10, -20, -5], clock)
    [expired] = await add_rows(app, pks[3:], "sending", [-1], clock)
    worker = make_worker(app, RecordingOutbound(), clock=clock)
    assert [c.id for c in await worker.claim(1)] == [expired]
    assert [c.id for c in await worker.claim(1)] == [early]


async def test_a_worker_claims_only_the_platforms_it_serves(app) -> None:
    clock = FakeClock()
    console = await add_chats(app, "console", 2)
    telegram = await add_chats(app, "telegram", 2)
    mine = await add_rows(app, console, "pending", [-5, -1], clock)
    await add_rows(app, telegram, "pending", [-9, -8], clock)
    worker = make_worker(app, RecordingOutbound(), clock=clock)  # serves console only
    assert sorted(c.id for c in await worker.claim(10)) == mine
    assert await worker.claim(10) == []


async def test_the_claim_uses_the_partial_indexes_on_sqlite(app) -> None:
    if not app.db.is_sqlite:
        pytest.skip("SQLite plan")
    clock = FakeClock()
    console = await add_chats(app, "console", 3)
    await add_chats(app, "telegram", 1, first=10)
    await add_rows(app, console, "pending", [-3, -2, -1], clock)
    for outbounds in ({"console": RecordingOutbound(), "telegram": RecordingOutbound()}, None):
        worker = make_worker(app, RecordingOutbound(), clock=clock)  # console only: the platform join too
        if outbounds:
            worker.outbounds = outbounds
        seen = capture(app)
        await worker.claim(2)
        reads = claim_reads(seen)
        assert len(reads) == 2, reads
        plans = []
        async with app.db.engine.connect() as conn:
            for sql, params in reads:
                rows = (await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params)).all()
                plans.append(" | ".join(str(r[-1]) for r in rows))
        assert "ix_notifications_sending_lease" in plans[0], plans
        assert "ix_notifications_pending_due" in plans[1], plans
        for plan in plans:
            assert "TEMP B-TREE" not in plan, plan  # no sort
            assert "SCAN notifications" not in plan, plan


# ---------------------------------------------------------------------------------------------- PostgreSQL


def sorted_rows(line: str) -> int:
    """The planner's row estimate on a plan line: "Sort  (cost=11.85..11.85 rows=2 width=18)" -> 2."""
    return int(re.search(r"rows=(\d+)", line).group(1))


def explain_postgres_lines(rows) -> str:
    return "\n".join(r[0] for r in rows)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="PostgreSQL plans: set TEST_DATABASE_URL")
async def test_claims_read_the_partial_indexes_on_a_large_postgres_backlog(app) -> None:
    now = utcnow()
    async with app.db.session() as session, session.begin():
        await session.execute(text(
            "INSERT INTO chats (platform, chat_id, is_group, language_chosen, frequency, active, created_at, "
            "last_seen_at) SELECT CASE WHEN g % 10 = 0 THEN 'telegram' ELSE 'console' END, 'c' || g, false, "
            "false, 'immediately', true, now(), now() FROM generate_series(1, :n) g"), {"n": BACKLOG // 4})
        # A quarter each: pending (due), sent, failed, sending (live leases but 10).
        await session.execute(text(
            "INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, created_at) "
            "SELECT (SELECT min(id) FROM chats) + g % :n, 'k' || g, 'alert', '{}', "
            "CASE WHEN g % 4 = 0 THEN 'pending' WHEN g % 4 = 1 THEN 'sent' WHEN g % 4 = 2 THEN 'failed' "
            "ELSE 'sending' END, CAST(:now AS timestamptz) - (g % 1000) * interval '1 second', 0, CAST(:now AS timestamptz) "
            "FROM generate_series(1, :rows) g"), {"n": BACKLOG // 4, "rows": BACKLOG, "now": now})
        await session.execute(update(Notification).where(Notification.state == "sending")
                              .values(claimed_until=now + timedelta(minutes=5), claim_token="live:1"))
        await session.execute(text("UPDATE notifications SET claimed_until = :t WHERE id IN "
                                   "(SELECT id FROM notifications WHERE state = 'sending' LIMIT 10)"),
                              {"t": now - timedelta(minutes=1)})
    async with app.db.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()

    clock = FakeClock(now)
    served_all = make_worker(app, RecordingOutbound(), clock=clock)
    served_all.outbounds = {"console": RecordingOutbound(), "telegram": RecordingOutbound()}
    console_only = make_worker(app, RecordingOutbound(), clock=clock)
    for worker in (served_all, console_only):
        seen = capture(app)
        claims = await worker.claim(50)
        assert len(claims) == 50
        reads = claim_reads(seen)
        assert len(reads) == 2, reads
        platform_reads = [(sql, p) for sql, p in seen if "FROM chats" in sql and "FROM notifications" not in sql]
        async with app.db.engine.connect() as conn:
            plans = [explain_postgres_lines((await conn.exec_driver_sql("EXPLAIN " + sql, params)).all())
                     for sql, params in reads + platform_reads]
        lease_plan, pending_plan, *chat_plans = plans
        assert "ix_notifications_sending_lease" in lease_plan, lease_plan
        assert "ix_notifications_pending_due" in pending_plan, pending_plan
        for plan in plans:
            assert "Seq Scan" not in plan, plan
            # A sort only of the few rows an index condition found (here the 10 expired leases), never of the backlog
            assert all(sorted_rows(line) <= 100 for line in plan.splitlines() if "Sort  (" in line), plan
        assert chat_plans, "the platforms present are read"
        for plan in chat_plans:
            assert "uq_chats_platform_chat" in plan, plan
