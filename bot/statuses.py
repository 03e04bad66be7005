"""Reading action statuses: the current one per action and the history; commitments derive from actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.status import Level
from bot.storage.models import StatusChange


@dataclass(frozen=True)
class CurrentStatus:
    level: Level
    note: str | None = None
    source_url: str | None = None
    effective_date: date | None = None
    set_by: str | None = None
    progress: int | None = None

    @property
    def recorded(self) -> bool:
        return self.effective_date is not None


NO_EVIDENCE = CurrentStatus(Level.NO_EVIDENCE)


def _current(row: StatusChange) -> CurrentStatus:
    return CurrentStatus(Level(row.status), row.note, row.source_url, row.effective_date, row.set_by, row.progress)


async def current_statuses(session: AsyncSession) -> dict[str, CurrentStatus]:
    """Latest recorded status of every action that has one."""
    latest = select(func.max(StatusChange.id)).group_by(StatusChange.action_id)
    rows = await session.scalars(select(StatusChange).where(StatusChange.id.in_(latest)))
    return {row.action_id: _current(row) for row in rows}


async def status_version(session: AsyncSession) -> tuple[int, int]:
    """Changes so far and the latest id: different after any change is committed, whatever the order of commits
    (history is only ever appended to). Cheap enough to ask before each chart."""
    count, latest = (await session.execute(select(func.count(StatusChange.id), func.max(StatusChange.id)))).one()
    return count, latest or 0


async def current_status(session: AsyncSession, action_id: str) -> CurrentStatus:
    row = await session.scalar(
        select(StatusChange).where(StatusChange.action_id == action_id).order_by(StatusChange.id.desc()).limit(1)
    )
    return _current(row) if row else NO_EVIDENCE


async def history(session: AsyncSession, action_id: str) -> list[StatusChange]:
    rows = await session.scalars(
        select(StatusChange).where(StatusChange.action_id == action_id).order_by(StatusChange.id)
    )
    return list(rows)


def count_levels(statuses: dict[str, CurrentStatus], action_ids: list[str]) -> Counter[Level]:
    return Counter(statuses.get(a, NO_EVIDENCE).level for a in action_ids)
