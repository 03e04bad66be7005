"""Responsiveness figures (a benchmark, not a test): how long a "hello" takes while others ask for charts.

    .venv/bin/python benchmarks/bench_responsiveness.py [--crowd 30] [--database-url postgresql+asyncpg://...]

Run it in a fresh process (matplotlib not yet imported), as a server starts:
1. a "hello" alone (median of 20);
2. the first chart (cold: matplotlib imported and the chart drawn in worker threads) with a "hello" sent while it
   is drawn: the hello's latency and the longest event-loop stall seen meanwhile;
3. `--crowd` concurrent `progress` requests from different people plus a "hello": the hello's latency, the
   slowest chart, and the charts drawn (1 per status version and language when cached);
4. the same after a status change (a new version: drawn once more).

Uses a fresh temporary SQLite file unless --database-url is given (PostgreSQL: the schema is reset!).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

import bot.conversation.handlers.plan
import bot.presentation.chart
from adapters.bootstrap import bootstrap
from bot.domain import ChatRef, IncomingMessage
from bot.settings import Settings


async def timed(app, text_: str, user: str) -> float:
    started = time.perf_counter()
    await app.assistant.handle(IncomingMessage(ChatRef("console", user), user, text_))
    return time.perf_counter() - started


async def watch_loop(stop: asyncio.Event) -> float:
    """The longest gap between two wake-ups of a 5 ms ticker: how long the event loop was blocked."""
    worst, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        worst, last = max(worst, now - last - 0.005), now
    return worst


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crowd", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        if args.database_url:
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine(url)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()
        app = await bootstrap(Settings(_env_file=None, database_url=url, log_level="WARNING"))
        drawn: list[str] = []
        real = bot.presentation.chart.progress_png

        def counting(kb, statuses, lang):
            drawn.append(lang)
            return real(kb, statuses, lang)

        bot.presentation.chart.progress_png = bot.conversation.handlers.plan.progress_png = counting
        try:
            for i in range(3):
                await timed(app, "hello", f"warm{i}")
            alone = statistics.median([await timed(app, "hello", f"h{i}") for i in range(20)])
            print(f"hello alone (median of 20): {alone * 1000:.1f} ms")

            stop = asyncio.Event()
            watcher = asyncio.create_task(watch_loop(stop))
            chart = asyncio.create_task(timed(app, "progress", "first"))
            await asyncio.sleep(0.02)
            hello = await timed(app, "hello", "during-first-chart")
            first = await chart
            stop.set()
            print(f"first chart (cold, matplotlib imported off the loop): {first * 1000:.0f} ms; a hello sent "
                  f"meanwhile: {hello * 1000:.1f} ms; longest event-loop stall: {await watcher * 1000:.0f} ms")

            for label in ("crowd", "crowd after a status change"):
                drawn.clear()
                charts = [asyncio.create_task(timed(app, "progress", f"c{i}")) for i in range(args.crowd)]
                await asyncio.sleep(0.01)
                hello = await timed(app, "hello", "during-crowd")
                slowest = max(await asyncio.gather(*charts))
                print(f"{label}: {args.crowd} concurrent charts, slowest {slowest * 1000:.0f} ms, charts drawn: "
                      f"{len(drawn)}; a hello sent meanwhile: {hello * 1000:.1f} ms")
                await timed(app, 'setstatus 2.12 limited "benchmark"', "admin")
        finally:
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
