"""Asking about the plan: start, help, questions, browse, show, status, progress, about, language."""

from __future__ import annotations

import asyncio

from bot.conversation.commands import Command, Context
from bot.conversation.handlers.admin import AddEvidenceArgs, add_evidence, parse_evidence
from bot.domain import Block, Button, Image, Reply, Style
from bot.following.evidence import evidence_counts, evidence_version, facts_of, latest_fact
from bot.following.overdue import overdue_actions, overdue_for
from bot.following.status_reads import (
    count_levels,
    current_status,
    current_statuses,
    disagreement,
    status_version,
    statuses_by_source,
)
from bot.following.subscriptions import follows_directly
from bot.i18n import LANGUAGES
from bot.plan.ids import ID_PATTERN, normalise_id
from bot.plan.pages import page_url
from bot.plan.sentences import answers_for, asks_progress
from bot.presentation import answers as present
from bot.presentation.chart import progress_png

RELATED_RATIO = 0.6  # other matches worth offering score at least this share of the best one
RELATED_SHOWN = 6  # items listed by `related`


def page_of(ctx: Context, item_id: str) -> str | None:
    """The item's public page in the reader's language when PUBLIC_URL is set (issue 13), else None."""
    return page_url(ctx.services.settings.public_url, ctx.kb, item_id, ctx.lang)


def looks_like_id(ctx: Context, args: str) -> bool:
    return bool(ID_PATTERN.match(normalise_id(args))) if args else False


async def start(ctx: Context, args: str) -> list[Reply]:
    if args.startswith("show_"):  # deep link: /start show_2_12
        return await show(ctx, args[len("show_"):])
    return [Reply(
        (Block(ctx.tr("welcome")), Block(ctx.tr("welcome_hint"))),
        ((Button(ctx.tr("btn_browse"), "browse"),), (Button("❓ " + ctx.tr("help_title"), "help"),)),
    )]


async def help_(ctx: Context, args: str) -> list[Reply]:
    blocks = [Block(ctx.tr("help_title"), Style.HEADING), Block(ctx.tr("help_body"))]
    if ctx.is_admin:
        blocks.append(Block(ctx.tr("help_admin"), Style.META))
    return [Reply(tuple(blocks), ((Button(ctx.tr("btn_browse"), "browse"),),))]


async def about(ctx: Context, args: str) -> list[Reply]:
    return [Reply((Block(ctx.tr("about_title"), Style.HEADING), Block(ctx.tr("about_body")),
                   Block(ctx.tr("about_time"))), ((Button(ctx.tr("btn_plan_after"), "show about.plan"),),))]


async def ask(ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [ctx.say(ctx.tr("empty"))]
    result = ctx.services.matcher.rank(args)
    if not result.answered:
        return [present.not_sure(ctx.kb, result.suggestions, ctx.lang, close=result.close)]
    best = result.matches[0]
    others = [m.id for m in result.matches[1:3] if m.score >= best.score * RELATED_RATIO]
    return [await answer(ctx, best.id, args, others)]


async def answer(ctx: Context, item_id: str, question: str, related_ids: list[str]) -> Reply:
    """The sentence of the item that answers the question, one line about the item, and buttons for the rest
    (its plan text, related items — the question's other good matches first —, follow)."""
    item = ctx.kb.get(item_id)
    ctx.remember_item(item_id)  # "who leads it?" next refers to it (bot/conversation/followup.py)
    lead = answers_for(ctx.kb).lead(item_id, question, ctx.lang) or getattr(item.title, ctx.lang)
    lead_url = None
    if asks_progress(question) and (fact := await _latest_fact(ctx, item_id)) is not None:
        # "is it done?": what happened, newest first, before what the plan said
        lead = present.evidence_lead(fact, ctx.lang, commitment=item_id in ctx.kb.commitments)
        lead_url = fact.source_url
    status_line = None
    if item_id in ctx.kb.actions:
        status_line = present.short_status(await current_status(ctx.session, item_id), ctx.lang)
        overdue = await overdue_for(ctx.session, ctx.kb, item_id, ctx.now().date())
        if overdue is not None:
            status_line += " · " + ctx.tr("overdue_short", label=overdue.label(ctx.lang))
    elif item_id in ctx.kb.commitments:
        counts = count_levels(await current_statuses(ctx.session), [a.id for a in ctx.kb.actions_of(item_id)])
        status_line = present.level_counts_text(counts, ctx.lang)
    following = await follows_directly(ctx.session, ctx.chat, item_id)
    return present.answer(ctx.kb, item, lead, status_line, ctx.lang, following=following, related_ids=related_ids,
                          lead_url=lead_url, page=page_of(ctx, item_id))


async def _latest_fact(ctx: Context, item_id: str):
    if item_id in ctx.kb.actions:
        return await latest_fact(ctx.session, ctx.kb, [item_id])
    if item_id in ctx.kb.commitments:
        return await latest_fact(ctx.session, ctx.kb, [a.id for a in ctx.kb.actions_of(item_id)])
    return None


async def show(ctx: Context, args: str) -> list[Reply]:
    if not args:
        return [ctx.say(ctx.tr("show_usage"))]
    item_id = normalise_id(args)
    following = await follows_directly(ctx.session, ctx.chat, item_id)
    if ctx.kb.get(item_id) is not None:
        ctx.remember_item(item_id)  # "who leads it?" next refers to it (bot/conversation/followup.py)
    if item_id in ctx.kb.actions:
        status = await current_status(ctx.session, item_id)
        by_source = await statuses_by_source(ctx.session, item_id)
        facts = await facts_of(ctx.session, ctx.kb, item_id)
        overdue = await overdue_for(ctx.session, ctx.kb, item_id, ctx.now().date())
        return [present.show_action(ctx.kb, ctx.kb.actions[item_id], status, ctx.lang, following, facts=facts,
                                    by_source=by_source, disagreement=disagreement(by_source), overdue=overdue,
                                    page=page_of(ctx, item_id))]
    if item_id in ctx.kb.commitments:
        statuses = await current_statuses(ctx.session)
        return [present.show_commitment(ctx.kb, ctx.kb.commitments[item_id], statuses, ctx.lang, following,
                                        page=page_of(ctx, item_id))]
    if item_id in ctx.kb.topics:
        return [present.show_topic(ctx.kb.topics[item_id], ctx.lang, page=page_of(ctx, item_id))]
    return [ctx.say(ctx.tr("unknown_id", item=args[:40]))]


async def plan_text(ctx: Context, args: str) -> list[Reply]:
    """`plan 2.12`: what the plan itself says (its passage, promises or aims, the source)."""
    if not args:
        return [ctx.say(ctx.tr("plan_usage"))]
    item = ctx.kb.get(normalise_id(args))
    if item is None:
        return [ctx.say(ctx.tr("unknown_id", item=args[:40]))]
    following = await follows_directly(ctx.session, ctx.chat, item.id)
    return [present.plan_text(ctx.kb, item, ctx.lang, following, page=page_of(ctx, item.id))]


async def related(ctx: Context, args: str) -> list[Reply]:
    """`related 2.12 [other ids]`: items close to 2.12; the ids given (a question's other matches) first."""
    words = args.split()
    if not words:
        return [ctx.say(ctx.tr("related_usage"))]
    item = ctx.kb.get(normalise_id(words[0]))
    if item is None:
        return [ctx.say(ctx.tr("unknown_id", item=args[:40]))]
    given = [normalise_id(w) for w in words[1:RELATED_SHOWN + 1]]
    ids = list(dict.fromkeys([*given, *neighbours(ctx, item)]))
    ids = [i for i in ids if i != item.id and ctx.kb.get(i)][:RELATED_SHOWN]
    return [present.related_items(ctx.kb, item, ids, ctx.lang)]


def neighbours(ctx: Context, item) -> list[str]:
    """Items near this one: for an action its siblings with the same aim and its commitment, then what the
    matcher finds closest to its title."""
    near: list[str] = []
    if item.id in ctx.kb.actions:
        near += [a.id for a in ctx.kb.actions_of(item.commitment) if a.aim == item.aim and a.id != item.id][:2]
        near.append(item.commitment)
    query = f"{item.title.en} {item.title.fr}"
    near += [m.id for m in ctx.services.matcher.rank(query, limit=RELATED_SHOWN + 2).matches]
    return near


def ids_only(ctx: Context, args: str) -> bool:
    """Typed without "/", "related 2.12 3.4" is a command; "related to lobbying" is a question."""
    words = args.split()
    return bool(words) and all(ID_PATTERN.match(normalise_id(w)) for w in words)


async def browse(ctx: Context, args: str) -> list[Reply]:
    item_id = normalise_id(args) if args else ""
    edit = ctx.msg.via_button
    if item_id in ctx.kb.commitments:
        return [present.browse_commitment(ctx.kb, ctx.kb.commitments[item_id], ctx.lang, edit=edit)]
    if item_id:
        return await show(ctx, item_id)
    return [present.browse(ctx.kb, ctx.lang, edit=edit)]


async def status(ctx: Context, args: str) -> list[Reply]:
    if args:
        return await show(ctx, args)
    statuses = await current_statuses(ctx.session)
    levels = {action_id: status.level for action_id, status in statuses.items()}
    overdue = await overdue_actions(ctx.session, ctx.kb, ctx.now().date(), levels)
    return [present.status_overview(ctx.kb, statuses, ctx.lang, overdue)]


def parse_evidence_command(args: str) -> str | AddEvidenceArgs:
    """`evidence 2.3` lists (the item as typed); with more words it is an admin's new fact (AddEvidenceArgs)."""
    return parse_evidence(args) if len(args.split()) > 1 else args


async def evidence_list(ctx: Context, args: str | AddEvidenceArgs) -> list[Reply]:
    """`evidence 2.3`: every fact recorded about an action, newest first (admins add one with more arguments)."""
    if isinstance(args, AddEvidenceArgs):
        return await add_evidence(ctx, args)
    item_id = normalise_id(args.split()[0]) if args.split() else ""
    action = ctx.kb.actions.get(item_id)
    if action is None:
        return [ctx.say(ctx.tr("evidence_usage") if not item_id else ctx.tr("evidence_unknown", item=args[:20]))]
    facts = await facts_of(ctx.session, ctx.kb, item_id)
    blocks = [Block(ctx.tr("action_label", id=action.id) + f" — {getattr(action.title, ctx.lang)}", Style.HEADING)]
    blocks += present.evidence_blocks(action.id, facts, ctx.lang, limit=None) or [Block(ctx.tr("evidence_none"))]
    return [Reply(tuple(blocks), ((present.more_button(action.id, ctx.lang),),))]


async def progress(ctx: Context, args: str) -> list[Reply]:
    version = (await status_version(ctx.session), await evidence_version(ctx.session))
    await ctx.session.commit()  # nothing more to read here: no transaction stays open while a chart is drawn
    db, kb, lang = ctx.services.db, ctx.kb, ctx.lang

    async def draw() -> tuple[bytes, bool]:
        # its own session: the drawing outlives a cancelled asker, and other askers of the same chart await it
        async with db.session() as session:
            statuses = await current_statuses(session)
            evidence = await evidence_counts(session, kb)
            # else a change landed meanwhile: don't keep it
            exact = (await status_version(session), await evidence_version(session)) == version
        return await asyncio.to_thread(progress_png, kb, statuses, lang, evidence), exact

    png = await ctx.services.charts.get((version, lang), draw)
    caption = ctx.tr("progress_caption")
    return [Reply((Block(caption),), image=Image(png, "progress.png", caption))]


async def language(ctx: Context, args: str) -> list[Reply]:
    choice = args.strip().lower()[:2]
    if args.strip().lower() == "auto":
        ctx.chat.language_chosen = False  # back to replying in the language of each message
        return [ctx.say(ctx.tr("language_auto"))]
    if choice not in LANGUAGES:
        return [Reply(
            (Block(ctx.tr("language_usage")),),
            ((Button("English", "language en"), Button("Français", "language fr")),),
        )]
    ctx.chat.language, ctx.chat.language_chosen = choice, True
    ctx.lang = choice
    return [ctx.say(ctx.tr("language_set"))]


COMMANDS = (
    Command("start", start, ("demarrer", "bonjour", "hello", "hi")),
    Command("help", help_, ("aide", "commands", "commandes", "menu")),
    Command("about", about, ("apropos",)),
    Command("ask", ask, ("question", "demander"), bare=lambda ctx, args: False),
    Command("show", show, ("voir", "afficher", "item"), bare=looks_like_id),
    Command("plan", plan_text, ("texte", "extrait", "passage"), bare=looks_like_id),
    Command("related", related, ("similar", "voiraussi", "connexes", "similaires", "proches"), bare=ids_only),
    Command("browse", browse, ("parcourir", "list", "liste"), bare=lambda ctx, a: not a or looks_like_id(ctx, a)),
    Command("status", status, ("statut", "statuts", "etat"), bare=lambda ctx, a: not a or looks_like_id(ctx, a)),
    Command("progress", progress, ("progression", "avancement", "chart")),
    Command("evidence", evidence_list, ("faits", "preuves"), bare=lambda ctx, a: looks_like_id(ctx, a) or (
        ctx.is_admin and bool(a.split()) and looks_like_id(ctx, a.split()[0])), parse=parse_evidence_command),
    Command("language", language, ("langue", "lang"),
            bare=lambda ctx, a: a.strip().lower() in (*LANGUAGES, "auto")),
)
