"""Changing an action's status: record it in the history and, in the same transaction, queue the alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Integer, String, case, exists, literal, select
from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func

from bot.following.levels import Assessor, Level
from bot.following.status_reads import CurrentStatus, disagreement, statuses_by_source
from bot.following.subscriptions import followers_condition
from bot.plan.text import clean_note
from bot.storage.locks import hold_lock
from bot.storage.models import (
    Chat,
    Frequency,
    Notification,
    NotificationKind,
    NotificationState,
    StatusChange,
    Subscription,
    utcnow,
)
from knowledge.loader import KnowledgeBase


@dataclass(frozen=True)
class StatusUpdate:
    action_id: str
    level: Level
    note: str | None = None
    source_url: str | None = None
    effective_date: date | None = None
    assessed_by: Assessor = Assessor.MAINTAINERS
    progress: int | None = None  # percentage of completion, when the source gives one

    def __post_init__(self) -> None:
        # The one place notes enter (chat, feed, command line): printable text only, like incoming messages.
        object.__setattr__(self, "note", clean_note(self.note))


async def apply_status(
    session: AsyncSession, kb: KnowledgeBase, update: StatusUpdate, set_by: str
) -> StatusChange | None:
    """Record a new status and queue one notification per interested chat; None when nothing changes.

    Each source (IRM, government, maintainers) has its own chain: setting the level the same source already gave
    is a no-op that alerts no one — unless the update gives a progress percentage other than the one recorded (a
    tracker's 40 % -> 60 % is news). When, after the change, two sources rate the action differently, the alert
    says so (its payload's "divergence"): followers learn of a disagreement with the change that makes it. Changes to one action are
    serialised (a lock per action, held until the caller's transaction ends), so whatever runs at once —
    two admins, two feed pollers, several processes — the history is a chain (each `previous_status` is the
    status recorded just before it) and the same level is never recorded or alerted twice.
    """
    if update.action_id not in kb.actions:
        raise ValueError(f"unknown action {update.action_id!r}")
    await lock_action(session, update.action_id)
    before = await statuses_by_source(session, update.action_id)
    current = before.get(update.assessed_by)
    previous = current.level if current else Level.NO_EVIDENCE
    if previous == update.level and (update.progress is None or update.progress == (current.progress if current else None)):
        return None
    change = StatusChange(
        action_id=update.action_id,
        status=update.level.value,
        previous_status=previous.value,
        note=update.note,
        source_url=update.source_url,
        effective_date=update.effective_date or date.today(),
        set_by=set_by,
        assessed_by=update.assessed_by,
        progress=update.progress,
    )
    session.add(change)
    await session.flush()
    after = dict(before)
    after[update.assessed_by] = _as_current(change)
    payload: dict = {"type": "status", "change_id": change.id}
    diverging = disagreement(after)
    if diverging:
        payload["divergence"] = {source.value: level.value for source, level in diverging.items()}
    await queue_alerts(session, kb, change.action_id, f"status:{change.id}:", payload)
    return change


def _as_current(change: StatusChange) -> CurrentStatus:
    return CurrentStatus(Level(change.status), change.note, change.source_url, change.effective_date,
                         change.set_by, Assessor(change.assessed_by), change.progress)


async def lock_action(session: AsyncSession, action_id: str) -> None:
    """Hold the lock on this action's status until the transaction ends (re-taking it is harmless)."""
    await hold_lock(session, f"status:{action_id}")


async def queue_for_followers(session: AsyncSession, kb: KnowledgeBase, change: StatusChange) -> int:
    """A status alert to every chat following the action (see queue_alerts)."""
    return await queue_alerts(session, kb, change.action_id, f"status:{change.id}:",
                              {"type": "status", "change_id": change.id})


async def queue_alerts(session: AsyncSession, kb: KnowledgeBase, action_id: str, key_prefix: str, payload: dict,
                       *, followed_before: datetime | None = None, now: datetime | None = None) -> int:
    """One set-based INSERT: a notification per active chat following the action, its commitment,
    one of its institutions, or everything (with a follow made before `followed_before`, when given).
    The key (`key_prefix` + chat) makes a second copy impossible.

    The chats are read FOR KEY SHARE (PostgreSQL): a `forget` under way is waited for and its chat left out,
    instead of the INSERT failing on a chat deleted meanwhile; a `forget` that comes after waits for this.
    """
    now = now or utcnow()
    follows = select(Subscription.id).where(Subscription.chat_pk == Chat.id, followers_condition(kb, action_id))
    if followed_before is not None:
        follows = follows.where(Subscription.created_at < followed_before)
    rows = select(
        Chat.id,
        (literal(key_prefix, String) + func.cast(Chat.id, String)).label("key"),
        literal(NotificationKind.ALERT.value, String),
        literal(payload, Notification.payload.type).label("payload"),
        case((Chat.frequency == Frequency.IMMEDIATELY, NotificationState.PENDING.value),
             else_=NotificationState.HELD.value).label("state"),
        literal(now, Notification.due_at.type),
        literal(0, Integer),
        literal(now, Notification.created_at.type),
    ).where(Chat.active.is_(True), exists(follows)).with_for_update(read=True, key_share=True, of=Chat)
    statement = sql_insert(Notification).from_select(
        ["chat_pk", "key", "kind", "payload", "state", "due_at", "attempts", "created_at"], rows
    )
    result = await session.execute(statement)
    return result.rowcount or 0
