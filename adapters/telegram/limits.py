"""Pacing what we send to Telegram's flood limits: 30 messages a second overall, 20 a minute per group."""

from __future__ import annotations

import logging

from telegram.ext import AIORateLimiter

GROUP_MAX_PER_MINUTE = 20
# Requests paced at exactly the cap can still arrive bunched (network and event-loop jitter) and trip Telegram's
# own counter; pacing 2 % under the configured rate keeps us clear of 429s at a negligible cost.
SAFETY_MARGIN = 0.98


class MessageRateLimiter(AIORateLimiter):
    """AIORateLimiter counts every call naming a chat; Telegram's flood limits count the messages we send.
    Lookups such as getChatMember (asked for group admin rights) pass without using a group's 20 a minute."""

    SENDING = ("send", "edit", "copy", "forward")

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        if not endpoint.startswith(self.SENDING):
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def default_rate_limiter(messages_per_second: float) -> AIORateLimiter:
    """Telegram's flood limits (overall per second, 20 a minute per group); never retries a 429 itself,
    the outbox worker does, so a flood-controlled alert is rescheduled instead of blocking a sender."""
    # With max_retries=0 its only ERROR is a traceback for every 429 we hand on to the worker, which logs it.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    # A bucket of one message refilled every 1/rate seconds: evenly spaced from the very first message. (A
    # bucket of `rate` messages per second starts full and lets a fan-out or a restart send twice the rate
    # in its first second.)
    overall = {"overall_max_rate": 1, "overall_time_period": 1 / (messages_per_second * SAFETY_MARGIN)} \
        if messages_per_second > 0 else {"overall_max_rate": 0}
    return MessageRateLimiter(**overall, group_max_rate=GROUP_MAX_PER_MINUTE, group_time_period=60, max_retries=0)
