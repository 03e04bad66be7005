"""TelegramOutbound: alerts delivered through real PTB to the fake, and Telegram's errors mapped for the worker."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot
from telegram.ext import ExtBot

from adapters.telegram.limits import PacedRateLimiter, default_rate_limiter
from adapters.telegram.outbound import TelegramOutbound
from bot.domain import (
    Block,
    Button,
    ChatMovedError,
    ChatRef,
    Image,
    PermanentDeliveryError,
    Recipient,
    RejectedMessageError,
    Reply,
    Style,
    TemporaryDeliveryError,
)
from bot.pacing import ChatLimit, Pacer
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_support import GROUP, USER, balanced, buttons

pytest_plugins = ["tests.telegram_fixtures"]

ALERT = Reply((Block("Action 2.12 <changed>", Style.HEADING), Block("now: substantial")),
              ((Button("Show", "show 2.12"),),))


def to(chat_id: int) -> Recipient:
    return Recipient(ChatRef("telegram", str(chat_id)))


@pytest.fixture
async def bot(tg: FakeTelegram):
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as b:
        yield b


@pytest.fixture
def outbound(bot: Bot) -> TelegramOutbound:
    return TelegramOutbound(bot)


async def test_an_alert_is_sent_as_html_with_its_buttons(tg, outbound) -> None:
    result = await outbound.send(to(USER), ALERT, key="alert:1")
    [message] = tg.sent(USER)
    assert result.message_ids == (str(message["message_id"]),)
    assert message["text"] == "<b>Action 2.12 &lt;changed&gt;</b>\n\nnow: substantial"
    assert buttons(message) == [("Show", "show 2.12")]
    assert tg.calls_to("sendMessage")[0].params["parse_mode"] == "HTML"


async def test_a_delivery_target_overrides_the_chat(tg, outbound) -> None:
    await outbound.send(Recipient(ChatRef("telegram", str(USER)), target=str(GROUP)), ALERT, key="k")
    assert tg.sent(GROUP) and not tg.sent(USER)


@pytest.mark.parametrize(("status", "description", "parameters", "expected"), [
    (403, "Forbidden: bot was blocked by the user", None, PermanentDeliveryError),
    (403, "Forbidden: user is deactivated", None, PermanentDeliveryError),
    (403, "Forbidden: bot was kicked from the group chat", None, PermanentDeliveryError),
    (400, "Bad Request: chat not found", None, PermanentDeliveryError),
    (400, "Bad Request: can't parse entities: unsupported start tag", None, RejectedMessageError),
    (400, "Bad Request: message is too long", None, RejectedMessageError),
    (400, "Bad Request: have no rights to send a message", None, PermanentDeliveryError),
    (400, "Bad Request: user is deactivated", None, PermanentDeliveryError),
    (429, "Too Many Requests: retry after 7", {"retry_after": 7}, TemporaryDeliveryError),
    (500, "Internal Server Error", None, TemporaryDeliveryError),
    (502, "Bad Gateway", None, TemporaryDeliveryError),
    (400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": GROUP},
     ChatMovedError),
])
async def test_errors_are_mapped_for_the_worker(tg, outbound, status, description, parameters, expected) -> None:
    tg.fail_next("sendMessage", status, description, parameters=parameters)
    with pytest.raises(expected) as raised:
        await outbound.send(to(-4242), ALERT, key="k")
    if status == 429:
        assert raised.value.retry_after == 7
    if expected is ChatMovedError:
        assert raised.value.new_chat == ChatRef("telegram", str(GROUP))


async def test_an_unreachable_api_is_temporary(tg, outbound) -> None:
    await tg.stop()
    with pytest.raises(TemporaryDeliveryError):
        await outbound.send(to(USER), ALERT, key="k")


async def test_a_revoked_token_never_blames_the_recipient(tg, outbound) -> None:
    tg.token = "123:REVOKED"  # our token now answers 401, as after a revocation in BotFather
    with pytest.raises(TemporaryDeliveryError):
        await outbound.send(to(USER), ALERT, key="k")


async def test_a_stopped_bot_is_temporary(tg) -> None:
    async with Bot(tg.token, base_url=tg.base_url) as bot:
        outbound = TelegramOutbound(bot)
    with pytest.raises(TemporaryDeliveryError):  # the service stopped while the worker still runs
        await outbound.send(to(USER), ALERT, key="k")


async def test_a_retried_split_alert_resumes_where_it_stopped(tg, outbound) -> None:
    chart = Reply((Block("x " * 700),), image=Image(b"\x89PNG" + b"0" * 500, "progress.png", "chart"))
    tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    with pytest.raises(TemporaryDeliveryError):
        await outbound.send(to(USER), chart, key="digest:1")  # the photo went, the text did not
    result = await outbound.send(to(USER), chart, key="digest:1")
    assert len(tg.calls_to("sendPhoto")) == 1 and len(result.message_ids) == 1
    assert [("photo" in m) for m in tg.sent(USER)] == [True, False]
    await outbound.send(to(USER), chart, key="digest:2")  # another key starts from the beginning
    assert len(tg.calls_to("sendPhoto")) == 2


async def test_only_the_most_recent_halfway_alerts_are_remembered(tg, bot) -> None:
    outbound = TelegramOutbound(bot, memory=1)  # remembers one alert's progress
    chart = Reply((Block("x " * 700),), image=Image(b"\x89PNG" + b"0" * 500, "progress.png", "chart"))
    for key in ("digest:1", "digest:2"):  # each stops after its photo
        tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
        with pytest.raises(TemporaryDeliveryError):
            await outbound.send(to(USER), chart, key=key)
    await outbound.send(to(USER), chart, key="digest:2")  # the most recent resumes
    assert len(tg.calls_to("sendPhoto")) == 2
    await outbound.send(to(USER), chart, key="digest:1")  # the older one was forgotten: from the beginning
    assert len(tg.calls_to("sendPhoto")) == 3


async def test_long_alerts_are_split_under_4096_with_balanced_tags(tg, outbound) -> None:
    reply = Reply((Block("Announcement", Style.HEADING), Block("<&> " * 3000, Style.QUOTE)))
    await outbound.send(to(USER), reply, key="k")
    texts = [m["text"] for m in tg.sent(USER)]
    assert len(texts) >= 3
    assert all(len(t) <= 4096 and balanced(t) for t in texts)


async def test_the_rate_limiter_paces_deliveries(tg) -> None:
    async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=default_rate_limiter(20)) as bot:
        outbound = TelegramOutbound(bot)
        began = time.monotonic()
        for i in range(30):
            await outbound.send(to(USER + i), ALERT, key=f"k{i}")
        # evenly spaced from the first: 20 a second less one kept for answers, 2 % under: 18.6 a second
        assert time.monotonic() - began >= 29 / 18.6 - 0.05
    assert len(tg.calls_to("sendMessage")) == 30


async def test_lookups_do_not_use_up_a_groups_message_allowance(tg) -> None:
    limiter = PacedRateLimiter(Pacer({}), group_limit=ChatLimit(per_minute=1, burst=1))
    async with ExtBot(tg.token, base_url=tg.base_url, rate_limiter=limiter) as bot:
        for _ in range(5):  # admin checks: not messages, not counted
            await asyncio.wait_for(bot.get_chat_member(GROUP, 7), 1)
        await asyncio.wait_for(bot.send_message(GROUP, "one"), 1)
        with pytest.raises(TimeoutError):  # the group's allowance (1 a minute here) is spent
            await asyncio.wait_for(bot.send_message(GROUP, "two"), 0.3)


async def test_a_bot_without_rate_limiter_is_paced_by_the_worker_and_one_with_is_not(app) -> None:
    from tests.outbox_support import make_worker

    bare = TelegramOutbound(ExtBot("1:x"))
    assert make_worker(app, bare, platform="telegram").paced("telegram")
    paced = TelegramOutbound(ExtBot("1:x", rate_limiter=default_rate_limiter(30)))
    assert not make_worker(app, paced, platform="telegram").paced("telegram")  # each send counted once
