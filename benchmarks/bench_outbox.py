"""Outbox figures (a benchmark, not a test): fan-out, delivery throughput, statements per batch, storage.

    .venv/bin/python benchmarks/bench_outbox.py [--followers 10000] [--sample 10000] [--limited 300] [--rate 30]
                                                [--storage 0] [--database-url postgresql+asyncpg://...]

For each follower count of `--followers` (a comma-separated list, e.g. 1000,10000,100000,1000000):
1. that many chats following action 2.12 are written with SQL (one INSERT ... SELECT over a recursive counter,
   then the follows, counted back), and one status change queues an alert for each (one set-based INSERT) —
   the enqueue time;
2. `--sample` of those alerts (all of them when there are fewer) are delivered through a recording outbound with
   no rate limit, the rest staying queued as the backlog — messages/s, and the SQL statements the worker ran per
   batch of WORKER_BATCH (counted with SQLAlchemy's before_cursor_execute event); at 10,000 followers or fewer, a
   second identical round is traced with tracemalloc for the worker's peak Python memory.
3. `--limited` notifications with a `--rate` msg/s limit — the achieved rate (target >= 95 % of the limit) and
   the most sends seen in any 1-second sliding window (must not exceed the limit).
4. with `--digest N`: N daily followers, two status changes held for them, then `digest --force`: its time and
   statements (the old one was one transaction of five statements per recipient);
5. with `--storage N`: N alerts delivered to console users (each stored in their inbox), then the database size,
   then the retention purge as it will run RETENTION_DAYS later, the size after it and after a VACUUM.

Uses a fresh temporary SQLite file unless --database-url is given (PostgreSQL: the schema is reset!).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import logging
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select, text

from adapters.bootstrap import bootstrap
from bot.following.levels import Level
from bot.following.retention import purge
from bot.following.status_updates import StatusUpdate, apply_status
from bot.settings import Settings
from bot.storage.models import Chat, Notification, Subscription, utcnow
from tests.outbox_support import RecordingOutbound, make_worker

# n chats, then their follows, written by the database itself (1M rows in seconds, on SQLite and PostgreSQL).
CHATS_SQL = (
    "WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter WHERE n < :n) "
    "INSERT INTO chats (platform, chat_id, is_group, language, language_chosen, frequency, active, created_at, "
    "last_seen_at) SELECT '{platform}', '{prefix}' || n, false, CASE WHEN n % 3 = 0 THEN 'fr' ELSE 'en' END, false, "
    "'{frequency}', true, {now}, {now} FROM counter"
)
FOLLOWS_SQL = (
    "INSERT INTO subscriptions (chat_pk, target_kind, target_id, created_at) "
    "SELECT id, 'action', '{target}', {now} FROM chats WHERE platform = '{platform}' AND chat_id LIKE '{prefix}%'"
)


async def fresh_app(url: str | None, directory: Path, name: str, **overrides):
    if url:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    else:
        url = f"sqlite+aiosqlite:///{directory / name}"
        (directory / name).unlink(missing_ok=True)
    settings = Settings(_env_file=None, database_url=url, log_level="WARNING", **overrides)
    return await bootstrap(settings)


async def bulk_followers(app, n: int, platform: str = "console", prefix: str = "bench", target: str = "2.12",
                         frequency: str = "immediately") -> int:
    """n chats following `target`, written with SQL; returns the number of follows found afterwards."""
    names = {"platform": platform, "prefix": prefix, "target": target, "frequency": frequency,
             "now": "CURRENT_TIMESTAMP" if app.db.is_sqlite else "now()"}  # constants of this script only
    async with app.db.session() as session, session.begin():
        await session.execute(text(CHATS_SQL.format(**names)), {"n": n})
        await session.execute(text(FOLLOWS_SQL.format(**names)))
    async with app.db.session() as session:
        follows = await session.scalar(select(func.count()).select_from(Subscription).join(Chat).where(
            Chat.platform == platform, Subscription.target_id == target))
    if not app.db.is_sqlite:
        async with app.db.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    assert follows == n, f"{follows} follows written, {n} wanted"
    return follows


async def set_status(app, action_id: str, level: Level) -> tuple[int, float]:
    started = time.perf_counter()
    async with app.db.session() as session, session.begin():
        change = await apply_status(session, app.kb, StatusUpdate(action_id, level, "benchmark"), "bench")
    elapsed = time.perf_counter() - started
    async with app.db.session() as session:
        queued = await session.scalar(
            select(func.count()).select_from(Notification).where(Notification.key.like(f"status:{change.id}:%")))
    return queued, elapsed


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most sends in any half-open window [t, t + window) (windows starting at a send are enough)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


class StatementCounter:
    """Counts the statements an engine sends to the database while active."""

    def __init__(self, engine):
        self.engine, self.count = engine.sync_engine, 0

    def _record(self, *args) -> None:
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


async def fan_out_and_deliver(url: str | None, directory: Path, followers: int, sample: int) -> None:
    app = await fresh_app(url, directory, "fanout.db", console_rate_limit=0)
    try:
        started = time.perf_counter()
        await bulk_followers(app, followers)
        print(f"{followers:,} followers: chats and follows written (and counted) in {time.perf_counter() - started:.1f} s")

        queued, elapsed = await set_status(app, "2.12", Level.LIMITED)
        print(f"  1. enqueue one status change for {queued:,} followers: {elapsed:.2f} s "
              f"({queued / elapsed:,.0f} alerts/s)")

        outbound = RecordingOutbound(keep_replies=False)
        worker = make_worker(app, outbound)
        deliver = min(sample, queued)
        with StatementCounter(app.db.engine) as statements:
            started, cpu = time.perf_counter(), time.process_time()
            stats = await worker.run_once(limit=deliver)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        unique = len({s.key for s in outbound.sent})
        batches = stats["sent"] / app.settings.worker_batch
        backlog = f", {queued - stats['sent']:,} left queued" if queued > stats["sent"] else ""
        print(f"  2. deliver {stats['sent']:,} of them{backlog}, no rate limit: {elapsed:.2f} s = "
              f"{stats['sent'] / elapsed:,.0f} messages/s ({unique:,} distinct keys); "
              f"{statements.count / batches:.1f} SQL statements per batch of {app.settings.worker_batch}, "
              f"{cpu / stats['sent'] * 1000:.2f} ms of this process's CPU per message")

        if followers <= 10_000:
            await set_status(app, "2.12", Level.SUBSTANTIAL)
            outbound = RecordingOutbound(keep_replies=False)  # measure the worker, not the recorder's archive
            worker = make_worker(app, outbound)
            tracemalloc.start()
            started = time.perf_counter()
            stats = await worker.run_once()
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"     peak traced Python memory while delivering {stats['sent']:,} more: {peak / 1e6:.1f} MB "
                  f"(recording keys only; under tracemalloc: {stats['sent'] / elapsed:,.0f} messages/s)")
    finally:
        await app.close()


async def rate_limited(url: str | None, directory: Path, messages: int, rate: float) -> None:
    app = await fresh_app(url, directory, "limited.db", console_rate_limit=rate)
    try:
        await bulk_followers(app, messages)
        await set_status(app, "2.12", Level.LIMITED)
        outbound = RecordingOutbound()
        worker = make_worker(app, outbound)
        started = time.perf_counter()
        stats = await worker.run_once()
        wall = time.perf_counter() - started
        times = sorted(s.at for s in outbound.sent)
        span = times[-1] - times[0]
        achieved = (len(times) - 1) / span if span else float("inf")
        gaps = [b - a for a, b in itertools.pairwise(times)]
        burst = max_in_window(times)
        print(f"3. {stats['sent']} notifications at a {rate:g} msg/s limit: {wall:.2f} s wall, achieved "
              f"{achieved:.2f} msg/s between first and last send = {achieved / rate:.1%} of the limit "
              f"(target >= 95 %: {'OK' if achieved >= 0.95 * rate else 'BELOW'}); overall incl. setup of the "
              f"round {stats['sent'] / wall:.2f} msg/s")
        print(f"   most sends in any 1-s sliding window: {burst} (limit {rate:g}: "
              f"{'OK' if burst <= rate else 'BURST OVER THE LIMIT'}); smallest gap {min(gaps) * 1000:.2f} ms "
              f"(1/rate = {1000 / rate:.2f} ms)")
    finally:
        await app.close()


async def sizes(app, directory: Path) -> str:
    """The database's size, and its two biggest tables' (PostgreSQL: with their indexes and TOAST)."""
    if app.db.is_sqlite:
        async with app.db.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return f"{(directory / 'storage.db').stat().st_size / 1e6:.1f} MB file"
    async with app.db.engine.connect() as conn:
        total = await conn.scalar(text("SELECT pg_database_size(current_database())"))
        tables = {t: await conn.scalar(text(f"SELECT pg_total_relation_size('{t}')"))
                  for t in ("notifications", "console_inbox")}
    parts = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in tables.items())
    return f"database {total / 1e6:.1f} MB ({parts})"


async def storage(url: str | None, directory: Path, alerts: int) -> None:
    """Database size after `alerts` alerts delivered to console users, and after the retention purge."""
    from adapters.console import ConsoleOutbound

    app = await fresh_app(url, directory, "storage.db", console_rate_limit=0)
    try:
        print(f"5. storage: empty schema: {await sizes(app, directory)}")
        await bulk_followers(app, alerts)
        print(f"   {alerts:,} console followers: {await sizes(app, directory)}")
        await set_status(app, "2.12", Level.LIMITED)
        worker = make_worker(app, ConsoleOutbound(app.db))
        with StatementCounter(app.db.engine) as statements:
            started = time.perf_counter()
            stats = await worker.run_once()
            elapsed = time.perf_counter() - started
        print(f"   {stats['sent']:,} alerts delivered into the console inbox in {elapsed:.1f} s "
              f"({stats['sent'] / elapsed:,.0f}/s, {statements.count / (stats['sent'] / app.settings.worker_batch):.1f} "
              f"statements per batch): {await sizes(app, directory)}")
        later = utcnow() + timedelta(days=app.settings.retention_days, hours=1)
        started = time.perf_counter()
        removed = await purge(app.db, app.settings, clock=lambda: later)
        print(f"   purge {app.settings.retention_days} days later: {removed} in "
              f"{time.perf_counter() - started:.1f} s: {await sizes(app, directory)}")
        async with app.db.engine.connect() as conn:  # VACUUM runs outside any transaction
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("VACUUM")
        print(f"   after VACUUM: {await sizes(app, directory)}")
    finally:
        await app.close()


async def digests(url: str | None, directory: Path, followers: int) -> None:
    from jobs.digests import build_digests

    app = await fresh_app(url, directory, "digest.db", console_rate_limit=0)
    try:
        await bulk_followers(app, followers, frequency="daily")
        await set_status(app, "2.12", Level.LIMITED)
        await set_status(app, "2.12", Level.SUBSTANTIAL)
        with StatementCounter(app.db.engine) as statements:
            started = time.perf_counter()
            made = await build_digests(app.db, app.settings, force=True)
            elapsed = time.perf_counter() - started
        print(f"4. digest --force for {followers:,} daily followers (two held alerts each): {made:,} digests queued "
              f"in {elapsed:.1f} s, {statements.count:,} statements")
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", default="10000", help="comma-separated follower counts")
    parser.add_argument("--sample", type=int, default=10_000, help="alerts delivered per follower count")
    parser.add_argument("--limited", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--digest", type=int, default=0, help="daily followers for the digest figures")
    parser.add_argument("--storage", type=int, default=0, help="alerts delivered for the storage figures")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"database: {args.database_url or 'a temporary SQLite file'}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as directory:
        for followers in (int(n) for n in args.followers.split(",")):
            await fan_out_and_deliver(args.database_url, Path(directory), followers, args.sample)
        if args.limited:
            await rate_limited(args.database_url, Path(directory), args.limited, args.rate)
        if args.digest:
            await digests(args.database_url, Path(directory), args.digest)
        if args.storage:
            await storage(args.database_url, Path(directory), args.storage)


if __name__ == "__main__":
    asyncio.run(main())
