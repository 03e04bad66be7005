"""Which messages are meant for the bot, the text the core should read, and who manages a group."""

from __future__ import annotations

import logging
import re
from collections.abc import Container

from cachetools import TTLCache
from telegram import Bot, Message, MessageEntity
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

log = logging.getLogger(__name__)

GROUP_TYPES = {ChatType.GROUP, ChatType.SUPERGROUP}
MANAGERS = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


def is_group(message: Message) -> bool:
    return message.chat.type in GROUP_TYPES


def text_for_core(message: Message, bot_id: int, bot_username: str,
                  known_commands: Container[str] = ()) -> str | None:
    """What the core should read, or None when the message is not for us.

    Commands keep their slash (so "/show" without an id still means the command) and lose an
    "@ourbot" suffix; a command for another bot is ignored, and so is, in a group, a command we do not
    know that is not explicitly addressed to us (it is probably another bot's). In a group, plain text
    counts only when it mentions us or replies to us, and the mention is removed.
    """
    text = message.text or ""
    if text.startswith("/"):
        head, sep, rest = text.partition(" ")
        name, _, addressee = head.partition("@")
        if addressee and addressee.casefold() != bot_username.casefold():
            return None
        if not addressee and is_group(message) and name[1:].casefold() not in known_commands:
            return None
        return name + sep + rest
    if not is_group(message):
        return text
    mention = re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)
    mentioned = any(
        mention.fullmatch(value) if entity.type == MessageEntity.MENTION
        else entity.user is not None and entity.user.id == bot_id
        for entity, value in entity_texts(message, {MessageEntity.MENTION, MessageEntity.TEXT_MENTION})
    )
    replied = message.reply_to_message is not None and (
        message.reply_to_message.from_user is not None and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    return " ".join(mention.sub(" ", text).split()).lstrip(",:; ")


def entity_texts(message: Message, types: Container[str]) -> list[tuple[MessageEntity, str]]:
    """The message's entities of these types with their text, cut in UTF-16 code units as Telegram counts.

    Unlike PTB's parse_entities, an entity whose offset or length splits a surrogate pair (an emoji; a buggy or
    hostile client) does not fail the whole message: the broken half is left out of that entity's text.
    """
    encoded = (message.text or "").encode("utf-16-le")
    return [
        (entity, encoded[entity.offset * 2:(entity.offset + entity.length) * 2].decode("utf-16-le", errors="ignore"))
        for entity in message.entities if entity.type in types
    ]


class GroupManagers:
    """Whether a user administers a group, asked with getChatMember and remembered for `ttl` seconds."""

    def __init__(self, bot: Bot, ttl: float = 60.0, capacity: int = 10_000):
        self.bot, self.ttl, self.capacity = bot, ttl, capacity
        self._known: TTLCache[tuple[int, int], bool] = TTLCache(capacity, ttl)  # (chat, user) -> manages

    async def can_manage(self, message: Message, user_id: int) -> bool:
        chat_id = message.chat.id
        if message.sender_chat is not None and message.sender_chat.id == chat_id:
            return True  # an anonymous administrator writes as the group itself
        cached = self._known.get((chat_id, user_id))
        if cached is not None:
            return cached
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("could not check admin rights in a group: %s", exc)
            return False
        manages = self._known[(chat_id, user_id)] = member.status in MANAGERS
        return manages
