"""Groups: answering only what is addressed to the bot, who manages the group, and supergroup migration."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from adapters.telegram.addressing import GroupManagers
from bot.domain import ChatRef
from bot.storage.chats import find_chat, get_or_create_chat, move_chat
from bot.storage.models import Chat, Notification, Subscription
from tests.telegram_support import GROUP, GROUP_ADMIN, MEMBER, quiet, visible

pytest_plugins = ["tests.telegram_fixtures"]

OLD_GROUP = -4242  # a basic group, before Telegram upgrades it to the supergroup GROUP
SUPER = {"chat_type": "supergroup", "chat_title": "OGP watchers"}


def ref(chat_id: int) -> ChatRef:
    return ChatRef("telegram", str(chat_id))


async def test_only_messages_addressed_to_the_bot_are_answered(tg, tg_service) -> None:
    tg.inject_message(GROUP, MEMBER, "what about lobbying transparency?", **SUPER)
    tg.inject_message(GROUP, MEMBER, "/help@some_other_bot", **SUPER)
    tg.inject_message(GROUP, MEMBER, "/weather Paris", **SUPER)  # not ours: another bot's command
    assert await quiet(tg, GROUP) == []

    question = tg.inject_message(GROUP, MEMBER, "@opengov_test_bot what about lobbying transparency?", **SUPER)
    answer = await tg.wait_for_message(GROUP)
    assert "lobby" in visible(answer["text"]).lower()
    assert answer["reply_to_message"]["message_id"] == question["message"]["message_id"]  # quotes the asker

    tg.inject_message(GROUP, MEMBER, "/help@opengov_test_bot", **SUPER)
    await tg.wait_for_message(GROUP, "What I can do")
    tg.inject_message(GROUP, MEMBER, "/help", **SUPER)
    await tg.wait_for_message(GROUP, "What I can do")
    tg.inject_message(GROUP, MEMBER, "/weather@opengov_test_bot", **SUPER)  # ours to answer, even unknown
    await tg.wait_for_message(GROUP, "weather")


async def test_an_entity_splitting_an_emoji_does_not_drop_the_message(tg, tg_service) -> None:
    """Entity offsets count UTF-16 code units: 🎉 is two. A mention cut through the middle of the emoji (a buggy
    or hostile client) must not make the message disappear; a well-placed one after an emoji works as well."""
    text = "🎉@opengov_test_bot what about lobbying transparency?"
    split = [{"type": "mention", "offset": 1, "length": 18}]
    question = tg.inject_message(GROUP, MEMBER, text, entities=split, **SUPER)
    answer = await tg.wait_for_message(GROUP)
    assert "lobby" in visible(answer["text"]).lower()
    assert answer["reply_to_message"]["message_id"] == question["message"]["message_id"]
    placed = [{"type": "mention", "offset": 2, "length": 17}]
    tg.inject_message(GROUP, MEMBER, "🎉@opengov_test_bot lobbying register", entities=placed, **SUPER)
    assert "Action 2.12" in visible((await tg.wait_for_message(GROUP, "Action 2.12"))["text"])


async def test_a_reply_to_the_bot_is_addressed_to_it(tg, tg_service) -> None:
    tg.inject_message(GROUP, MEMBER, "/about", **SUPER)
    about = await tg.wait_for_message(GROUP)
    update = tg.message_update(GROUP, MEMBER, "show 2.12", **SUPER)
    update["message"]["reply_to_message"] = about
    tg.inject_update(update)
    assert "Action 2.12" in visible((await tg.wait_for_message(GROUP))["text"])


async def test_admin_rights_are_asked_once_and_cached(tg, tg_service) -> None:
    tg.set_chat_admins(GROUP, [GROUP_ADMIN])
    for _ in range(2):
        tg.inject_message(GROUP, MEMBER, "/about", **SUPER)
        await tg.wait_for_message(GROUP)
    asked = tg.calls_to("getChatMember")
    assert len(asked) == 1 and asked[0].params == {"chat_id": GROUP, "user_id": MEMBER}
    assert await tg_service.handlers.managers.can_manage(_message_in(GROUP, tg_service), GROUP_ADMIN) is True
    assert await tg_service.handlers.managers.can_manage(_message_in(GROUP, tg_service), MEMBER) is False


async def test_admin_rights_are_asked_again_once_forgotten(tg, tg_service) -> None:
    tg.set_chat_admins(GROUP, [GROUP_ADMIN])
    message = _message_in(GROUP, tg_service)

    async def asked(managers: GroupManagers, *users: int) -> int:
        before = len(tg.calls_to("getChatMember"))
        for user in users:
            await managers.can_manage(message, user)
        return len(tg.calls_to("getChatMember")) - before

    briefly = GroupManagers(tg_service.handlers.managers.bot, ttl=0.3)
    assert await asked(briefly, GROUP_ADMIN, GROUP_ADMIN) == 1
    await asyncio.sleep(0.35)
    assert await asked(briefly, GROUP_ADMIN) == 1  # the answer expired: asked again
    one = GroupManagers(tg_service.handlers.managers.bot, capacity=1)
    assert await asked(one, GROUP_ADMIN, MEMBER, MEMBER, GROUP_ADMIN) == 3  # room for one answer only
    assert await one.can_manage(message, GROUP_ADMIN) is True and await one.can_manage(message, MEMBER) is False


def _message_in(chat_id: int, service):
    from telegram import Chat as TgChat
    from telegram import Message

    return Message(1, date=None, chat=TgChat(chat_id, "supergroup"))  # type: ignore[arg-type]


async def test_group_follows_need_a_group_admin(tg, tg_service, tg_app) -> None:
    tg.set_chat_admins(GROUP, [GROUP_ADMIN])
    tg.inject_message(GROUP, MEMBER, "/follow 2.12", **SUPER)
    await tg.wait_for_message(GROUP)
    async with tg_app.db.session() as session:
        chat = await find_chat(session, ref(GROUP))
        assert chat is not None and chat.is_group
        assert not list(await session.scalars(select(Subscription).where(Subscription.chat_pk == chat.id)))

    tg.inject_message(GROUP, GROUP_ADMIN, "/follow 2.12", **SUPER)
    await tg.wait_for_message(GROUP)
    async with tg_app.db.session() as session:
        subs = list(await session.scalars(select(Subscription).where(Subscription.chat_pk == chat.id)))
    assert [(s.target_kind, s.target_id) for s in subs] == [("action", "2.12")]


async def test_a_migrated_group_keeps_its_settings(tg, tg_service, tg_app) -> None:
    tg.inject_message(OLD_GROUP, MEMBER, "/language fr", chat_type="group")
    await tg.wait_for_message(OLD_GROUP)
    notice = tg.message_update(OLD_GROUP, MEMBER, "", chat_type="group")
    del notice["message"]["text"]
    notice["message"]["migrate_to_chat_id"] = GROUP  # Telegram's service message in the old group
    tg.inject_update(notice)
    await _wait_for_chat(tg_app, GROUP)
    tg.inject_message(GROUP, MEMBER, "/help", **SUPER)
    assert "Ce que je sais faire" in (await tg.wait_for_message(GROUP))["text"]
    async with tg_app.db.session() as session:
        assert await find_chat(session, ref(OLD_GROUP)) is None


async def test_chat_migrated_while_answering_moves_the_chat_and_answers_there(tg, tg_service, tg_app) -> None:
    tg.inject_message(OLD_GROUP, MEMBER, "/language fr", chat_type="group")
    await tg.wait_for_message(OLD_GROUP)
    tg.fail_chat(OLD_GROUP, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                 parameters={"migrate_to_chat_id": GROUP})
    tg.inject_message(OLD_GROUP, MEMBER, "/help", chat_type="group")
    assert "Ce que je sais faire" in (await tg.wait_for_message(GROUP))["text"]
    await _wait_for_chat(tg_app, GROUP)


async def _wait_for_chat(tg_app, chat_id: int, timeout: float = 5.0) -> Chat:
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with tg_app.db.session() as session:
            chat = await find_chat(session, ref(chat_id))
        if chat is not None:
            return chat
        await asyncio.sleep(0.02)
    raise AssertionError(f"chat {chat_id} never appeared")


async def test_move_chat_merges_into_an_existing_chat(app) -> None:
    async with app.db.session() as session, session.begin():
        old = await get_or_create_chat(session, ref(OLD_GROUP), is_group=True)
        new = await get_or_create_chat(session, ref(GROUP), is_group=True)
        old.language, old.frequency = "fr", "weekly"
        await session.flush()
        session.add_all([
            Subscription(chat_pk=old.id, target_kind="action", target_id="2.12"),
            Subscription(chat_pk=old.id, target_kind="commitment", target_id="3"),
            Subscription(chat_pk=new.id, target_kind="action", target_id="2.12"),
            Notification(chat_pk=old.id, key="alert:1", kind="alert", payload={}),
        ])
    await move_chat(app.db, ref(OLD_GROUP), ref(GROUP))
    async with app.db.session() as session:
        assert await find_chat(session, ref(OLD_GROUP)) is None
        merged = await find_chat(session, ref(GROUP))
        subs = await session.scalars(select(Subscription).where(Subscription.chat_pk == merged.id))
        owed = await session.scalars(select(Notification).where(Notification.chat_pk == merged.id))
        assert sorted((s.target_kind, s.target_id) for s in subs) == [("action", "2.12"), ("commitment", "3")]
        assert [n.key for n in owed] == ["alert:1"]
        assert (merged.language, merged.frequency) == ("fr", "weekly")
    await move_chat(app.db, ref(OLD_GROUP), ref(GROUP))  # a second migration notice changes nothing
