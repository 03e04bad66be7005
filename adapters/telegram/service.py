"""The Telegram service: builds the PTB Application from the settings and runs it inside the shared loop."""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseRateLimiter

from adapters.supervisor import forever, wait_task
from adapters.telegram.addressing import GroupManagers
from adapters.telegram.commands import publish_commands
from adapters.telegram.limits import PacedRateLimiter
from adapters.telegram.outbound import TelegramOutbound
from adapters.telegram.processor import PerChatUpdateProcessor
from adapters.telegram.rendering import CallbackData
from adapters.telegram.updates import TelegramHandlers
from bot.conversation.assistant import Assistant
from bot.domain import Platform
from bot.pacing import Pacer
from bot.settings import Settings
from bot.storage.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class TelegramService:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set (the updates then reach `feed`
    through the web app, adapters/web/app.py); with `receive=False`, outbound only (`opengov-bot worker`): no
    getUpdates, no webhook, no handlers. `start` returns at once."""

    name = Platform.TELEGRAM.value

    def __init__(self, settings: Settings, pacer: Pacer, assistant: Assistant | None, db: Database, *,
                 rate_limiter: BaseRateLimiter | None = None, poll_timeout: int = 10, receive: bool = True):
        """`assistant` answers what is received (None with receive=False); `db` records chats that move."""
        if settings.telegram_token is None:
            raise ValueError("TELEGRAM_TOKEN is not set")
        if receive and assistant is None:
            raise ValueError("receiving Telegram updates needs the assistant")
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.receive = receive
        limiter = rate_limiter or PacedRateLimiter(pacer)  # answers and alerts: one limit, answers first
        builder = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(settings.telegram_base_url)
            .base_file_url(settings.telegram_base_file_url)
            .rate_limiter(limiter)
            .concurrent_updates(PerChatUpdateProcessor())
        )
        if not receive or self.webhook_mode:
            builder = builder.updater(None)  # no getUpdates loop at all (the web app feeds webhook updates)
        self.application: Application = builder.build()
        bot = self.application.bot
        self.callbacks = CallbackData()
        self.outbound = TelegramOutbound(bot, self.callbacks)
        if receive:
            self.handlers = TelegramHandlers(bot, assistant, db, self.callbacks, GroupManagers(bot))
            self.handlers.register(self.application)
        secret = settings.telegram_webhook_secret
        if self.webhook_mode and secret is None and receive:
            log.warning("TELEGRAM_WEBHOOK_SECRET is not set: using a random one for this run "
                        "(set it when several processes receive the webhook)")
        self.webhook_secret = secret.get_secret_value() if secret else secrets.token_urlsafe(32)
        self._started = False

    @property
    def webhook_mode(self) -> bool:
        return bool(self.settings.telegram_webhook_url)

    @property
    def webhook_path(self) -> str:
        """The path the web app serves the webhook on (TELEGRAM_WEBHOOK_URL's path)."""
        return "/" + urlsplit(self.settings.telegram_webhook_url or "").path.lstrip("/")

    async def start(self) -> None:
        """Connect (getMe); when receiving, publish the command menu, then poll, or register the webhook."""
        settings = self.settings
        await self.application.initialize()
        self._started = True
        if not self.receive:
            log.info("telegram: outbound only as @%s", self.application.bot.username)
            return
        try:
            await publish_commands(self.application.bot, settings.telegram_admin_ids)
        except TelegramError as exc:  # the menu is a convenience: never a reason not to serve
            log.warning("telegram: command menu not published: %s", exc.message)
        await self.application.start()
        if self.webhook_mode:
            await self.application.bot.set_webhook(
                url=settings.telegram_webhook_url or "", allowed_updates=ALLOWED_UPDATES,
                secret_token=self.webhook_secret,
            )
            log.info("telegram: webhook registered, served at %s", self.webhook_path)
        else:
            await self.application.updater.start_polling(
                timeout=self.poll_timeout, poll_interval=0, allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=3,
            )
            log.info("telegram: polling as @%s", self.application.bot.username)

    def accepts(self, secret_token: str | None) -> bool:
        """Is this the secret Telegram was given (X-Telegram-Bot-Api-Secret-Token)? Compared in constant time."""
        return secret_token is not None and hmac.compare_digest(secret_token.encode(), self.webhook_secret.encode())

    async def feed(self, data: object) -> None:
        """One webhook update (the JSON body Telegram POSTed): queued for the handlers, as polling would."""
        if not self._started or not self.receive:
            raise RuntimeError("the Telegram service is not receiving")
        await self.application.update_queue.put(Update.de_json(data, self.application.bot))

    async def wait(self) -> None:
        """Block while updates come in; raise (or return) when the polling loop ended by itself (a revoked token)."""
        if self.webhook_mode or not self.receive:
            await forever()  # nothing of ours runs in the background (the web app serves the webhook)
        # python-telegram-bot keeps its polling task private (pinned <23): watch it without ever cancelling it
        await wait_task(getattr(self.application.updater, "_Updater__polling_task", None))

    async def stop(self) -> None:
        """Stop receiving, let running handlers finish, close the HTTP clients."""
        if not self._started:
            return
        self._started = False
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
