"""Telegram: python-telegram-bot polling or webhook, HTML replies with inline keyboards, alert delivery."""

from adapters.telegram.limits import PacedRateLimiter, default_rate_limiter
from adapters.telegram.outbound import TelegramOutbound, map_error
from adapters.telegram.rendering import CallbackData, render
from adapters.telegram.service import TelegramService

__all__ = [
    "CallbackData", "PacedRateLimiter", "TelegramOutbound", "TelegramService", "default_rate_limiter", "map_error",
    "render",
]
