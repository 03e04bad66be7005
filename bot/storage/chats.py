"""Chats (recipients) and their preferences."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import ChatRef
from bot.storage.db import Database
from bot.storage.models import Chat, Frequency, Notification, Subscription, utcnow

SEEN_PRECISION = timedelta(minutes=1)  # last_seen_at is kept to the minute


async def find_chat(session: AsyncSession, ref: ChatRef) -> Chat | None:
    return await session.scalar(select(Chat).where(Chat.platform == ref.platform, Chat.chat_id == ref.chat_id))


async def get_or_create_chat(
    session: AsyncSession, ref: ChatRef, *, is_group: bool = False, origin: str | None = None
) -> Chat:
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
    now = utcnow()
    if chat.last_seen_at is None or now - chat.last_seen_at >= SEEN_PRECISION:
        chat.last_seen_at = now  # not on every message: a chatty chat's messages then write nothing here
    if origin and chat.origin != origin:
        chat.origin = origin
    if not chat.active:
        # They are talking to us again: a once-blocked person or a closed DM is reachable again.
        chat.active, chat.inactive_reason = True, None
    return chat


async def move_chat(db: Database, old: ChatRef, new: ChatRef) -> None:
    """The chat now lives under another id (a Telegram group upgraded to a supergroup): keep everything.

    Renames the chat's row; when the new id already has a row (someone wrote there first), merges the old
    one into it — follows, owed notifications and unset preferences — and deletes the old row.
    """
    async with db.session() as session, session.begin():
        moving = await find_chat(session, old)
        if moving is None:
            return
        existing = await find_chat(session, new)
        if existing is None:
            moving.platform, moving.chat_id = new.platform, new.chat_id
            return
        kept = {(s.target_kind, s.target_id) for s in await session.scalars(
            select(Subscription).where(Subscription.chat_pk == existing.id))}
        for sub in list(await session.scalars(select(Subscription).where(Subscription.chat_pk == moving.id))):
            if (sub.target_kind, sub.target_id) in kept:
                await session.delete(sub)
            else:
                sub.chat_pk = existing.id
        await session.execute(
            update(Notification).where(Notification.chat_pk == moving.id).values(chat_pk=existing.id)
        )
        existing.language = existing.language or moving.language
        if existing.frequency == Frequency.IMMEDIATELY and moving.frequency:
            existing.frequency = moving.frequency
        existing.is_group = existing.is_group or moving.is_group
        await session.flush()
        await session.delete(moving)
