"""Chats (recipients) and their preferences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import ChatRef
from bot.storage.models import Chat, utcnow


async def find_chat(session: AsyncSession, ref: ChatRef) -> Chat | None:
    return await session.scalar(select(Chat).where(Chat.platform == ref.platform, Chat.chat_id == ref.chat_id))


async def get_or_create_chat(session: AsyncSession, ref: ChatRef, *, is_group: bool = False) -> Chat:
    """The chat's record, created on first contact (safe when two messages race)."""
    chat = await find_chat(session, ref)
    if chat is None:
        try:
            async with session.begin_nested():
                chat = Chat(platform=ref.platform, chat_id=ref.chat_id, is_group=is_group)
                session.add(chat)
        except IntegrityError:
            chat = await find_chat(session, ref)
            assert chat is not None
    else:
        chat.last_seen_at = utcnow()
        if not chat.active and chat.inactive_reason:
            # They are talking to us again: a once-blocked person or a closed DM is reachable again.
            chat.active, chat.inactive_reason = True, None
    return chat
