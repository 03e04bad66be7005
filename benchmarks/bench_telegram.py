"""Telegram figures through the fake Bot API (real python-telegram-bot, 127.0.0.1 only). Prints, asserts nothing.

1. Reply latency: an update injected into getUpdates -> the bot's first reply arriving at the fake
   (median, p99 over ~200 messages of mixed kinds, default 30 msg/s rate limiter).
2. Delivery rate: 2,000 alerts through TelegramOutbound at the default 30 msg/s limit, with the fake
   answering 429 above 30 msg/s (achieved msg/s against 95 % of the alerts' pace — the limit less one
   message a second kept for answers, 2 % under — and the count of 429s);
   `--worker` sends them through the outbox DeliveryWorker instead of calling the outbound directly.

    .venv/bin/python benchmarks/bench_telegram.py [--messages 200] [--alerts 2000] [--worker]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

from pydantic import SecretStr
from telegram.ext import ExtBot

from adapters.bootstrap import bootstrap
from adapters.runner import make_telegram_service
from adapters.telegram.limits import default_rate_limiter
from adapters.telegram.outbound import TelegramOutbound
from bot.domain import Block, Button, ChatRef, Recipient, Reply, Style, TemporaryDeliveryError
from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegram

MESSAGES = ["/help", "/browse", "/show 2.12", "what is France doing on lobbying transparency?",
            "open data of public algorithms", "/status", "/start show_3_2", "qui pilote l'action 1.3 ?"]
ALERT = Reply((Block("🔔 Status change", Style.META), Block("2.12 · Lobbying register", Style.HEADING),
               Block("⚪ not started → 🟢 substantial (since 2026-03-01)"), Block("Budget voted & spent.")),
              ((Button("Show 2.12", "show 2.12"),),))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def latency(tg: FakeTelegram, settings: Settings, count: int) -> None:
    app = await bootstrap(settings)
    service = make_telegram_service(app, poll_timeout=1)
    await service.start()
    try:
        samples: list[float] = []
        for i in range(count):
            chat = 10_000 + i % 50  # 50 people taking turns
            text = MESSAGES[i % len(MESSAGES)]
            before = len(tg.sent(chat))
            began = time.perf_counter()
            tg.inject_message(chat, chat, text, language_code="fr" if i % 3 == 0 else "en")
            await tg.wait_for(lambda calls, c=chat, n=before: len(tg.sent(c)) > n, timeout=10)
            samples.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.05)  # let a second reply (related items) go out before the next question
        print(f"reply latency over {count} messages: median {statistics.median(samples):.1f} ms, "
              f"p90 {percentile(samples, 0.9):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms, "
              f"max {max(samples):.1f} ms")
    finally:
        await service.stop()
        await app.close()


async def delivery(tg: FakeTelegram, settings: Settings, count: int, concurrency: int = 50) -> None:
    rate = settings.telegram_rate_limit
    tg.limit_rate(rate)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    retries = 0
    async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=default_rate_limiter(rate)) as bot:
        outbound = TelegramOutbound(bot)

        async def deliver() -> None:
            nonlocal retries
            while not queue.empty():
                i = queue.get_nowait()
                while True:
                    try:
                        await outbound.send(Recipient(ChatRef("telegram", str(20_000 + i))), ALERT, key=f"a{i}")
                        break
                    except TemporaryDeliveryError as exc:
                        retries += 1
                        await asyncio.sleep(exc.retry_after or 1)

        began = time.perf_counter()
        await asyncio.gather(*(deliver() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    report("TelegramOutbound", tg, count, elapsed, rate, retries)


async def delivery_via_worker(tg: FakeTelegram, settings: Settings, count: int) -> None:
    from sqlalchemy import insert

    from bot.storage.models import Chat, Notification

    rate = settings.telegram_rate_limit
    app = await bootstrap(settings)
    async with app.db.session() as session, session.begin():
        await session.execute(insert(Chat), [{"platform": "telegram", "chat_id": str(30_000 + i)} for i in range(count)])
    async with app.db.session() as session, session.begin():
        ids = (await session.execute(Chat.__table__.select().with_only_columns(Chat.id))).scalars().all()
        text = {"en": "A notice: budget voted & spent.", "fr": "Un avis : budget voté et dépensé."}
        await session.execute(insert(Notification), [
            {"chat_pk": pk, "key": f"bench:{pk}", "kind": "notice", "payload": {"type": "notice", "text": text},
             "state": "pending"} for pk in ids])
    tg.limit_rate(rate)
    service = make_telegram_service(app, poll_timeout=1)
    app.outbounds["telegram"] = service.outbound
    await service.start()
    worker = app.worker
    began = time.perf_counter()
    sent = 0
    try:
        while sent < count and time.perf_counter() - began < count / rate * 3:
            sent += (await worker.run_once())["sent"]
            if sent < count:
                await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - began
    finally:
        await service.stop()
        await app.close()
    report(f"DeliveryWorker ({sent} sent)", tg, count, elapsed, rate, None)


def report(path: str, tg: FakeTelegram, count: int, elapsed: float, rate: float, retries: int | None) -> None:
    refused = len([c for c in tg.calls if c.status == 429])
    achieved = count / elapsed
    pace = default_rate_limiter(rate).pacer.steady_rate("telegram")  # less one a second for answers, 2 % under
    print(f"delivery through {path}: {count} alerts in {elapsed:.1f} s = {achieved:.2f} msg/s "
          f"({achieved / rate:.1%} of the {rate:g} msg/s limit; alerts are paced at {pace:.1f} msg/s, "
          f"target ≥ 95 % of that: {achieved / pace:.1%}); "
          f"429 answers: {refused}" + (f"; retries: {retries}" if retries is not None else ""))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--alerts", type=int, default=2000)
    parser.add_argument("--worker", action="store_true", help="deliver through the outbox DeliveryWorker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeTelegram() as tg:
            settings = Settings(
                _env_file=None, database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
                telegram_token=SecretStr(tg.token), telegram_base_url=tg.base_url,
                telegram_base_file_url=tg.base_file_url, log_level="WARNING",
            )
            if args.messages:
                await latency(tg, settings, args.messages)
        async with FakeTelegram() as tg:
            if args.alerts:
                settings = settings.model_copy(update={
                    "telegram_base_url": tg.base_url, "telegram_base_file_url": tg.base_file_url})
                if args.worker:
                    await delivery_via_worker(tg, settings, args.alerts)
                else:
                    await delivery(tg, settings, args.alerts)


if __name__ == "__main__":
    asyncio.run(main())
