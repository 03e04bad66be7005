"""Helpers for the shared-limit tests (fixtures: redis_fixtures): is Redis there, a redis-server of a test's own,
the busiest window of a list of send times."""

from __future__ import annotations

import asyncio
import bisect
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.http_support import free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = os.environ.get("TEST_REDIS_PREFIX", "opengov-bot-test:")


def redis_answers(url: str = REDIS_URL) -> bool:
    from redis import Redis

    try:
        client = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure means: no Redis for these tests
        return False


def delete_prefix(url: str, prefix: str) -> None:
    from redis import Redis

    client = Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class OwnRedis:
    """A redis-server on a free loopback port, without persistence, that a test may stop and start again."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not redis_answers(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most events in any half-open window [t, t + width)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + width) - i for i, t in enumerate(times)), default=0)


async def acquire_for(pacer, seconds: float, tasks: int = 4, platform: str = "telegram", **kwargs) -> list[float]:
    """Alerts from `tasks` concurrent senders for `seconds`: the times (monotonic) they were let through."""
    from bot.pacing import Priority

    times: list[float] = []
    deadline = time.monotonic() + seconds

    async def sender() -> None:
        while time.monotonic() < deadline:
            await pacer.acquire(platform, kwargs.get("priority", Priority.ALERT))
            times.append(time.monotonic())

    await asyncio.gather(*(sender() for _ in range(tasks)))
    return sorted(times)
