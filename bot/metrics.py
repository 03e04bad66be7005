"""Prometheus metrics (prometheus-client): what the process did, and what the database holds at scrape time.

Counters and the latency histogram count what *this process* did (answers in `web`/`gateway`/`run`, deliveries
in `worker`/`run`, feed polls in `clock`/`run`): scrape every process and sum (`sum by (outcome)`), as usual
for Prometheus. The outbox gauges are read from the database at each scrape (`refresh_outbox`), so every process
reports the same shared figures: take `max`, not `sum`, of those.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import func, select

from bot.storage.db import Database
from bot.storage.models import Notification, NotificationState, utcnow

PREFIX = "opengov"

MESSAGES = Counter(f"{PREFIX}_messages_answered", "Messages answered by the core", ["platform", "outcome"])
ANSWER_SECONDS = Histogram(
    f"{PREFIX}_answer_seconds", "Time to answer one message (core only, sending excluded)", ["platform"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DELIVERIES = Counter(f"{PREFIX}_deliveries", "Outbox deliveries by outcome (sent, failed, skipped, retry, ...)",
                     ["outcome"])
RATE_LIMIT_WAITS = Counter(f"{PREFIX}_rate_limit_waits", "Sends that had to wait for a rate limit", ["platform"])
RATE_LIMIT_WAIT_SECONDS = Counter(f"{PREFIX}_rate_limit_wait_seconds", "Time spent waiting for rate limits",
                                  ["platform"])
FEED_POLLS = Counter(f"{PREFIX}_feed_polls", "Status-feed polls by outcome (changed, unchanged, rejected)",
                     ["outcome"])
OUTBOX = Gauge(f"{PREFIX}_outbox_notifications", "Notifications in the outbox by state (read at scrape)", ["state"])
OLDEST_PENDING = Gauge(f"{PREFIX}_oldest_pending_alert_age_seconds",
                       "Age of the oldest due pending notification, 0 when none (read at scrape)")
CLOCK_LEADER = Gauge(f"{PREFIX}_clock_leader", "1 while this process runs the scheduler (the elected clock)")


@contextmanager
def answering(platform: str) -> Iterator[dict[str, str]]:
    """Time one answer and count it; set `outcome["outcome"]` inside to something other than "ok"."""
    outcome = {"outcome": "ok"}
    start = time.perf_counter()
    try:
        yield outcome
    except BaseException:
        outcome["outcome"] = "error"
        raise
    finally:
        ANSWER_SECONDS.labels(platform).observe(time.perf_counter() - start)
        MESSAGES.labels(platform, outcome["outcome"]).inc()


def record_deliveries(outcomes: Iterable[str]) -> None:
    for outcome in outcomes:
        DELIVERIES.labels(str(outcome)).inc()


def record_rate_limit_wait(platform: str, seconds: float) -> None:
    """The hook a rate limiter calls when a send had to wait (`seconds` > 0)."""
    if seconds > 0:
        RATE_LIMIT_WAITS.labels(platform).inc()
        RATE_LIMIT_WAIT_SECONDS.labels(platform).inc(seconds)


def record_feed_poll(result) -> None:
    """`result`: a bot.following.feed.ImportResult."""
    if not result.ok:
        outcome = "rejected"
    elif result.not_modified or not result.changed:
        outcome = "unchanged"
    else:
        outcome = "changed"
    FEED_POLLS.labels(outcome).inc()


async def refresh_outbox(db: Database) -> None:
    """Read the outbox's figures now (one grouped count and one min over the pending index)."""
    now = utcnow()
    async with db.session() as session:
        counts = dict((await session.execute(
            select(Notification.state, func.count()).group_by(Notification.state))).all())
        oldest = await session.scalar(select(func.min(Notification.due_at)).where(
            Notification.state == NotificationState.PENDING, Notification.due_at <= now))
    for state in NotificationState:
        OUTBOX.labels(state.value).set(counts.get(state, counts.get(state.value, 0)))
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    OLDEST_PENDING.set(max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0)


def exposition(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The text format and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST
