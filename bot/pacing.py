"""Pacing what we send to each platform's rate limit: one limit shared by every process, replies before alerts.

Each platform's limit is a GCRA (pyrate-limiter's `StateBucket`): one "theoretical arrival time" per key, so
sends are evenly spaced from the very first one — no burst at start. With `REDIS_URL` that state lives in Redis
(`RedisStateStore`, an atomic Lua script), so every process draws from the same limit, and a restarted process
finds the schedule where the others left it. Without Redis it lives in this process, as a single process needs.

Replies before alerts: both draw from the same key, but a reply may run up to `reply_headroom` sends ahead of the
schedule where an alert must wait for it. However long the alert backlog (in this or any other process), a reply
is admitted at once (or after the other replies ahead of it), and alerts get what replies leave. To keep every
1-second window under the limit with that headroom, the steady rate is the limit less the headroom, 2 % under:
30/s gives 28.4 evenly spaced sends a second, and at most 30 in any second, replies included.

Within a process, alerts take turns (one lane), so only one of them polls the limit at a time; replies do not
(each polls for itself: they are few, and one slow round trip to Redis must not hold up the others), and never
queue behind this process's alerts.

Per-chat limits (Telegram's 20 a minute in a group) are one more key per chat, checked first.

If Redis stops answering, each process falls back to a conservative share of every limit (1/RATE_LIMIT_PROCESSES
of it), never to no limit; it says so once and returns to the shared limit when Redis answers again.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import TYPE_CHECKING

from cachetools import LRUCache
from pyrate_limiter import GCRA, InMemoryStateStore, Rate, RateItem, RedisStateStore, StateBucket
from redis.exceptions import RedisError

from bot import metrics
from bot.domain import Platform

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.settings import Settings

log = logging.getLogger(__name__)

# Requests paced at exactly the cap can still arrive bunched (network and event-loop jitter, up to ~10 ms) and
# trip the platform's own counter; pacing 2 % under the configured rate keeps us clear of that.
SAFETY_MARGIN = 0.98
CHAT_KEYS = 10_000  # per-chat limiter states kept in this process (least recently used dropped)
_SCALE = 1_000_000  # a rate as `limit` sends per this many ms: sub-millisecond spacing from integer arithmetic


class Priority(enum.Enum):
    REPLY = "reply"  # someone is waiting for it
    ALERT = "alert"  # background delivery from the outbox


@dataclass
class PacingStats:
    """Counters for /metrics: sends that waited for the limit, and how long they waited, by platform."""

    waits_total: Counter[str] = field(default_factory=Counter)
    wait_seconds_total: Counter[str] = field(default_factory=Counter)
    replies_total: Counter[str] = field(default_factory=Counter)  # answers paced, whether they waited or not
    reply_wait_seconds_total: Counter[str] = field(default_factory=Counter)
    fallback: bool = False  # Redis is configured but not answering: this process uses its own share


STATS = PacingStats()


def rate_limit_waits() -> dict[str, int]:
    """Sends that had to wait for a rate limit, by platform, since this process started."""
    return dict(STATS.waits_total)


@dataclass(frozen=True)
class ChatLimit:
    """A per-chat limit: `per_minute` sends a minute sustained, `burst` at once."""

    per_minute: float
    burst: int


def fallback_share(per_second: float, burst: int, processes: int) -> tuple[float, int]:
    """One process's share of a limit while Redis is gone: 1/`processes` of the rate less one send a second (each
    process's schedule can put one more send in a window than its rate), and no burst — never the whole limit."""
    share = per_second / processes
    return max(share - 1, share / 2), max(1, burst // processes)


class Pacer:
    """One per process: `await pacer.acquire(platform, priority)` before each send returns when it may go."""

    def __init__(
        self,
        limits: Mapping[str, float],
        *,
        redis: Redis | None = None,
        prefix: str = "opengov-bot:",
        processes: int = 4,
        reply_headroom: Mapping[str, int] | None = None,
        priority: bool = True,
        probe_interval: float = 5.0,
        stats: PacingStats = STATS,
    ):
        self.limits = {platform: rate for platform, rate in limits.items() if rate > 0}
        self.redis = redis
        self.prefix = prefix
        self.processes = max(1, processes)
        self.headroom = {p: h for p, h in (reply_headroom or {}).items() if h > 0} if priority else {}
        self.priority = priority
        self.probe_interval = probe_interval
        self.stats = stats
        self.fallback = False
        self._algorithm = GCRA()
        self._lanes: dict[str, asyncio.Lock] = {}  # the alerts' lane of each platform
        self._stores: LRUCache[tuple[str, bool], object] = LRUCache(CHAT_KEYS)
        self._buckets: LRUCache[tuple[str, bool, int, int, int], StateBucket] = LRUCache(4 * CHAT_KEYS)
        self._probe: asyncio.Task | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **options) -> Pacer:
        redis = None
        if settings.redis_url:
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            # Never retry nor wait long: a Redis that does not answer at once means the fallback share.
            redis = Redis.from_url(settings.redis_url, socket_timeout=1.0, socket_connect_timeout=1.0,
                                   retry=Retry(NoBackoff(), 0))
        options.setdefault("reply_headroom", {Platform.TELEGRAM.value: 1})  # Telegram replies share its limit
        return cls({p.value: settings.rate_limit(p.value) for p in Platform}, redis=redis,
                   prefix=settings.redis_key_prefix, processes=settings.rate_limit_processes, **options)

    @property
    def shared(self) -> bool:
        """Whether this process draws from the limit shared through Redis right now."""
        return self.redis is not None and not self.fallback

    def paces(self, platform: str) -> bool:
        return platform in self.limits

    def steady_rate(self, platform: str) -> float:
        """Sends a second when the queue is full (alerts' rate): the limit less the replies' headroom, 2 % under."""
        limit = self.limits.get(platform, 0.0)
        return max(limit * SAFETY_MARGIN - self.headroom.get(platform, 0), limit * SAFETY_MARGIN / 2)

    async def acquire(self, platform: str, priority: Priority = Priority.REPLY, *, chat: str | None = None,
                      chat_limit: ChatLimit | None = None) -> float:
        """Wait until a send to `platform` (and `chat`, under `chat_limit`) may go; return the seconds waited."""
        began = time.monotonic()
        if chat is not None and chat_limit is not None:
            burst = chat_limit.burst
            await self._admit(f"{platform}:chat:{chat}", chat_limit.per_minute / 60, burst, burst)
        if platform in self.limits:
            most = 1 + self.headroom.get(platform, 0)
            if priority is Priority.REPLY and self.priority:
                await self._admit(platform, self.steady_rate(platform), most, most)
            else:
                async with self._lane(platform):
                    await self._admit(platform, self.steady_rate(platform), 1, most)
        waited = time.monotonic() - began
        if priority is Priority.REPLY:
            self.stats.replies_total[platform] += 1
            self.stats.reply_wait_seconds_total[platform] += waited
        if waited >= 0.001:
            self.stats.waits_total[platform] += 1
            self.stats.wait_seconds_total[platform] += waited
            metrics.record_rate_limit_wait(platform, waited)
        return waited

    def _lane(self, platform: str) -> asyncio.Lock:
        lane = self._lanes.get(platform)
        if lane is None:
            lane = self._lanes[platform] = asyncio.Lock()
        return lane

    async def _admit(self, key: str, per_second: float, burst: int, most_burst: int) -> None:
        """Take one send from `key`'s schedule, waiting as long as the limit says. `most_burst` is the largest
        burst any caller uses on that key (it bounds how long the state must be kept)."""
        while True:
            shared = self.shared
            bucket = self._bucket(key, shared, per_second, burst, most_burst)
            item = RateItem(key, bucket.now())
            try:
                admitted = bucket.put(item)
                if isawaitable(admitted):
                    admitted = await admitted
            except (OSError, TimeoutError, RedisError) as exc:
                self._fall_back(exc)
                continue
            if admitted:
                return
            wait = bucket.waiting(item)
            if isawaitable(wait):
                wait = await wait
            await asyncio.sleep(max(int(wait), 1) / 1000)

    def _bucket(self, key: str, shared: bool, per_second: float, burst: int, most_burst: int) -> StateBucket:
        if not shared and self.redis is not None:
            per_second, burst = fallback_share(per_second, burst, self.processes)
        store = self._store(key, shared, per_second, most_burst)
        spec = (key, shared, round(per_second * 1000), burst, id(store))
        bucket = self._buckets.get(spec)
        if bucket is None:
            rate = Rate(max(1, spec[2]), _SCALE, burst=burst)
            bucket = self._buckets[spec] = StateBucket([rate], self._algorithm, store)
        return bucket

    def _store(self, key: str, shared: bool, per_second: float, most_burst: int):
        store = self._stores.get((key, shared))
        if store is None:
            if shared:
                # Kept in Redis as long as its schedule can run ahead (the largest burst), then it expires.
                ttl_ms = max(1000, int(2000 * most_burst / max(per_second, 1e-6)))
                store = RedisStateStore(self.redis, f"{self.prefix}{key}", ttl_ms=ttl_ms)
            else:
                store = InMemoryStateStore()
            self._stores[(key, shared)] = store
        return store

    def _fall_back(self, exc: BaseException) -> None:
        if self.fallback:
            return
        self.fallback = self.stats.fallback = True
        log.warning("Redis does not answer (%s): until it does, this process sends at most 1/%d of each "
                    "platform's rate limit", type(exc).__name__, self.processes)
        self._probe = asyncio.get_running_loop().create_task(self._wait_for_redis(), name="pacing-redis-probe")

    async def _wait_for_redis(self) -> None:
        while True:
            await asyncio.sleep(self.probe_interval)
            try:
                await self.redis.ping()
            except (OSError, TimeoutError, RedisError):
                continue
            self.fallback = self.stats.fallback = False
            log.warning("Redis answers again: rate limits are shared by every process again")
            return

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
        if self.redis is not None:
            await self.redis.aclose()
