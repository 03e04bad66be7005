"""Running the bot: every platform with credentials, the scheduler and the delivery worker in one loop (`run`),
or one role per process (`web`, `worker`, `clock`, `gateway`; README "Scaling out").

Each platform and the scheduler is a supervised part (adapters/supervisor.py): a platform that cannot start
keeps retrying in the background while the others serve; one that dies is restarted; one that keeps dying
makes `run_all` raise KeepsFailing (the CLI then exits non-zero).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from adapters.clock import ClockPart, SchedulerPart
from adapters.supervisor import KeepsFailing, NothingToRun, Supervised, Supervisor

log = logging.getLogger(__name__)


def _telegram_permanent(exc: BaseException) -> str | None:
    from telegram.error import InvalidToken

    if isinstance(exc, InvalidToken):
        return "Telegram rejected the token (401/404 from getMe): check TELEGRAM_TOKEN and TELEGRAM_BASE_URL"
    return None


def _discord_permanent(exc: BaseException) -> str | None:
    import discord

    if isinstance(exc, discord.LoginFailure):
        return "Discord rejected the token (login failed): check DISCORD_TOKEN"
    return None


def make_telegram_service(app, *, receive: bool = True, **options):
    """The Telegram service with the parts it uses (imported here: python-telegram-bot loads only when a token
    is set)."""
    from adapters.telegram.service import TelegramService

    return TelegramService(app.settings, app.pacer, app.assistant if receive else None, app.db, receive=receive,
                           **options)


def make_discord_service(app, *, gateway: bool = True, **options):
    """The Discord service with the parts it uses (imported here: discord.py loads only when a token is set)."""
    from adapters.discord.service import DiscordService

    return DiscordService(app.settings, app.assistant if gateway else None, app.kb, gateway=gateway, **options)


def platform_parts(app, telegram_options: dict | None = None, discord_options: dict | None = None, *,
                   receive: bool = True, platforms: tuple[str, ...] = ("telegram", "discord")) -> list[Supervised]:
    """One supervised part per platform with a token (among `platforms`); its outbound is registered only while
    it runs, so alerts for a platform that is down wait in the outbox instead of failing. With `receive=False`
    (the worker) the services only send: no polling, no webhook, no gateway, no handlers."""

    def registered(name: str) -> dict:
        def up(service) -> None:
            app.outbounds[name] = service.outbound
            app.running[name] = service

        def down(service) -> None:
            if app.outbounds.get(name) is service.outbound:
                del app.outbounds[name]
            if app.running.get(name) is service:
                del app.running[name]

        return {"on_up": up, "on_down": down}

    parts = []
    if app.settings.telegram_token and "telegram" in platforms:
        tg_options = {"receive": receive, **(telegram_options or {})}
        parts.append(Supervised("telegram", lambda: make_telegram_service(app, **tg_options),
                                _telegram_permanent, essential=True, **registered("telegram")))
    if app.settings.discord_token and "discord" in platforms:
        dc_options = {"gateway": receive, **(discord_options or {})}
        parts.append(Supervised("discord", lambda: make_discord_service(app, **dc_options),
                                _discord_permanent, essential=True, **registered("discord")))
    return parts


def platform_services(app) -> list:
    """The platforms' services for sending only, not started (`worker --once` starts them itself)."""
    return [part.make() for part in platform_parts(app, receive=False)]


def route_adders(app) -> list:
    """Routes served besides the webhook and the probes: the public pages and feeds (issue 13)."""
    from adapters.web.public import add_public_routes

    return [lambda web_app: add_public_routes(web_app, kb=app.kb, db=app.db, settings=app.settings)]


def web_part(app, *, host: str = "0.0.0.0", port: int | None = None, full: bool = True) -> Supervised:
    """The HTTP server as a supervised part. `full`: the Telegram webhook (when TELEGRAM_WEBHOOK_URL is set)
    and the public pages too; otherwise only /healthz, /readyz and /metrics (worker, clock, gateway)."""
    from adapters.web.app import WebServer, build_web_app

    settings = app.settings
    webhook = None
    if full and settings.telegram_token and settings.telegram_webhook_url:
        from urllib.parse import urlsplit

        webhook = "/" + urlsplit(settings.telegram_webhook_url).path.lstrip("/")

    def make():
        return build_web_app(app.db, webhook_path=webhook, telegram=lambda: app.running.get("telegram"),
                             route_adders=route_adders(app) if full else ())

    return Supervised("web", lambda: WebServer(make, host, settings.port if port is None else port))


def _supervisor(app) -> Supervisor:
    settings = app.settings
    return Supervisor(settings)


def _preload_chart() -> None:
    """Import matplotlib in a worker thread now, so the first chart does not pay for it (nor the loop, ever)."""
    from bot.presentation.chart import preload

    def done(task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.warning("matplotlib could not be loaded: %r", task.exception())

    asyncio.get_running_loop().create_task(asyncio.to_thread(preload), name="preload-matplotlib") \
        .add_done_callback(done)


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_all(app, stop: asyncio.Event | None = None, *, telegram_options: dict | None = None,
                  discord_options: dict | None = None, web_options: dict | None = None) -> None:
    """Start what has credentials; with none, the console chat. Stops on SIGINT/SIGTERM, on `stop`, or at the
    end of the console chat. Every platform shares this one core, scheduler and outbox. The web app (webhook,
    probes, metrics, public pages) is served on PORT when TELEGRAM_WEBHOOK_URL or PORT is set. Raises
    KeepsFailing when a part keeps dying."""
    worker = app.worker
    parts = platform_parts(app, telegram_options, discord_options)
    _preload_chart()
    stop_delivery = asyncio.Event()
    delivering = asyncio.create_task(worker.run(stop_delivery), name="delivery")  # the one delivery loop
    try:
        if not parts:
            from adapters.console import chat_loop

            scheduler = SchedulerPart(app)
            await scheduler.start()
            try:
                log.info("no platform token set: starting the console chat")
                await chat_loop(app.assistant, app.db, "you")
            finally:
                await scheduler.stop()
            return
        if stop is None:
            stop = asyncio.Event()
            _stop_on_signals(stop)
        scheduler = Supervised("scheduler", lambda: ClockPart(app))  # elected on PostgreSQL: a `clock` is safe
        served = app.settings.telegram_webhook_url or "port" in app.settings.model_fields_set
        web = [web_part(app, **(web_options or {}))] if served else []
        await _supervisor(app).run([scheduler, *parts, *web], stop)
    finally:
        stop_delivery.set()
        await delivering  # the round under way ends (worker.run never raises)


async def run_worker(app, *, once: bool, stop: asyncio.Event | None = None) -> int:
    """`opengov-bot worker`: deliver through every configured platform, sending only (no getUpdates, no webhook,
    no gateway, no handlers: run as many as needed); --once delivers what is due and exits."""
    worker = app.worker
    if once:
        services = []
        try:
            for service in platform_services(app):
                try:
                    await service.start()
                except Exception as exc:  # noqa: BLE001 - its alerts stay in the outbox for the next run
                    log.error("%s cannot start (%s): its alerts stay queued", service.name,
                              _supervisor(app).describe(exc))
                    await service.stop()
                    continue
                services.append(service)
                app.outbounds[service.name] = service.outbound
            stats = await worker.run_once()
            print(", ".join(f"{k}: {v}" for k, v in sorted(stats.items())) or "nothing due")
            return 0
        finally:
            for service in services:
                await service.stop()
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    failure: KeepsFailing | NothingToRun | None = None

    async def supervise() -> None:
        nonlocal failure
        try:
            await _supervisor(app).run([*platform_parts(app, receive=False), *_metrics_server(app)], stop)
        except (KeepsFailing, NothingToRun) as exc:
            failure = exc
        finally:
            stop.set()  # the delivery loop finishes its round and returns

    async with asyncio.TaskGroup() as group:
        group.create_task(supervise(), name="supervise-platforms")
        group.create_task(worker.run(stop), name="delivery")
    if failure is not None:
        raise failure
    return 0


def _metrics_server(app) -> list[Supervised]:
    """worker, clock and gateway serve /healthz, /readyz and /metrics on METRICS_PORT when it is set."""
    port = app.settings.metrics_port
    return [web_part(app, port=port, full=False)] if port is not None else []


async def _serve(app, parts: list[Supervised], stop: asyncio.Event | None) -> int:
    if stop is None:
        stop = asyncio.Event()
        _stop_on_signals(stop)
    await _supervisor(app).run(parts, stop)
    return 0


async def run_web(app, stop: asyncio.Event | None = None, *, host: str = "0.0.0.0") -> int:
    """`opengov-bot web`: the web app on PORT, with Telegram through its webhook (no polling, no sending of
    alerts, no scheduler). Any number may run behind a load balancer."""
    parts = [web_part(app, host=host)]
    if app.settings.telegram_token:
        if app.settings.telegram_webhook_url:
            parts[:0] = platform_parts(app, platforms=("telegram",))
        else:
            log.warning("web: TELEGRAM_WEBHOOK_URL is not set, so Telegram is not received here "
                        "(`opengov-bot run` polls instead)")
    return await _serve(app, parts, stop)


async def run_clock(app, stop: asyncio.Event | None = None) -> int:
    """`opengov-bot clock`: the scheduler, elected on PostgreSQL (adapters/clock.py); two are safe."""
    return await _serve(app, [Supervised("clock", lambda: ClockPart(app)), *_metrics_server(app)], stop)


async def run_gateway(app, stop: asyncio.Event | None = None, *, discord_options: dict | None = None) -> int:
    """`opengov-bot gateway`: Discord's gateway (the shards in DISCORD_SHARD_IDS), answering interactions."""
    if not app.settings.discord_token:
        raise NothingToRun(ValueError("DISCORD_TOKEN is not set: the gateway has nothing to run"))
    parts = platform_parts(app, discord_options=discord_options, platforms=("discord",))
    return await _serve(app, [*parts, *_metrics_server(app)], stop)
