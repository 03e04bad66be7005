"""Admin commands: setstatus, announce (dry run, schedule, progress, cancel), stats. Every use is audited."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.conversation.commands import Command, Context, UsageError
from bot.conversation.handlers.server import is_server_chat, needs_setup
from bot.domain import Block, Platform, Reply, Style
from bot.following.announcements import (
    AnnouncementError,
    Audience,
    cancel,
    counts_text,
    create,
    parse_audience,
    progress,
    reach,
)
from bot.following.evidence import EvidenceUpdate, apply_evidence
from bot.following.levels import (
    PLAN_DRAFTING_STARTED,
    DateError,
    Level,
    label,
    parse_effective_date,
    parse_level,
)
from bot.following.status_updates import StatusUpdate, apply_status
from bot.i18n import N_, colon
from bot.plan.ids import normalise_id
from bot.storage.audit import audit
from bot.storage.models import AudienceKind, Chat, Notification, Subscription

URL = re.compile(r"^https?://\S+$")
# A word meant as a date, ISO or not (20260301, 01/03/2026, 1.3.2026, 2026-W09-1): refused unless YYYY-MM-DD.
DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}|(?:19|20)\d{6}|\d{1,4}[-/]\d{1,2}[-/]\d{1,4}|\d{1,2}\.\d{1,2}\.\d{4}"
                       r"|\d{4}-?W\d{2}(?:-?\d)?", re.IGNORECASE)
DATE_REFUSALS = {"format": "date", "early": "date_early", "future": "date_future"}
# The message of each refusal, by the reason a ValueError (setstatus) or AnnouncementError (announce) carries.
SETSTATUS_REFUSALS = {"usage": N_("setstatus_usage"), "quotes": N_("setstatus_quotes"), "level": N_("setstatus_level"),
                      "date": N_("setstatus_date"), "date_early": N_("setstatus_date_early"),
                      "date_future": N_("setstatus_date_future")}
EVIDENCE_REFUSALS = {"usage": N_("evidence_usage"), "bad_url": N_("evidence_bad_url"), "bad_date": N_("evidence_bad_date")}
ANNOUNCE_REFUSALS = {"usage": N_("announce_usage"), "audience": N_("announce_audience"), "when": N_("announce_when")}


def _words(args: str, minimum: int, refuse: Callable[[str], UsageError], unclosed: str = "usage") -> list[str]:
    """The arguments split as a shell would (quotes group words), at least `minimum` of them, else the command's
    refusal: `unclosed` for an unclosed quote, "usage" for too few words."""
    try:
        parts = shlex.split(args)
    except ValueError as exc:
        raise refuse(unclosed) from exc
    if len(parts) < minimum:
        raise refuse("usage")
    return parts


async def _queued(ctx: Context, key_prefix: str) -> int:
    """How many alerts a change queued (their keys start with `key_prefix`, e.g. "status:12:")."""
    return await ctx.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.key.startswith(key_prefix, autoescape=True)))


def _setstatus_refusal(reason: str) -> UsageError:
    return UsageError(SETSTATUS_REFUSALS[reason], levels=", ".join(lv.value for lv in Level),
                      start=PLAN_DRAFTING_STARTED.isoformat())


def parse_setstatus(args: str) -> StatusUpdate:
    """'2.12 substantial "note" https://source [2026-03-01]' -> the StatusUpdate it asks for (the same one the feed
    and the command line apply; Discord's /setstatus builds it from its options); UsageError saying what is wrong."""
    parts = _words(args, 2, _setstatus_refusal, unclosed="quotes")
    action_id, level_text, rest = parts[0], parts[1], parts[2:]
    level = parse_level(level_text)
    if level is None and len(rest) >= 1 and parse_level(f"{level_text} {rest[0]}"):
        level, rest = parse_level(f"{level_text} {rest[0]}"), rest[1:]
    if level is None:
        raise _setstatus_refusal("level")
    source = next((p for p in rest if URL.match(p)), None)
    when = next((p for p in rest if DATE_LIKE.fullmatch(p)), None)
    note_parts = [p for p in rest if p not in (source, when)]
    effective = None
    if when:
        try:
            effective = parse_effective_date(when)
        except DateError as exc:
            raise _setstatus_refusal(DATE_REFUSALS[exc.reason]) from exc
    return StatusUpdate(action_id, level, " ".join(note_parts) or None, source, effective)


async def setstatus(ctx: Context, update: StatusUpdate) -> list[Reply]:
    if update.source_url is not None and not URL.match(update.source_url):
        return [ctx.say(ctx.tr("evidence_bad_url"))]  # a typed source option that is not a web address
    action_id, level = normalise_id(update.action_id), update.level
    if action_id not in ctx.kb.actions:
        return [ctx.say(ctx.tr("setstatus_unknown", item=action_id[:20]))]
    who = f"{ctx.msg.chat.platform}:{ctx.msg.user_id}"
    change = await apply_status(ctx.session, ctx.kb, replace(update, action_id=action_id), who)
    if change is None:
        return [ctx.say(ctx.tr("setstatus_same", id=action_id, label=label(level, ctx.lang)))]
    await audit(ctx.session, ctx.msg, "setstatus", {"action": action_id, "status": level.value, "change": change.id})
    queued = await _queued(ctx, f"status:{change.id}:")
    return [ctx.say(ctx.trn("setstatus_done", queued, id=action_id, label=label(level, ctx.lang)))]


@dataclass(frozen=True)
class AddEvidenceArgs:
    """`evidence ACTION YYYY-MM-DD URL "what happened" [publisher]`: a dated, sourced fact (admins; Discord: the
    /evidence options). The date and the address are checked by the handler, after the admin check."""

    action_id: str
    when: str  # YYYY-MM-DD
    source: str
    note: str
    publisher: str | None = None


def _evidence_refusal(reason: str) -> UsageError:
    return UsageError(EVIDENCE_REFUSALS[reason], start=PLAN_DRAFTING_STARTED.isoformat())


def parse_evidence(args: str) -> AddEvidenceArgs:
    """'2.3 2022-04-21 https://source "what happened" ["publisher"]' -> AddEvidenceArgs; UsageError otherwise."""
    parts = _words(args, 4, _evidence_refusal)
    action_id, when, source, rest = parts[0], parts[1], parts[2], parts[3:]
    return AddEvidenceArgs(action_id, when, source, rest[0], " ".join(rest[1:]) or None)


async def add_evidence(ctx: Context, args: AddEvidenceArgs) -> list[Reply]:
    """Admins: `evidence ID YYYY-MM-DD URL "what happened" [publisher]` records a fact and alerts followers."""
    if not ctx.is_admin:
        return [ctx.say(ctx.tr("admin_only"))]
    action_id, note, source, publisher = args.action_id, args.note.strip(), args.source.strip(), args.publisher
    if not (args.when and source and note):
        return [ctx.say(ctx.tr(EVIDENCE_REFUSALS["usage"]))]
    if not URL.match(source):
        return [ctx.say(ctx.tr(EVIDENCE_REFUSALS["bad_url"]))]
    try:
        fact_date = parse_effective_date(args.when.strip())
    except DateError:
        return [ctx.say(ctx.tr(EVIDENCE_REFUSALS["bad_date"], start=PLAN_DRAFTING_STARTED.isoformat()))]
    action_id = normalise_id(action_id)
    if action_id not in ctx.kb.actions:
        return [ctx.say(ctx.tr("evidence_unknown", item=action_id[:20]))]
    who = f"{ctx.msg.chat.platform}:{ctx.msg.user_id}"
    record = await apply_evidence(ctx.session, ctx.kb, EvidenceUpdate(action_id, fact_date, note, source, publisher), who)
    if record is None:
        return [ctx.say(ctx.tr("evidence_same", id=action_id))]
    await audit(ctx.session, ctx.msg, "evidence", {"action": action_id, "evidence": record.id})
    queued = await _queued(ctx, f"evidence:{record.id}:")
    return [ctx.say(ctx.tr("evidence_done", id=action_id, date=fact_date.isoformat(), n=queued))]


ANNOUNCE_HELP_ARGS = {"", "help", "aide"}


SERVER_WORDS = {"server", "serveur", "here", "ici"}


def _manager_of_server(ctx: Context) -> bool:
    return is_server_chat(ctx) and ctx.msg.is_group and ctx.msg.can_manage_chat


QUERY_WORDS = {"status": "status", "progress": "status", "statut": "status", "cancel": "cancel", "annuler": "cancel"}
DRY_WORDS = {"dry", "dry-run", "dryrun", "test", "simulation"}


@dataclass(frozen=True)
class AnnounceArgs:
    """`announce [dry] [to AUDIENCE] [at TIME] TEXT`, `announce status N`, `announce cancel N` (Discord: the
    /announce options). The audience and time are kept as given; the handler resolves them (they depend on
    who asks, the plan's targets and the time zone)."""

    message: str = ""
    audience: str | None = None  # "server", "all", "followers:2.12", "platform:telegram"...
    at: str | None = None  # ISO date and time, local to TIMEZONE unless it says otherwise
    dry: bool = False
    query: str | None = None  # "status" or "cancel" an announcement...
    number: str | None = None  # ...this one, as typed
    query_word: bool = False  # the text began with a status/cancel word (refused to non-admins)


def parse_announce(args: str) -> AnnounceArgs:
    """Leading 'dry', 'to AUDIENCE' and 'at TIME' options; the rest is the text.

    An option is only taken when its value looks like one (an audience spec, a date), so a text that starts
    with "To", "At" or "Le" stays text — but a value that looks like an option and is wrong is an error (in
    the handler), never silently sent to everyone.
    """
    words = args.split()
    if not words or words[0].casefold() in ANNOUNCE_HELP_ARGS:
        return AnnounceArgs()
    head = words[0].casefold()
    if head in QUERY_WORDS and len(words) == 2 and words[1].isdigit():
        return AnnounceArgs(query=QUERY_WORDS[head], number=words[1], query_word=True)
    dry = head in DRY_WORDS
    if dry:
        words = words[1:]
    audience = at = None
    while len(words) >= 2:
        keyword, value = words[0].casefold(), words[1]
        if keyword in AUDIENCE_WORDS and (value.casefold() in SERVER_WORDS or _looks_like_audience(value)):
            audience = "server" if value.casefold() in SERVER_WORDS else value
        elif keyword in TIME_WORDS and (value[:1].isdigit() or value.casefold() in RELATIVE_TIMES):
            at = value
        else:
            break
        words = words[2:]
    return AnnounceArgs(" ".join(words).strip(), audience, at, dry, query_word=head in QUERY_WORDS)


async def announce(ctx: Context, args: AnnounceArgs) -> list[Reply]:
    """Admins announce to anyone; a server's managers only to their own server's channel ("to server")."""
    if not ctx.is_admin and not _manager_of_server(ctx):
        return [ctx.say(ctx.tr("admin_only"))]
    if not ctx.is_admin and args.query_word:
        return [ctx.say(ctx.tr("admin_only"))]
    if args.query is not None:
        return await _announcement_query(ctx, args.query, args.number or "")
    try:
        audience = _audience(ctx, args.audience)
        when = _parse_when(args.at, ctx.settings.timezone) if args.at else None
    except AnnouncementError as exc:
        return [ctx.say(ctx.tr(ANNOUNCE_REFUSALS[exc.args[0]]))]
    text = args.message
    if not text:
        return [ctx.say(ctx.tr("announce_usage"))]
    if not ctx.is_admin and audience.kind != AudienceKind.CHAT:
        return [ctx.say(ctx.tr("announce_own_server_only"))]
    if audience.kind == AudienceKind.CHAT and (refusal := needs_setup(ctx)):
        return [refusal]
    if args.dry:
        count = await reach(ctx.session, ctx.kb, audience)
        await audit(ctx.session, ctx.msg, "announce_dry_run", {"audience": audience.key, "recipients": count})
        return [Reply((Block(ctx.trn("announce_dry", count, audience=audience.describe(ctx.lang))),
                       Block(text, Style.QUOTE)))]
    announcement, count = await create(
        ctx.session, ctx.kb, audience, text, f"{ctx.msg.chat.platform}:{ctx.msg.user_id}", when,
        reporter=ctx.chat,
    )
    await audit(ctx.session, ctx.msg, "announce", {"announcement": announcement.id, "audience": audience.key,
                                                   "recipients": count, "scheduled_at": announcement.scheduled_at.isoformat()})
    if when:
        return [ctx.say(ctx.trn("announce_scheduled", count, id=announcement.id,
                                when=when.isoformat(timespec="minutes")))]
    return [ctx.say(ctx.trn("announce_queued", count, id=announcement.id))]


async def _announcement_query(ctx: Context, query: str, word: str) -> list[Reply]:
    """`announce status N` (its delivery so far) or `announce cancel N` (what is not sent yet is skipped)."""
    number = _announcement_id(word)
    if query == "status":
        counts = await progress(ctx.session, number) if number else None
        if counts is None:
            return [ctx.say(ctx.tr("announce_unknown", id=word[:20]))]
        return [ctx.say(ctx.tr("announce_progress", id=word, **counts_text(counts, ctx.lang)))]
    skipped = await cancel(ctx.session, number) if number else None
    if skipped is None:
        return [ctx.say(ctx.tr("announce_unknown", id=word[:20]))]
    await audit(ctx.session, ctx.msg, "announce_cancel", {"announcement": int(word), "skipped": skipped})
    return [ctx.say(ctx.trn("announce_cancelled", skipped, id=word))]


MAX_ID = 2**31 - 1  # an INTEGER column: a larger number cannot be an announcement


def _announcement_id(word: str) -> int | None:
    """An announcement number as typed (ASCII digits within the column's range), else None."""
    if not (word.isascii() and word.isdigit() and len(word) <= len(str(MAX_ID))):
        return None
    return int(word) if 0 < int(word) <= MAX_ID else None


AUDIENCE_WORDS = {"to", "à", "pour"}
TIME_WORDS = {"at", "le", "à"}
RELATIVE_TIMES = {"tomorrow", "today", "tonight", "noon", "midnight", "demain", "aujourd'hui", "midi", "minuit"}


def _audience(ctx: Context, given: str | None) -> Audience:
    """The audience an announcement goes to: everyone unless given; "server" is the asking server's channel."""
    if given is None:
        return Audience(AudienceKind.ALL)
    if given == "server":
        if not _manager_of_server(ctx):
            raise AnnouncementError("audience")
        return Audience(AudienceKind.CHAT, chat_pk=ctx.chat.id)
    return parse_audience(given, ctx.services.targets)


def _looks_like_audience(value: str) -> bool:
    word = value.casefold()
    return ":" in word or word in {"all", "everyone", "tous", "tout"} or word in {p.value for p in Platform}


def _parse_when(text: str, timezone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise AnnouncementError("when") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


async def stats(ctx: Context, args: str) -> list[Reply]:
    chats = (await ctx.session.execute(
        select(Chat.platform, Chat.active, func.count()).group_by(Chat.platform, Chat.active)
    )).all()
    follows = await ctx.session.scalar(select(func.count()).select_from(Subscription))
    states = (await ctx.session.execute(select(Notification.state, func.count()).group_by(Notification.state))).all()
    chat_lines = "\n".join(
        f"• {platform}{colon(ctx.lang)} {n} " + (ctx.tr("stats_active") if active else ctx.tr("stats_inactive"))
        for platform, active, n in sorted(chats)
    ) or "—"
    outbox = ", ".join(f"{state} {n}" for state, n in sorted(states)) or "—"
    await audit(ctx.session, ctx.msg, "stats", {})
    return [Reply((
        Block(ctx.tr("stats_title"), Style.HEADING),
        Block(ctx.tr("stats_chats") + colon(ctx.lang) + f"\n{chat_lines}"),
        Block(ctx.tr("stats_follows") + colon(ctx.lang) + f" {follows}"),
        Block(ctx.tr("stats_outbox") + colon(ctx.lang) + f" {outbox}"),
    ))]


def _anything(ctx: Context, args: str) -> bool:
    return True


COMMANDS = (
    Command("setstatus", setstatus, ("statut-set",), bare=_anything, admin=True, parse=parse_setstatus),
    Command("announce", announce, ("annonce", "annoncer"), bare=_anything, parse=parse_announce),
    Command("stats", stats, ("statistiques",), admin=True),
)
