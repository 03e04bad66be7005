"""Following: follow, unfollow, stop, subscriptions, frequency; and privacy: privacy, forget."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from bot.conversation.commands import Command, Context
from bot.conversation.handlers.server import needs_setup
from bot.domain import Block, Button, Reply
from bot.following.status_reads import current_status, current_statuses
from bot.following.subscriptions import Target, TargetIndex, list_targets, unfollow_all
from bot.following.subscriptions import follow as add_follow
from bot.following.subscriptions import unfollow as remove_follow
from bot.i18n import N_
from bot.plan.text import fold
from bot.presentation import answers as present
from bot.storage.models import (
    Announcement,
    AuditEntry,
    Chat,
    ConsoleInbox,
    Frequency,
    Notification,
    NotificationState,
    StatusChange,
    Subscription,
    TargetKind,
    utcnow,
)

FREQUENCIES = {"immediately": "immediately", "immediate": "immediately", "instant": "immediately",
               "immediat": "immediately", "immediatement": "immediately", "daily": "daily", "quotidien": "daily",
               "quotidienne": "daily", "jour": "daily", "weekly": "weekly", "hebdomadaire": "weekly",
               "semaine": "weekly", "hebdo": "weekly"}
CONFIRM_WORDS = {"confirm", "yes", "oui", "confirmer"}
# How each frequency is named in a sentence ("Alerts: in a daily digest"): message keys.
FREQUENCY_NAMES = {Frequency.IMMEDIATELY: N_("freq_immediately"), Frequency.DAILY: N_("freq_daily"),
                   Frequency.WEEKLY: N_("freq_weekly")}


def _targets(ctx: Context) -> TargetIndex:
    return ctx.services.targets


def _may_manage(ctx: Context) -> list[Reply] | None:
    """In a group, only its managers may change what the group follows; returns the refusal if any."""
    if ctx.msg.is_group and not ctx.msg.can_manage_chat:
        return [ctx.say(ctx.tr("group_admins_only"))]
    return None


async def _status_summary(ctx: Context, target: Target) -> str:
    if target.kind == TargetKind.ACTION:
        return present.status_text(await current_status(ctx.session, target.id), ctx.lang)
    if target.kind == TargetKind.COMMITMENT:
        statuses = await current_statuses(ctx.session)
        counts = present.count_levels(statuses, [a.id for a in ctx.kb.actions_of(target.id)])
        return present.level_counts_text(counts, ctx.lang)
    statuses = await current_statuses(ctx.session)
    ids = [a for a in ctx.kb.actions if target.covers(ctx.kb, a)]
    return ctx.tr("follow_covers", n=len(ids)) + " " + present.level_counts_text(present.count_levels(statuses, ids), ctx.lang)


async def follow(ctx: Context, args: str) -> list[Reply]:
    if refusal := _may_manage(ctx):
        return refusal
    if not args:
        return [ctx.say(ctx.tr("follow_usage"))]
    target = _targets(ctx).resolve(args)
    if target is None:
        return [ctx.say(ctx.tr("follow_unknown", item=args[:60]))]
    if refusal := needs_setup(ctx):
        return [refusal]
    added = await add_follow(ctx.session, ctx.chat, target)
    name = _targets(ctx).describe(target, ctx.lang)
    frequency = ctx.tr(FREQUENCY_NAMES[ctx.chat.frequency])
    text = ctx.tr("follow_done", target=name, frequency=frequency) if added else \
        ctx.tr("follow_already", target=name, frequency=frequency)
    unfollow_id = "all" if target.kind == TargetKind.ALL else target.id
    return [Reply(
        (Block(text), Block(await _status_summary(ctx, target))),
        ((Button(ctx.tr("btn_unfollow", id=present.short(name, 40)), f"unfollow {unfollow_id}"),),
         (Button("📋 " + ctx.tr("subscriptions_title"), "subscriptions"),)),
    )]


async def unfollow(ctx: Context, args: str) -> list[Reply]:
    if refusal := _may_manage(ctx):
        return refusal
    if not args:
        return await subscriptions(ctx, "")
    target = _targets(ctx).resolve(args)
    if target is None:
        return [ctx.say(ctx.tr("follow_unknown", item=args[:60]))]
    removed = await remove_follow(ctx.session, ctx.chat, target)
    name = _targets(ctx).describe(target, ctx.lang)
    return [ctx.say(ctx.tr("unfollow_done", target=name) if removed else ctx.tr("unfollow_missing", target=name))]


async def stop(ctx: Context, args: str) -> list[Reply]:
    if refusal := _may_manage(ctx):
        return refusal
    count = await unfollow_all(ctx.session, ctx.chat)
    return [ctx.say(ctx.trn("stop_done", count))]


async def subscriptions(ctx: Context, args: str) -> list[Reply]:
    targets = await list_targets(ctx.session, ctx.chat)
    if not targets:
        return [Reply((Block(ctx.tr("subscriptions_none")),), ((Button(ctx.tr("btn_browse"), "browse"),),))]
    lines = "\n".join(f"• {_targets(ctx).describe(t, ctx.lang)}" for t in targets)
    buttons = tuple(
        (Button(ctx.tr("btn_unfollow", id=present.short(_targets(ctx).describe(t, ctx.lang), 40)),
                f"unfollow {'all' if t.kind == TargetKind.ALL else t.id}"),)
        for t in targets[:10]
    )
    frequency = ctx.tr("subscriptions_frequency", frequency=ctx.tr(FREQUENCY_NAMES[ctx.chat.frequency]))
    return [Reply((Block(ctx.tr("subscriptions_title")), Block(lines), Block(frequency)), buttons)]


def parse_frequency(args: str) -> Frequency | None:
    """'daily', « quotidien », 'hebdo'... -> the frequency; None when the word is not one (usage shown)."""
    choice = FREQUENCIES.get(fold(args.strip()))
    return Frequency(choice) if choice else None


async def frequency(ctx: Context, choice: Frequency | None) -> list[Reply]:
    if refusal := _may_manage(ctx):
        return refusal
    if choice is None:
        return [Reply(
            (Block(ctx.tr("frequency_usage", frequency=ctx.tr(FREQUENCY_NAMES[ctx.chat.frequency]))),),
            (tuple(Button(ctx.tr(FREQUENCY_NAMES[f]), f"frequency {f}") for f in Frequency),),
        )]
    if choice == Frequency.IMMEDIATELY and ctx.chat.frequency != Frequency.IMMEDIATELY:
        # Alerts held for a digest would otherwise wait forever (digests only collect daily/weekly chats).
        await ctx.session.execute(
            update(Notification).where(Notification.chat_pk == ctx.chat.id, Notification.state == NotificationState.HELD)
            .values(state=NotificationState.PENDING, due_at=utcnow())
        )
    ctx.chat.frequency = choice
    return [ctx.say(ctx.tr("frequency_set", frequency=ctx.tr(FREQUENCY_NAMES[choice])))]


async def privacy(ctx: Context, args: str) -> list[Reply]:
    return [Reply((Block(ctx.tr("privacy_title")), Block(ctx.tr("privacy_body"))),
                  ((Button(ctx.tr("btn_forget"), "forget"),),))]


async def forget(ctx: Context, args: str) -> list[Reply]:
    if refusal := _may_manage(ctx):
        return refusal
    if args.strip().casefold() not in CONFIRM_WORDS:
        return [Reply((Block(ctx.tr("forget_confirm")),), ((Button(ctx.tr("btn_forget_confirm"), "forget confirm"),),))]
    chat: Chat = ctx.chat
    async with ctx.services.db.chat_guard(chat.id):  # SQLite: waits for a send to this chat under way
        reply = await _erase(ctx, chat)
        await ctx.session.commit()  # erased before the guard lets the next delivery check the chat
    ctx.chat = None  # type: ignore[assignment]
    return [reply]


async def _erase(ctx: Context, chat: Chat) -> Reply:
    platform, user_id = ctx.msg.chat.platform, ctx.msg.user_id
    # First lock the chat row against every delivery: this waits for sends to this chat already under way,
    # and any delivery after this transaction commits finds no chat (see bot/following/delivery.py). Then erase.
    await ctx.session.execute(select(Chat.id).where(Chat.id == chat.id).with_for_update())
    await ctx.session.execute(
        update(AuditEntry).where(AuditEntry.platform == platform, AuditEntry.user_id == user_id).values(user_id=None)
    )
    # The status history and announcements an admin wrote stay, attributed to no one in particular.
    who = f"{platform}:{user_id}"
    await ctx.session.execute(update(StatusChange).where(StatusChange.set_by == who).values(set_by=platform))
    await ctx.session.execute(update(Announcement).where(Announcement.created_by == who).values(created_by=platform))
    if platform == "console":
        await ctx.session.execute(delete(ConsoleInbox).where(ConsoleInbox.chat_id == chat.chat_id))
    # Subscriptions and queued notifications go with the chat (ON DELETE CASCADE, done explicitly for SQLite
    # databases opened without foreign keys).
    await ctx.session.execute(delete(Subscription).where(Subscription.chat_pk == chat.id))
    await ctx.session.execute(delete(Notification).where(Notification.chat_pk == chat.id))
    await ctx.session.delete(chat)
    return ctx.say(ctx.tr("forget_done"))


def _has_target(ctx: Context, args: str) -> bool:
    return bool(args) and ctx.services.targets.resolve(args) is not None


COMMANDS = (
    Command("follow", follow, ("suivre", "subscribe", "sabonner"), bare=_has_target),
    Command("unfollow", unfollow, ("unsubscribe", "nepassuivre", "neplussuivre", "desabonner"),
            bare=lambda c, a: not a or _has_target(c, a)),
    Command("stop", stop, ("arreter", "unfollowall")),
    Command("subscriptions", subscriptions, ("abonnements", "suivis", "following", "follows")),
    Command("frequency", frequency, ("frequence",), bare=lambda c, a: not a or fold(a.strip()) in FREQUENCIES,
            parse=parse_frequency),
    Command("privacy", privacy, ("confidentialite", "vieprivee")),
    Command("forget", forget, ("oublier",), bare=lambda c, a: not a or a.strip().casefold() in CONFIRM_WORDS),
)
