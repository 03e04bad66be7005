"""Keeping the process's parts alive: start with retries, restart what dies, give up loudly when it keeps dying.

A part (a platform, the scheduler, the delivery loop) is made fresh for each attempt, started, then watched:
- it cannot start (the API is unreachable): retried in the background with capped exponential backoff (tenacity),
  one log line per attempt, while the other parts run;
- it cannot start for good (a rejected token): logged once, not retried; the other parts run on;
- it dies at run time (a dead gateway or polling loop, a stopped scheduler): restarted after a backoff; when it
  dies `restart_max_failures` times within `restart_window` seconds, `KeepsFailing` ends the whole process
  with a non-zero status, so that its own supervisor (the Procfile's) restarts it.
Every task is owned by a TaskGroup, so no exception is ever left unretrieved.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential, wait_random
from tenacity.wait import wait_base

from bot.redact import redact, register_settings
from bot.settings import Settings

log = logging.getLogger(__name__)


def backoff(settings: Settings) -> wait_base:
    """Exponential from STARTUP_RETRY_BASE seconds, capped at STARTUP_RETRY_MAX, plus jitter (tenacity)."""
    base, cap = settings.startup_retry_base, settings.startup_retry_max
    return wait_exponential(multiplier=base, min=base, max=cap) + wait_random(0, base)


class KeepsFailing(Exception):
    """A part died too often within the window: the process should exit non-zero."""

    def __init__(self, name: str, failures: int, window: float):
        super().__init__(f"{name} stopped {failures} times within {window:.0f} s")
        self.name = name


class PartStopped(Exception):
    """A part's background work ended although nobody asked it to."""


class Part(Protocol):
    async def start(self) -> None: ...  # raises when it cannot start

    async def wait(self) -> None: ...  # blocks while it runs; raises (or returns) when it died

    async def stop(self) -> None: ...


@dataclass
class Supervised:
    """How to make and watch one part. `permanent(exc)` tells a failure not worth retrying (a rejected token)."""

    name: str
    make: Callable[[], Part]
    permanent: Callable[[BaseException], str | None] = lambda exc: None  # the reason to give up, or None
    on_up: Callable[[Any], None] = lambda part: None
    on_down: Callable[[Any], None] = lambda part: None
    up: asyncio.Event = field(default_factory=asyncio.Event)  # set while the part runs (tests wait on it)
    current: Any = None
    essential: bool = False  # when every essential part cannot start for good, the process has nothing to do
    gave_up: BaseException | None = None  # why it cannot start for good


class _Stopping(Exception):
    pass


class NothingToRun(Exception):
    """Every essential part (every platform) cannot start for good: the process exits with the reason."""

    def __init__(self, cause: BaseException):
        super().__init__(str(cause))
        self.cause = cause


class Supervisor:
    def __init__(self, settings: Settings):
        self.settings = settings
        register_settings(settings)  # describe() masks the configured tokens, and any token-shaped text

    async def run(self, parts: list[Supervised], stop: asyncio.Event) -> None:
        """Keep every part alive until `stop` is set; raises KeepsFailing when one keeps dying."""
        self._parts = parts
        try:
            async with asyncio.TaskGroup() as group:
                for part in parts:
                    group.create_task(self._keep(part), name=f"supervise:{part.name}")
                await stop.wait()
                raise _Stopping
        except BaseExceptionGroup as errors:
            failing, rest = errors.split((KeepsFailing, NothingToRun))
            if rest is not None and rest.split(_Stopping)[1] is not None:
                raise
            if failing is not None:
                raise failing.exceptions[0] from None

    def describe(self, exc: BaseException) -> str:
        """One line about a failure, without any token in it."""
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return redact(text)[:300]

    def delay(self, failures: int) -> float:
        """The pause before restarting a part that already died `failures` times within the window: the same
        curve as `backoff`."""
        base, cap = self.settings.startup_retry_base, self.settings.startup_retry_max
        return min(cap, base * 2 ** min(failures, 30)) + random.uniform(0, base)

    async def _keep(self, spec: Supervised) -> None:
        deaths: deque[float] = deque()
        loop = asyncio.get_running_loop()
        while True:
            part = await self._start(spec)
            if part is None:
                essential = [p for p in getattr(self, "_parts", ()) if p.essential]
                if spec.essential and all(p.gave_up is not None for p in essential):
                    log.critical("no platform can start (%s): the process exits", spec.name)
                    raise NothingToRun(spec.gave_up)
                return
            spec.current = part
            spec.on_up(part)
            spec.up.set()
            try:
                await part.wait()
                cause: BaseException = PartStopped("it stopped by itself")
            except Exception as exc:  # noqa: BLE001 - whatever killed it, it is restarted (and logged below)
                cause = exc
            finally:
                spec.up.clear()
                spec.on_down(part)
                await self._stop(spec.name, part)
            now = loop.time()
            deaths.append(now)
            while deaths and deaths[0] < now - self.settings.restart_window:
                deaths.popleft()
            if len(deaths) >= self.settings.restart_max_failures:
                log.critical("%s stopped %d times within %.0f s (last: %s): giving up, the process exits",
                             spec.name, len(deaths), self.settings.restart_window, self.describe(cause))
                raise KeepsFailing(spec.name, len(deaths), self.settings.restart_window) from None
            wait = self.delay(len(deaths) - 1)
            log.error("%s stopped unexpectedly (%s): restarting it in %.2f s (%d of %d failures allowed within %.0f s)",
                      spec.name, self.describe(cause), wait, len(deaths), self.settings.restart_max_failures,
                      self.settings.restart_window)
            await asyncio.sleep(wait)

    async def _start(self, spec: Supervised) -> Part | None:
        """A started part, after as many attempts as it takes; None when it cannot start for good."""

        def log_retry(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("%s cannot start (attempt %d: %s): retrying in %.2f s", spec.name, state.attempt_number,
                        self.describe(exc) if exc else "?", state.next_action.sleep if state.next_action else 0)

        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda exc: isinstance(exc, Exception) and spec.permanent(exc) is None),
            wait=backoff(self.settings),
            before_sleep=log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    part = spec.make()
                    try:
                        await part.start()
                    except BaseException:
                        await self._stop(spec.name, part)
                        raise
            if retrying.statistics.get("attempt_number", 1) > 1:
                log.info("%s started after %d attempts", spec.name, retrying.statistics["attempt_number"])
            else:
                log.info("%s started", spec.name)
            return part
        except Exception as exc:  # noqa: BLE001 - permanent (retried otherwise): logged, the rest runs on
            spec.gave_up = exc
            log.error("%s cannot start and will not be retried: %s. The rest keeps running.",
                      spec.name, spec.permanent(exc) or self.describe(exc))
            return None

    async def _stop(self, name: str, part: Part) -> None:
        """Stop a part whatever state it is in; a failure to stop is logged, never raised."""
        try:
            await asyncio.shield(part.stop())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - stopping must never stop the others' shutdown
            log.warning("%s: error while stopping: %s", name, self.describe(exc))


async def wait_task(task: asyncio.Task | None) -> None:
    """Wait for a background task without cancelling it when the waiter is cancelled; raise what ended it."""
    if task is None:
        raise PartStopped("it is not running")
    await asyncio.wait([task])
    if task.cancelled():
        raise PartStopped("its task was cancelled")
    if (error := task.exception()) is not None:
        raise error
    raise PartStopped("its task returned")


async def forever() -> None:
    await asyncio.Event().wait()


