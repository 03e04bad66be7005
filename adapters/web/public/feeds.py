"""Atom feeds of status changes (feedgen): newest first, stable ids, links to the pages."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import labelled, t
from bot.pages import item_path
from bot.status import label
from bot.storage.models import StatusChange
from knowledge.loader import KnowledgeBase

FEED_ENTRIES = 100  # the newest changes a feed carries


async def recent_changes(session: AsyncSession, action_id: str | None = None) -> list[StatusChange]:
    query = select(StatusChange).order_by(StatusChange.created_at.desc(), StatusChange.id.desc()).limit(FEED_ENTRIES)
    if action_id:
        query = query.where(StatusChange.action_id == action_id)
    return list(await session.scalars(query))


def entry_id(base: str, change: StatusChange) -> str:
    """The same in both languages' feeds and forever: the change's anchor on the English page."""
    return f"{base}/actions/{change.action_id}#status-{change.id}"


def atom(kb: KnowledgeBase, changes: list[StatusChange], lang: str, *, base: str, self_path: str,
         page_path: str, title: str, updated: datetime) -> bytes:
    """One Atom document; `changes` newest first; `updated` for a feed without entries (its content's date)."""
    feed = FeedGenerator()
    feed.id(f"{base}{self_path}")
    feed.title(title)
    feed.subtitle(t("web_feed_subtitle", lang))
    feed.language(lang)
    feed.author({"name": "opengov-bot"})
    feed.link(href=f"{base}{self_path}", rel="self", type="application/atom+xml")
    feed.link(href=f"{base}{page_path}", rel="alternate", type="text/html")
    newest = max((_utc(c.created_at) for c in changes), default=None)
    feed.updated(max(newest, _utc(updated)) if newest else _utc(updated))
    for change in changes:  # appended in order: newest first in the document
        action = kb.actions[change.action_id]
        page = f"{base}{item_path(kb, action.id, lang)}#status-{change.id}"
        entry = feed.add_entry(order="append")
        entry.id(entry_id(base, change))
        entry.title(t("web_entry_title", lang, id=action.id, title=getattr(action.title, lang),
                      new=label(change.status, lang)))
        # One link only: feedgen 1.0 writes an entry link's href but drops its rel and type (lkiesow/python-feedgen
        # issue 135), and a link without rel is "alternate", so a second one would be a second alternate.
        # The source's address is in the content.
        entry.link(href=page, rel="alternate")
        entry.published(_utc(change.created_at))
        entry.updated(_utc(change.created_at))
        lines = [t("web_entry_change", lang, old=label(change.previous_status, lang),
                   new=label(change.status, lang), date=change.effective_date.isoformat())]
        if change.note:
            lines.append(change.note)
        if change.source_url:
            lines.append(labelled("web_entry_source", lang) + f" {change.source_url}")
        entry.content("\n".join(lines), type="text")
    return feed.atom_str(pretty=False)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
