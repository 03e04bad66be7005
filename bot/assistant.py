"""The conversation core: one IncomingMessage in, a list of Replies out, whatever the platform."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.answer import answers_for
from bot.chart import ChartCache
from bot.chats import get_or_create_chat
from bot.domain import Block, Capabilities, IncomingMessage, Reply, Style, capabilities_of
from bot.i18n import pick_language, t, tn
from bot.language import LanguageDetector, detector_for
from bot.matcher import Matcher
from bot.search import build_matcher
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat, utcnow
from bot.text import CONTROL, fold
from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)

POSSESSIVES = {"my", "mes", "mon", "ma"}
MAX_INPUT = 2000  # characters read from one message; the rest is ignored (and the user told)


@dataclass
class Context:
    """What a command handler needs about the message being answered."""

    assistant: Assistant
    msg: IncomingMessage
    session: AsyncSession
    chat: Chat
    lang: str
    is_admin: bool
    notes: list[Reply] = field(default_factory=list)
    # The conversation's state (reply language, the item follow-ups refer to), written to the chat's row when the
    # answer is ready, so a question takes no write lock while it is being answered.
    chat_state: dict[str, object] = field(default_factory=dict)

    @property
    def kb(self) -> KnowledgeBase:
        return self.assistant.kb

    @property
    def capabilities(self) -> Capabilities:
        """What the message's platform can do (mentions, servers, admins' chats), from its adapter."""
        return capabilities_of(self.assistant.capabilities, self.msg.chat.platform)

    def say(self, *texts: str, style: Style = Style.TEXT) -> Reply:
        return Reply(tuple(Block(text, style) for text in texts))

    def tr(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def trn(self, key: str, n: int, **values: object) -> str:
        """A message with plural forms, agreeing with n (which fills its {n})."""
        return tn(key, self.lang, n, **values)


Handler = Callable[[Context, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    # A command typed without "/" is only taken as a command when its arguments make sense for it;
    # otherwise the text is a question ("status of the lobbying register?").
    bare: Callable[[Context, str], bool] = lambda ctx, args: not args
    admin: bool = False


class Assistant:
    def __init__(self, kb: KnowledgeBase, db: Database, settings: Settings, matcher: Matcher | None = None,
                 *, capabilities: Mapping[str, Capabilities],
                 detector: LanguageDetector | None = None, clock: Callable[[], datetime] = utcnow):
        self.kb = kb
        self.db = db
        self.settings = settings
        self.capabilities = capabilities  # each platform's, by name, from its adapter (the composition root's)
        self.matcher = matcher or build_matcher(kb)
        self.detector = detector or detector_for(kb)
        self.clock = clock  # "now" for follow-up expiry (tests pass a controllable clock)
        self.charts = ChartCache()
        answers_for(kb)  # the answers' sentence index, built now rather than on the first question
        self.commands: dict[str, Command] = {}
        from bot.handlers import register_all

        register_all(self)

    def register(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            self.commands[name] = command

    async def is_following(self, ctx: Context, item_id: str) -> bool:
        from bot.subscriptions import follows_directly

        return await follows_directly(ctx.session, ctx.chat, item_id)

    def check_follow_allowed(self, ctx: Context) -> list[Reply] | None:
        """A Discord server must pick its alert channel (/setup) before it can follow anything."""
        from bot.handlers.server import needs_setup

        refusal = needs_setup(ctx)
        return [refusal] if refusal else None

    def is_admin(self, msg: IncomingMessage) -> bool:
        return msg.user_id in self.settings.admin_ids(msg.chat.platform)

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Answer one message. Never raises: a failure becomes a polite apology, logged for the operators."""
        with metrics.answering(str(msg.chat.platform)) as outcome:
            replies, ok = await self._handle(msg)
            outcome["outcome"] = "ok" if ok else "error"
            return replies

    async def _handle(self, msg: IncomingMessage) -> tuple[list[Reply], bool]:
        lang = pick_language(msg.locale, default=self.settings.default_language)
        try:
            async with self.db.session() as session:
                # Two short transactions, never one long one: first the chat's record (created on first
                # contact, last_seen_at), committed at once; then the handler, which mostly reads and writes
                # last, so no write lock is held while another person's answer (a chart...) is being made.
                async with session.begin():
                    chat = await get_or_create_chat(session, msg.chat, is_group=msg.is_group, origin=msg.origin)
                lang = pick_language(msg.language, chat.language, msg.locale, default=self.settings.default_language)
                ctx = Context(self, msg, session, chat, lang, self.is_admin(msg))
                replies = await self._dispatch(ctx, clean_text(msg.text), len(msg.text))
                if ctx.chat is not None:  # None once `forget` erased it
                    for name, value in ctx.chat_state.items():
                        setattr(ctx.chat, name, value)
                await session.commit()
                return [*ctx.notes, *replies], True
        except Exception:
            log.exception("failed to handle a message on %s", msg.chat.platform)
            return [Reply((Block(t("error", lang)),))], False

    async def _dispatch(self, ctx: Context, text: str, raw_length: int) -> list[Reply]:
        if not text:
            return [ctx.say(ctx.tr("empty"))]
        if raw_length > MAX_INPUT:
            ctx.notes.append(ctx.say(ctx.tr("too_long"), style=Style.META))
        name, args, slashed = split_command(_command_phrase(text))
        if name in POSSESSIVES and not slashed and args:
            name, args, _ = split_command(args)  # "my subscriptions", "mes abonnements"
        # French users type accents the aliases leave out ("fréquence", "arrêter", "désabonner").
        command = (self.commands.get(name) or self.commands.get(fold(name))) if name else None
        if command and (slashed or command.bare(ctx, args)):
            if command.name == "ask":  # "/ask question": a message in words (other commands keep the language)
                self._new_question(ctx, args)
            if command.admin and not ctx.is_admin:
                log.info("refused admin command %s to %s:%s", command.name, ctx.msg.chat.platform, ctx.msg.user_id)
                return [ctx.say(ctx.tr("admin_only"))]
            return await command.handler(ctx, args)
        if slashed:
            return [ctx.say(ctx.tr("unknown_command", command=name or text[:30]))]
        self._follow_language(ctx, text)
        from bot.handlers.context import answer_followup

        followup = await answer_followup(ctx, text)
        if followup is not None:
            return followup
        self._new_question(ctx, text)
        return await self.commands["ask"].handler(ctx, text)

    def _new_question(self, ctx: Context, text: str) -> None:
        """A question of its own: its language, and no follow-up refers to an older item unless it is answered."""
        self._follow_language(ctx, text)
        if ctx.chat is not None:
            ctx.chat_state["context_item"] = None
    def _follow_language(self, ctx: Context, text: str) -> None:
        """Reply in the language of a message in words, unless the person chose one (or the message is mute)."""
        if ctx.msg.language or ctx.chat.language_chosen:
            return
        lang = self.detector.detect(text)
        if not lang:
            return  # "2.12", "HATVP", "lobbying": the chat's current language
        ctx.lang = lang
        # A group keeps the language its alerts are in: one member's message does not change it for everyone.
        if not ctx.chat.is_group or ctx.chat.language is None:
            ctx.chat_state["language"] = lang

    def remember_item(self, ctx: Context, item_id: str) -> None:
        """This item was just shown: follow-ups ("who leads it?") refer to it for a few minutes."""
        if ctx.chat is not None:
            ctx.chat_state.update(context_item=item_id, context_at=self.clock())


def clean_text(text: str) -> str:
    """Printable, trimmed, NFC text of at most MAX_INPUT characters."""
    text = unicodedata.normalize("NFC", text[: MAX_INPUT * 2])
    return " ".join(CONTROL.sub(" ", text).split())[:MAX_INPUT].strip()


# Commands people type as several words; taken as the one-word alias.
COMMAND_PHRASES = {"ne plus suivre": "desabonner", "a propos": "apropos", "vie privee": "vieprivee"}


def _command_phrase(text: str) -> str:
    """'ne plus suivre 2.12' -> 'desabonner 2.12' (with or without a leading '/')."""
    slash = "/" if text.startswith("/") else ""
    body = text[len(slash):]
    for phrase, alias in COMMAND_PHRASES.items():
        head, rest = body[: len(phrase)], body[len(phrase):]
        if fold(head) == phrase and (not rest or rest[0] == " "):
            return slash + alias + rest
    return text


def split_command(text: str) -> tuple[str | None, str, bool]:
    """'/show@my_bot 2.12' -> ('show', '2.12', True); 'show 2.12' -> ('show', '2.12', False)."""
    slashed = text.startswith("/")
    head, _, args = text.lstrip("/").partition(" ")
    name = head.split("@", 1)[0].casefold()
    if not re.fullmatch(r"[a-zà-ÿ_]{2,20}", name):
        return (None, text, False) if not slashed else (name or None, args.strip(), True)
    return name, args.strip(), slashed
