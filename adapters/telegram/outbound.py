"""Sending rendered parts to a Telegram chat, and the Outbound that delivers alerts with mapped errors."""

from __future__ import annotations

import datetime as dt
import logging

from cachetools import LRUCache
from telegram import Bot, InputFile, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from adapters.telegram.rendering import CallbackData, Part, render
from bot.domain import (
    ChatMovedError,
    ChatRef,
    DeliveryResult,
    PermanentDeliveryError,
    Platform,
    Recipient,
    RejectedMessageError,
    Reply,
    TemporaryDeliveryError,
)
from bot.pacing import Priority

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_part(bot: Bot, chat_id: int, part: Part, *, reply_to: int | None = None,
                    flood_retries: int = 0, alert: bool = False) -> Message:
    """One message: a photo with its caption, or an HTML text; raises PTB's errors unchanged.

    An answer goes before alerts within the rate limit, and `flood_retries` lets the bot's rate limiter wait
    out a 429 for it (someone is waiting); an `alert` takes what answers leave and is never retried here (the
    outbox worker reschedules it).
    """
    paced = getattr(bot, "rate_limiter", None) is not None  # python-telegram-bot refuses the argument otherwise
    extra: dict = {"rate_limit_args": Priority.ALERT if alert else flood_retries} if paced else {}
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    if part.photo is not None:
        return await bot.send_photo(
            chat_id, InputFile(part.photo.data, filename=part.photo.filename), caption=part.html or None,
            parse_mode=ParseMode.HTML, reply_markup=part.keyboard, reply_parameters=reply, **extra,
        )
    return await bot.send_message(
        chat_id, part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard,
        link_preview_options=NO_PREVIEW, reply_parameters=reply, **extra,
    )


def retry_seconds(exc: RetryAfter) -> float:
    # The private timedelta avoids PTB 22's int-or-timedelta deprecation dance (its own rate limiter reads it too).
    value = getattr(exc, "_retry_after", None) or exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


# Bad Request descriptions that mean the chat itself is out of reach (Telegram's texts, lower-cased).
CHAT_GONE = (
    "chat not found", "user not found", "user is deactivated", "bot was blocked", "bot was kicked",
    "bot is not a member", "not enough rights to send", "have no rights to send", "chat_write_forbidden",
    "chat_restricted", "group chat was deactivated", "the group chat was deleted", "peer_id_invalid",
    "bot can't initiate conversation", "bot can't send messages to bots", "need administrator rights",
    "channel_private", "user_banned_in_channel",
)


def chat_is_gone(description: str) -> bool:
    """Whether a Bad Request says the chat cannot be reached (not that our message was malformed)."""
    text = description.casefold()
    return any(marker in text for marker in CHAT_GONE)


def map_error(exc: TelegramError) -> Exception:
    """PTB's exception as the worker's vocabulary: try later, never again, or the chat has moved."""
    if isinstance(exc, RetryAfter):
        return TemporaryDeliveryError(f"telegram flood control: {exc.message}", retry_after=retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return ChatMovedError(ChatRef(Platform.TELEGRAM, str(exc.new_chat_id)))
    if isinstance(exc, Forbidden):
        return PermanentDeliveryError(f"telegram: {exc.message}")
    if isinstance(exc, BadRequest):
        if chat_is_gone(exc.message):
            return PermanentDeliveryError(f"telegram: {exc.message}")
        # Too long, entities we cannot parse, an empty text...: this message as we wrote it, not the chat.
        return RejectedMessageError(f"telegram: {exc.message}")
    if isinstance(exc, (TimedOut, NetworkError)):
        return TemporaryDeliveryError(f"telegram network: {exc.message}")
    # InvalidToken, Conflict, EndPointNotFound...: an operator's problem, never the recipient's fault.
    return TemporaryDeliveryError(f"telegram: {type(exc).__name__}: {exc.message}")


class TelegramOutbound:
    """Delivers alerts and announcements. A reply split over several messages that fails halfway resumes
    where it stopped when the worker retries the same key, so nobody gets the first half twice."""

    def __init__(self, bot: Bot, callbacks: CallbackData | None = None, memory: int = 10_000):
        self.bot = bot
        self.callbacks = callbacks or CallbackData()
        self.memory = memory
        self._delivered_parts: LRUCache[str, int] = LRUCache(memory)  # key -> parts already sent

    @property
    def paces_itself(self) -> bool:
        """A bot with a rate limiter (the app's pacer: TELEGRAM_RATE_LIMIT, 20/min per group) paces these sends as
        alerts: the delivery worker must not pace them a second time. A bare bot leaves pacing to the worker."""
        return getattr(self.bot, "rate_limiter", None) is not None

    async def send(self, recipient: Recipient, reply: Reply, *, key: str) -> DeliveryResult:
        try:
            chat_id = int(recipient.target or recipient.chat.chat_id)
        except ValueError:
            raise PermanentDeliveryError(f"not a Telegram chat id: {recipient.chat.chat_id!r}") from None
        parts = render(reply, self.callbacks)
        done = self._delivered_parts.get(key, 0)
        sent: list[str] = []
        for index, part in enumerate(parts):
            if index < done:
                continue
            try:
                message = await send_part(self.bot, chat_id, part, alert=True)
            except TelegramError as exc:
                raise map_error(exc) from exc
            sent.append(str(message.message_id))
            self._delivered_parts[key] = index + 1
        self._delivered_parts.pop(key, None)
        return DeliveryResult(tuple(sent))

