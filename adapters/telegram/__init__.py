"""Telegram: python-telegram-bot polling or webhook, HTML replies with inline keyboards, alert delivery.

The names below are imported on first use, so that `adapters.telegram.capabilities` (read by the composition
root in every process) does not load python-telegram-bot."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.telegram.limits import PacedRateLimiter, default_rate_limiter
    from adapters.telegram.outbound import TelegramOutbound, map_error
    from adapters.telegram.rendering import CallbackData, render
    from adapters.telegram.service import TelegramService

_MODULES = {
    "CallbackData": "rendering", "PacedRateLimiter": "limits", "TelegramOutbound": "outbound",
    "TelegramService": "service", "default_rate_limiter": "limits", "map_error": "outbound", "render": "rendering",
}
__all__ = [
    "CallbackData", "PacedRateLimiter", "TelegramOutbound", "TelegramService", "default_rate_limiter", "map_error",
    "render",
]


def __getattr__(name: str) -> object:
    if name in _MODULES:
        return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
