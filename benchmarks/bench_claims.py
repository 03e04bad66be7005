"""Claim time against the backlog (a benchmark, not a test): one `DeliveryWorker.claim(50)` at 10k / 100k / 1M
pending rows on PostgreSQL. Target: about 1 ms, whatever the backlog (issue 12 item 1).

    .venv/bin/python benchmarks/bench_claims.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/DB
                                                [--backlogs 10000,100000,1000000] [--claims 30]

The backlog is written with SQL (INSERT ... SELECT generate_series, then ANALYZE), not through the app: 1,000
chats; the given number of due pending rows, as many already-sent rows (history) and a few hundred 'sending' rows
under a live lease. Prints the median and p95 of `--claims` successive claims of 50, and the time of one claim
by a worker serving only some of the platforms present (the claim then joins the chats). The schema is reset!
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.bootstrap import bootstrap
from bot.settings import Settings
from tests.outbox_support import RecordingOutbound, make_worker

CHATS = 1_000
# The claim's read before issue 12, for comparison: one OR over both states, sorted, in every claim.
BEFORE = ("SELECT id FROM notifications WHERE (state = 'pending' AND due_at <= now()) OR "
          "(state = 'sending' AND claimed_until < now()) ORDER BY due_at, id LIMIT 50 FOR UPDATE SKIP LOCKED")

FILL = [
    ("INSERT INTO chats (platform, chat_id, is_group, language_chosen, frequency, active, created_at, last_seen_at) "
    "SELECT CASE WHEN g % 10 = 0 THEN 'telegram' ELSE 'console' END, 'c' || g, false, false, 'immediately', true, "
    "now(), now() FROM generate_series(1, :chats) g"),
    # the pending backlog, all due (spread over the last day), then as much sent history, then live leases
    ("INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, created_at) "
    "SELECT (SELECT min(id) FROM chats) + g % :chats, 'p' || g, 'alert', '{}', 'pending', "
    "now() - (g % 86400) * interval '1 second', 0, now() FROM generate_series(1, :rows) g"),
    ("INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, sent_at, created_at) "
    "SELECT (SELECT min(id) FROM chats) + g % :chats, 's' || g, 'alert', '{}', 'sent', "
    "now() - interval '2 days', 1, now() - interval '2 days', now() FROM generate_series(1, :rows) g"),
    ("INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, claimed_until, claim_token, "
    "created_at) SELECT (SELECT min(id) FROM chats) + g % :chats, 'l' || g, 'alert', '{}', 'sending', now(), 0, "
    "now() + interval '1 hour', 'live:1', now() FROM generate_series(1, 500) g"),
]


async def reset(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def one_backlog(url: str, rows: int, claims: int) -> None:
    await reset(url)
    app = await bootstrap(Settings(_env_file=None, database_url=url, log_level="WARNING"))
    try:
        started = time.perf_counter()
        async with app.db.session() as session, session.begin():
            for statement in FILL:
                await session.execute(text(statement), {"chats": CHATS, "rows": rows})
        async with app.db.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        print(f"backlog {rows:>9,} pending (+{rows:,} sent): written and analysed in "
              f"{time.perf_counter() - started:.1f} s")

        all_platforms = make_worker(app, RecordingOutbound())
        all_platforms.outbounds = {"console": RecordingOutbound(), "telegram": RecordingOutbound()}
        console_only = make_worker(app, RecordingOutbound())
        print(f"  for scale, an empty transaction through the app's session: {await empty_ms(app)}")
        for label, worker in (("serving every platform", all_platforms), ("serving some platforms", console_only)):
            await worker.claim(50)  # warm the connection and statement caches
            times = []
            for _ in range(claims):
                began = time.perf_counter()
                claimed = await worker.claim(50)
                times.append((time.perf_counter() - began) * 1000)
                assert len(claimed) == 50
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"  claim of 50, {label}: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms "
                  f"({claims} claims, each a transaction: reads, UPDATE of 50 rows, commit)")
            print(f"    its statements' execution in PostgreSQL (EXPLAIN ANALYZE, reads only): {await executed(app, worker)}")
        async with app.db.engine.connect() as conn:
            print(f"  before issue 12, the claim's one sorted read alone: {await explain_ms(conn, BEFORE, ())}")
    finally:
        await app.close()


async def explain_ms(conn, sql: str, params) -> str:
    """Planning + execution time of one statement, run inside a transaction that is rolled back."""
    transaction = await conn.begin()
    try:
        [[plan]] = (await conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)).all()
    finally:
        await transaction.rollback()
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return f"{plan['Planning Time'] + plan['Execution Time']:.2f} ms"


async def executed(app, worker) -> str:
    """Each statement of one claim, as the worker sends it, EXPLAIN ANALYZEd (planning + execution)."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await worker.claim(50)
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", record)
    parts = []
    async with app.db.engine.connect() as conn:
        for sql, params in seen:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                kind = "platforms" if "FROM chats" in sql and "notifications" not in sql else "read"
                parts.append(f"{kind} {await explain_ms(conn, sql, params)}")
    return ", ".join(parts)


async def empty_ms(app) -> str:
    """One write transaction that changes nothing much (BEGIN, an UPDATE of one row, COMMIT), median of 30."""
    times = []
    for _ in range(30):
        began = time.perf_counter()
        async with app.db.session() as session, session.begin():
            await session.execute(text("UPDATE chats SET active = true WHERE id = (SELECT min(id) FROM chats)"))
        times.append((time.perf_counter() - began) * 1000)
    return f"median {statistics.median(times):.2f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL (postgresql+asyncpg://...); reset!")
    parser.add_argument("--backlogs", default="10000,100000,1000000")
    parser.add_argument("--claims", type=int, default=30)
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        parser.error("claim figures are for PostgreSQL")
    logging.basicConfig(level=logging.WARNING)
    for rows in (int(n) for n in args.backlogs.split(",")):
        await one_backlog(args.database_url, rows, args.claims)


if __name__ == "__main__":
    asyncio.run(main())
