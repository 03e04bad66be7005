"""Discord figures through FakeDiscord (real discord.py, real core, 127.0.0.1 only). Prints, asserts nothing.

1. Interaction latency: INTERACTION_CREATE sent by the fake -> the bot's callback arriving at the fake
   (median, p99 over ~200 interactions of mixed kinds: /browse, /show, /status, three button clicks), and for
   /ask the time to the deferral and to the answer (follow-up).
2. Delivery rate: an alert to each of 1,000 server channels through DiscordOutbound, one at a time (as one
   worker task does) and 50 at a time (as the worker's concurrent batch does), without the worker's rate
   limiter (DISCORD_RATE_LIMIT, 40 msg/s by default, caps production far below these figures).

    .venv/bin/python benchmarks/bench_discord.py [--interactions 200] [--channels 1000]
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from adapters.discord.service import DiscordService
from adapters.runner import make_discord_service
from bot.domain import Block, Button, ChatRef, Recipient, Reply, Style
from bot.settings import Settings
from tests.fakes.discord_api import FakeDiscord

GUILD = 720_000_000_000_000_001
FANOUT_GUILD = 720_000_000_000_000_002
GENERAL = 720_000_000_000_000_011
USER = 720_000_000_000_000_101
FIRST_CHANNEL = 721_000_000_000_000_000

ALERT = Reply(
    (Block("🔔 Status change", Style.META), Block("2.12 · Increase transparency surrounding lobbying", Style.HEADING),
     Block("🟠 Limited → 🟢 Complete (since 2026-03-01)"), Block("The register now covers local officials."),
     Block("Source: National Action Plan 2021-2023, commitment 2", Style.META, "https://example.org/plan.pdf")),
    ((Button("📄 Details · 2.12", "show 2.12"),), (Button("🔕 Unfollow 2.12", "unfollow 2.12"),)),
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share) - 1))]


async def interactions(fake: FakeDiscord, count: int) -> None:
    browse = await fake.slash("browse", user_id=USER, guild_id=GUILD)
    await fake.wait_response(browse)
    kinds = [
        ("/browse", lambda: fake.slash("browse", user_id=USER, guild_id=GUILD)),
        ("/show 2.12", lambda: fake.slash("show", {"item": "2.12"}, user_id=USER, guild_id=GUILD, locale="fr")),
        ("/status", lambda: fake.slash("status", user_id=USER, guild_id=GUILD)),
        ("click browse 2", lambda: fake.click("og:browse 2", message_id=browse.original_message_id, user_id=USER)),
        ("click show 2.12", lambda: fake.click("og:show 2.12", message_id=browse.original_message_id,
                                               user_id=USER)),
        ("click back", lambda: fake.click("og:browse", message_id=browse.original_message_id, user_id=USER)),
    ]  # the clicks follow each other on one message: browse 2 (edit) -> show 2.12 (new message) -> back (edit)
    timings: dict[str, list[float]] = {name: [] for name, _ in kinds}
    for i in range(count):
        name, make = kinds[i % len(kinds)]
        start = time.perf_counter()
        rec = await make()
        await fake.wait_response(rec)
        timings[name].append((time.perf_counter() - start) * 1000)
    everything = [t for values in timings.values() for t in values]
    print(f"Interaction -> reply, {len(everything)} interactions: median {statistics.median(everything):.1f} ms, "
          f"p99 {percentile(everything, 0.99):.1f} ms")
    for name, values in timings.items():
        print(f"    {name:<16} median {statistics.median(values):6.1f} ms   p99 {percentile(values, 0.99):6.1f} ms")

    deferred, answered = [], []
    for question in ["what is France doing on lobbying transparency?", "données ouvertes de santé",
                     "participation citoyenne", "open justice decisions"] * 5:
        start = time.perf_counter()
        rec = await fake.slash("ask", {"question": question}, user_id=USER, guild_id=GUILD)
        await fake.wait_response(rec)
        deferred.append((time.perf_counter() - start) * 1000)
        await fake.wait_response(rec, followups=1)
        answered.append((time.perf_counter() - start) * 1000)
    print(f"/ask ({len(answered)}): deferred after median {statistics.median(deferred):.1f} ms, answered after "
          f"median {statistics.median(answered):.1f} ms, p99 {percentile(answered, 0.99):.1f} ms")


async def fanout(service: DiscordService, channels: list[int]) -> None:
    outbound = service.outbound
    recipients = [Recipient(ChatRef("discord", f"guild:{900 + i}"), target=str(c), mention="720000000000000500")
                  for i, c in enumerate(channels)]
    start = time.perf_counter()
    for n, recipient in enumerate(recipients):
        await outbound.send(recipient, ALERT, key=f"bench:seq:{n}")
    elapsed = time.perf_counter() - start
    print(f"Alerts to {len(recipients)} channels, one at a time: {len(recipients) / elapsed:.0f} alerts/s "
          f"({elapsed:.2f} s)")

    semaphore = asyncio.Semaphore(50)

    async def one(n: int, recipient: Recipient) -> None:
        async with semaphore:
            await outbound.send(recipient, ALERT, key=f"bench:par:{n}")

    start = time.perf_counter()
    await asyncio.gather(*(one(n, r) for n, r in enumerate(recipients)))
    elapsed = time.perf_counter() - start
    print(f"Alerts to {len(recipients)} channels, 50 at a time:   {len(recipients) / elapsed:.0f} alerts/s "
          f"({elapsed:.2f} s)")


async def main(count: int, channel_count: int) -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord(callback_deadline=None) as fake:
            fake.add_guild(GUILD, "Bench", channels=[(GENERAL, "general")])
            channels = [FIRST_CHANNEL + i for i in range(channel_count)]
            fake.add_guild(FANOUT_GUILD, "Fan-out", channels=[(c, f"alerts-{i}") for i, c in enumerate(channels)])
            settings = Settings(
                _env_file=None, database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                discord_token=SecretStr(fake.token), discord_api_base=fake.api_base,
                discord_gateway_url=fake.gateway_url,
            )
            app = await bootstrap(settings)
            service = make_discord_service(app, guild_ready_timeout=0.05)
            await service.start()
            try:
                await service.wait_until_ready(10)
                await interactions(fake, count)
                await fanout(service, channels)
            finally:
                await service.stop()
                await app.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=200)
    parser.add_argument("--channels", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.interactions, args.channels))
