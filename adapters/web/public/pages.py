"""What each public page shows, read from the plan and the database, rendered with Jinja2 (autoescaped)."""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.following.evidence import Fact, facts_of
from bot.following.levels import ASSESSOR_LABELS, ASSESSOR_SHORT, Assessor, Level, label
from bot.following.overdue import overdue_for
from bot.following.status_reads import (
    NO_EVIDENCE,
    CurrentStatus,
    current_statuses,
    disagreement,
    history,
    statuses_by_source,
)
from bot.i18n import t
from bot.plan.pages import index_path, item_path, lang_prefix
from bot.presentation.answers import citation, colon, divergence_text, institution_name, promise_line, tracked
from bot.storage.models import StatusChange, utcnow
from knowledge.loader import KnowledgeBase
from knowledge.schema import Action, Commitment, PlanText, Topic

STYLESHEET = "/static/style.css"


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("adapters.web.public", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )


def translate(key: str, lang: str, **values: object) -> str | Markup:
    """A message for a template: its text escaped, the values escaped unless they are markup (links)."""
    return Markup.escape(t(key, lang)).format(**values) if values else t(key, lang)


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def feed_path(lang: str, action_id: str | None = None) -> str:
    return f"{lang_prefix(lang)}/actions/{action_id}/feed.atom" if action_id else f"{lang_prefix(lang)}/feed.atom"


def chart_path(lang: str) -> str:
    return f"{lang_prefix(lang)}/progress.png"


def status_view(status: CurrentStatus, lang: str) -> dict[str, Any]:
    """A status as the pages show it: a CSS class, a label, and since when. Unrecorded is 'not rated yet'."""
    if not status.recorded:
        return {"css": "unrated", "label": t("web_unrated", lang), "since": None}
    return {"css": status.level.value.replace("_", "-"), "label": label(status.level, lang),
            "since": status.effective_date.isoformat(), "tracked": tracked(status, lang)}


def change_view(change: StatusChange, lang: str) -> dict[str, Any]:
    return {
        "id": change.id, "date": change.effective_date.isoformat(),
        "old": label(change.previous_status, lang), "new": label(change.status, lang),
        "css": Level(change.status).value.replace("_", "-"), "note": change.note, "source": change.source_url,
        "by": ASSESSOR_SHORT[Assessor(change.assessed_by)][lang],
    }


def fact_anchor(fact: Fact) -> str:
    """The same for a fact whether shipped or recorded (its action, date and source identify it)."""
    key = f"{fact.action_id}|{fact.date.isoformat()}|{fact.source_url}"
    return "evidence-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def fact_view(fact: Fact, lang: str) -> dict[str, Any]:
    return {"anchor": fact_anchor(fact), "date": fact.date.isoformat(), "text": fact.text(lang),
            "publisher": fact.publisher, "url": fact.source_url,
            "reported_by": t(f"reporter_{fact.reported_by.value}", lang)}


def source_views(by_source: dict[Assessor, CurrentStatus], lang: str) -> list[dict[str, Any]]:
    return [{"who": ASSESSOR_LABELS[source][lang], "status": status_view(status, lang), "note": status.note,
             "url": status.source_url} for source, status in by_source.items()]


def passage(text: PlanText, lang: str) -> dict[str, Any]:
    """The plan's own words: our French translation when there is one, else the English (marked as English)."""
    translated = lang == "fr" and bool(text.fr)
    return {"text": text.fr if translated else text.en, "lang": lang if translated else "en",
            "translated": translated}


def source_view(item: Action | Commitment | Topic, lang: str) -> dict[str, str]:
    heading = item.aim.fr if isinstance(item, Action) else None
    block = citation(item.source, lang, heading)
    return {"text": block.text, "url": block.url}


def level_counts(kb: KnowledgeBase, statuses: dict[str, CurrentStatus], action_ids: list[str], lang: str) -> str:
    """'Complete: 2, Not rated yet: 8' — recorded levels by the IRM scale, then the unrated ones."""
    counts = Counter(statuses[a].level if a in statuses else None for a in action_ids)
    parts = [f"{label(level, lang)}{colon(lang)} {counts[level]}" for level in reversed(Level) if counts.get(level)]
    if counts.get(None):
        parts.append(f"{t('web_unrated', lang)}{colon(lang)} {counts[None]}")
    return ", ".join(parts)


class PageData:
    """Reads what a page needs; every method takes an open session and the reader's language."""

    def __init__(self, kb: KnowledgeBase, telegram_bot: str | None):
        self.kb = kb
        self.telegram_bot = telegram_bot

    def common(self, lang: str, path_in_other: str, feed: str, title: str) -> dict[str, Any]:
        return {
            "lang": lang, "other_lang": other(lang), "other_url": path_in_other, "home": index_path(lang),
            "feed_url": feed, "title": title, "stylesheet": STYLESHEET,
            "head_title": title if title == t("web_index_title", lang) else f"{title} · {t('web_site_name', lang)}",
            "_": partial(translate, lang=lang), "colon": colon(lang),
        }

    def follow(self, item_id: str, lang: str, feed: str | None) -> dict[str, Any]:
        telegram = None
        if self.telegram_bot:
            telegram = f"https://t.me/{self.telegram_bot}?start=show_{item_id.replace('.', '_')}"
        return {"telegram": telegram, "discord": f"/follow target:{item_id}", "feed": feed}

    def link(self, item: Action | Commitment | Topic, lang: str) -> dict[str, str]:
        return {"id": item.id, "title": getattr(item.title, lang), "url": item_path(self.kb, item.id, lang)}

    async def index(self, session: AsyncSession, lang: str) -> dict[str, Any]:
        statuses = await current_statuses(session)
        commitments = []
        for c in self.kb.commitments.values():
            actions = self.kb.actions_of(c.id)
            commitments.append({
                **self.link(c, lang), "summary": getattr(c.summary, lang),
                "counts": level_counts(self.kb, statuses, [a.id for a in actions], lang),
                "actions": [{**self.link(a, lang), "status": status_view(statuses.get(a.id, NO_EVIDENCE), lang)}
                            for a in actions],
            })
        chart_rows = " ".join(t("web_chart_row", lang, id=c["id"], counts=c["counts"]) for c in commitments)
        return {
            **self.common(lang, index_path(other(lang)), feed_path(lang), t("web_index_title", lang)),
            "intro": t("web_index_intro", lang, commitments=len(self.kb.commitments), actions=len(self.kb.actions)),
            "overall": level_counts(self.kb, statuses, list(self.kb.actions), lang),
            "action_count": len(self.kb.actions),
            "chart": {"url": chart_path(lang), "alt": t("web_chart_alt", lang, counts=chart_rows)},
            "commitments": commitments,
            "topics": [self.link(topic, lang) for topic in self.kb.topics.values()],
        }

    async def action(self, session: AsyncSession, action: Action, lang: str) -> dict[str, Any]:
        changes = list(reversed(await history(session, action.id)))
        by_source = await statuses_by_source(session, action.id)
        levels = disagreement(by_source)
        facts = await facts_of(session, self.kb, action.id)
        # Overdue is a matter of today's date too: the data version the pages are cached under includes the day.
        overdue = await overdue_for(session, self.kb, action.id, utcnow().date())
        current = (CurrentStatus(Level(changes[0].status), changes[0].note, changes[0].source_url,
                                 changes[0].effective_date, changes[0].set_by, None, changes[0].progress)
                   if changes else NO_EVIDENCE)
        commitment = self.kb.commitments[action.commitment]
        feed = feed_path(lang, action.id)
        return {
            **self.common(lang, item_path(self.kb, action.id, other(lang)), feed,
                          f"{t('action_label', lang, id=action.id)} — {getattr(action.title, lang)}"),
            "action": self.link(action, lang), "summary": getattr(action.summary, lang),
            "commitment": self.link(commitment, lang),
            "leads": [institution_name(i, lang) for i in self.kb.institutions_of(action)],
            "promises": [promise_line(p, lang) for p in action.promises],
            "overdue": t("overdue_line", lang, label=overdue.label(lang)) if overdue else None,
            "status": status_view(current, lang), "history": [change_view(c, lang) for c in changes],
            "sources": source_views(by_source, lang),
            "divergence": divergence_text(levels, lang) if levels else None,
            "facts": [fact_view(f, lang) for f in facts],
            "passage": passage(action.text, lang), "source": source_view(action, lang),
            "follow": self.follow(action.id, lang, feed),
        }

    async def commitment(self, session: AsyncSession, commitment: Commitment, lang: str) -> dict[str, Any]:
        statuses = await current_statuses(session)
        actions = self.kb.actions_of(commitment.id)
        return {
            **self.common(lang, item_path(self.kb, commitment.id, other(lang)), feed_path(lang),
                          f"{t('commitment_label', lang, id=commitment.id)} — {getattr(commitment.title, lang)}"),
            "commitment": self.link(commitment, lang), "summary": getattr(commitment.summary, lang),
            "leads": [institution_name(i, lang) for i in self.kb.institutions_of(commitment)],
            "aims": [getattr(aim, lang) for aim in commitment.aims],
            "counts": level_counts(self.kb, statuses, [a.id for a in actions], lang),
            "actions": [{**self.link(a, lang), "status": status_view(statuses.get(a.id, NO_EVIDENCE), lang)}
                        for a in actions],
            "passage": passage(commitment.issues, lang), "source": source_view(commitment, lang),
            "follow": self.follow(commitment.id, lang, None),
        }

    def topic(self, topic: Topic, lang: str) -> dict[str, Any]:
        return {
            **self.common(lang, item_path(self.kb, topic.id, other(lang)), feed_path(lang),
                          f"{t('topic_label', lang)} — {getattr(topic.title, lang)}"),
            "topic": self.link(topic, lang), "answer": getattr(topic.answer, lang),
            "after": [{"date": later.date.isoformat() if later.date else None, "text": getattr(later.text, lang),
                       "publisher": later.publisher, "url": later.source} for later in topic.after],
            "source": source_view(topic, lang),
        }

    def not_found(self, lang: str) -> dict[str, Any]:
        return self.common(lang, index_path(other(lang)), feed_path(lang), t("web_not_found", lang))
