"""Alerts end to end on Telegram: an admin sets a status, the outbox worker delivers through TelegramOutbound."""

from __future__ import annotations

from sqlalchemy import select

from adapters.runner import build_worker
from bot.chats import find_chat
from bot.domain import ChatRef
from bot.storage.models import Notification
from tests.telegram_support import ADMIN, GROUP, GROUP_ADMIN, USER, visible

pytest_plugins = ["tests.telegram_fixtures"]

SET_STATUS = '/setstatus 2.12 substantial "budget <voted> & spent"'
OLD_GROUP = -4242


async def follow(tg, chat_id: int, user_id: int, item: str = "2.12", **kwargs) -> None:
    tg.inject_message(chat_id, user_id, f"/follow {item}", **kwargs)
    await tg.wait_for_message(chat_id, item)


async def set_status(tg, command: str = SET_STATUS) -> None:
    tg.inject_message(ADMIN, ADMIN, command)
    await tg.wait_for_message(ADMIN, "2.12")


async def notification_states(tg_app) -> list[str]:
    async with tg_app.db.session() as session:
        return list(await session.scalars(select(Notification.state).order_by(Notification.id)))


async def test_an_admin_sets_a_status_and_the_follower_is_alerted(tg, service, tg_app) -> None:
    await follow(tg, USER, USER)
    await set_status(tg)
    stats = await build_worker(tg_app).run_once()
    assert stats["sent"] == 1
    alert = await tg.wait_for_message(USER, "2.12")
    assert "budget &lt;voted&gt; &amp; spent" in alert["text"]  # the admin's note is escaped too
    assert "budget <voted> & spent" in visible(alert["text"])
    assert await build_worker(tg_app).run_once() == {}  # nothing twice


async def test_a_user_who_blocked_the_bot_is_deactivated(tg, service, tg_app) -> None:
    await follow(tg, USER, USER)
    tg.fail_chat(USER, 403, "Forbidden: bot was blocked by the user")
    await set_status(tg)
    stats = await build_worker(tg_app).run_once()
    assert stats["failed"] == 1
    async with tg_app.db.session() as session:
        chat = await find_chat(session, ChatRef("telegram", str(USER)))
    assert chat.active is False and "blocked" in chat.inactive_reason


async def test_flood_control_delays_but_never_loses_an_alert(tg, service, tg_app) -> None:
    await follow(tg, USER, USER)
    await set_status(tg)
    tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    worker = build_worker(tg_app)
    for _ in range(5):
        await worker.run_once()
        if await notification_states(tg_app) == ["sent"]:
            break
    assert await notification_states(tg_app) == ["sent"]
    refused = [c for c in tg.calls_to("sendMessage") if c.status == 429]
    assert len(refused) == 1
    alerts = [m for m in tg.sent(USER) if "budget" in m.get("text", "")]
    assert len(alerts) == 1


async def test_an_alert_to_a_migrated_group_follows_the_group(tg, service, tg_app) -> None:
    tg.set_chat_admins(OLD_GROUP, [GROUP_ADMIN])
    await follow(tg, OLD_GROUP, GROUP_ADMIN, chat_type="group")
    await set_status(tg)
    tg.fail_chat(OLD_GROUP, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                 parameters={"migrate_to_chat_id": GROUP})
    worker = build_worker(tg_app)
    for _ in range(3):
        await worker.run_once()
        if tg.sent(GROUP):
            break
    assert "budget" in (await tg.wait_for_message(GROUP, "2.12"))["text"]
    async with tg_app.db.session() as session:
        assert await find_chat(session, ChatRef("telegram", str(OLD_GROUP))) is None
        assert (await find_chat(session, ChatRef("telegram", str(GROUP)))).is_group
