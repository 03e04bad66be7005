"""Retention (issue 12 item 7): delivered history older than RETENTION_DAYS is purged, in bounded batches.

Purged: notifications in state 'sent' whose `sent_at` is older than the cut-off, and console-inbox rows (the
console's copies of delivered alerts) created before it. Kept whatever their age: pending, held, sending,
failed, skipped and digested notifications, the audit log, the status history, chats and their follows.
Each batch is its own short transaction, so a large purge never holds locks for long nor one huge transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import ConsoleInbox, Notification, utcnow

log = logging.getLogger(__name__)


async def purge(db: Database, settings: Settings, clock: Callable[[], datetime] = utcnow,
                batch: int | None = None) -> dict[str, int]:
    """Delete what is past retention; return how many rows went, per table."""
    cutoff = clock() - timedelta(days=settings.retention_days)
    batch = batch or settings.retention_batch
    removed = {
        "notifications": await _purge(db, Notification, batch,
                                      Notification.state == "sent", Notification.sent_at < cutoff),
        "console_inbox": await _purge(db, ConsoleInbox, batch, ConsoleInbox.created_at < cutoff),
    }
    if any(removed.values()):
        log.info("retention (%s days): purged %s", settings.retention_days, removed)
    return removed


async def _purge(db: Database, model, batch: int, *where) -> int:
    total = 0
    while True:
        async with db.session() as session, session.begin():
            ids = select(model.id).where(*where).limit(batch).scalar_subquery()
            result = await session.execute(delete(model).where(model.id.in_(ids)))
        total += result.rowcount
        if result.rowcount < batch:
            return total


async def purge_job(db: Database, settings: Settings) -> None:
    """The scheduler's daily job."""
    await purge(db, settings)
