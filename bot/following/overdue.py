"""Overdue promises (issue 11 item 3): a dated promise whose deadline has passed with nothing recorded since.

A deadline passes at the end of its day (UTC). An action is overdue when one of its deadlines has passed, its
current status is not "complete", and no status (nor evidence) of it is dated after that deadline. The daily
job tells the followers who were already following when the deadline passed — once: each handled deadline is
recorded in `deadline_alerts`, and each alert's key names the deadline and the chat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.following.levels import Level
from bot.following.status_reads import current_status
from bot.following.status_updates import lock_action, queue_alerts
from bot.storage.db import Database
from bot.storage.models import DeadlineAlert, StatusChange, utcnow
from knowledge.loader import KnowledgeBase
from knowledge.schema import Action, Promise

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Overdue:
    action_id: str
    promise: Promise

    @property
    def deadline(self) -> date:
        return self.promise.deadline.date

    def label(self, lang: str) -> str:
        return getattr(self.promise.deadline.label, lang)


def dated_promises(kb: KnowledgeBase) -> list[tuple[Action, Promise]]:
    return [(a, p) for a in kb.actions.values() for p in a.promises if p.deadline is not None]


def passed_at(deadline: date) -> datetime:
    """The moment a deadline passes: the end of its day, UTC."""
    return datetime.combine(deadline + timedelta(days=1), time(), UTC)


def overdue_promise(action: Action, today: date, last_recorded: date | None, level: Level) -> Overdue | None:
    """The latest passed deadline of this action with nothing recorded after it; None when there is none."""
    if level == Level.COMPLETE:
        return None
    passed = [p for p in action.promises if p.deadline is not None and passed_at(p.deadline.date).date() <= today]
    if not passed:
        return None
    latest = max(passed, key=lambda p: p.deadline.date)
    if last_recorded is not None and last_recorded > latest.deadline.date:
        return None
    return Overdue(action.id, latest)


async def last_recorded(session: AsyncSession, action_id: str | None = None) -> dict[str, date]:
    """The latest date anything is recorded about each action (the effective date of its statuses)."""
    query = select(StatusChange.action_id, func.max(StatusChange.effective_date)).group_by(StatusChange.action_id)
    if action_id is not None:
        query = query.where(StatusChange.action_id == action_id)
    return {row[0]: row[1] for row in await session.execute(query)}


async def overdue_for(session: AsyncSession, kb: KnowledgeBase, action_id: str, today: date) -> Overdue | None:
    action = kb.actions[action_id]
    if not any(p.deadline for p in action.promises):
        return None
    recorded = (await last_recorded(session, action_id)).get(action_id)
    return overdue_promise(action, today, recorded, (await current_status(session, action_id)).level)


async def overdue_actions(session: AsyncSession, kb: KnowledgeBase, today: date,
                          levels: dict[str, Level]) -> list[Overdue]:
    """Every overdue action, in the plan's order; `levels`: the current level of the actions that have one."""
    recorded = await last_recorded(session)
    found = []
    for action in kb.actions.values():
        overdue = overdue_promise(action, today, recorded.get(action.id), levels.get(action.id, Level.NO_EVIDENCE))
        if overdue:
            found.append(overdue)
    return found


async def alert_passed_deadlines(db: Database, kb: KnowledgeBase, clock: Callable[[], datetime] = utcnow) -> int:
    """Queue an alert to the followers of each action whose deadline has passed with nothing recorded since.

    Each deadline is handled once (recorded in `deadline_alerts`, under the action's lock, so two runs at once
    or a run after a restart queue nothing more); only chats that followed the action before the deadline
    passed are told. Returns the number of alerts queued.
    """
    now = clock()
    queued = 0
    for action, promise in dated_promises(kb):
        deadline = promise.deadline.date
        if passed_at(deadline) > now:
            continue
        async with db.session() as session, session.begin():
            await lock_action(session, action.id)
            if await session.get(DeadlineAlert, (action.id, deadline)) is not None:
                continue
            overdue = await overdue_for(session, kb, action.id, now.date())
            count = 0
            if overdue is not None and overdue.deadline == deadline:
                count = await queue_alerts(
                    session, kb, action.id, f"deadline:{action.id}:{deadline.isoformat()}:",
                    {"type": "deadline", "action_id": action.id, "deadline": deadline.isoformat()},
                    followed_before=passed_at(deadline), now=now,
                )
            session.add(DeadlineAlert(action_id=action.id, deadline=deadline, alerted=count, fanned_out_at=now))
        if count:
            log.info("deadline %s of action %s passed: %d alert(s) queued", deadline, action.id, count)
        queued += count
    return queued


async def deadline_job(db: Database, kb: KnowledgeBase) -> None:
    """The scheduler's daily job."""
    await alert_passed_deadlines(db, kb)


def promise_of(kb: KnowledgeBase, action_id: str, deadline: date) -> Promise | None:
    action = kb.actions.get(action_id)
    if action is None:
        return None
    return next((p for p in action.promises if p.deadline and p.deadline.date == deadline), None)

