"""Telegram: python-telegram-bot polling or webhook, HTML replies with inline keyboards, alert delivery."""

from adapters.telegram.outbound import TelegramOutbound, map_error
from adapters.telegram.rendering import CallbackData, render
from adapters.telegram.service import TelegramService, default_rate_limiter

__all__ = ["CallbackData", "TelegramOutbound", "TelegramService", "default_rate_limiter", "map_error", "render"]
