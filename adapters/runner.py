"""Running the bot: every platform with credentials, the scheduler and the delivery worker in one loop."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.alerts import AlertRenderer
from bot.delivery import DeliveryWorker

log = logging.getLogger(__name__)


def build_worker(app) -> DeliveryWorker:
    renderer = AlertRenderer(app.kb, app.settings.default_language)
    return DeliveryWorker(app.db, renderer, app.outbounds, app.settings)


def platform_services(app) -> list:
    services = []
    if app.settings.telegram_token:
        from adapters.telegram import TelegramService

        services.append(TelegramService(app))
    if app.settings.discord_token:
        from adapters.discord import DiscordService

        services.append(DiscordService(app))
    return services


async def run_all(app, stop: asyncio.Event | None = None) -> None:
    """Start what has credentials; with none, the console chat. Stops on SIGINT/SIGTERM, on `stop`, or at the
    end of the console chat. Every platform shares this one core, scheduler and outbox."""
    from jobs.scheduler import build_scheduler

    services = platform_services(app)
    for service in services:
        app.outbounds[service.name] = service.outbound
    worker = build_worker(app)
    scheduler = build_scheduler(app)
    scheduler.start()
    stop_delivery = asyncio.Event()
    delivering = asyncio.create_task(worker.run(stop_delivery), name="delivery")  # the one delivery loop
    try:
        if not services:
            from adapters.console import chat_loop

            log.info("no platform token set: starting the console chat")
            await chat_loop(app.assistant, app.db, "you")
            return
        for service in services:
            await service.start()
            log.info("%s started", service.name)
        if stop is None:
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        stop_delivery.set()
        await delivering  # the round under way ends (worker.run never raises)
        for service in reversed(services):
            try:
                await service.stop()
            except Exception:
                log.exception("error while stopping %s", service.name)


async def run_worker(app, *, once: bool) -> int:
    """`opengov-bot worker`: deliver through every configured platform; --once delivers what is due and exits."""
    services = platform_services(app)
    for service in services:
        app.outbounds[service.name] = service.outbound
        await service.start()
    worker = build_worker(app)
    try:
        if once:
            stats = await worker.run_once()
            print(", ".join(f"{k}: {v}" for k, v in sorted(stats.items())) or "nothing due")
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await worker.run(stop)
        return 0
    finally:
        for service in services:
            await service.stop()
