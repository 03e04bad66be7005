"""Reading action statuses: the current one per action and the history; commitments derive from actions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.following.levels import Assessor, Level
from bot.storage.models import StatusChange


@dataclass(frozen=True)
class CurrentStatus:
    level: Level
    note: str | None = None
    source_url: str | None = None
    effective_date: date | None = None
    set_by: str | None = None
    assessed_by: Assessor | None = None
    progress: int | None = None

    @property
    def recorded(self) -> bool:
        return self.effective_date is not None


NO_EVIDENCE = CurrentStatus(Level.NO_EVIDENCE)


def _current(row: StatusChange) -> CurrentStatus:
    return CurrentStatus(Level(row.status), row.note, row.source_url, row.effective_date, row.set_by,
                         Assessor(row.assessed_by), row.progress)


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


async def statuses_by_source(session: AsyncSession, action_id: str) -> dict[Assessor, CurrentStatus]:
    """The latest status each source (IRM, government, maintainers) recorded for this action, in Assessor order."""
    latest = (select(func.max(StatusChange.id)).where(StatusChange.action_id == action_id)
              .group_by(StatusChange.assessed_by))
    rows = {Assessor(row.assessed_by): _current(row)
            for row in await session.scalars(select(StatusChange).where(StatusChange.id.in_(latest)))}
    return {source: rows[source] for source in Assessor if source in rows}


def disagreement(by_source: dict[Assessor, CurrentStatus]) -> dict[Assessor, Level] | None:
    """The sources' levels when two sources rate the action differently ("no evidence" is no rating); else None."""
    rated = {source: by_source[source].level for source in Assessor  # IRM, government, maintainers
             if source in by_source and by_source[source].level != Level.NO_EVIDENCE}
    return rated if len(set(rated.values())) > 1 else None


async def history(session: AsyncSession, action_id: str) -> list[StatusChange]:
    rows = await session.scalars(
        select(StatusChange).where(StatusChange.action_id == action_id).order_by(StatusChange.id)
    )
    return list(rows)


def count_levels(statuses: dict[str, CurrentStatus], action_ids: list[str]) -> Counter[Level]:
    return Counter(statuses.get(a, NO_EVIDENCE).level for a in action_ids)
