"""Evidence: dated, sourced facts about how an action was carried out.

Two places hold them: the facts shipped with the plan (knowledge/data/evidence.yaml, validated by
`opengov-bot kb validate`) and the ones recorded at run time by the status feed or an admin (table `evidence`).
Readers see both, newest first; a recorded fact repeating a shipped one (same action, date and source) is the
same fact. Recording a new fact alerts the action's followers through the outbox, once (key evidence:ID:chat).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.following.status_updates import lock_action, queue_alerts
from bot.plan.text import clean_note, fold
from bot.storage.models import EvidenceRecord
from knowledge.loader import KnowledgeBase
from knowledge.schema import Reporter

MAX_PUBLISHER = 200


@dataclass(frozen=True)
class Fact:
    """One piece of evidence as readers see it, shipped or recorded."""

    action_id: str
    date: date
    en: str
    fr: str | None
    source_url: str
    publisher: str
    reported_by: Reporter

    def text(self, lang: str) -> str:
        return self.fr if lang == "fr" and self.fr else self.en

    @property
    def key(self) -> tuple[str, date, str]:
        return self.action_id, self.date, self.source_url


@dataclass(frozen=True)
class EvidenceUpdate:
    """A fact to record (from the feed, the chat's `evidence` command or `opengov-bot evidence add`)."""

    action_id: str
    fact_date: date
    note: str
    source_url: str
    publisher: str | None = None  # default: the source's host name
    reported_by: Reporter = Reporter.MAINTAINERS
    note_fr: str | None = None

    def __post_init__(self) -> None:
        # Printable text only, like status notes; a publisher defaults to the web site the source is on.
        object.__setattr__(self, "note", clean_note(self.note) or "")
        object.__setattr__(self, "note_fr", clean_note(self.note_fr))
        publisher = clean_note(self.publisher) or urlsplit(self.source_url).hostname or "?"
        object.__setattr__(self, "publisher", publisher.removeprefix("www.")[:MAX_PUBLISHER])


_REPORTERS = {"independentreview": Reporter.INDEPENDENT_REVIEW, "independent": Reporter.INDEPENDENT_REVIEW,
              "irm": Reporter.INDEPENDENT_REVIEW, "government": Reporter.GOVERNMENT,
              "gouvernement": Reporter.GOVERNMENT, "press": Reporter.PRESS, "presse": Reporter.PRESS,
              "maintainers": Reporter.MAINTAINERS, "mainteneurs": Reporter.MAINTAINERS, "": Reporter.MAINTAINERS}


def parse_reporter(text: str) -> Reporter | None:
    """'independent_review', 'Independent review', 'press', 'presse'… -> Reporter; '' -> maintainers; None if unknown."""
    return _REPORTERS.get("".join(ch for ch in fold(text) if ch.isalnum()))


def shipped(kb: KnowledgeBase, action_id: str) -> list[Fact]:
    return [Fact(action_id, f.date, f.text.en, f.text.fr, f.source, f.publisher, f.reported_by)
            for f in kb.evidence.get(action_id, [])]


def recorded_fact(row: EvidenceRecord) -> Fact:
    return Fact(row.action_id, row.fact_date, row.note, row.note_fr, row.source_url, row.publisher,
                Reporter(row.reported_by))


async def facts_of(session: AsyncSession, kb: KnowledgeBase, action_id: str) -> list[Fact]:
    """Every fact about an action, newest first (shipped and recorded; a fact recorded twice counts once)."""
    rows = await session.scalars(select(EvidenceRecord).where(EvidenceRecord.action_id == action_id))
    found: dict[tuple, Fact] = {}
    for fact in [*shipped(kb, action_id), *map(recorded_fact, rows)]:
        found.setdefault(fact.key, fact)
    return sorted(found.values(), key=lambda f: f.date, reverse=True)


async def latest_fact(session: AsyncSession, kb: KnowledgeBase, action_ids: list[str]) -> Fact | None:
    """The newest fact about any of these actions (one action, or the actions of a commitment)."""
    newest = [facts[0] for a in action_ids if (facts := await facts_of(session, kb, a))]
    return max(newest, key=lambda f: f.date, default=None)


async def evidence_counts(session: AsyncSession, kb: KnowledgeBase) -> dict[str, int]:
    """How many facts each action has (actions without any are left out)."""
    keys = {(f.action, f.date, f.source) for facts in kb.evidence.values() for f in facts}
    rows = await session.execute(select(EvidenceRecord.action_id, EvidenceRecord.fact_date, EvidenceRecord.source_url))
    keys |= {tuple(row) for row in rows}
    return dict(Counter(action_id for action_id, _, _ in keys))


async def evidence_version(session: AsyncSession) -> tuple[int, int]:
    """Recorded facts so far and the latest id (rows are only ever added): changes when a fact is recorded."""
    count, latest = (await session.execute(select(func.count(EvidenceRecord.id), func.max(EvidenceRecord.id)))).one()
    return count, latest or 0


async def apply_evidence(session: AsyncSession, kb: KnowledgeBase, update: EvidenceUpdate,
                         added_by: str) -> EvidenceRecord | None:
    """Record a fact and queue one alert per follower of its action, in the caller's transaction; None (and no
    alert) when the fact is already known — shipped or recorded with the same action, date and source."""
    if update.action_id not in kb.actions:
        raise ValueError(f"unknown action {update.action_id!r}")
    if not update.note:
        raise ValueError("evidence needs a text")
    await lock_action(session, update.action_id)  # one writer per action: the same fact is never recorded twice
    key = (update.action_id, update.fact_date, update.source_url)
    if any(fact.key == key for fact in shipped(kb, update.action_id)):
        return None
    existing = await session.scalar(select(EvidenceRecord.id).where(
        EvidenceRecord.action_id == update.action_id, EvidenceRecord.fact_date == update.fact_date,
        EvidenceRecord.source_url == update.source_url))
    if existing is not None:
        return None
    record = EvidenceRecord(action_id=update.action_id, fact_date=update.fact_date, note=update.note,
                            note_fr=update.note_fr, source_url=update.source_url, publisher=update.publisher,
                            reported_by=update.reported_by, added_by=added_by)
    session.add(record)
    await session.flush()
    await queue_alerts(session, kb, update.action_id, f"evidence:{record.id}:", {"type": "evidence",
                                                                              "evidence_id": record.id})
    return record
