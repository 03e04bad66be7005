"""Alerts end to end on Telegram: an admin sets a status, the outbox worker delivers through TelegramOutbound."""

from __future__ import annotations

from sqlalchemy import select

from adapters.runner import make_telegram_service
from adapters.telegram.limits import default_rate_limiter
from bot.domain import ChatRef
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.storage.chats import find_chat
from bot.storage.models import Notification
from tests.outbox_support import add_followers
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


async def test_an_admin_sets_a_status_and_the_follower_is_alerted(tg, tg_service, tg_app) -> None:
    await follow(tg, USER, USER)
    await set_status(tg)
    stats = await tg_app.worker.run_once()
    assert stats["sent"] == 1
    alert = await tg.wait_for_message(USER, "2.12")
    assert "budget &lt;voted&gt; &amp; spent" in alert["text"]  # the admin's note is escaped too
    assert "budget <voted> & spent" in visible(alert["text"])
    assert await tg_app.worker.run_once() == {}  # nothing twice


async def test_a_user_who_blocked_the_bot_is_deactivated(tg, tg_service, tg_app) -> None:
    await follow(tg, USER, USER)
    tg.fail_chat(USER, 403, "Forbidden: bot was blocked by the user")
    await set_status(tg)
    stats = await tg_app.worker.run_once()
    assert stats["failed"] == 1
    async with tg_app.db.session() as session:
        chat = await find_chat(session, ChatRef("telegram", str(USER)))
    assert chat.active is False and "blocked" in chat.inactive_reason


async def test_flood_control_delays_but_never_loses_an_alert(tg, tg_service, tg_app) -> None:
    await follow(tg, USER, USER)
    await set_status(tg)
    tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    worker = tg_app.worker
    for _ in range(5):
        await worker.run_once()
        if await notification_states(tg_app) == ["sent"]:
            break
    assert await notification_states(tg_app) == ["sent"]
    refused = [c for c in tg.calls_to("sendMessage") if c.status == 429]
    assert len(refused) == 1
    alerts = [m for m in tg.sent(USER) if "budget" in m.get("text", "")]
    assert len(alerts) == 1


async def test_an_alert_to_a_migrated_group_follows_the_group(tg, tg_service, tg_app) -> None:
    tg.set_chat_admins(OLD_GROUP, [GROUP_ADMIN])
    await follow(tg, OLD_GROUP, GROUP_ADMIN, chat_type="group")
    await set_status(tg)
    tg.fail_chat(OLD_GROUP, 400, "Bad Request: group chat was upgraded to a supergroup chat",
                 parameters={"migrate_to_chat_id": GROUP})
    worker = tg_app.worker
    for _ in range(3):
        await worker.run_once()
        if tg.sent(GROUP):
            break
    assert "budget" in (await tg.wait_for_message(GROUP, "2.12"))["text"]
    async with tg_app.db.session() as session:
        assert await find_chat(session, ChatRef("telegram", str(OLD_GROUP))) is None
        assert (await find_chat(session, ChatRef("telegram", str(GROUP)))).is_group


async def test_a_message_telegram_refuses_fails_alone_and_the_follower_stays_active(tg, tg_service, tg_app) -> None:
    await follow(tg, USER, USER)
    await set_status(tg)
    tg.fail_next("sendMessage", 400, "Bad Request: can't parse entities: unsupported start tag")
    assert (await tg_app.worker.run_once())["failed"] == 1
    async with tg_app.db.session() as session:
        chat = await find_chat(session, ChatRef("telegram", str(USER)))
    assert chat.active is True and chat.inactive_reason is None
    assert "rejected: telegram: Can't parse entities" in (await last_error(tg_app))
    await set_status(tg, '/setstatus 2.12 complete "all done"')  # the next alert reaches them
    assert (await tg_app.worker.run_once())["sent"] == 1
    assert "all done" in (await tg.wait_for_message(USER, "all done"))["text"]


async def test_an_alert_long_in_utf16_units_is_split_as_telegram_counts(tg, tg_service, tg_app) -> None:
    await follow(tg, USER, USER)
    note = "😀" * 2000  # 2,000 characters, 4,000 UTF-16 code units: with the rest of the alert, over 4,096
    async with tg_app.db.session() as session, session.begin():
        await apply_status(session, tg_app.kb, StatusUpdate("2.12", Level.LIMITED, note), "test")
    assert await tg_app.worker.run_once() == {"sent": 1}
    parts = [visible(m["text"]) for m in tg.sent(USER)[1:]]  # after the "you now follow" reply
    assert len(parts) > 1 and sum(p.count("😀") for p in parts) == 2000
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)


async def test_no_second_carries_more_than_the_configured_rate_from_the_first_message(tg, tg_app) -> None:
    svc = make_telegram_service(tg_app, rate_limiter=default_rate_limiter(10), poll_timeout=1)
    tg_app.outbounds["telegram"] = svc.outbound
    await svc.start()
    try:
        await add_followers(tg_app, 16, platform="telegram", prefix="7")
        async with tg_app.db.session() as session, session.begin():
            await apply_status(session, tg_app.kb, StatusUpdate("2.12", Level.LIMITED), "test")
        assert await tg_app.worker.run_once() == {"sent": 16}
    finally:
        await svc.stop()
    times = sorted(c.at for c in tg.calls_to("sendMessage"))
    assert len(times) == 16
    assert max_in_window(times) <= 10  # the limiter no longer starts full (it let 9 go at once, then 10/s)


def max_in_window(times: list[float], width: float = 1.0) -> int:
    """The most events in any window of `width` seconds (times sorted)."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


async def last_error(tg_app) -> str:
    async with tg_app.db.session() as session:
        return await session.scalar(select(Notification.last_error).order_by(Notification.id.desc()).limit(1))
