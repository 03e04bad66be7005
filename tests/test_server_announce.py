"""A Discord server's managers announce to their own server's alert channel, and only there."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import ChatRef, IncomingMessage
from bot.storage.models import Announcement, Notification

GUILD = ChatRef("discord", "guild:42")


async def say(app, text: str, *, user: str = "7", manager: bool = True) -> str:
    message = IncomingMessage(GUILD, user, text, is_group=True, can_manage_chat=manager)
    return "\n".join(r.plain_text for r in await app.assistant.handle(message))


async def queued(app) -> list[Notification]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Notification)))


async def test_a_manager_announces_to_their_server_after_setup(app):
    assert "setup" in (await say(app, "announce to server Meeting tonight")).lower()
    assert await queued(app) == []
    await say(app, "/setup channel=555 role=777 language=fr")
    assert "1" in await say(app, "announce dry to server Meeting tonight")
    assert await queued(app) == []
    reply = await say(app, "announce to server Meeting tonight")
    [notification] = await queued(app)
    assert notification.kind == "announcement" and "n°1" in reply  # the server chose French


async def test_a_manager_cannot_announce_to_everyone_and_a_member_cannot_announce(app):
    await say(app, "/setup channel=555")
    assert "this server only" in await say(app, "announce to all Hello everyone")
    assert "administrators" in await say(app, "announce to server Hi", manager=False)
    assert "administrators" in await say(app, "announce status 1")
    assert await queued(app) == []


async def test_an_announcement_may_start_with_to_at_or_le(app):
    from tests.test_assistant import message

    async def admin(text: str) -> str:
        return "\n".join(r.plain_text for r in await app.assistant.handle(message(text, user="admin")))

    await app.assistant.handle(message("follow 2.12", user="alice"))
    assert "queued for" in await admin("announce At last, the register is open")
    assert "queued for" in await admin("announce to all Le registre est ouvert")
    assert "couldn't read that time" in await admin("announce at 25:99 Hello")
    assert "Unknown audience" in await admin("announce to folowers:2.12 Hello")
    async with app.db.session() as session:
        texts = [a.text for a in await session.scalars(select(Announcement).order_by(Announcement.id))]
    assert texts == ["At last, the register is open", "Le registre est ouvert"]
