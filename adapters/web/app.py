"""The HTTP side of the bot (aiohttp): Telegram's webhook, health and readiness probes, Prometheus metrics.

`build_web_app` takes narrow dependencies (the database, and the Telegram receiver when there is a webhook)
plus `route_adders`: callables that add more routes to the application (the public pages and feeds), so a
module only has to provide `add_...(web_app)` to be served. Any number of `opengov-bot web` processes may
run behind a load balancer: nothing here keeps state between requests (a chat's state is in the database).

Routes:
- POST <TELEGRAM_WEBHOOK_URL's path>: an update from Telegram, accepted only with the secret token Telegram
  was given (X-Telegram-Bot-Api-Secret-Token), else 403; 503 while the Telegram service is (re)starting, so
  Telegram retries it.
- GET /healthz: the process is alive (200).
- GET /readyz: the database answers and its schema is at the latest migration (200), else 503.
- GET /metrics: Prometheus text format (bot/metrics.py); the outbox figures are read at each scrape.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from aiohttp import web

from adapters.supervisor import forever
from bot import metrics
from bot.storage.db import Database, head_revision

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PROBE_TIMEOUT = 3.0  # seconds a readiness check or a scrape waits for the database
RouteAdder = Callable[[web.Application], None]


class TelegramReceiver(Protocol):
    """What the webhook route needs from adapters.telegram.TelegramService."""

    def accepts(self, secret_token: str | None) -> bool: ...

    async def feed(self, data: object) -> None: ...


def build_web_app(db: Database, *, webhook_path: str | None = None,
                  telegram: Callable[[], TelegramReceiver | None] = lambda: None,
                  route_adders: Iterable[RouteAdder] = (), metrics_route: bool = True) -> web.Application:
    """The aiohttp application. `telegram()` returns the receiver running now (None while it is down)."""
    web_app = web.Application(client_max_size=1024 * 1024)
    routes = web.RouteTableDef()

    @routes.get("/healthz")
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    @routes.get("/readyz")
    async def readyz(_request: web.Request) -> web.Response:
        expected = head_revision()
        try:
            current = await asyncio.wait_for(db.current_revision(), PROBE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - unreachable, timed out, never migrated: not ready
            log.warning("readyz: database not ready: %s", type(exc).__name__)
            return web.json_response({"status": "unavailable", "database": type(exc).__name__}, status=503)
        if current != expected:
            return web.json_response({"status": "unavailable", "schema": current, "expected": expected}, status=503)
        return web.json_response({"status": "ready", "schema": current})

    if metrics_route:
        @routes.get("/metrics")
        async def scrape(_request: web.Request) -> web.Response:
            try:
                await asyncio.wait_for(metrics.refresh_outbox(db), PROBE_TIMEOUT)
            except Exception as exc:  # noqa: BLE001 - the process's own counters are still worth serving
                log.warning("metrics: outbox figures not read: %s", type(exc).__name__)
            body, content_type = metrics.exposition()
            return web.Response(body=body, headers={"Content-Type": content_type})

    if webhook_path:
        @routes.post(webhook_path)
        async def telegram_update(request: web.Request) -> web.Response:
            receiver = telegram()
            if receiver is None:
                return web.Response(status=503, text="starting")
            if not receiver.accepts(request.headers.get(SECRET_HEADER)):
                return web.Response(status=403, text="forbidden")
            try:
                data = await request.json()
            except (ValueError, UnicodeDecodeError):
                return web.Response(status=400, text="not JSON")
            if not isinstance(data, dict):
                return web.Response(status=400, text="not an update")
            try:
                await receiver.feed(data)
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("telegram webhook: an update could not be read: %s", type(exc).__name__)
                return web.Response(status=400, text="not an update")
            except RuntimeError:
                return web.Response(status=503, text="stopping")
            return web.Response(text="ok")

    web_app.add_routes(routes)
    for add in route_adders:
        add(web_app)
    return web_app


class WebServer:
    """Serves a web application on host:port as a supervised part (adapters/supervisor.py)."""

    name = "web"

    def __init__(self, make_app: Callable[[], web.Application], host: str, port: int):
        self.make_app, self.host, self.port = make_app, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1] if self.port == 0 else self.port  # type: ignore[union-attr]
        log.info("web: listening on %s:%s", self.host, self.port)

    async def wait(self) -> None:
        await forever()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
