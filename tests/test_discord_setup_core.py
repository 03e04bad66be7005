"""bot/conversation/handlers/server.py through the core alone (no Discord): a server's alert channel, role and language."""

from __future__ import annotations

from bot.domain import ChatRef, IncomingMessage
from bot.storage.chats import find_chat

SERVER = ChatRef("discord", "guild:42")


async def say(app, text: str, *, manager: bool = True, chat: ChatRef = SERVER, locale: str = "en-US") -> str:
    msg = IncomingMessage(chat, "7", text, locale=locale, is_group=chat.chat_id.startswith("guild:"),
                          can_manage_chat=manager)
    return "\n".join(r.plain_text for r in await app.assistant.handle(msg))


async def stored(app):
    async with app.db.session() as session:
        return await find_chat(session, SERVER)


async def test_setup_round_trip(app):
    assert "not set up for this server yet" in await say(app, "/setup")
    assert "choose the channel" in await say(app, "/setup role=9")
    text = await say(app, "/setup channel=100 role=200", locale="fr")
    assert "<#100>" in text and "<@&200>" in text and "français" in text  # the manager's language by default
    chat = await stored(app)
    assert (chat.delivery_target, chat.mention, chat.language) == ("100", "200", "fr")
    await say(app, "/setup role=none language=en")
    chat = await stored(app)
    assert (chat.delivery_target, chat.mention, chat.language) == ("100", None, "en")
    assert "paused" in await say(app, "/setup reset")
    chat = await stored(app)
    assert chat.delivery_target is None and chat.language == "en"


async def test_setup_refusals_and_usage(app):
    assert "only members allowed to manage" in await say(app, "/setup channel=100", manager=False)
    assert await stored(app) is not None and (await stored(app)).delivery_target is None
    assert "Usage" in await say(app, "/setup channel=<#100>")
    assert "Usage" in await say(app, "/setup channel=100 language=de")
    assert "private chat" in await say(app, "/setup channel=100", chat=ChatRef("discord", "user:7"))


async def test_a_server_follow_waits_for_setup(app):
    assert "/setup" in await say(app, "/follow 2.12")
    await say(app, "/setup channel=100")
    assert "2.12" in await say(app, "/follow 2.12")
