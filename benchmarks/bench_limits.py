"""Shared rate limits and answers before alerts (issue 12), through the fake Bot API and the real
python-telegram-bot. Prints figures, asserts nothing.

1. 1, 2 and 4 `opengov-bot worker` processes at TELEGRAM_RATE_LIMIT=30 delivering --alerts alerts: the busiest
   1-second window of sends arriving at the fake (all processes together) and the achieved rate, as % of the
   limit; with Redis (one shared limit) and, with --no-redis, without (each process its own limit).
2. Answer latency (a question handed to the bot -> its answer arriving at the fake) while a --fanout-alert
   backlog (10,000) is being delivered: median / p99 over --questions questions. In one process (`run`: the
   delivery worker and the bot share one pacer), with and without answer priority; and with two worker processes
   sharing the limit through Redis while this process answers (the scaled layout).

    .venv/bin/python benchmarks/bench_limits.py [--database-url postgresql+asyncpg://USER@HOST/SCRATCH_DB]
        [--redis-url redis://127.0.0.1:6379/0] [--alerts 600] [--fanout 10000] [--questions 120] [--no-redis]

A PostgreSQL database given with --database-url is reset (schema dropped) for every run; without it each run
uses a fresh SQLite file. Redis keys go under a fresh `bench-limits:<random>:` prefix, deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

from pydantic import SecretStr
from sqlalchemy import insert
from telegram import Update

from adapters.bootstrap import bootstrap
from adapters.runner import make_telegram_service
from adapters.telegram.service import TelegramService
from benchmarks.bench_claims import reset
from bot.pacing import Pacer
from bot.settings import Settings
from bot.storage.models import Chat, Notification
from tests.fakes.telegram_api import FakeTelegram

LIMIT = 30
FIRST = 1_000_000  # alert recipients' chat ids from here (private chats); people asking below
BIN = Path(sys.executable).parent / "opengov-bot"
QUESTIONS = ["/help", "/browse", "/show 2.12", "what is France doing on lobbying transparency?",
             "open data of public algorithms", "/status", "qui pilote l'action 1.3 ?"]


def max_in_window(times: list[float], width: float = 1.0) -> int:
    times = sorted(times)
    return max((bisect.bisect_left(times, t + width) - i for i, t in enumerate(times)), default=0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def fresh_settings(args, tg: FakeTelegram, directory: Path, name: str, **overrides) -> Settings:
    if args.database_url:
        await reset(args.database_url)
        url = args.database_url
    else:
        url = f"sqlite+aiosqlite:///{directory / name}"
    return Settings(_env_file=None, database_url=url, log_level="WARNING", telegram_token=SecretStr(tg.token),
                    telegram_base_url=tg.base_url, telegram_base_file_url=tg.base_file_url,
                    telegram_rate_limit=LIMIT, worker_interval=0.2, **overrides)


async def queue_alerts(app, count: int) -> None:
    """`count` Telegram chats with one pending notice each, written in bulk."""
    text_ = {"en": "A notice: budget voted & spent.", "fr": "Un avis : budget voté et dépensé."}
    async with app.db.session() as session, session.begin():
        for start in range(0, count, 5000):
            ids = list(await session.scalars(insert(Chat).returning(Chat.id), [
                {"platform": "telegram", "chat_id": str(FIRST + i)} for i in range(start, min(count, start + 5000))]))
            await session.execute(insert(Notification), [
                {"chat_pk": pk, "key": f"bench:{pk}", "kind": "notice", "payload": {"type": "notice", "text": text_},
                 "state": "pending"} for pk in ids])


def alert_times(tg: FakeTelegram) -> list[float]:
    return sorted(c.at for c in tg.calls_to("sendMessage") if int(c.params["chat_id"]) >= FIRST)


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "REDIS_"))}
    env.update(DATABASE_URL=settings.database_url, TELEGRAM_TOKEN=settings.telegram_token.get_secret_value(),
               TELEGRAM_BASE_URL=settings.telegram_base_url, TELEGRAM_BASE_FILE_URL=settings.telegram_base_file_url,
               TELEGRAM_RATE_LIMIT=str(LIMIT), WORKER_INTERVAL="0.2", LOG_LEVEL="WARNING", **extra)
    return env


async def start_workers(count: int, env: dict[str, str], directory: Path) -> list[asyncio.subprocess.Process]:
    return [await asyncio.create_subprocess_exec(str(BIN), "worker", cwd=directory, env=env,
                                                 stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
            for _ in range(count)]


async def stop_workers(workers: list[asyncio.subprocess.Process]) -> None:
    for worker in workers:
        if worker.returncode is None:
            worker.terminate()
    await asyncio.gather(*(w.wait() for w in workers))


async def processes_at_the_limit(args, directory: Path, workers: int, redis_url: str | None) -> None:
    async with FakeTelegram() as tg:
        settings = await fresh_settings(args, tg, directory, f"limit{workers}{bool(redis_url)}.db")
        app = await bootstrap(settings)
        try:
            await queue_alerts(app, args.alerts)
        finally:
            await app.close()
        prefix = f"bench-limits:{uuid.uuid4().hex[:8]}:"
        extra = {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix} if redis_url else {}
        procs = await start_workers(workers, worker_env(settings, **extra), directory)
        deadline = time.monotonic() + args.alerts / LIMIT * 3 + 60
        try:
            while len(alert_times(tg)) < args.alerts and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
        finally:
            await stop_workers(procs)
            if redis_url:
                await delete_prefix(redis_url, prefix)
        arrivals = alert_times(tg)
        busiest = max_in_window(arrivals)
        rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
        print(f"  {workers} worker(s) {'with Redis' if redis_url else 'without Redis'}: {len(arrivals)} sent at "
              f"{rate:.1f} msg/s ({rate / LIMIT:.0%} of {LIMIT}); busiest 1-s window {busiest} sends "
              f"({busiest / LIMIT:.0%} of the limit)", flush=True)


async def delete_prefix(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def ask(tg: FakeTelegram, service: TelegramService, chat: int, question: str) -> float | None:
    """Seconds from the question handed to the bot to its answer arriving at the fake; None: no answer in 60 s."""
    update = Update.de_json(tg.message_update(chat, chat, question), service.application.bot)
    before = len(tg.calls)
    began = time.monotonic()
    handling = asyncio.create_task(service.application.process_update(update))
    try:
        call = await tg.wait_for(lambda calls: next((c for c in calls[before:] if c.method == "sendMessage"
                                                     and int(c.params["chat_id"]) == chat), None), timeout=60)
    except AssertionError:
        return None
    finally:
        await asyncio.gather(handling, return_exceptions=True)
    return call.at - began


async def questions_during(tg, service, count: int, spacing: float) -> list[float | None]:
    """`count` questions, one every `spacing` seconds (each answered concurrently): their latencies. Each kind
    of question is asked once first, unmeasured (first-use costs such as building the matcher)."""
    for i, question in enumerate(QUESTIONS):
        await ask(tg, service, 9_000 + i, question)

    async def one(i: int) -> float:
        await asyncio.sleep(i * spacing)
        return await ask(tg, service, 10_000 + i, QUESTIONS[i % len(QUESTIONS)])

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def latency_line(label: str, latencies: list[float | None], tg: FakeTelegram, backlog_sent: int | None = None,
                 pacer_wait: float | None = None) -> str:
    ms = [x * 1000 for x in latencies if x is not None]
    line = (f"  {label}: answer latency median {statistics.median(ms):.0f} ms, p90 {percentile(ms, 0.9):.0f} ms, "
            f"p99 {percentile(ms, 0.99):.0f} ms, max {max(ms):.0f} ms")
    if pacer_wait is not None:
        line += f"; of which waiting for the rate limit: {pacer_wait * 1000:.0f} ms per answer message on average"
    if len(ms) < len(latencies):
        line += f"; {len(latencies) - len(ms)} of {len(latencies)} not answered within 60 s"
    if backlog_sent is not None:
        busiest = max_in_window([c.at for c in tg.calls_to("sendMessage")])
        line += f" ({backlog_sent} alerts sent meanwhile; busiest second, answers included: {busiest})"
    return line


def snapshot(pacer: Pacer) -> tuple[int, float]:
    return pacer.stats.replies_total["telegram"], pacer.stats.reply_wait_seconds_total["telegram"]


def reply_wait(pacer: Pacer, before: tuple[int, float]) -> float:
    """Mean seconds an answer message of this process waited for the rate limit since `before`."""
    count, seconds = snapshot(pacer)
    return (seconds - before[1]) / max(1, count - before[0])


async def measure_answers(args, tg, app, service, fan_out: bool) -> tuple[list[float | None], int, float]:
    """Once the fan-out is under way (a second after its tenth alert), the questions: their latencies, the alerts
    sent by the end of them, and the answers' mean wait for the rate limit."""
    if fan_out:
        while len(alert_times(tg)) < 10:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
    waits = snapshot(app.pacer)
    latencies = await questions_during(tg, service, args.questions, args.spacing)
    return latencies, len(alert_times(tg)), reply_wait(app.pacer, waits)


async def answers_in_one_process(args, directory: Path, priority: bool | None) -> None:
    """`run`: the bot and the delivery worker in one process, one pacer. priority None: no fan-out (idle)."""
    async with FakeTelegram() as tg:
        settings = await fresh_settings(args, tg, directory, f"one{priority}.db")
        app = await bootstrap(settings)
        app.pacer = Pacer.from_settings(settings, priority=priority is not False)
        service = make_telegram_service(app)
        await service.application.initialize()
        app.outbounds["telegram"] = service.outbound
        stop = asyncio.Event()
        delivering = None
        try:
            if priority is not None:
                await queue_alerts(app, args.fanout)
                delivering = asyncio.create_task(app.worker.run(stop))
            latencies, sent, pacer_wait = await measure_answers(args, tg, app, service, priority is not None)
        finally:
            stop.set()
            if delivering is not None:
                await delivering
            await service.application.shutdown()
            await app.close()
        label = ("one process, no fan-out" if priority is None else
                 f"one process, {args.fanout}-alert fan-out, answers {'first' if priority else 'in line (no priority)'}")
        print(latency_line(label, latencies, tg, None if priority is None else sent, pacer_wait), flush=True)


async def answers_beside_workers(args, directory: Path, redis_url: str) -> None:
    """The scaled layout: two worker processes deliver the fan-out; this process answers; one limit in Redis."""
    async with FakeTelegram() as tg:
        prefix = f"bench-limits:{uuid.uuid4().hex[:8]}:"
        settings = await fresh_settings(args, tg, directory, "scaled.db", redis_url=redis_url, redis_key_prefix=prefix)
        app = await bootstrap(settings)
        service = make_telegram_service(app)
        await service.application.initialize()
        procs = []
        try:
            await queue_alerts(app, args.fanout)
            procs = await start_workers(2, worker_env(settings, REDIS_URL=redis_url, REDIS_KEY_PREFIX=prefix),
                                        directory)
            latencies, sent, pacer_wait = await measure_answers(args, tg, app, service, True)
        finally:
            await stop_workers(procs)
            await service.application.shutdown()
            await app.close()
            await delete_prefix(redis_url, prefix)
        print(latency_line(f"2 worker processes + this one answering, Redis, {args.fanout}-alert fan-out",
                           latencies, tg, sent, pacer_wait), flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--alerts", type=int, default=600, help="alerts per worker-count run")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--no-redis", action="store_true", help="also run the worker counts without Redis")
    parser.add_argument("--fanout", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--spacing", type=float, default=0.25, help="seconds between two questions")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: workers, answers, scaled")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("bot.pacing").setLevel(logging.WARNING)  # a fallback to the share while Redis is slow
    skip = set(filter(None, args.skip.split(",")))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if "workers" not in skip:
            print(f"1. worker processes at TELEGRAM_RATE_LIMIT={LIMIT}, {args.alerts} alerts each run:", flush=True)
            for count in map(int, args.workers.split(",")):
                await processes_at_the_limit(args, directory, count, args.redis_url)
            if args.no_redis:
                for count in map(int, args.workers.split(",")):
                    await processes_at_the_limit(args, directory, count, None)
        if "answers" not in skip:
            print(f"2. answers: {args.questions} questions, one every {args.spacing:g} s:", flush=True)
            await answers_in_one_process(args, directory, None)
            await answers_in_one_process(args, directory, True)
            await answers_in_one_process(args, directory, False)
        if "scaled" not in skip:
            await answers_beside_workers(args, directory, args.redis_url)


if __name__ == "__main__":
    asyncio.run(main())
