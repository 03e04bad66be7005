"""A Reply in Telegram's idiom: escaped HTML split under 4,096 characters, an inline keyboard, a photo."""

from __future__ import annotations

import base64
import hashlib
import html
from dataclasses import dataclass

from cachetools import LRUCache
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.capabilities import CAPABILITIES
from bot.domain import Block, Image, Reply, Style
from bot.presentation.fitting import pack, split_to_fit

CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
URL_LIMIT = 2048
_TAGS = {
    Style.HEADING: ("<b>", "</b>"),
    Style.QUOTE: ("<blockquote>", "</blockquote>"),
    Style.META: ("<i>", "</i>"),
}


def escape(text: str) -> str:
    """Plan and user text as HTML: only <, > and & matter outside attributes."""
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def escaped_length(text: str) -> int:
    return utf16_length(escape(text))


class CallbackData:
    """Button commands as callback_data: a command of ≤ 64 bytes travels as is, a longer one as a short
    token mapped back in memory (the `capacity` most recently sent or pressed; older ones expire).

    The token is a digest of the command, not a counter: with several processes (a worker sends an alert's
    buttons, a web process receives the press), a token another process made is unknown here (the person is
    told the button expired), never mistaken for a different command that happens to have the same number.
    """

    PREFIX = "~"

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._commands: LRUCache[str, str] = LRUCache(capacity)

    @classmethod
    def token(cls, command: str) -> str:
        digest = hashlib.blake2b(command.encode(), digest_size=15).digest()
        return cls.PREFIX + base64.urlsafe_b64encode(digest).decode()  # 21 bytes

    def encode(self, command: str) -> str:
        if len(command.encode()) <= CALLBACK_DATA_LIMIT and not command.startswith(self.PREFIX):
            return command
        token = self.token(command)
        self._commands[token] = command
        return token

    def decode(self, data: str) -> str | None:
        """The command behind a pressed button; None when the button's token has expired."""
        if not data.startswith(self.PREFIX):
            return data
        return self._commands.get(data)


@dataclass(frozen=True)
class Part:
    """One Telegram message: HTML text (a caption when there is a photo), maybe a photo, maybe buttons."""

    html: str
    photo: Image | None = None
    keyboard: InlineKeyboardMarkup | None = None


def render(reply: Reply, callbacks: CallbackData, limit: int = CAPABILITIES.message_limit) -> list[Part]:
    """The messages that show `reply`: [photo], text chunks; the keyboard rides on the last one."""
    chunks = render_text(reply.blocks, limit)
    parts: list[Part] = []
    if reply.image is not None:
        caption = chunks[0] if len(chunks) == 1 and utf16_length(chunks[0]) <= CAPTION_LIMIT else ""
        if caption:
            chunks = []
        else:
            caption = escape(reply.image.alt[: CAPTION_LIMIT - 1])
        parts.append(Part(caption, reply.image))
    parts += [Part(chunk) for chunk in chunks if chunk.strip()]
    keyboard = render_keyboard(reply, callbacks)
    if keyboard is not None and parts:
        last = parts[-1]
        parts[-1] = Part(last.html, last.photo, keyboard)
    return parts


def render_text(blocks: tuple[Block, ...], limit: int = CAPABILITIES.message_limit) -> list[str]:
    """Blocks as HTML chunks of at most `limit` UTF-16 code units (markup included), each with balanced tags.

    A block too long for one message is split as plain text (measured escaped) and every piece is
    rendered in the block's style, so a tag never straddles two messages.
    """
    pieces: list[str] = []
    for block in blocks:
        if not block.text.strip():
            continue
        opening, closing = _wrapping(block)
        room = max(limit - utf16_length(opening) - utf16_length(closing), 1)
        for text in split_to_fit(block.text, room, measure=escaped_length):
            pieces.append(opening + escape(text) + closing)
    if not pieces:
        return []
    return pack(pieces, limit, "\n\n", utf16_length)


def _wrapping(block: Block) -> tuple[str, str]:
    opening, closing = _TAGS.get(block.style, ("", ""))
    url = block.url or ""
    if url.startswith(("https://", "http://")) and len(url) <= URL_LIMIT:
        opening += f'<a href="{html.escape(url, quote=True)}">'
        closing = "</a>" + closing
    return opening, closing


def render_keyboard(reply: Reply, callbacks: CallbackData) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(button.label or "·", callback_data=callbacks.encode(button.command))
         for button in row]
        for row in reply.buttons if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None
