"""The Discord service: the discord.py client in the shared asyncio loop, and its outbound for alerts."""


from __future__ import annotations

import asyncio
import contextlib
import logging

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import OpenGovClient, ShardedOpenGovClient
from adapters.discord.commands import register_commands
from adapters.discord.outbound import DiscordOutbound
from adapters.supervisor import forever, wait_task
from bot.conversation.assistant import Assistant
from bot.settings import Settings
from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)


class DiscordService:
    """Runs the Discord client in the shared asyncio loop; `outbound` delivers alerts through it.

    With `gateway=False` (`opengov-bot worker`) it only logs in for REST: no gateway connection, no command
    sync, nothing received. With DISCORD_SHARD_COUNT it runs discord.py's AutoShardedClient over the shards in
    DISCORD_SHARD_IDS (all when unset); the process that runs shard 0 (or every shard) publishes the commands.
    """

    name = "discord"

    def __init__(self, settings: Settings, assistant: Assistant | None, kb: KnowledgeBase, *, gateway: bool = True,
                 **client_options) -> None:
        """`assistant` answers the interactions (None with gateway=False); `kb` feeds the commands' autocomplete."""
        if settings.discord_token is None:
            raise ValueError("DISCORD_TOKEN is not set")
        if gateway and assistant is None:
            raise ValueError("running the Discord gateway needs the assistant")
        self.settings = settings
        self.gateway = gateway
        shard_ids = list(settings.discord_shard_ids) or None
        publish = gateway and (shard_ids is None or 0 in shard_ids)
        if gateway and settings.discord_shard_count:
            self.client: OpenGovClient = ShardedOpenGovClient(
                settings, assistant, publish_commands=publish, shard_count=settings.discord_shard_count, shard_ids=shard_ids,
                **client_options)
        else:
            self.client = OpenGovClient(settings, assistant, publish_commands=publish, **client_options)
        if gateway:
            register_commands(self.client, kb)
        self.outbound = DiscordOutbound(self.client)
        self._gateway: asyncio.Task | None = None
        self._saved: tuple[str, yarl.URL] | None = None

    def _point_at_server(self) -> None:
        """discord.py reads its REST base and gateway URL from class attributes: set them for this run."""
        settings = self.settings
        route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
        self._saved = (route.BASE, websocket.DEFAULT_GATEWAY)
        route.BASE = settings.discord_api_base.rstrip("/")
        if settings.discord_gateway_url:
            websocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)

    def _restore(self) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None

    async def start(self) -> None:
        """Log in (this also syncs the commands, in setup_hook), then keep the gateway in a background task."""
        self._point_at_server()
        try:
            await self.client.login(self.settings.discord_token.get_secret_value())
        except BaseException:
            self._restore()
            with contextlib.suppress(Exception):
                await self.client.close()
            raise
        if not self.gateway:
            log.info("discord: outbound only (REST, no gateway)")
            return
        self._gateway = asyncio.create_task(self.client.connect(), name="discord-gateway")
        self._gateway.add_done_callback(_report_gateway_end)

    async def wait(self) -> None:
        """Block while the gateway runs; raise (or return) when it ended by itself (discord.py gave up on it)."""
        if not self.gateway:
            await forever()
        await wait_task(self._gateway)

    async def wait_until_ready(self, timeout: float = 30.0) -> None:
        await asyncio.wait_for(self.client.wait_until_ready(), timeout)

    async def stop(self) -> None:
        try:
            await self.client.close()
            if self._gateway is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(self._gateway, timeout=5)
                self._gateway = None
        finally:
            self._restore()


def _report_gateway_end(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the Discord gateway stopped: %r", task.exception())
