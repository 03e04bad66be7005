"""The one AsyncIOScheduler of the process: status-feed and Decidim polling, digests, passed deadlines and the
daily retention purge.

Delivery is not a job here: `DeliveryWorker.run` is its one loop (a round lasts as long as a fan-out does, which
an interval job would keep trying to start again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.domain import Capabilities
from bot.following.decidim import decidim_job
from bot.following.feed import import_feed
from bot.following.overdue import deadline_job
from bot.following.retention import purge_job
from bot.settings import Settings
from bot.storage.db import Database
from jobs.digests import build_digests
from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)


def build_scheduler(settings: Settings, db: Database, kb: KnowledgeBase,
                    capabilities: Mapping[str, Capabilities]) -> AsyncIOScheduler:
    """The process's jobs; `capabilities` (each platform's) say where the feed's problems reach the admins."""
    scheduler = AsyncIOScheduler(timezone=settings.timezone)
    once = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(build_digests, CronTrigger(hour=settings.digest_hour, timezone=settings.timezone),
                      args=[db, settings], id="digests", misfire_grace_time=6 * 3600, **once)
    # Retention: once a day at a quiet hour, sent alerts and console-inbox rows older than RETENTION_DAYS go.
    scheduler.add_job(purge_job, CronTrigger(hour=4, minute=30, timezone=settings.timezone),
                      args=[db, settings], id="retention", misfire_grace_time=12 * 3600, **once)
    # Passed deadlines (bot/following/overdue.py): once a day, before the digests, so a daily digest carries them.
    scheduler.add_job(deadline_job, CronTrigger(hour=max(settings.digest_hour - 1, 0), minute=15,
                                                timezone=settings.timezone),
                      args=[db, kb], id="deadlines", misfire_grace_time=12 * 3600, next_run_time=datetime.now(UTC), **once)
    if settings.status_feed_url:
        scheduler.add_job(
            poll_feed, IntervalTrigger(seconds=settings.status_feed_interval),
            args=[db, kb, settings, settings.status_feed_url], kwargs={"capabilities": capabilities},
            id="status-feed", next_run_time=datetime.now(UTC), **once,
        )
    if settings.decidim_url:
        scheduler.add_job(
            decidim_job, IntervalTrigger(seconds=settings.decidim_interval), args=[db, kb, settings, capabilities], id="decidim",
            next_run_time=datetime.now(UTC), **once,
        )
    return scheduler


async def poll_feed(db, kb, settings, source: str, *, capabilities):
    """One status-feed poll, counted by outcome (bot/metrics.py)."""
    result = await import_feed(db, kb, settings, source, capabilities=capabilities)
    metrics.record_feed_poll(result)
    return result
