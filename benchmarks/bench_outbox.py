"""Outbox figures (a benchmark, not a test): fan-out, delivery throughput and memory, rate-limit accuracy.

    .venv/bin/python benchmarks/bench_outbox.py [--followers 10000] [--limited 300] [--rate 30]
                                                [--database-url postgresql+asyncpg://...]

1. queue one status change for N followers (one transaction, one set-based INSERT) — target <= 1 s on SQLite;
2. deliver those N notifications through a recording outbound with no rate limit — messages/s, and the peak
   Python memory of a second identical round traced with tracemalloc;
3. deliver ~300 notifications with a 30 msg/s limit — the achieved rate (target >= 95 % of the limit) and the
   most sends seen in any 1-second sliding window (must not exceed the limit).

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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from adapters.compose import build_app
from bot.settings import Settings
from bot.status import Level
from bot.status_changes import StatusUpdate, apply_status
from bot.storage.models import Notification
from tests.outbox_support import RecordingOutbound, add_followers, make_worker


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
    settings = Settings(_env_file=None, database_url=url, log_level="WARNING", **overrides)
    return await build_app(settings)


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


async def fan_out_and_deliver(url: str | None, directory: Path, followers: int) -> None:
    app = await fresh_app(url, directory, "fanout.db", console_rate_limit=0)
    try:
        started = time.perf_counter()
        await add_followers(app, followers)
        print(f"setup: {followers} chats and follows written in {time.perf_counter() - started:.2f} s")

        queued, elapsed = await set_status(app, "2.12", Level.LIMITED)
        verdict = "OK" if elapsed <= 1.0 else "OVER TARGET"
        print(f"1. queue one status change for {queued} followers: {elapsed:.3f} s (target <= 1 s: {verdict})")

        outbound = RecordingOutbound()
        worker = make_worker(app, outbound)
        started = time.perf_counter()
        stats = await worker.run_once()
        elapsed = time.perf_counter() - started
        unique = len({s.key for s in outbound.sent})
        print(f"2. deliver {stats['sent']} notifications, no rate limit: {elapsed:.2f} s = "
              f"{stats['sent'] / elapsed:.0f} messages/s ({unique} distinct keys)")

        await set_status(app, "2.12", Level.SUBSTANTIAL)
        outbound = RecordingOutbound(keep_replies=False)  # measure the worker, not the recorder's archive
        worker = make_worker(app, outbound)
        tracemalloc.start()
        started = time.perf_counter()
        stats = await worker.run_once()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"   peak traced Python memory while delivering {stats['sent']} more: {peak / 1e6:.1f} MB "
              f"(recording keys only; under tracemalloc: {stats['sent'] / elapsed:.0f} messages/s)")
    finally:
        await app.close()


async def rate_limited(url: str | None, directory: Path, messages: int, rate: float) -> None:
    app = await fresh_app(url, directory, "limited.db", console_rate_limit=rate)
    try:
        await add_followers(app, messages)
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--limited", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"database: {args.database_url or 'a temporary SQLite file'}; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as directory:
        await fan_out_and_deliver(args.database_url, Path(directory), args.followers)
        await rate_limited(args.database_url, Path(directory), args.limited, args.rate)


if __name__ == "__main__":
    asyncio.run(main())
