"""Answering follow-ups about the item shown last: who leads it, where it stands, when, and following it."""

from __future__ import annotations

import re

from bot.conversation.commands import Context
from bot.conversation.followup import Intent, active_item, classify
from bot.domain import Block, Button, Reply, Style
from bot.following.evidence import latest_fact
from bot.following.overdue import overdue_for
from bot.following.status_reads import count_levels, current_status, current_statuses
from bot.following.subscriptions import follows_directly
from bot.i18n import labelled
from bot.presentation import answers as present
from knowledge.schema import Action, Commitment

# A sentence of the plan that carries a date or a deadline: a year, a month, "by the end of", « d'ici ».
_DATED = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|octobre|novembre|"
    r"decembre|décembre|semester|semestre|quarter|trimestre|months?|mois|every|tous les|chaque|by the end|"
    r"d'ici|d’ici)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ«“\"])")


async def answer_followup(ctx: Context, text: str) -> list[Reply] | None:
    """The answer to a follow-up of the item shown last, or None when `text` is not one (a new question)."""
    intent = classify(text)
    if intent is None or ctx.chat is None:
        return None
    follow = ctx.services.commands["follow"].handler  # "follow it" is the follow command on that item
    item_id = active_item(ctx.chat.context_item, ctx.chat.context_at, ctx.now(),
                          ctx.services.settings.followup_minutes)
    item = ctx.kb.get(item_id) if item_id else None
    if not isinstance(item, Action | Commitment):
        # Nothing shown lately: "follow it" / « suivre » alone asks what to follow; the rest is a question.
        return await follow(ctx, "") if intent == Intent.FOLLOW else None
    if intent == Intent.FOLLOW:
        return await follow(ctx, item.id)
    ctx.remember_item(item.id)  # the conversation about it goes on
    blocks = [Block(_heading(item, ctx.lang), Style.HEADING)]
    if intent == Intent.LEADS:
        blocks.append(Block(_leads(ctx, item)))
    elif intent == Intent.STATUS:
        blocks += await _status(ctx, item)
    else:
        blocks += _dates(ctx, item)
    if intent in (Intent.STATUS, Intent.WHEN) and isinstance(item, Action):
        overdue = await overdue_for(ctx.session, ctx.kb, item.id, ctx.now().date())
        if overdue is not None:
            blocks.append(Block(ctx.tr("overdue_line", label=overdue.label(ctx.lang))))
    following = await follows_directly(ctx.session, ctx.chat, item.id)
    buttons = ((Button(ctx.tr("btn_more"), f"show {item.id}"),), (present.follow_button(item.id, ctx.lang, following),))
    return [Reply(tuple(blocks), buttons)]


def _heading(item: Action | Commitment, lang: str) -> str:
    return present.kind_label(item, lang) + f" — {getattr(item.title, lang)}"


def _leads(ctx: Context, item: Action | Commitment) -> str:
    names = ", ".join(present.institution_name(i, ctx.lang) for i in ctx.kb.institutions_of(item))
    key = "implemented_by" if isinstance(item, Action) else "lead"
    return labelled(key, ctx.lang) + f" {names}"


async def _status(ctx: Context, item: Action | Commitment) -> list[Block]:
    """Where it stands: the latest recorded fact first (with its link), then the status."""
    ids = [item.id] if isinstance(item, Action) else [a.id for a in ctx.kb.actions_of(item.id)]
    fact = await latest_fact(ctx.session, ctx.kb, ids)
    lead = [Block(present.evidence_lead(fact, ctx.lang, commitment=isinstance(item, Commitment)),
                  url=fact.source_url)] if fact else []
    if isinstance(item, Action):
        return [*lead, Block(present.status_text(await current_status(ctx.session, item.id), ctx.lang))]
    counts = count_levels(await current_statuses(ctx.session), ids)
    return [*lead, Block(labelled("status_counts", ctx.lang, n=len(ids))
                         + f" {present.level_counts_text(counts, ctx.lang)}")]


def _dates(ctx: Context, item: Action | Commitment) -> list[Block]:
    """What the plan says about when: its dated promises and sentences, or plainly that it gives no date."""
    lang = ctx.lang
    text = item.text if isinstance(item, Action) else item.issues
    passage = text.fr if lang == "fr" and text.fr else text.en
    dated = [s.strip() for s in _SENTENCE.split(" ".join(passage.split())) if _DATED.search(s)]
    promises = [getattr(p, lang) for p in getattr(item, "promises", []) if _DATED.search(getattr(p, lang))]
    lines = [f"• {line}" for line in [*promises, *dated][:4]]
    if not lines:
        return [Block(ctx.tr("followup_no_date"))]
    return [Block(labelled("followup_dates", lang) + "\n" + "\n".join(lines)),
            Block(ctx.tr("followup_period"), Style.META)]
