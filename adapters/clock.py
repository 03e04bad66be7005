"""`opengov-bot clock`: the scheduler (feed polls, digests, purge), run by exactly one process at a time.

On PostgreSQL, the clocks elect a leader with a session-level advisory lock (`pg_try_advisory_lock`) held on a
dedicated connection, outside the pool: the process holding it runs the scheduler; the others are standbys that
try again every CLOCK_STANDBY_INTERVAL seconds. When the leader dies (killed, crashed, its host gone) its
connection closes, PostgreSQL releases the lock, and a standby takes over at its next try. A leader that loses
its connection stops its scheduler at once (another process may hold the lock by then) and campaigns again.
On SQLite there is one process: it just runs the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.supervisor import PartStopped
from bot import metrics
from bot.storage.locks import lock_key
from jobs.scheduler import build_scheduler

log = logging.getLogger(__name__)

CLOCK_LOCK = "opengov-bot:clock"


JOB_STOP_TIMEOUT = 10.0  # seconds a stopping scheduler waits for its cancelled jobs


class SchedulerPart:
    """The APScheduler of the process, watched: shut down, or no job run for a long time, counts as dead."""

    def __init__(self, app):
        self.interval = app.settings.supervise_interval
        self.scheduler = build_scheduler(app.settings, app.db, app.kb, app.capabilities)
        self.scheduler.add_job(self._beat, IntervalTrigger(seconds=self.interval), id="heartbeat",
                               misfire_grace_time=None, coalesce=True, max_instances=1)
        self.beat = time.monotonic()

    async def _beat(self) -> None:
        self.beat = time.monotonic()

    async def start(self) -> None:
        self.beat = time.monotonic()
        self.scheduler.start()

    async def wait(self) -> None:
        stale = max(10 * self.interval, 30.0)
        while True:
            await asyncio.sleep(self.interval)
            if self.scheduler.state != STATE_RUNNING:
                raise PartStopped("the scheduler was shut down")
            if time.monotonic() - self.beat > stale:
                raise PartStopped(f"no scheduled job has run for {stale:.0f} s")

    async def stop(self) -> None:
        """Shut the scheduler down and wait (up to JOB_STOP_TIMEOUT) for the jobs it was running to end.

        APScheduler's asyncio executor cancels its running jobs on shutdown but cannot wait for them (its shutdown
        is not a coroutine); without this wait, the caller closes the database while a job is still closing its
        session, and the event loop's teardown can hang on that shielded close.
        """
        if self.scheduler.running:
            running = [future for executor in getattr(self.scheduler, "_executors", {}).values()
                       for future in getattr(executor, "_pending_futures", ())]
            self.scheduler.shutdown(wait=False)
            if running:
                await asyncio.wait(running, timeout=JOB_STOP_TIMEOUT)


class ClockPart:
    """A supervised part (adapters/supervisor.py): campaign, then run the scheduler while leading."""

    name = "clock"

    def __init__(self, app, *, make_scheduler=None):
        self.app = app
        self.interval = app.settings.clock_standby_interval
        self._make_scheduler = make_scheduler or (lambda: SchedulerPart(app))
        self.scheduler = None
        self.leading = asyncio.Event()
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None

    async def start(self) -> None:
        """Nothing to connect yet: the campaign runs in `wait`, so a standby counts as up."""

    async def wait(self) -> None:
        if not self.app.db.is_sqlite:
            await self._campaign()
        self.scheduler = self._make_scheduler()
        await self.scheduler.start()
        self.leading.set()
        metrics.CLOCK_LEADER.set(1)
        log.info("clock: running the scheduler")
        if self._conn is None:
            await self.scheduler.wait()
            return
        watching = asyncio.create_task(self.scheduler.wait(), name="clock-scheduler")
        holding = asyncio.create_task(self._keep_lock(), name="clock-lock")
        try:
            done, _ = await asyncio.wait({watching, holding}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            raise PartStopped("the clock stopped")
        finally:
            for task in (watching, holding):
                task.cancel()
            await asyncio.gather(watching, holding, return_exceptions=True)

    async def _campaign(self) -> None:
        """Return once this process holds the clock's lock (on its own connection, never the pool's)."""
        self._engine = create_async_engine(self.app.db.url, poolclass=NullPool)
        self._conn = await self._engine.connect()
        key = lock_key(CLOCK_LOCK)
        said = False
        while True:
            got = await self._conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            await self._conn.commit()  # the lock is the session's, not the transaction's: no transaction idles
            if got:
                log.info("clock: elected (holding the PostgreSQL advisory lock %s)", CLOCK_LOCK)
                return
            if not said:
                log.info("clock: standby, another clock is running; trying again every %.1f s", self.interval)
                said = True
            await asyncio.sleep(self.interval)

    async def _keep_lock(self) -> None:
        """Check the lock's connection every interval; raise when it is gone (the lock went with it)."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.wait_for(self._conn.scalar(text("SELECT 1")), max(self.interval, 5.0))
                await self._conn.commit()
            except Exception as exc:
                raise PartStopped(f"the clock's lock connection was lost ({type(exc).__name__})") from exc

    async def stop(self) -> None:
        metrics.CLOCK_LEADER.set(0)
        self.leading.clear()
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self._conn is not None:
            with contextlib.suppress(Exception):  # closing the session releases the lock
                await self._conn.close()
            self._conn = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
