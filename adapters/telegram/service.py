"""The Telegram service: builds the PTB Application from the settings and runs it inside the shared loop."""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseRateLimiter

from adapters.compose import App
from adapters.supervisor import forever, wait_task
from adapters.telegram.addressing import GroupManagers
from adapters.telegram.commands import publish_commands
from adapters.telegram.handlers import TelegramHandlers
from adapters.telegram.limits import default_rate_limiter
from adapters.telegram.outbound import TelegramOutbound
from adapters.telegram.processor import PerChatUpdateProcessor
from adapters.telegram.rendering import CallbackData
from bot.domain import Platform

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class TelegramService:
    """Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set. `start` returns at once."""

    name = Platform.TELEGRAM.value

    def __init__(self, app: App, *, rate_limiter: BaseRateLimiter | None = None, listen: str = "0.0.0.0",
                 poll_timeout: int = 10):
        settings = app.settings
        if settings.telegram_token is None:
            raise ValueError("TELEGRAM_TOKEN is not set")
        self.app = app
        self.listen = listen
        self.poll_timeout = poll_timeout
        limiter = rate_limiter or default_rate_limiter(settings.telegram_rate_limit)
        self.application: Application = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(settings.telegram_base_url)
            .base_file_url(settings.telegram_base_file_url)
            .rate_limiter(limiter)
            .concurrent_updates(PerChatUpdateProcessor())
            .build()
        )
        bot = self.application.bot
        self.callbacks = CallbackData()
        self.outbound = TelegramOutbound(bot, self.callbacks)
        self.handlers = TelegramHandlers(bot, app.assistant, app.db, self.callbacks, GroupManagers(bot))
        self.handlers.register(self.application)
        self._started = False

    @property
    def webhook_mode(self) -> bool:
        return bool(self.app.settings.telegram_webhook_url)

    async def start(self) -> None:
        """Connect (getMe), publish the command menu, then poll or listen for webhooks in the background."""
        settings = self.app.settings
        await self.application.initialize()
        self._started = True
        try:
            await publish_commands(self.application.bot, settings.telegram_admin_ids)
        except TelegramError as exc:  # the menu is a convenience: never a reason not to serve
            log.warning("telegram: command menu not published: %s", exc.message)
        await self.application.start()
        if self.webhook_mode:
            url = settings.telegram_webhook_url or ""
            secret = settings.telegram_webhook_secret
            if secret is None:
                log.warning("TELEGRAM_WEBHOOK_SECRET is not set: using a random one for this run")
            await self.application.updater.start_webhook(
                listen=self.listen, port=settings.port, url_path=urlsplit(url).path.lstrip("/"),
                webhook_url=url, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3,
                secret_token=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
            )
            log.info("telegram: webhook listening on %s:%s", self.listen, settings.port)
        else:
            await self.application.updater.start_polling(
                timeout=self.poll_timeout, poll_interval=0, allowed_updates=ALLOWED_UPDATES,
                bootstrap_retries=3,
            )
            log.info("telegram: polling as @%s", self.application.bot.username)

    async def wait(self) -> None:
        """Block while updates come in; raise (or return) when the polling loop ended by itself (a revoked token)."""
        if self.webhook_mode:
            await forever()  # the webhook server runs in PTB's own task, restarted by nobody: not watched yet
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
