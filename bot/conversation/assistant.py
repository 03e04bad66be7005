"""The conversation core: one IncomingMessage in, a list of Replies out, whatever the platform."""

from __future__ import annotations

import logging
import re
import unicodedata

from bot import metrics
from bot.conversation.commands import Command, CommandRegistry, Context, Services, UsageError
from bot.conversation.handlers.followups import answer_followup
from bot.domain import Block, IncomingMessage, Reply, Style
from bot.i18n import pick_language, t
from bot.plan.language import LanguageDetector
from bot.plan.text import CONTROL, fold
from bot.settings import Settings
from bot.storage.chats import get_or_create_chat

log = logging.getLogger(__name__)

POSSESSIVES = {"my", "mes", "mon", "ma"}
MAX_INPUT = 2000  # characters read from one message; the rest is ignored (and the user told)


class Assistant:
    """Dispatches a message to its command's handler (or answers it as a question). Built by the bootstrap,
    which hands it everything it uses."""

    def __init__(self, services: Services, detector: LanguageDetector):
        self.services = services
        self.detector = detector

    @property
    def commands(self) -> CommandRegistry:
        return self.services.commands

    @property
    def settings(self) -> Settings:
        return self.services.settings

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
            async with self.services.db.session() as session:
                # Two short transactions, never one long one: first the chat's record (created on first
                # contact, last_seen_at), committed at once; then the handler, which mostly reads and writes
                # last, so no write lock is held while another person's answer (a chart...) is being made.
                async with session.begin():
                    chat = await get_or_create_chat(session, msg.chat, is_group=msg.is_group, origin=msg.origin)
                lang = pick_language(msg.language, chat.language, msg.locale, default=self.settings.default_language)
                ctx = Context(self.services, msg, session, chat, lang, self.is_admin(msg))
                replies = await self._dispatch(ctx, msg)
                if ctx.chat is not None:  # None once `forget` erased it
                    for name, value in ctx.chat_state.items():
                        setattr(ctx.chat, name, value)
                await session.commit()
                return [*ctx.notes, *replies], True
        except Exception:
            log.exception("failed to handle a message on %s", msg.chat.platform)
            return [Reply((Block(t("error", lang)),))], False

    async def _dispatch(self, ctx: Context, msg: IncomingMessage) -> list[Reply]:
        if msg.command is not None:  # typed by the platform (Discord's options): nothing to parse
            command = self.commands.get(msg.command.name)
            if command is None:
                return [ctx.say(ctx.tr("unknown_command", command=msg.command.name[:30]))]
            args = msg.command.args
            return await self._run(ctx, command, clean_text(args) if isinstance(args, str) else args)
        text = clean_text(msg.text)
        if not text:
            return [ctx.say(ctx.tr("empty"))]
        if len(msg.text) > MAX_INPUT:
            ctx.notes.append(ctx.say(ctx.tr("too_long"), style=Style.META))
        name, args, slashed = split_command(_command_phrase(text))
        if name in POSSESSIVES and not slashed and args:
            name, args, _ = split_command(args)  # "my subscriptions", "mes abonnements"
        # French users type accents the aliases leave out ("fréquence", "arrêter", "désabonner").
        command = (self.commands.get(name) or self.commands.get(fold(name))) if name else None
        if command and (slashed or command.bare(ctx, args)):
            return await self._run(ctx, command, args, parse=True)
        if slashed:
            return [ctx.say(ctx.tr("unknown_command", command=name or text[:30]))]
        self._follow_language(ctx, text)
        followup = await answer_followup(ctx, text)
        if followup is not None:
            return followup
        self._new_question(ctx, text)
        return await self.commands["ask"].handler(ctx, text)

    async def _run(self, ctx: Context, command: Command, args: object, *, parse: bool = False) -> list[Reply]:
        """Run a command; `parse`: its arguments are still the text typed after its name (parsed here, once)."""
        if command.name == "ask":  # "/ask question": a message in words (other commands keep the language)
            self._new_question(ctx, str(args))
        if command.admin and not ctx.is_admin:
            log.info("refused admin command %s to %s:%s", command.name, ctx.msg.chat.platform, ctx.msg.user_id)
            return [ctx.say(ctx.tr("admin_only"))]
        if parse:
            try:
                args = command.parse(str(args))
            except UsageError as exc:
                return [ctx.say(ctx.tr(exc.key, **exc.values))]
        return await command.handler(ctx, args)

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
