"""A server's alert settings: the channel its alerts go to, the role they mention, their language.

Text forms (platform-neutral): "setup channel=<id> role=<id>|none language=fr", "setup show", "setup reset".
Only a group chat's managers (IncomingMessage.can_manage_chat) may change them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.conversation.commands import Command, Context
from bot.domain import Block, Reply, Style
from bot.i18n import LANGUAGES, language_name, pick_language

_SETTING = re.compile(r"^(channel|role|language|salon|langue)=(\S{1,64})$", re.IGNORECASE)
_ALIASES = {"salon": "channel", "langue": "language"}
_ID = re.compile(r"^[\w:.-]{1,64}$")
SHOW_WORDS = {"show", "afficher", "voir"}
RESET_WORDS = {"reset", "reinitialiser", "réinitialiser", "effacer"}


def is_server_chat(ctx: Context) -> bool:
    """A chat whose alerts go to a channel chosen with setup (today: a Discord server)."""
    return ctx.capabilities.is_server_chat(ctx.chat.chat_id)


def needs_setup(ctx: Context) -> Reply | None:
    """For the follow command: a server that has no alert channel yet must run setup first (else None)."""
    if is_server_chat(ctx) and not ctx.chat.delivery_target:
        return ctx.say(ctx.tr("setup_first"))
    return None


def settings_reply(ctx: Context, saved: bool = False) -> Reply:
    chat = ctx.chat
    blocks = [Block(ctx.tr("setup_title"), Style.HEADING)]
    if saved:
        blocks.append(Block(ctx.tr("setup_saved")))
    if not chat.delivery_target:
        blocks.append(Block(ctx.tr("setup_not_configured")))
        return Reply(tuple(blocks))
    language = chat.language or ctx.services.settings.default_language
    lines = [
        ctx.tr("setup_channel", channel=ctx.capabilities.mention_channel(chat.delivery_target)),
        ctx.tr("setup_role", role=ctx.capabilities.mention_role(chat.mention) if chat.mention
               else ctx.tr("setup_no_role")),
        ctx.tr("setup_language", language=language_name(language, ctx.lang)),
    ]
    blocks.append(Block("\n".join(lines)))
    blocks.append(Block(ctx.tr("setup_next"), Style.META))
    return Reply(tuple(blocks))


@dataclass(frozen=True)
class SetupArgs:
    """`setup show`, `setup reset`, `setup channel=ID role=ID|none language=fr` (Discord: the /setup options)."""

    show: bool = False
    reset: bool = False
    channel: str | None = None
    role: str | None = None  # "none" / « aucun » removes the mention
    language: str | None = None
    valid: bool = True  # False: the text could not be read as settings (usage shown, to managers)


def parse_setup(args: str) -> SetupArgs:
    words = args.split()
    if not words or words[0].casefold() in SHOW_WORDS:
        return SetupArgs(show=True)
    if words[0].casefold() in RESET_WORDS:
        return SetupArgs(reset=True)
    values: dict[str, str] = {}
    for word in words:
        match = _SETTING.match(word)
        if not match:
            return SetupArgs(valid=False)
        key = match.group(1).casefold()
        values[_ALIASES.get(key, key)] = match.group(2)
    return SetupArgs(channel=values.get("channel"), role=values.get("role"), language=values.get("language"))


async def setup(ctx: Context, args: SetupArgs) -> list[Reply]:
    if not ctx.msg.is_group:
        return [ctx.say(ctx.tr("setup_group_only"))]
    if args.show:
        return [settings_reply(ctx)]
    if not ctx.msg.can_manage_chat:
        return [ctx.say(ctx.tr("setup_refused"))]
    chat = ctx.chat
    if args.reset:
        chat.delivery_target = None
        chat.mention = None
        return [ctx.say(ctx.tr("setup_reset_done"))]
    channel, role, language = args.channel, args.role, args.language
    if not args.valid or (channel and not _ID.match(channel)) or (role and not _ID.match(role)):
        return [ctx.say(ctx.tr("setup_usage"))]
    if language is not None and language.lower()[:2] not in LANGUAGES:
        return [ctx.say(ctx.tr("setup_usage"))]
    if not channel and not chat.delivery_target:
        return [ctx.say(ctx.tr("setup_need_channel"))]
    if channel:
        chat.delivery_target = channel
    if role:
        chat.mention = None if role.casefold() in ("none", "aucun") else role
    if language:
        chat.language, chat.language_chosen = language.lower()[:2], True
    elif chat.language is None:
        # The manager's own language is the best guess for their server until they choose one.
        chat.language = pick_language(ctx.msg.locale, default=ctx.services.settings.default_language)
    ctx.lang = chat.language
    return [settings_reply(ctx, saved=True)]


COMMANDS = (
    Command("setup", setup, ("configurer", "reglages", "réglages"), bare=lambda ctx, args: not args, parse=parse_setup),
)
