"""Self-test of tests/fakes/telegram_api.py: the real python-telegram-bot against the fake, no mocks."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import FakeTelegram

USER = 555
GROUP = -1001234567890
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8  # the fake does not decode images
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy, and any attempt to reach beyond 127.0.0.1 fails loudly instead of hanging."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in LOOPBACK and host is not None:
            raise OSError(f"test tried to resolve {host!r}: only loopback is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):  # type: ignore[no-untyped-def]
        if isinstance(address, tuple) and address[0] not in LOOPBACK:
            raise OSError(f"test tried to connect to {address!r}: only loopback is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
async def fake():
    async with FakeTelegram() as tg:
        yield tg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes"),
                                      InlineKeyboardButton("No", callback_data="no")]])
    await update.effective_message.reply_text("Welcome! Continue?", reply_markup=keyboard)


async def clicked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("Noted")
    await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_chat.send_action("upload_photo")
    await update.effective_message.reply_photo(PHOTO, caption="chart")


async def mentioned(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("You called?")


def bootstrap(tg: FakeTelegram) -> Application:
    app = (ApplicationBuilder().token(tg.token).base_url(tg.base_url).base_file_url(tg.base_file_url)
           .get_updates_read_timeout(2).get_updates_connect_timeout(2).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("photo", photo))
    app.add_handler(CallbackQueryHandler(clicked))
    app.add_handler(MessageHandler(filters.Entity("mention"), mentioned))
    return app


@pytest.fixture
async def polling_app(fake: FakeTelegram):
    app = bootstrap(fake)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture
async def bot(fake: FakeTelegram):
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


async def test_start_reply_keyboard_then_callback(fake: FakeTelegram, polling_app: Application) -> None:
    fake.inject_message(USER, USER, "/start")
    reply = await fake.wait_for_message(USER, "Welcome")
    assert reply["reply_markup"]["inline_keyboard"][0][0] == {"text": "Yes", "callback_data": "yes"}
    assert reply["from"]["username"] == "opengov_test_bot"
    assert reply["message_id"] == 2  # ids count per chat: /start was 1

    update = fake.inject_callback(USER, USER, reply["message_id"], "yes")
    edited = await fake.wait_for_message(USER, "You chose yes")
    assert edited["message_id"] == reply["message_id"] and "edit_date" in edited
    assert "reply_markup" not in edited  # editing without a markup drops the keyboard, as on Telegram
    answer = fake.calls_to("answerCallbackQuery")[0].params
    assert answer == {"callback_query_id": update["callback_query"]["id"], "text": "Noted"}
    assert [m["text"] for m in fake.sent(USER)] == ["Welcome! Continue?", "You chose yes"]
    # the bot confirmed the update ids through the getUpdates offset
    await fake.wait_for(lambda calls: not fake.updates)


async def test_photo_upload_and_download(fake: FakeTelegram, polling_app: Application) -> None:
    fake.inject_message(USER, USER, "/photo")
    msg = await fake.wait_for_message(USER, "chart")
    call = fake.calls_to("sendPhoto")[0]
    assert call.files == {"photo": len(PHOTO)} and call.params["chat_id"] == USER
    assert fake.calls_to("sendChatAction")[0].params["action"] == "upload_photo"
    file = await polling_app.bot.get_file(msg["photo"][-1]["file_id"])
    assert bytes(await file.download_as_bytearray()) == PHOTO


async def test_group_command_with_suffix_and_mention(fake: FakeTelegram, polling_app: Application) -> None:
    fake.inject_message(GROUP, 7, "/start@opengov_test_bot", chat_type="supergroup", chat_title="OGP")
    assert (await fake.wait_for_message(GROUP, "Welcome"))["chat"]["title"] == "OGP"
    update = fake.inject_message(GROUP, 7, "é @opengov_test_bot hi", chat_type="supergroup")
    assert update["message"]["entities"] == [{"type": "mention", "offset": 2, "length": 17}]
    await fake.wait_for_message(GROUP, "You called?")


async def test_errors_map_to_ptb_exceptions(fake: FakeTelegram, bot: Bot,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, RetryAfter() itself emits a PTBDeprecationWarning (int -> timedelta).
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", parameters={"retry_after": 1})
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(USER, "hi")
    assert flood.value.retry_after == dt.timedelta(seconds=1)
    assert (await bot.send_message(USER, "hi again")).text == "hi again"  # only the next call failed

    fake.fail_chat(42, 403, "Forbidden: bot was blocked by the user")
    for _ in range(2):
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(42, "hi")
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(USER, "hi")
    fake.fail_next("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
                   parameters={"migrate_to_chat_id": GROUP})
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-4242, "hi")
    assert migrated.value.new_chat_id == GROUP
    for status in (500, 502):
        fake.fail_next("sendMessage", status, "Internal Server Error")
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "hi")
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="(?i)message is too long"):  # 2,049 emoji are 4,098 UTF-16 units
        await bot.send_message(USER, "😀" * 2049)
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags are not counted
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("someFutureMethod")
    assert fake.calls_to("someFutureMethod")[0].status == 404
    with pytest.raises(InvalidToken):  # a wrong token answers 401 to getMe
        async with Bot("999:WRONG", base_url=fake.base_url):
            pass
    fake.clear_failures()
    assert (await bot.send_message(42, "unblocked")).chat.id == 42


async def test_edit_and_delete_semantics(fake: FakeTelegram, bot: Bot) -> None:
    msg = await bot.send_message(USER, "one")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("one", USER, msg.message_id)
    assert (await bot.edit_message_text("two", USER, msg.message_id)).text == "two"
    assert await bot.delete_message(USER, msg.message_id)
    with pytest.raises(BadRequest, match="(?i)not found"):
        await bot.edit_message_text("three", USER, msg.message_id)


async def test_commands_chat_and_admins(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "Démarrer")], language_code="fr")
    assert [c["command"] for c in fake.commands[("default", "")]] == ["start", "help"]
    assert fake.commands[("default", "fr")] == [{"command": "start", "description": "Démarrer"}]
    assert [c.description for c in await bot.get_my_commands(language_code="fr")] == ["Démarrer"]

    fake.set_chat_admins(GROUP, [7, bot.id])
    assert (await bot.get_chat_member(GROUP, 7)).status == "administrator"
    assert (await bot.get_chat_member(GROUP, 8)).status == "member"
    assert {m.user.id for m in await bot.get_chat_administrators(GROUP)} == {7, bot.id}
    chat = await bot.get_chat(GROUP)
    assert chat.type == "supergroup" and chat.id == GROUP


async def test_get_updates_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda calls: fake.calls_to("getUpdates"))
    began = time.monotonic()
    fake.inject_message(USER, USER, "hello")
    updates = await poll
    assert time.monotonic() - began < 1 and updates[0].message.text == "hello"
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake.updates == []

    poll = asyncio.create_task(bot.get_updates(timeout=30))  # a poll still open when the fake stops
    await fake.wait_for(lambda calls: len(fake.calls_to("getUpdates")) == 3)
    began = time.monotonic()
    await fake.stop()
    assert await poll == () and time.monotonic() - began < 0.5


async def test_polling_shutdown_is_fast(fake: FakeTelegram) -> None:
    app = bootstrap(fake)
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=30)
        await fake.wait_for(lambda calls: [c for c in fake.calls_to("getUpdates") if c.params.get("timeout")])
        began = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - began < 1.5
    began = time.monotonic()
    await fake.stop()  # PTB abandoned its 30 s poll; the fake must not wait it out either
    assert time.monotonic() - began < 0.5


async def test_webhook(fake: FakeTelegram) -> None:
    app = bootstrap(fake)
    port = free_port()
    async with app:
        await app.start()
        await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="tg-hook",
                                        secret_token="s3cret", webhook_url=f"http://127.0.0.1:{port}/tg-hook")
        assert fake.webhook["url"] == f"http://127.0.0.1:{port}/tg-hook"
        assert fake.webhook["secret_token"] == "s3cret"
        assert (await app.bot.get_webhook_info()).url == fake.webhook["url"]
        with pytest.raises(Conflict):
            await app.bot.get_updates()

        assert await fake.post_webhook(fake.make_update_json(USER, USER, "/start")) == 200
        await fake.wait_for_message(USER, "Welcome")
        update = fake.make_update_json(USER, USER, "/start")
        assert await fake.post_webhook(update, secret_token="wrong") == 403
        assert await fake.post_webhook(update, secret_token=None) == 403
        await asyncio.sleep(0.1)
        assert len(fake.sent(USER)) == 1
        await app.updater.stop()
        await app.stop()
