"""The terminal: an interactive chat (buttons as numbered choices), scriptable through stdin, and a recipient."""

from __future__ import annotations

import asyncio
import locale
import os
import sys
from typing import TextIO

from sqlalchemy import exists, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation.assistant import Assistant
from bot.domain import (
    Block,
    Capabilities,
    ChatRef,
    DeliveryResult,
    IncomingMessage,
    Platform,
    Recipient,
    Reply,
    Style,
)
from bot.i18n import pick_language, t
from bot.plan.text import printable
from bot.storage.chats import find_chat
from bot.storage.db import Database
from bot.storage.models import Chat, ConsoleInbox, utcnow

QUIT = {"quit", "exit", "q", ":q", "quitter"}
# The terminal: ids shown as they are, no servers, an admin's chat is their name, no limit worth the name.
CAPABILITIES = Capabilities(Platform.CONSOLE)


def render(reply: Reply, first: int = 1) -> tuple[str, list[str]]:
    """Plain text of a reply and the commands behind its numbered choices (numbered from `first`)."""
    lines: list[str] = []
    for block in reply.blocks:
        lines.append(_render_block(block))
    commands: list[str] = []
    for row in reply.buttons:
        labels = []
        for button in row:
            commands.append(button.command)
            labels.append(f"[{first + len(commands) - 1}] {button.label}")
        lines.append("   ".join(labels))
    if reply.image:
        lines.append(f"[image: {reply.image.filename}, {len(reply.image.data)} bytes — {reply.image.alt}]")
    return printable("\n".join(lines)), commands  # no terminal escape sequence reaches the terminal


def _render_block(block: Block) -> str:
    if block.style == Style.HEADING:
        return f"== {block.text} =="
    if block.style == Style.QUOTE:
        return "\n".join("  > " + line for line in block.text.splitlines())
    text = block.text
    if block.url:
        text += f" <{block.url}>"
    return f"  ({text})" if block.style == Style.META else text


class ConsoleOutbound:
    """Delivers alerts to console users by storing them in their inbox; the key makes redelivery harmless.

    The delivery worker calls `store_many` inside the batch's own transaction (`stores_in_transaction`): the
    inbox rows and the notifications' "sent" are committed together, while their chats are held (see
    bot/following/delivery.py).
    """

    stores_in_transaction = True

    def __init__(self, db: Database):
        self.db = db

    async def send(self, recipient: Recipient, reply: Reply, *, key: str) -> DeliveryResult:
        async with self.db.session() as session, session.begin():
            chat = await find_chat(session, recipient.chat)
            if chat is not None:
                await self.store(session, chat.id, recipient, reply, key=key)
        return DeliveryResult((key,))

    async def store(self, session: AsyncSession, chat_pk: int, recipient: Recipient, reply: Reply, *,
                    key: str) -> None:
        """Add the alert to the inbox in `session`'s transaction, if chat `chat_pk` still exists (one atomic
        statement: on SQLite it runs as the single writer, so an erasure is either before it or after it)."""
        text, _ = render(reply)
        values = select(literal(recipient.chat.chat_id), literal(key), literal(text), literal(False), literal(utcnow(),
                        ConsoleInbox.created_at.type)).where(exists().where(Chat.id == chat_pk))
        dialect = (await session.connection()).dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(ConsoleInbox).from_select(["chat_id", "key", "text", "shown", "created_at"], values)
        # Already delivered before a crash: exactly once for the reader.
        await session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))

    async def store_many(self, session: AsyncSession, entries: list[tuple[Recipient, Reply, str]]) -> None:
        """Add a batch's alerts to their inboxes in one statement, in `session`'s transaction. The caller holds
        the recipients' chats (the delivery worker's batch lock), so each one exists until that commits."""
        if not entries:
            return
        now = utcnow()
        rows = [{"chat_id": recipient.chat.chat_id, "key": key, "text": render(reply)[0], "shown": False,
                 "created_at": now} for recipient, reply, key in entries]
        dialect = (await session.connection()).dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # Already delivered before a crash: exactly once for the reader.
        await session.execute(insert(ConsoleInbox).values(rows).on_conflict_do_nothing(index_elements=["key"]))


async def pop_inbox(db: Database, name: str) -> tuple[list[str], str | None]:
    """Alerts not yet shown to this console user (marked shown now), and the user's chosen language."""
    async with db.session() as session, session.begin():
        chat = await find_chat(session, ChatRef(Platform.CONSOLE, name))
        rows = list(
            await session.scalars(
                select(ConsoleInbox).where(ConsoleInbox.chat_id == name, ConsoleInbox.shown.is_(False))
                .order_by(ConsoleInbox.id)
            )
        )
        if rows:
            await session.execute(
                update(ConsoleInbox).where(ConsoleInbox.id.in_([r.id for r in rows])).values(shown=True)
            )
    return [r.text for r in rows], chat.language if chat else None


def system_locale() -> str | None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if os.environ.get(var):
            return os.environ[var]
    return locale.getlocale()[0]


async def chat_loop(assistant: Assistant, db: Database, name: str, lang: str | None = None,
                    stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, forced_language: str | None = None) -> None:
    """Read messages line by line until EOF or 'quit'; print each reply. Numbers pick the last reply's buttons.

    `lang` is a hint for a new user; `forced_language` answers every message in that language (ask --lang).
    """
    interactive = stdin.isatty()
    ref = ChatRef(Platform.CONSOLE, name)
    user_locale = lang or system_locale()
    shown_lang = pick_language(lang, user_locale, default=assistant.settings.default_language)

    def out(text: str) -> None:
        print(text, file=stdout, flush=True)

    alerts, chosen = await pop_inbox(db, name)
    shown_lang = chosen or shown_lang
    if alerts:
        out(t("console_alerts", shown_lang))
        for text in alerts:
            out(printable(text))  # also what was stored before alerts were cleaned
            out("-" * 40)
    if interactive:
        out(t("console_prompt", shown_lang, name=name))
    choices: list[str] = []
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        text = line.rstrip("\n")
        if text.strip().casefold() in QUIT:
            break
        via_button = False
        if text.strip().isdigit() and 0 < int(text.strip()) <= len(choices):
            text, via_button = choices[int(text.strip()) - 1], True
        message = IncomingMessage(ref, name, text, locale=user_locale, via_button=via_button,
                                  language=forced_language)
        choices = []
        for reply in await assistant.handle(message):
            rendered, commands = render(reply, len(choices) + 1)
            out(rendered)
            choices += commands
        if not interactive:
            out("")
