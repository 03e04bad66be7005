"""The pacer (bot/pacing.py): evenly spaced from the first send, one limit across processes through Redis (also
across a restart), replies before alerts, and a conservative share — never no limit — while Redis is gone."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time

from redis.asyncio import Redis

from bot.pacing import ChatLimit, Pacer, PacingStats, Priority, fallback_share
from tests.redis_support import acquire_for, max_in_window

pytest_plugins = ["tests.redis_fixtures"]

RATE = 20  # messages a second in these tests: 18.6 a second of alerts, never 21 in any second


def pacer(redis_url: str | None = None, prefix: str = "", **options) -> Pacer:
    redis = Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1) if redis_url else None
    options.setdefault("reply_headroom", {"telegram": 1})
    return Pacer({"telegram": RATE}, redis=redis, prefix=prefix, stats=PacingStats(), **options)


async def test_one_process_sends_evenly_spaced_from_the_first_message() -> None:
    local = pacer()
    times = await acquire_for(local, 2.0)
    assert max_in_window(times) <= RATE
    assert max_in_window(times[:RATE + 1]) <= RATE  # no burst at start
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / local.steady_rate("telegram") - 0.003
    assert len(times) >= 1.8 * local.steady_rate("telegram")  # and the rate is used, not wasted
    assert local.stats.waits_total["telegram"] > 0  # for /metrics


async def test_a_platform_without_limit_is_not_paced() -> None:
    local = pacer()
    began = time.monotonic()
    for _ in range(200):
        await local.acquire("console", Priority.ALERT)
    assert time.monotonic() - began < 0.5 and not local.paces("console")


async def test_a_reply_goes_before_a_backlog_of_alerts() -> None:
    for priority in (True, False):
        local = pacer(priority=priority)
        alerts = asyncio.create_task(acquire_for(local, 3.0, tasks=8))
        await asyncio.sleep(0.5)  # the alert lane is saturated, seven alerts waiting in it
        waits = []
        for _ in range(3):
            waits.append(await local.acquire("telegram", Priority.REPLY))
            await asyncio.sleep(0.2)
        await alerts
        if priority:
            assert max(waits) < 1.5 / local.steady_rate("telegram"), waits  # at most the slot under way
        else:
            assert min(waits) > 4 / local.steady_rate("telegram"), waits  # behind the alerts waiting


async def test_replies_and_alerts_together_never_exceed_the_limit_in_any_second() -> None:
    local = pacer()
    times: list[float] = []

    async def replies() -> None:
        for _ in range(12):
            for _ in range(3):  # three people asking at once
                await local.acquire("telegram", Priority.REPLY)
                times.append(time.monotonic())
            await asyncio.sleep(0.15)

    alerts, _ = await asyncio.gather(acquire_for(local, 2.5, tasks=8), replies())
    assert max_in_window(sorted(times + alerts)) <= RATE


async def test_a_group_gets_at_most_its_per_chat_limit() -> None:
    local = pacer()
    limit = ChatLimit(per_minute=600, burst=3)  # 10 a second, 3 at once: never more than 10 + 3 in a second
    times = []
    began = time.monotonic()
    while time.monotonic() - began < 1.5:
        await local.acquire("telegram", Priority.REPLY, chat="-100", chat_limit=limit)
        times.append(time.monotonic())
    assert max_in_window(times) <= 13
    # The burst, then 10 a second for as long as the loop actually ran (under load its last wait may end past
    # 1.5 s: a fixed "<= 18" failed then with 19 sends in 1.6 s, which is within the limit).
    assert 12 <= len(times) <= 3 + 10 * (times[-1] - began) + 1


async def test_the_least_recently_used_chat_schedules_are_dropped_first(monkeypatch) -> None:
    monkeypatch.setattr("bot.pacing.CHAT_KEYS", 2)  # two chats' schedules kept in this process
    local = pacer()
    limit = ChatLimit(per_minute=600, burst=1)  # one send every 0.1 s in each chat

    async def wait(chat: str) -> float:
        return await local.acquire("console", Priority.REPLY, chat=chat, chat_limit=limit)

    assert await wait("a") < 0.05 and await wait("b") < 0.05
    assert await wait("a") > 0.05  # "a" is now the most recently used, "b" the least
    assert await wait("c") < 0.05  # a third chat: "b"'s schedule is dropped, not "a"'s
    assert await wait("a") > 0.05
    assert await wait("b") < 0.05  # forgotten, so it starts afresh


async def test_two_processes_share_one_limit_through_redis(redis_url, redis_prefix) -> None:
    first, second = pacer(redis_url, redis_prefix), pacer(redis_url, redis_prefix)
    try:
        a, b = await asyncio.gather(acquire_for(first, 2.0), acquire_for(second, 2.0))
    finally:
        await first.close()
        await second.close()
    assert max_in_window(sorted(a + b)) <= RATE  # one limit, not one each
    assert len(a) > 5 and len(b) > 5  # both sent
    assert len(a) + len(b) >= 1.7 * first.steady_rate("telegram")


async def test_a_reply_in_one_process_goes_before_alerts_of_another(redis_url, redis_prefix) -> None:
    worker, web = pacer(redis_url, redis_prefix), pacer(redis_url, redis_prefix)
    try:
        alerts = asyncio.create_task(acquire_for(worker, 2.5, tasks=8))
        await asyncio.sleep(0.5)
        waits = []
        for _ in range(5):
            waits.append(await web.acquire("telegram", Priority.REPLY))
            await asyncio.sleep(0.2)
        await alerts
    finally:
        await worker.close()
        await web.close()
    # at most the send under way and a round trip or two to Redis (behind the 7 alerts waiting it would be ~8 slots)
    assert max(waits) < 3 / worker.steady_rate("telegram"), waits


async def test_no_burst_across_a_restart(redis_url, redis_prefix) -> None:
    before = pacer(redis_url, redis_prefix)
    first = await acquire_for(before, 1.0)
    await before.close()
    after = pacer(redis_url, redis_prefix)  # a new process, at once: the schedule is in Redis
    try:
        second = await acquire_for(after, 1.0)
    finally:
        await after.close()
    assert max_in_window(first + second) <= RATE


async def test_redis_gone_means_a_conservative_share_then_the_shared_limit_again(own_redis, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="bot.pacing")
    local = pacer(own_redis.url, "t:", processes=2, probe_interval=0.2)
    try:
        shared = await acquire_for(local, 1.0)
        own_redis.stop()
        alone = await acquire_for(local, 2.0)
        assert local.fallback and local.stats.fallback
        own_redis.start()
        await asyncio.sleep(0.5)
        again = await acquire_for(local, 1.0)
    finally:
        await local.close()
    steady = local.steady_rate("telegram")
    share, _ = fallback_share(steady, 1, 2)
    assert len(shared) >= 0.85 * steady
    # while Redis is gone: this process's share (never the whole limit, never nothing)
    assert 1.6 * share <= len(alone) <= 2 * share + 5  # (the 4 senders' last sends may end after the 2 s)
    assert max_in_window(alone) <= int(share) + 1
    assert not local.fallback and len(again) >= 0.85 * steady  # and back to the shared limit
    warnings = [r.getMessage() for r in caplog.records]
    assert sum("Redis does not answer" in w for w in warnings) == 1, warnings  # said once
    assert sum("Redis answers again" in w for w in warnings) == 1, warnings


async def test_redis_unreachable_from_the_start_means_the_share_not_unlimited() -> None:
    from tests.http_support import free_port

    local = pacer(f"redis://127.0.0.1:{free_port()}/0", "t:", processes=2, probe_interval=60)
    try:
        times = await acquire_for(local, 2.0)
    finally:
        await local.close()
    share, _ = fallback_share(local.steady_rate("telegram"), 1, 2)
    assert local.fallback and 1.6 * share <= len(times) <= 2 * share + 5
    assert max_in_window(times) <= int(share) + 1
