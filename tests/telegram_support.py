"""Helpers for the Telegram tests: ids, reading the HTML we send, checking its tags (fixtures: telegram_fixtures)."""

from __future__ import annotations

import asyncio
import html
import re
from html.parser import HTMLParser

from adapters.telegram.limits import PacedRateLimiter
from bot.pacing import Pacer
from tests.fakes.telegram_api import FakeTelegram

_TAGS = re.compile(r"<[^>]+>")
USER = 555
FR_USER = 556
ADMIN = 1001  # settings.telegram_admin_ids in tests/conftest.py
GROUP = -1001234567890
MEMBER, GROUP_ADMIN = 7, 8


def unlimited() -> PacedRateLimiter:
    """No client-side pacing: the tests measure behaviour, not Telegram's flood limits."""
    return PacedRateLimiter(Pacer({}), group_limit=None)


def visible(markup: str) -> str:
    """The text a Telegram user would see from our HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAGS.sub("", markup))


class TagBalance(HTMLParser):
    """Checks that every tag opened is closed, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(markup: str) -> bool:
    parser = TagBalance()
    parser.feed(markup)
    parser.close()
    return parser.ok and not parser.stack


def buttons(message: dict) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def quiet(tg: FakeTelegram, chat_id: int, seconds: float = 0.3) -> list[dict]:
    """Messages sent to `chat_id` within `seconds` (to assert that the bot stayed silent)."""
    before = len(tg.sent(chat_id))
    await asyncio.sleep(seconds)
    return tg.sent(chat_id)[before:]

