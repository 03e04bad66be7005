"""Pacing what we send to Telegram's flood limits: 30 messages a second overall, 20 a minute per group.

The bot's one rate limiter, for answers and alerts alike, draws from the process's `Pacer` (bot/pacing.py):
shared by every process through Redis when REDIS_URL is set, answers before alerts. A send marked
`rate_limit_args=Priority.ALERT` is an alert (never retried here: the outbox worker reschedules it on a 429);
anything else is an answer someone is waiting for, and an integer `rate_limit_args` is how many 429s it may
wait out.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from adapters.telegram.outbound import retry_seconds
from bot.domain import Platform
from bot.pacing import ChatLimit, Pacer, Priority

log = logging.getLogger(__name__)

PLATFORM = Platform.TELEGRAM.value
# Telegram: at most 20 messages a minute in a group. 15 a minute sustained and 5 at once: never 21 in any minute
# (a bucket of 20 refilled at 20 a minute would allow 39 in the first one).
GROUP_LIMIT = ChatLimit(per_minute=15, burst=5)


def group_key(chat_id: object) -> str | None:
    """The chat as a per-group limiter key, or None for a private chat (as python-telegram-bot's AIORateLimiter
    tells them apart: negative ids and @usernames are groups and channels)."""
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)  # type: ignore[call-overload]
    if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str):
        return str(chat_id)
    return None


class PacedRateLimiter(BaseRateLimiter[Any]):
    """python-telegram-bot's rate limiter hook, backed by the process's pacer. Only sending methods count
    (Telegram's flood limits count messages): lookups such as getChatMember pass at once."""

    SENDING = ("send", "edit", "copy", "forward")

    def __init__(self, pacer: Pacer, group_limit: ChatLimit | None = GROUP_LIMIT):
        self.pacer = pacer
        self.group_limit = group_limit

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass  # the pacer belongs to the app, which closes it

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if not endpoint.startswith(self.SENDING):
            return await callback(*args, **kwargs)
        alert = rate_limit_args is Priority.ALERT
        priority = Priority.ALERT if alert else Priority.REPLY
        retries = rate_limit_args if isinstance(rate_limit_args, int) and not alert else 0
        group = group_key(data.get("chat_id")) if self.group_limit else None
        for attempt in itertools.count():
            await self.pacer.acquire(PLATFORM, priority, chat=group, chat_limit=self.group_limit)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                delay = retry_seconds(exc)
                log.info("telegram flood control on %s: answering again in %.1f s", endpoint, delay)
                await asyncio.sleep(delay + 0.1)
        raise AssertionError("unreachable")


def default_rate_limiter(messages_per_second: float, *, reply_headroom: int = 1) -> PacedRateLimiter:
    """A limiter of its own for one bot (tests, benchmarks): `messages_per_second` overall (0 = unlimited),
    20 a minute per group, answers first. The service uses the app's pacer instead."""
    return PacedRateLimiter(Pacer({PLATFORM: messages_per_second}, reply_headroom={PLATFORM: reply_headroom}))
