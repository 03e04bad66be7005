"""Secrets never leave the process: one `redact()` for every place text goes out (logs, stderr, stored errors).

What it removes:
- the configured token values (TELEGRAM_TOKEN, DISCORD_TOKEN, TELEGRAM_WEBHOOK_SECRET), also percent-encoded,
  and a token cut off at the end of a truncated text;
- anything shaped like a token: Telegram bot tokens (`123456789:AAH…`), Discord bot tokens (`xxx.yyy.zzz`),
  Discord interaction tokens (`aW50ZXJhY3Rpb246…`, and whatever follows `/interactions/ID/` or
  `/webhooks/ID/` in a URL), `Bot …`/`Bearer …` credentials, and the value of any `token` key in a dict or
  JSON dump (discord.py's DEBUG gateway events) or `token=` parameter.

`RedactingFilter` applies it to log records (message, arguments, traceback, stack) on a handler, so records of
every library reaching that handler are covered.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
MIN_SECRET = 6  # shorter configured values are not tokens; masking them would garble ordinary text
MIN_TAIL = 8  # a truncated text ending in this much of a secret still leaks it

_secrets: set[str] = set()

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Telegram bot token (also inside /bot<token>/ URLs)
    (re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{30,}"), MASK),
    (re.compile(r"(/bot)\d+:[^/\s'\"`]+"), rf"\1{MASK}"),
    # Discord interaction tokens: base64 of "interaction:…", and their place in webhook/interaction URLs
    (re.compile(r"aW50ZXJhY3Rpb246[A-Za-z0-9_-]+"), MASK),
    (re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?'\"]+"), rf"\1{MASK}"),
    # Discord bot token: base64 user id . timestamp . HMAC
    (re.compile(r"\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,10}\.[A-Za-z0-9_-]{20,}"), MASK),
    # Credentials in headers and key/value dumps
    (re.compile(r"\b(Bot|Bearer)\s+[A-Za-z0-9_.\-]{16,}"), rf"\1 {MASK}"),
    (re.compile(r"""(["'](?:\w+_)?token["']\s*:\s*["'])[^"']+"""), rf"\1{MASK}"),
    (re.compile(r"""\b((?:\w+_)?token=["']?)[^&\s'",)]+"""), rf"\1{MASK}"),
]


def register_secrets(values: Iterable[str | None]) -> None:
    """Remember configured secret values (tokens) so that they are masked wherever they appear."""
    for value in values:
        if value and len(value) >= MIN_SECRET:
            _secrets.add(value)
            _secrets.add(quote(value, safe=""))


def register_settings(settings) -> None:
    register_secrets(
        secret.get_secret_value()
        for secret in (settings.telegram_token, settings.discord_token, settings.telegram_webhook_secret)
        if secret is not None
    )


def redact(text: str) -> str:
    """`text` with every known secret and every token-shaped string masked."""
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in _secrets:
        for size in range(len(secret) - 1, MIN_TAIL - 1, -1):
            if text.endswith(secret[:size]):
                return text[:-size] + MASK
    return text


def clean_error(text: str | None) -> str | None:
    """Error text fit to store: secrets masked, NUL bytes (refused by PostgreSQL) removed."""
    if text is None:
        return None
    return redact(text.replace("\x00", ""))


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, arguments, traceback and stack before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a bad format string: keep what there is, masked
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # the exception object itself may carry the secret: only the masked text goes on
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_on_root() -> RedactingFilter:
    """Put one RedactingFilter on every handler of the root logger (where every library's records end up)."""
    redacting = next((f for h in logging.getLogger().handlers for f in h.filters if isinstance(f, RedactingFilter)),
                     None) or RedactingFilter()
    for handler in logging.getLogger().handlers:
        if redacting not in handler.filters:
            handler.addFilter(redacting)
    return redacting
