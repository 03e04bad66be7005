"""A fake Telegram Bot API server for end-to-end tests.

It runs an aiohttp server on 127.0.0.1 (random port) that speaks enough of the Bot API for the
real python-telegram-bot ``Application`` to poll, receive webhooks' worth of updates, send, edit
and fail like Telegram does. Point PTB at it with::

    async with FakeTelegram() as tg:
        app = (ApplicationBuilder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())

Requests are decoded the way PTB encodes them (form-urlencoded, multipart when a file is attached:
string parameters raw, everything else JSON): every request lands in ``tg.calls`` as a
:class:`Call` whose ``params`` hold decoded values (``chat_id`` -> ``555``, ``reply_markup`` -> dict).
Parameters listed in ``STRING_PARAMS`` (``text``, ``caption``, ...) are never JSON-decoded, so a
message text like ``"42"`` stays a string.

Behaviour worth knowing:

* ``getUpdates`` returns stored updates with ``update_id >= offset`` and forgets the lower ones;
  it long-polls up to ``timeout`` seconds, returns as soon as an update is injected, and returns
  ``[]`` at once when the fake stops (so PTB shutdown never waits out a poll). While a webhook is
  set it answers 409 Conflict, as Telegram does.
* Message ids are counted per chat (incoming and outgoing share the counter). Sent messages are
  stored; edits change the stored message. Editing without ``reply_markup`` drops the inline
  keyboard, an edit that changes nothing is 400 "message is not modified", text over 4096 UTF-16
  code units once parsed (HTML tags dropped, entities decoded) is 400 "message is too long" - all as
  on Telegram. Beyond that, ``parse_mode`` markup is not parsed.
* Unknown methods answer 404 (PTB raises ``InvalidToken`` for that, or ``EndPointNotFound`` from
  ``bot.do_api_request``); a wrong token answers 401. Both are recorded in ``calls``.
"""

from __future__ import annotations

import asyncio
import copy
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import ClientSession, web

STRING_PARAMS = frozenset({
    "text", "caption", "url", "secret_token", "parse_mode", "callback_query_id", "inline_message_id",
    "action", "language_code", "ip_address", "business_connection_id", "message_effect_id", "emoji",
    "title", "description", "short_description", "name", "query", "file_id",
    "photo", "document", "audio", "video", "voice", "animation", "sticker",  # a file_id or URL
})
# Methods that only need to answer ``true``.
TRUE_METHODS = frozenset({
    "sendchataction", "answercallbackquery", "close", "logout", "deletemycommands", "setmydescription",
    "setmyshortdescription", "setmyname", "setchatmenubutton", "pinchatmessage", "unpinchatmessage",
    "leavechat",
})
MAX_TEXT, MAX_CAPTION = 4096, 1024
_TAG = re.compile(r"<[^>]*>")


def telegram_length(params: dict, text: str) -> int:
    """What Telegram measures against its limits: the text once parsed (HTML tags gone, entities decoded), in
    UTF-16 code units (an emoji outside the BMP counts twice)."""
    if (params.get("parse_mode") or "").upper() == "HTML":
        text = html.unescape(_TAG.sub("", text))
    return utf16_length(text)


def utf16_length(text: str) -> int:
    """Telegram's unit for lengths and entity offsets: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# Methods that count against flood control (see ``FakeTelegram.limit_rate``).
SENDING_METHODS = frozenset({"sendmessage", "sendphoto", "senddocument", "editmessagetext", "copymessage",
                             "forwardmessage"})
_UNSET: Any = object()


@dataclass
class Call:
    """One HTTP request the fake received."""

    method: str                 # as requested, e.g. "sendMessage"
    params: dict[str, Any]      # decoded parameters (uploaded files excluded, see ``files``)
    at: float                   # time.monotonic() on arrival
    files: dict[str, int] = field(default_factory=dict)  # multipart field -> uploaded byte size
    status: int = 0             # HTTP status answered (0 while still running, e.g. a long poll)


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict | None
    times: int | None           # None = forever


class _TokenBucket:
    def __init__(self, rate: float, capacity: float):
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class ApiError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, ...}``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


class FakeTelegram:
    """In-process fake Bot API server. See the module docstring for the semantics."""

    def __init__(self, token: str = "123:TEST", bot_username: str = "opengov_test_bot",
                 bot_first_name: str = "OpenGov Test Bot", *, port: int = 0):
        self.token = token
        self._listen_port = port  # 0: a free port; a given one lets a test start the fake after the bot
        self.bot_username = bot_username
        self.me: dict = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": bot_first_name,
            "username": bot_username, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.updates: list[dict] = []                   # not yet confirmed by a getUpdates offset
        self.webhook: dict = {"url": "", "secret_token": None, "allowed_updates": None}
        self.commands: dict[tuple[str, str], list[dict]] = {}  # (scope, language_code) -> commands
        self.messages: dict[tuple[int, int], dict] = {}        # (chat_id, message_id) -> current msg
        self.files: dict[str, bytes] = {}               # file_id -> uploaded bytes
        self.port: int | None = None
        self._outbox: list[dict] = []                   # snapshots of sent and edited messages
        self._consumed: set[int] = set()                # outbox indexes wait_for_message returned
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._admins: dict[int, list[int]] = {}
        self._fail_next: dict[str, list[_Failure]] = {}
        self._fail_chat: dict[int, _Failure] = {}
        self._msg_ids: dict[int, itertools.count] = {}
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)                  # callback query / file ids
        self._wakeup = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._flood: _TokenBucket | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> Self:
        """Start serving on 127.0.0.1 on a free port (or the ``port`` given)."""
        app = web.Application(client_max_size=50 * 1024 * 1024)  # Bot API allows 50 MB uploads
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._listen_port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._closing = False
        return self

    async def stop(self) -> None:
        """Stop serving. Pending long polls answer ``[]`` at once."""
        self._closing = True
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ scripting the fake
    def message_update(self, chat_id: int, user_id: int, text: str, *, chat_type: str = "private",
                       language_code: str = "en", first_name: str = "Alice", username: str | None = None,
                       chat_title: str | None = None, entities: list[dict] | None = None) -> dict:
        """Build (without queueing) an update with a user's text message. Adds a ``bot_command``
        entity when the text starts with "/" and ``mention`` entities for ``@<bot_username>``."""
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        if username:
            user["username"] = username
        self._users[user_id] = user
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or f"Chat {chat_id}"}
        self._chats[chat_id] = chat
        msg = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
               "chat": chat, "from": user, "text": text}
        entities = self._auto_entities(text) if entities is None else entities
        if entities:
            msg["entities"] = entities
        self.messages[(chat_id, msg["message_id"])] = msg
        return {"update_id": next(self._update_ids), "message": msg}

    def callback_update(self, chat_id: int, user_id: int, message_id: int, data: str, *,
                        language_code: str = "en") -> dict:
        """Build (without queueing) an update for a click on an inline button of ``message_id``."""
        user = dict(self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Alice"})
        user["language_code"] = language_code
        message = self.messages.get((chat_id, message_id)) or {
            "message_id": message_id, "date": int(time.time()), "chat": self._chat(chat_id)}
        query = {"id": str(next(self._ids)), "from": user, "message": copy.deepcopy(message),
                 "chat_instance": f"ci{chat_id}", "data": data}
        return {"update_id": next(self._update_ids), "callback_query": query}

    def inject_update(self, update: dict) -> dict:
        """Queue a raw update for getUpdates."""
        self.updates.append(update)
        self._wake()
        return update

    def inject_message(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> dict:
        """Queue :meth:`message_update` (same arguments) for getUpdates; return the update."""
        return self.inject_update(self.message_update(chat_id, user_id, text, **kwargs))

    def inject_callback(self, chat_id: int, user_id: int, message_id: int, data: str, **kwargs: Any) -> dict:
        """Queue :meth:`callback_update` (same arguments) for getUpdates; return the update."""
        return self.inject_update(self.callback_update(chat_id, user_id, message_id, data, **kwargs))

    def make_update_json(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> str:
        """:meth:`message_update` as a JSON string, to POST to a webhook."""
        return json.dumps(self.message_update(chat_id, user_id, text, **kwargs))

    async def post_webhook(self, update: dict | str, *, url: str | None = None,
                           secret_token: str | None = _UNSET) -> int:
        """POST an update to the webhook set via setWebhook (or ``url``), as Telegram would, with the
        recorded secret token (or ``secret_token``; ``None`` sends none). Returns the HTTP status."""
        body = update if isinstance(update, str) else json.dumps(update)
        secret = self.webhook["secret_token"] if secret_token is _UNSET else secret_token
        headers = {"Content-Type": "application/json"}  # PTB rejects anything else with 403
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with ClientSession() as session, session.post(
                url or self.webhook["url"], data=body, headers=headers) as resp:
            return resp.status

    def set_chat_admins(self, chat_id: int, user_ids: list[int]) -> None:
        """Users (may include the bot's id) that getChatMember/getChatAdministrators report as admins."""
        self._admins[chat_id] = list(user_ids)

    def fail_next(self, method: str, status: int, description: str, *, parameters: dict | None = None,
                  times: int | None = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: until cleared)."""
        failure = _Failure(status, description, parameters, times)
        self._fail_next.setdefault(method.lower(), []).append(failure)

    def fail_chat(self, chat_id: int, status: int, description: str, *,
                  parameters: dict | None = None) -> None:
        """Make every call whose ``chat_id`` is ``chat_id`` fail until :meth:`clear_failures`."""
        self._fail_chat[chat_id] = _Failure(status, description, parameters, None)

    def limit_rate(self, per_second: float | None, burst: float | None = None) -> None:
        """Answer 429 "retry after 1" to sending methods beyond ``per_second`` sustained, allowing bursts
        of ``burst`` (default: ``per_second``), like Telegram's flood control; ``None`` turns it off.
        Count the refusals with ``[c for c in tg.calls if c.status == 429]``."""
        self._flood = None if per_second is None else _TokenBucket(per_second, burst or per_second)

    def clear_failures(self) -> None:
        self._fail_next.clear()
        self._fail_chat.clear()

    # ------------------------------------------------------------------ inspecting
    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """Snapshots of messages the bot sent (sendMessage/sendPhoto), in order; every edit appears as
        one more snapshot of the same ``message_id`` with ``edit_date`` set."""
        return [m for m in self._outbox if chat_id is None or m["chat"]["id"] == chat_id]

    async def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 5.0) -> Any:
        """Poll until ``predicate(calls)`` is truthy and return its value; AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate(self.calls)
            if result:
                return result
            if time.monotonic() > deadline:
                seen = [f"{c.method}:{c.status}" for c in self.calls[-15:]]
                raise AssertionError(f"condition not met within {timeout}s; last calls: {seen}")
            await asyncio.sleep(0.01)

    async def wait_for_message(self, chat_id: int, contains: str | None = None, timeout: float = 5.0) -> dict:
        """Wait for the earliest snapshot in :meth:`sent` for ``chat_id`` (text or caption containing
        ``contains``) that no earlier ``wait_for_message`` returned; mark it returned and return it."""
        def find(_calls: list[Call]) -> int | None:
            for i, m in enumerate(self._outbox):
                body = m.get("text", m.get("caption", "")) or ""
                if i not in self._consumed and m["chat"]["id"] == chat_id and (
                        contains is None or contains in body):
                    return i + 1  # truthy
            return None
        try:
            index = await self.wait_for(find, timeout) - 1
        except AssertionError:
            texts = [m.get("text", m.get("caption")) for m in self.sent(chat_id)]
            raise AssertionError(
                f"no message {contains!r} to chat {chat_id} in {timeout}s; sent: {texts}") from None
        self._consumed.add(index)
        return self._outbox[index]

    # ------------------------------------------------------------------ HTTP plumbing
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._decode(request)
        call = Call(method, params, time.monotonic(), {k: len(v) for k, v in files.items()})
        self.calls.append(call)
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            self._check_failures(method, params)
            if self._flood is not None and method.lower() in SENDING_METHODS and not self._flood.take():
                raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is not None:
                result = await handler(params, files)
            elif method.lower() in TRUE_METHODS:
                result = True
            else:
                raise ApiError(404, "Not Found")
        except ApiError as exc:
            call.status = exc.status
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.status)
        call.status = 200
        return web.json_response({"ok": True, "result": result})

    async def _decode(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            raw.update(await request.json())
            return raw, files
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            else:
                raw[key] = value
        params = {}
        for key, value in raw.items():
            params[key] = value
            if isinstance(value, str) and key not in STRING_PARAMS:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params, files

    def _check_failures(self, method: str, params: dict) -> None:
        queue = self._fail_next.get(method.lower())
        chat_id = params.get("chat_id")
        failure = queue[0] if queue else self._fail_chat.get(chat_id) if isinstance(chat_id, int) else None
        if failure is None:
            return
        if queue and failure.times is not None:
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
        raise ApiError(failure.status, failure.description, failure.parameters)

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".")[0]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    # ------------------------------------------------------------------ helpers
    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._msg_ids.setdefault(chat_id, itertools.count(1)))

    def _chat(self, chat_id: Any) -> dict:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "User"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                self._chats[chat_id] = {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
        return self._chats[chat_id]

    def _auto_entities(self, text: str) -> list[dict]:
        u16 = utf16_length
        entities, command_end = [], 0
        if text.startswith("/"):
            command_end = len(text.split(maxsplit=1)[0])
            entities.append({"type": "bot_command", "offset": 0, "length": u16(text[:command_end])})
        mention, start = f"@{self.bot_username}".lower(), command_end
        while (i := text.lower().find(mention, start)) >= 0:
            entities.append({"type": "mention", "offset": u16(text[:i]), "length": u16(mention)})
            start = i + len(mention)
        return entities

    def _store_sent(self, params: dict, content: dict) -> dict:
        chat_id = params.get("chat_id")
        msg = {"message_id": self._next_message_id(self._chat(chat_id)["id"]), "date": int(time.time()),
               "chat": self._chat(chat_id), "from": self.me, **content}
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes inline only
            msg["reply_markup"] = markup
        reply = params.get("reply_parameters") or {}
        if isinstance(reply, dict) and (chat_id, reply.get("message_id")) in self.messages:
            msg["reply_to_message"] = copy.deepcopy(self.messages[(chat_id, reply["message_id"])])
            msg["reply_to_message"].pop("reply_to_message", None)
        self.messages[(chat_id, msg["message_id"])] = msg
        self._outbox.append(copy.deepcopy(msg))
        return msg

    def _edit(self, params: dict, change: dict) -> dict | bool:
        if params.get("inline_message_id"):
            return True
        msg = self.messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup")
        change["reply_markup"] = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if all(msg.get(k) == v for k, v in change.items()):
            raise ApiError(400, "Bad Request: message is not modified: specified new message content and "
                                "reply markup are exactly the same as a current content and reply markup "
                                "of the message")
        for key, value in change.items():
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        msg["edit_date"] = int(time.time())
        self._outbox.append(copy.deepcopy(msg))
        return msg

    def _member(self, chat_id: int, user_id: int) -> dict:
        user = self.me if user_id == self.me["id"] else self._users.get(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"})
        if user_id not in self._admins.get(chat_id, []):
            return {"status": "member", "user": user}
        rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                  "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                  "can_delete_stories", "can_pin_messages")
        return {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False,
                "can_promote_members": False, **{r: True for r in rights}}

    # ------------------------------------------------------------------ Bot API methods
    async def _m_getme(self, p: dict, f: dict) -> dict:
        return self.me

    async def _m_getupdates(self, p: dict, f: dict) -> list[dict]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = int(p.get("offset") or 0), int(p.get("limit") or 100)
        deadline = time.monotonic() + float(p.get("timeout") or 0)
        while not self._closing:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if self.updates or time.monotonic() >= deadline:
                break
            try:
                await asyncio.wait_for(self._wakeup.wait(), deadline - time.monotonic())
            except TimeoutError:
                pass
        return [] if self._closing else self.updates[:limit]

    async def _m_setwebhook(self, p: dict, f: dict) -> bool:
        if p.get("drop_pending_updates"):
            self.updates.clear()
        self.webhook = {"url": p.get("url") or "", "secret_token": p.get("secret_token"),
                        "allowed_updates": p.get("allowed_updates")}
        return True

    async def _m_deletewebhook(self, p: dict, f: dict) -> bool:
        return await self._m_setwebhook({"drop_pending_updates": p.get("drop_pending_updates")}, f)

    async def _m_getwebhookinfo(self, p: dict, f: dict) -> dict:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self.updates), "max_connections": 40}

    async def _m_setmycommands(self, p: dict, f: dict) -> bool:
        self.commands[self._commands_key(p)] = p.get("commands") or []
        return True

    async def _m_getmycommands(self, p: dict, f: dict) -> list[dict]:
        return self.commands.get(self._commands_key(p), [])

    @staticmethod
    def _commands_key(p: dict) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        name = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
        return name, p.get("language_code") or ""

    async def _m_sendmessage(self, p: dict, f: dict) -> dict:
        text = p.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if telegram_length(p, text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        content: dict = {"text": text}
        if p.get("entities"):
            content["entities"] = p["entities"]
        return self._store_sent(p, content)

    async def _m_sendphoto(self, p: dict, f: dict) -> dict:
        if telegram_length(p, p.get("caption") or "") > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        data = f.get("photo")
        if data is None and not p.get("photo"):
            raise ApiError(400, "Bad Request: there is no photo in the request")
        file_id = p["photo"] if data is None else f"photo{next(self._ids)}"
        if data is not None:
            self.files[file_id] = data
        size = {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800, "height": 600,
                "file_size": len(data) if data is not None else 0}
        content: dict = {"photo": [size]}
        if p.get("caption"):
            content["caption"] = p["caption"]
        return self._store_sent(p, content)

    async def _m_getfile(self, p: dict, f: dict) -> dict:
        file_id = p.get("file_id")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg"}

    async def _m_editmessagetext(self, p: dict, f: dict) -> dict | bool:
        if telegram_length(p, p.get("text") or "") > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._edit(p, {"text": p.get("text") or "", "entities": p.get("entities")})

    async def _m_editmessagereplymarkup(self, p: dict, f: dict) -> dict | bool:
        return self._edit(p, {})

    async def _m_deletemessage(self, p: dict, f: dict) -> bool:
        if self.messages.pop((p.get("chat_id"), p.get("message_id")), None) is None:  # type: ignore[arg-type]
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_getchat(self, p: dict, f: dict) -> dict:
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)
        return {**self._chat(p.get("chat_id")), "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": gifts}

    async def _m_getchatmember(self, p: dict, f: dict) -> dict:
        return self._member(self._chat(p.get("chat_id"))["id"], int(p.get("user_id") or 0))

    async def _m_getchatadministrators(self, p: dict, f: dict) -> list[dict]:
        chat_id = self._chat(p.get("chat_id"))["id"]
        return [self._member(chat_id, uid) for uid in self._admins.get(chat_id, [])]
