"""Atom feeds of status changes and evidence (feedgen): newest first, stable ids, links to the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.web.public.pages import fact_anchor
from bot.following.evidence import Fact, recorded_fact, shipped
from bot.following.levels import ASSESSOR_LABELS, Assessor, label
from bot.i18n import labelled, t
from bot.plan.pages import item_path
from bot.storage.models import EvidenceRecord, StatusChange
from knowledge.loader import KnowledgeBase

FEED_ENTRIES = 100  # the newest entries a feed carries


@dataclass(frozen=True)
class Entry:
    """A status change or a fact, as a feed entry: `anchor` is its row on the action's page."""

    action_id: str
    anchor: str
    updated: datetime
    change: StatusChange | None = None
    fact: Fact | None = None


async def recent_entries(session: AsyncSession, kb: KnowledgeBase, action_id: str | None = None) -> list[Entry]:
    """Status changes (dated when recorded) and facts (recorded ones when recorded, shipped ones on their own
    date), newest first; a fact both shipped and recorded counts once."""
    changes = select(StatusChange).order_by(StatusChange.created_at.desc(), StatusChange.id.desc()).limit(FEED_ENTRIES)
    records = select(EvidenceRecord).order_by(EvidenceRecord.created_at.desc()).limit(FEED_ENTRIES)
    if action_id:
        changes = changes.where(StatusChange.action_id == action_id)
        records = records.where(EvidenceRecord.action_id == action_id)
    entries = [Entry(c.action_id, f"status-{c.id}", _utc(c.created_at), change=c) for c in await session.scalars(changes)]
    facts: dict[tuple, Entry] = {}
    for a in ([action_id] if action_id else kb.evidence):
        for fact in shipped(kb, a):
            facts[fact.key] = Entry(a, fact_anchor(fact), datetime.combine(fact.date, time(), UTC), fact=fact)
    for row in await session.scalars(records):
        fact = recorded_fact(row)
        facts.setdefault(fact.key, Entry(row.action_id, fact_anchor(fact), _utc(row.created_at), fact=fact))
    entries += facts.values()
    entries.sort(key=lambda e: (e.updated, e.anchor), reverse=True)
    return entries[:FEED_ENTRIES]


def _title_and_content(kb: KnowledgeBase, entry: Entry, lang: str) -> tuple[str, list[str]]:
    action = kb.actions[entry.action_id]
    title = getattr(action.title, lang)
    if entry.change is not None:
        change = entry.change
        lines = [t("web_entry_change", lang, old=label(change.previous_status, lang),
                   new=label(change.status, lang), date=change.effective_date.isoformat())]
        assessor = Assessor(change.assessed_by)
        lines.append(t("status_assessed_by", lang, who=ASSESSOR_LABELS[assessor][lang]))
        if change.note:
            lines.append(change.note)
        if change.source_url:
            lines.append(labelled("web_entry_source", lang) + f" {change.source_url}")
        return t("web_entry_title", lang, id=action.id, title=title, new=label(change.status, lang)), lines
    fact = entry.fact
    lines = [f"{fact.date.isoformat()} — {fact.text(lang)}",
             labelled("web_entry_source", lang) + f" {fact.publisher}, {fact.source_url}"]
    return t("web_entry_fact_title", lang, id=action.id, title=title, date=fact.date.isoformat()), lines


def atom(kb: KnowledgeBase, entries: list[Entry], lang: str, *, base: str, self_path: str,
         page_path: str, title: str, updated: datetime) -> bytes:
    """One Atom document; `entries` newest first; `updated` for a feed without entries (its content's date)."""
    feed = FeedGenerator()
    feed.id(f"{base}{self_path}")
    feed.title(title)
    feed.subtitle(t("web_feed_subtitle", lang))
    feed.language(lang)
    feed.author({"name": "opengov-bot"})
    feed.link(href=f"{base}{self_path}", rel="self", type="application/atom+xml")
    feed.link(href=f"{base}{page_path}", rel="alternate", type="text/html")
    newest = max((e.updated for e in entries), default=None)
    feed.updated(max(newest, _utc(updated)) if newest else _utc(updated))
    for item in entries:  # appended in order: newest first in the document
        entry_title, lines = _title_and_content(kb, item, lang)
        entry = feed.add_entry(order="append")
        # The same in both languages' feeds and forever: the entry's row on the English page.
        entry.id(f"{base}/actions/{item.action_id}#{item.anchor}")
        entry.title(entry_title)
        # One link only: feedgen 1.0 writes an entry link's href but drops its rel and type (lkiesow/python-feedgen
        # issue 135), and a link without rel is "alternate", so a second one would be a second alternate.
        # The source's address is in the content.
        entry.link(href=f"{base}{item_path(kb, item.action_id, lang)}#{item.anchor}", rel="alternate")
        entry.published(item.updated)
        entry.updated(item.updated)
        entry.content("\n".join(lines), type="text")
    return feed.atom_str(pretty=False)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
