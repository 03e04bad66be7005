"""Fault benchmark (figures, not a test): three worker processes on PostgreSQL, kills, an outage, races, erasures.

    .venv/bin/python benchmarks/bench_faults.py [--database-url postgresql+asyncpg://postgres@127.0.0.1/opengov_bench]
                                                [--console 600] [--telegram 150] [--rate 10] [--outage 15]

What happens (about 2-3 minutes):
  * a fresh database (the schema is dropped!) with N console and M Telegram recipients following action 2.12;
  * a fake Telegram Bot API on 127.0.0.1 (tests/fakes) and three `opengov-bot worker` processes, each with its
    own bot token (so each one's sends can be counted) and TELEGRAM_RATE_LIMIT=rate, connected to PostgreSQL
    through a TCP proxy on 127.0.0.1 that this script controls;
  * status changes of 2.12 by four writers at once (each with its own connection), round after round, while
    the workers deliver, and three concurrent imports of one status feed;
  * kill -9 of a worker (restarted a second later), twice; `forget` by 5 % of the recipients during the
    fan-out; a database outage: the proxy drops every connection and refuses new ones for `outage` seconds;
  * then everything is left to drain, and the figures are printed.

Figures: lost (a non-erased recipient owed an alert that never arrived), duplicated (per recipient, counted at
the fake / in the console inbox), history chain breaks (a `previous_status` that is not the status before it,
or the same level recorded twice), crashed feed imports, erased-but-delivered (anything stored for, or arriving
at, a person after their `forget` returned), and the most Telegram sends in any 1-second window.

Telegram duplicates may be non-zero and are explained: Telegram has no idempotency key, so a worker killed (or
cut from the database) after Telegram accepted a message but before its transaction recorded it leaves the row
claimed, and the next claim sends it again. The console stores the alert and records it sent in one
transaction, so it never sees a duplicate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.bootstrap import bootstrap
from benchmarks.bench_outbox import max_in_window
from bot.domain import ChatRef, IncomingMessage
from bot.following.feed import import_feed
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat, ConsoleInbox, Notification, StatusChange, Subscription
from tests.fakes.telegram_api import FakeTelegram

BIN = Path(sys.executable).parent / "opengov-bot"
WORKERS = 3
WRITERS = 4
LEVELS = [Level.LIMITED, Level.SUBSTANTIAL, Level.COMPLETE, Level.NOT_STARTED, Level.LIMITED, Level.SUBSTANTIAL]
MARKER = re.compile(r"bench change (\d+)\.(\d+)")
TELEGRAM_BASE_ID = 700_000_000


class CountingTelegram(FakeTelegram):
    """The fake Bot API, answering one token per worker process and noting which worker sent each message."""

    def __init__(self, tokens: list[str]):
        super().__init__(token=tokens[0])
        self.worker_of = {token: n for n, token in enumerate(tokens)}
        self.sends: list[tuple[float, int]] = []  # (arrival, worker)

    async def _handle(self, request):
        worker = self.worker_of.get(request.match_info["token"])
        if worker is not None:
            request.match_info["token"] = self.token
            if request.match_info["method"].lower() == "sendmessage":
                self.sends.append((time.monotonic(), worker))
        return await super()._handle(request)


class Proxy:
    """A TCP proxy to PostgreSQL that can go dark: every connection dropped, new ones refused. It runs on its own
    thread and event loop, so relaying the workers' queries never delays the fake Telegram's clock."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.listen_port = host, port, 0
        self.server: asyncio.AbstractServer | None = None
        self.links: set[asyncio.StreamWriter] = set()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    async def call(self, coroutine) -> None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    async def start(self) -> None:
        await self.call(self._listen())

    async def outage(self, seconds: float) -> None:
        await self.call(self._drop())
        await asyncio.sleep(seconds)
        await self.start()

    async def stop(self) -> None:
        await self.call(self._drop())
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.listen_port)
        self.listen_port = self.server.sockets[0].getsockname()[1]

    async def _drop(self) -> None:
        self.server.close()
        for link in list(self.links):
            link.transport.abort()
        self.links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            writer.close()
            return
        self.links |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                sink.close()
                self.links.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def reset(url: str) -> None:
    """A fresh schema in the benchmark's own database (created when missing)."""
    base, _, name = url.rpartition("/")
    admin = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        if not await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def add_recipients(app, console: int, telegram: int) -> tuple[list[str], list[str]]:
    consoles = [f"c{i:05d}" for i in range(console)]
    telegrams = [str(TELEGRAM_BASE_ID + i) for i in range(telegram)]
    async with app.db.session() as session, session.begin():
        await session.execute(insert(Chat), [{"platform": "console", "chat_id": c} for c in consoles]
                              + [{"platform": "telegram", "chat_id": t} for t in telegrams])
        pks = list(await session.scalars(select(Chat.id)))
        await session.execute(insert(Subscription), [
            {"chat_pk": pk, "target_kind": "action", "target_id": "2.12"} for pk in pks])
    return consoles, telegrams


async def change_round(dbs: list[Database], kb, round_: int, mixed: bool) -> None:
    """Every writer sets 2.12 at the same instant: the same level (one change, the rest no-ops) or, when
    `mixed`, each its own level (a chain of changes in some order)."""
    async def one(n: int, db: Database) -> None:
        level = LEVELS[(round_ + n) % len(LEVELS)] if mixed else LEVELS[round_ % len(LEVELS)]
        async with db.session() as session, session.begin():
            await apply_status(session, kb, StatusUpdate("2.12", level, f"bench change {round_}.{n}"), "bench")

    await asyncio.gather(*(one(n, db) for n, db in enumerate(dbs)))


async def start_worker(n: int, env: dict[str, str], logs: Path) -> asyncio.subprocess.Process:
    log = (logs / f"worker{n}.log").open("ab")
    return await asyncio.create_subprocess_exec(str(BIN), "worker", cwd=logs, stdout=log, stderr=log, env=env)


async def main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    url = args.database_url
    await reset(url)
    settings = Settings(_env_file=None, database_url=url, log_level="WARNING")
    app = await bootstrap(settings)
    consoles, telegrams = await add_recipients(app, args.console, args.telegram)
    rng = random.Random(9)
    leavers = rng.sample([("console", c) for c in consoles], len(consoles) // 20) + \
        rng.sample([("telegram", t) for t in telegrams], len(telegrams) // 20)
    tokens = [f"4242:BENCH{n}" for n in range(WORKERS)]
    host_port = re.search(r"@([^/:]+):?(\d*)/", url)
    proxy = Proxy(host_port.group(1), int(host_port.group(2) or 5432))
    await proxy.start()
    worker_url = re.sub(r"@[^/]+/", f"@127.0.0.1:{proxy.listen_port}/", url)
    logs = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    feed = logs / "feed.json"
    feed.write_text(json.dumps([{"id": a, "status": lv, "note": f"bench feed {a}", "date": "2023-01-02"}
                                for a, lv in (("2.11", "complete"), ("1.1", "limited"), ("3.1", "not_started"))]))
    print(f"{len(consoles)} console + {len(telegrams)} Telegram recipients, {WORKERS} workers, "
          f"TELEGRAM_RATE_LIMIT={args.rate}/s each; logs in {logs}")

    writers = [Database(url) for _ in range(WRITERS)]
    forgotten_at: dict[tuple[str, str], float] = {}
    kills: list[str] = []
    feed_crashes = 0
    async with CountingTelegram(tokens) as tg:
        def env(n: int) -> dict[str, str]:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
            return {**base, "DATABASE_URL": worker_url, "TELEGRAM_TOKEN": tokens[n],
                    "TELEGRAM_BASE_URL": tg.base_url, "TELEGRAM_BASE_FILE_URL": tg.base_file_url,
                    "TELEGRAM_RATE_LIMIT": str(args.rate), "CONSOLE_RATE_LIMIT": str(args.console_rate),
                    "WORKER_LEASE_SECONDS": "5", "WORKER_INTERVAL": "0.5", "LOG_LEVEL": "WARNING",
                    "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

        workers = [await start_worker(n, env(n), logs) for n in range(WORKERS)]

        async def kill_and_restart(n: int) -> None:
            workers[n].send_signal(signal.SIGKILL)
            await workers[n].wait()
            kills.append(f"worker {n} at {time.monotonic() - started:.0f} s")
            await asyncio.sleep(1)
            workers[n] = await start_worker(n, env(n), logs)

        async def forget_some() -> None:
            for platform, chat_id in leavers:
                message = IncomingMessage(ChatRef(platform, chat_id), chat_id, "forget confirm")
                await app.assistant.handle(message)
                forgotten_at[(platform, chat_id)] = time.monotonic()
                await asyncio.sleep(8 / len(leavers))

        async def imports() -> None:
            nonlocal feed_crashes
            results = await asyncio.gather(*(import_feed(db, app.kb, settings, str(feed), capabilities=app.capabilities)
                                             for db in writers[:3]),
                                           return_exceptions=True)
            feed_crashes = sum(1 for r in results if isinstance(r, BaseException) or not r.ok)

        await asyncio.sleep(4)  # the workers start (imports, getMe)
        rounds = 0
        for step in range(4):  # changes while the first ones are delivered
            await change_round(writers, app.kb, rounds, mixed=step == 2)
            rounds += 1
            if step == 1:
                await imports()
            await asyncio.sleep(2)
        await kill_and_restart(0)
        forgetting = asyncio.create_task(forget_some())
        for _ in range(2):
            await change_round(writers, app.kb, rounds, mixed=False)
            rounds += 1
            await asyncio.sleep(2)
        await forgetting
        print(f"outage: database unreachable for the workers for {args.outage:.0f} s")
        await proxy.outage(args.outage)
        await asyncio.sleep(3)
        await kill_and_restart(1)

        # Drain: every notification settled (sent, failed or skipped).
        deadline = time.monotonic() + args.drain
        while time.monotonic() < deadline:
            async with app.db.session() as session:
                open_rows = await session.scalar(select(func.count()).select_from(Notification).where(
                    Notification.state.in_(["pending", "sending"])))
            if not open_rows:
                break
            await asyncio.sleep(1)
        for worker in workers:
            if worker.returncode is None:
                worker.send_signal(signal.SIGTERM)
        await asyncio.gather(*(w.wait() for w in workers))
        await proxy.stop()
        report(await collect(app, tg, forgotten_at, consoles, telegrams), open_rows, kills, feed_crashes, args,
               time.monotonic() - started)
    for db in writers:
        await db.close()
    await app.close()


async def collect(app, tg: CountingTelegram, forgotten_at, consoles, telegrams) -> dict:
    async with app.db.session() as session:
        changes = list(await session.scalars(select(StatusChange).order_by(StatusChange.action_id, StatusChange.id)))
        rows = (await session.execute(select(Notification.key, Notification.state, Chat.platform, Chat.chat_id)
                                      .join(Chat, Chat.id == Notification.chat_pk))).all()
        inbox = (await session.execute(select(ConsoleInbox.chat_id, ConsoleInbox.key))).all()
    breaks, previous = 0, {}
    for change in changes:
        if change.previous_status != previous.get(change.action_id, Level.NO_EVIDENCE.value) \
                or change.status == change.previous_status:
            breaks += 1
        previous[change.action_id] = change.status
    change_of_marker = {change.note: change.id for change in changes}
    # What each surviving recipient was owed: one alert per notification row (erased people have none left).
    owed = {(platform, chat_id, int(key.split(":")[1])): state for key, state, platform, chat_id in rows
            if key.startswith("status:")}
    arrived: Counter = Counter()
    erased_delivered = 0
    for call in tg.calls_to("sendMessage"):
        if call.status != 200:
            continue
        chat_id, found = str(call.params.get("chat_id")), MARKER.search(call.params.get("text", ""))
        if found:
            arrived[("telegram", chat_id, change_of_marker.get(found.group(0)))] += 1
        if ("telegram", chat_id) in forgotten_at and call.at > forgotten_at[("telegram", chat_id)]:
            erased_delivered += 1
    for chat_id, key in inbox:
        if ("console", chat_id) in forgotten_at:
            erased_delivered += 1  # forget deleted their inbox: any row now was stored after it
        if key.startswith("status:"):
            arrived[("console", chat_id, int(key.split(":")[1]))] += 1
    lost = Counter(p for (p, c, ch) in owed if arrived[(p, c, ch)] == 0)
    duplicated = Counter(p for (p, c, ch), n in arrived.items() if n > 1 for _ in range(n - 1))
    per_worker = defaultdict(list)
    for at, worker in tg.sends:
        per_worker[worker].append(at)
    return {
        "changes": len([c for c in changes if c.action_id == "2.12"]), "owed": Counter(p for p, _, _ in owed),
        "states": Counter(owed.values()), "lost": lost, "duplicated": duplicated, "breaks": breaks,
        "erased_delivered": erased_delivered, "forgotten": len(forgotten_at),
        "max_window": max_in_window([at for at, _ in tg.sends]),
        "max_window_worker": max((max_in_window(t) for t in per_worker.values()), default=0),
        "min_gap": min((b - a for t in per_worker.values() for a, b in zip(sorted(t), sorted(t)[1:])), default=0),
        "feed_changes": len([c for c in changes if c.note and c.note.startswith("bench feed")]),
    }


def report(f: dict, open_rows: int, kills: list[str], feed_crashes: int, args, elapsed: float) -> None:
    print(f"kill -9: {', '.join(kills)}; status changes of 2.12 recorded: {f['changes']}; "
          f"{f['forgotten']} recipients used `forget` during the fan-out")
    print(f"alerts owed to remaining recipients: console {f['owed']['console']}, telegram {f['owed']['telegram']}; "
          f"outbox states {dict(f['states'])}; still open after draining: {open_rows}")
    print(f"lost:                       console {f['lost']['console']}, telegram {f['lost']['telegram']}")
    print(f"duplicated (per recipient): console {f['duplicated']['console']}, "
          f"telegram {f['duplicated']['telegram']} (explained in the module docstring)")
    print(f"history chain breaks:       {f['breaks']}")
    print(f"feed imports crashed:       {feed_crashes} of 3 (feed changes recorded: {f['feed_changes']}, expected 3)")
    print(f"erased but delivered:       {f['erased_delivered']}")
    print(f"max Telegram sends in any 1-s window: {f['max_window_worker']} per worker (limit {args.rate:g}), "
          f"{f['max_window']} for all {WORKERS} (limit {WORKERS * args.rate:g}); smallest gap between two "
          f"arrivals from one worker {f['min_gap'] * 1000:.0f} ms (paced every {1000 / (args.rate * 0.98):.0f} ms)")
    print(f"total time: {elapsed:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/opengov_bench_faults"))
    parser.add_argument("--console", type=int, default=600)
    parser.add_argument("--telegram", type=int, default=150)
    parser.add_argument("--rate", type=float, default=10.0, help="TELEGRAM_RATE_LIMIT of each worker")
    parser.add_argument("--console-rate", type=float, default=40.0, help="CONSOLE_RATE_LIMIT of each worker")
    parser.add_argument("--outage", type=float, default=15.0, help="seconds the database is unreachable")
    parser.add_argument("--drain", type=float, default=120.0, help="most seconds to wait for the outbox to empty")
    asyncio.run(main(parser.parse_args()))
