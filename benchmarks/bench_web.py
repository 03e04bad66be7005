"""Public pages and feeds under load (a benchmark, not a test): latency median/p99 with 50 concurrent clients
against one web process, plain and conditional (If-None-Match) requests.

    .venv/bin/python benchmarks/bench_web.py [--clients 50] [--requests 3000] [--history 300]
                                             [--database-url postgresql+asyncpg://USER@HOST/SCRATCH_DB]

One process serves the pages (`python -m adapters.web.public`) on a fresh temporary SQLite file (or the given
PostgreSQL database, whose schema is reset!) holding --history status changes (synthetic, marked as such). The
clients run in this process on the same machine, keep their connections alive, and read every body. Scenarios:
pages (index, actions, commitments, topics, both languages), feeds (the whole feed and per-action feeds), each
plain then conditional; then pages while statuses keep changing (one change every 100 requests, so the cached
pages keep being re-rendered).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp

from adapters.bootstrap import bootstrap
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.settings import Settings

LEVELS = [Level.NOT_STARTED, Level.LIMITED, Level.SUBSTANTIAL, Level.COMPLETE]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's cost, whatever else the machine runs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def seed(app, changes: int) -> None:
    """`changes` status changes spread over the actions (dates from 2022 on, notes marked as synthetic)."""
    actions = list(app.kb.actions)
    async with app.db.session() as session, session.begin():
        for n in range(changes):
            action = actions[n % len(actions)]
            level = LEVELS[(n // len(actions)) % len(LEVELS)]
            when = date(2022, 1, 1) + timedelta(days=n)
            await apply_status(session, app.kb, StatusUpdate(action, level, f"benchmark change {n} (synthetic)",
                                                             "https://example.org/benchmark", when), "bench")


async def change_one(app, n: int) -> None:
    action = list(app.kb.actions)[n % len(app.kb.actions)]
    async with app.db.session() as session, session.begin():
        await apply_status(session, app.kb, StatusUpdate(action, LEVELS[n % len(LEVELS)], f"bench live {n}"), "bench")


def page_paths(kb) -> list[str]:
    paths = ["/", "/en/", "/fr/"]
    for prefix in ("", "/fr"):
        paths += [f"{prefix}/actions/{a}" for a in kb.actions]
        paths += [f"{prefix}/commitments/{c}" for c in kb.commitments]
        paths += [f"{prefix}/topics/{t}" for t in kb.topics]
    return paths


def feed_paths(kb) -> list[str]:
    paths = ["/feed.atom", "/fr/feed.atom"] * 10  # the whole feed is what most readers poll
    return paths + [f"{prefix}/actions/{a}/feed.atom" for prefix in ("", "/fr") for a in kb.actions]


async def run(base: str, paths: list[str], total: int, clients: int, etags: dict[str, str] | None,
              every: int = 0, on_every=None) -> dict:
    rng = random.Random(13)
    order = iter([rng.choice(paths) for _ in range(total)])
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    done = itertools.count(1)

    async def client(session: aiohttp.ClientSession) -> None:
        for path in order:
            headers = {"If-None-Match": etags[path]} if etags and path in etags else {}
            started = time.perf_counter()
            async with session.get(base + path, headers=headers) as response:
                await response.read()
            latencies.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            n = next(done)
            if every and n % every == 0:
                await on_every(n)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {"n": len(latencies), "rps": len(latencies) / elapsed, "median": statistics.median(latencies) * 1000,
            "p99": percentile(latencies, 0.99) * 1000, "statuses": statuses}


async def collect_etags(base: str, paths: list[str]) -> dict[str, str]:
    etags = {}
    async with aiohttp.ClientSession() as session:
        for path in dict.fromkeys(paths):
            async with session.get(base + path) as response:
                await response.read()
                assert response.status == 200, (path, response.status)
                etags[path] = response.headers["ETag"]
    return etags


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000, help="requests per scenario")
    parser.add_argument("--history", type=int, default=300, help="status changes in the database")
    parser.add_argument("--database-url")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(directory) / 'bench-web.db'}"
        if args.database_url:
            from tests.conftest import _reset_postgres
            _reset_postgres(url)
        app = await bootstrap(Settings(_env_file=None, database_url=url))
        await seed(app, args.history)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "NO_PROXY": "127.0.0.1"}
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.web.public", "--port", str(port), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    async with aiohttp.ClientSession() as session, session.get(base + "/") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            pages, feeds = page_paths(app.kb), feed_paths(app.kb)
            print(f"one web process ({'PostgreSQL' if args.database_url else 'SQLite'}), {args.history} status "
                  f"changes, {args.clients} concurrent clients, {args.requests} requests per scenario "
                  f"({len(set(pages))} pages, {len(set(feeds))} feeds); load average {os.getloadavg()[0]:.1f} on "
                  f"{os.cpu_count()} cores; latency includes this client's own CPU time, the server's is apart")
            print(f"{'scenario':<44} {'req/s':>7} {'median ms':>10} {'p99 ms':>8} {'server CPU ms/req':>18}  statuses")
            page_tags = await collect_etags(base, pages)  # also warms the caches and draws the charts
            feed_tags = await collect_etags(base, feeds)
            live = itertools.count()
            scenarios = [
                ("pages", pages, page_tags, False), ("pages, conditional (If-None-Match)", pages, page_tags, True),
                ("feeds", feeds, feed_tags, False), ("feeds, conditional (If-None-Match)", feeds, feed_tags, True),
            ]
            scenarios.append(("pages, a status change every 100 requests", pages, None, False))
            for name, paths, tags, conditional in scenarios:
                cpu = cpu_seconds(server.pid)
                changing = {"every": 100, "on_every": lambda n: change_one(app, next(live))} if tags is None else {}
                result = await run(base, paths, args.requests, args.clients, tags if conditional else None,
                                   **changing)
                per_request = (cpu_seconds(server.pid) - cpu) / result["n"] * 1000
                print(f"{name:<44} {result['rps']:>7.0f} {result['median']:>10.1f} {result['p99']:>8.1f} "
                      f"{per_request:>18.2f}  {result['statuses']}")
        finally:
            server.terminate()
            await server.wait()
            await app.close()


if __name__ == "__main__":
    asyncio.run(main())
