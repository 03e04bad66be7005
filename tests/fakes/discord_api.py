"""A fake Discord (REST + gateway) that the *real* discord.py talks to, on 127.0.0.1.

discord.py keeps running its own HTTP client, rate-limit handling, JSON parsing, gateway
(HELLO / heartbeat / IDENTIFY / READY / RESUME) and app-command / View dispatch; only the
server on the other end is fake.  Checked against discord.py 2.7.1 / aiohttp 3.14.

Quick start::

    async with FakeDiscord() as fake:
        fake.add_guild(GUILD_ID, "Test", channels=[(CHANNEL_ID, "general")], roles=[(ROLE_ID, "mods")])
        bot = MyBot(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with fake.connect(bot):             # patches discord.py, logs in, waits for on_ready
            await bot.tree.sync()
            rec = await fake.slash("ping", user_id=USER_ID, guild_id=GUILD_ID)
            cb = await fake.wait_response(rec)    # {"type": 4, "data": {...}, "message": {...}, ...}
        # the client is closed and the class attributes are restored here

Public API (everything else is private)
---------------------------------------
``FakeDiscord(*, app_id=DEFAULT_APP_ID, bot_user_id=None, token="fake-token", bot_name="FakeBot",
owner_id=DEFAULT_OWNER_ID, heartbeat_interval_ms=41250, enforce_intents=True, echo_bot_messages=True,
callback_deadline=3.0)``
    ``bot_user_id`` defaults to ``app_id`` (as for modern Discord apps).
    ``enforce_intents``: MESSAGE_CREATE/UPDATE are only dispatched to sessions that IDENTIFYed with
    GUILD_MESSAGES (guild) / DIRECT_MESSAGES (DM), and content/embeds/attachments/components are blanked
    without MESSAGE_CONTENT unless it is a DM, the bot is mentioned or the bot is the author (as Discord).
    ``echo_bot_messages``: the bot's own (non-ephemeral) messages and edits come back as
    MESSAGE_CREATE / MESSAGE_UPDATE, as on real Discord.
    ``callback_deadline``: an interaction callback later than this many seconds gets 404 code 10062
    ("Unknown interaction"), as on real Discord (3 s).  ``None`` disables it.

Lifecycle: ``await start()`` / ``await stop()`` / ``async with FakeDiscord() as fake``.
Properties: ``port``, ``base_url`` ("http://127.0.0.1:PORT"), ``api_base`` (".../api/v10"),
``gateway_url`` ("ws://127.0.0.1:PORT/gateway"), ``bot_user`` (user dict), ``app_id``, ``bot_user_id``,
``token``.

``patch_discord()`` -> context manager: sets ``discord.http.Route.BASE = api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)``; restores both on exit.
``connect(client, *, token=None, timeout=5.0)`` -> async context manager: ``patch_discord()`` +
``client.start(token)`` in a task + wait for ``client.wait_until_ready()`` (re-raises a start failure);
on exit ``client.close()`` and waits for the task, then restores the patch.

World setup (sync; call before the client connects so READY/GUILD_CREATE carry it):
``add_user(user_id, name=None, *, bot=False, accepts_dms=True) -> dict`` (unknown ids are auto-created;
``accepts_dms=False`` makes POSTs to the user's DM channel fail with 403 code 50007).
``add_guild(guild_id, name="Fake Guild", channels=(), roles=(), owner_id=None, *, locale="en-US",
everyone_permissions=DEFAULT_PERMISSIONS, bot_permissions=None) -> dict``
    channels: ``(id, name)``, ``(id, name, type)`` or a channel dict; roles: ``(id, name)``,
    ``(id, name, permissions)`` or a role dict.  An @everyone role (id == guild_id) and a managed bot
    role are added.  When a client is already connected, a "just joined" GUILD_CREATE (no
    ``unavailable`` key -> discord.py's on_guild_join) is dispatched in the background
    (``await fake.settle()`` waits for it).
``channel_dict(channel_id) -> dict | None``; ``dm_channel_id(user_id) -> int`` (creates the DM channel).

Driving the bot (async; each needs a connected client, else RuntimeError):
``slash(name, options=None, *, user_id, guild_id=None, channel_id=None, permissions="0", locale="en-US",
subcommand=None) -> InteractionRecord``  (INTERACTION_CREATE type 2)
    ``options``: list of ``{"name", "type", "value"}`` (3 str, 4 int, 5 bool, 6 user, 7 channel,
    8 role, 9 mentionable, 10 number) or a plain ``{name: value}`` dict (types inferred for
    str/int/bool/float).  ``resolved`` is built for user/channel/role options.  ``subcommand`` is
    ``"sub"`` or ``"group sub"``.  ``channel_id`` defaults to the guild's first text channel, or the
    user's DM channel when ``guild_id`` is None (then ``user`` instead of ``member`` is sent).
    ``data.guild_id`` is set when the command was registered for that guild.
``click(custom_id, *, message_id, user_id, guild_id=None, channel_id=None, permissions="0",
locale="en-US", component_type=2, values=None) -> InteractionRecord`` (type 3; carries the message,
taken from the fake's store, so it may come from an earlier run of the client).
``autocomplete(name, options, *, focused=None, user_id, guild_id=None, channel_id=None,
permissions="0", locale="en-US", subcommand=None) -> InteractionRecord`` (type 4; ``focused`` defaults
to the last option).
``submit_modal(custom_id, values: dict[str, str], *, user_id, guild_id=None, channel_id=None,
permissions="0", locale="en-US", message_id=None) -> InteractionRecord`` (type 5).
``send_message_event(channel_id, author_id, content, guild_id=None, mentions=None) -> dict``
(MESSAGE_CREATE from a user; ``guild_id`` is looked up from the channel when omitted).
``dispatch(event, data)`` raw dispatch to every identified session that serves ``data["guild_id"]`` (with
sharding, as Discord: a guild's shard is ``(guild_id >> 22) % num_shards``, DMs go to shard 0; READY and
GUILD_CREATE carry only the shard's guilds); ``reconnect_clients()`` sends op 7
RECONNECT (the client then RESUMEs); ``close_gateway(code=4000)`` closes every gateway connection with that
code; ``wait_connected(timeout=5)``.

Waiting:
``wait_response(interaction, timeout=5, *, followups=0, edits=0) -> dict`` -> the interaction's first
callback (``{"interaction_id", "type", "data", "files", "message"}``) once it and at least
``followups`` follow-ups / ``edits`` edits exist (see ``interaction.followups`` / ``.edits``).
``wait_for(predicate, timeout=5, *, poll_interval=0.01)`` -> re-evaluates the sync predicate after every
request / gateway frame and every ``poll_interval`` (so it can watch client-side state such as a list your
bot appends to); returns its truthy value or raises ``TimeoutError`` listing the last calls.
``settle()`` -> awaits background gateway sends (echoes, late GUILD_CREATE).

Failure injection:
``fail_next(method, path_regex, status, body=None, times=1, via_header=True, *, retry_after=0.1,
is_global=False, headers=None)`` -> the next ``times`` requests whose method matches (``"*"`` = any)
and whose path (relative to /api/v10, e.g. ``/channels/1/messages``) ``re.search``-matches fail with
``status``.  Default bodies: 429 ``{"message", "retry_after", "global", "code": 0}`` plus ``Via`` and
``X-RateLimit-*`` / ``Retry-After`` headers (``via_header=False`` drops ``Via``: discord.py then treats
it as a Cloudflare ban and raises HTTPException); 403 ``{"code": 50007, ...}``; 404 ``{"code": 10003}``;
other ``{"code": 0}``.

Records (mutable, inspect freely; message dicts are shared with the store, so edits show up):
``calls: list[Call]`` every REST request (method, path, query, json, files, headers, status);
``unhandled: list[Call]`` requests that matched no route (answered 404);
``gateway_received: list[dict]`` every frame the client sent (op 1 heartbeats, op 2 identify, op 6 ...);
``interactions: list[InteractionRecord]``; ``interaction_responses: list[dict]`` (all callbacks);
``followups: list[dict]`` (``{"interaction_id", "json", "files", "message"}``);
``message_edits: list[dict]`` (``{"message_id", "channel_id", "json", "files", "via"}``);
``deleted_messages: list[int]``; ``reactions: list[dict]``;
``channel_messages: dict[int, list[dict]]`` messages the bot POSTed to /channels/{id}/messages
(DMs included, under the DM channel id); ``dms: dict[int, list[dict]]`` the same DM messages keyed by
recipient user id; ``incoming_messages`` (from ``send_message_event``); ``messages: dict[int, dict]``
every message the fake knows (interaction replies too);
``registered_commands: dict[int | None, list[dict]]`` the last PUT payload per scope, exactly as sent
(``None`` = global; carries ``name_localizations`` / ``description_localizations``);
``attachment_bytes(attachment: dict) -> bytes``; ``calls_to(method, path_regex) -> list[Call]``.

Routes (under /api/v9 or /api/v10; bot routes need ``Authorization: Bot <token>`` else 401; interaction
callbacks and webhooks need none, as on Discord): GET /users/@me, GET /users/{id},
POST /users/@me/channels, GET /oauth2/applications/@me, GET /gateway, GET /gateway/bot,
GET|PUT|POST /applications/{app}/commands, GET|PUT|POST /applications/{app}/guilds/{g}/commands,
POST /interactions/{id}/{token}/callback (types 1, 4, 5, 6, 7, 8, 9; returns ``interaction`` +
``resource`` like Discord for ``with_response=1``; a second callback -> 400 code 40060),
POST /webhooks/{app}/{token} (the first follow-up after a type-5 defer replaces the loading message,
as on Discord; before any callback -> 404 code 10015), GET|PATCH|DELETE
/webhooks/{app}/{token}/messages/{id|@original}, GET /channels/{id}, GET|POST /channels/{id}/messages
(JSON or multipart ``payload_json`` + ``files[n]``), GET|PATCH|DELETE /channels/{id}/messages/{mid},
POST /channels/{id}/typing, PUT|DELETE /channels/{id}/messages/{mid}/reactions/{emoji}/@me,
GET /guilds/{id}, /guilds/{id}/channels, /guilds/{id}/roles, /guilds/{id}/members/{uid}; attachments are
served at GET /attachments/{channel}/{id}/{filename}.  Every JSON response has Content-Type exactly
``application/json`` (discord.py treats ``application/json; charset=utf-8`` as text).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import WSMsgType, web

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_OWNER_ID",
    "DEFAULT_PERMISSIONS",
    "Call",
    "FakeDiscord",
    "InteractionRecord",
]

DEFAULT_APP_ID = 1_100_000_000_000_000_001
DEFAULT_OWNER_ID = 1_100_000_000_000_000_099
DISCORD_EPOCH_MS = 1_420_070_400_000

DEFAULT_PERMISSIONS = str(
    discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        attach_files=True,
        add_reactions=True,
        use_external_emojis=True,
        read_message_history=True,
        use_application_commands=True,
        create_instant_invite=True,
        change_nickname=True,
        connect=True,
        speak=True,
    ).value
)

# Gateway intents bits that change what the fake dispatches.
_GUILD_MESSAGES = 1 << 9
_DIRECT_MESSAGES = 1 << 12
_MESSAGE_CONTENT = 1 << 15

_FLAG_EPHEMERAL = 64
_FLAG_LOADING = 128

_ERROR_TEXT = {
    400: "400: Bad Request",
    401: "401: Unauthorized",
    403: "Cannot send messages to this user",
    404: "Unknown Channel",
    429: "You are being rate limited.",
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _error(code: int, message: str) -> dict:
    return {"code": code, "message": message}


@dataclass
class Call:
    """One REST request as the fake saw it. ``path`` is relative to /api/vN (no query)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[dict]
    headers: dict[str, str]
    status: int | None = None


@dataclass(eq=False)
class InteractionRecord:
    """An interaction the fake dispatched and everything the bot did with it."""

    id: int
    token: str
    type: int
    payload: dict
    user_id: int
    channel_id: int
    guild_id: int | None
    created_at: float
    message_id: int | None = None  # the message a component/modal belongs to
    original_message_id: int | None = None  # what @original resolves to
    responses: list[dict] = field(default_factory=list)  # callbacks (at most one is accepted)
    followups: list[dict] = field(default_factory=list)
    edits: list[dict] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    deferred: bool = False
    _first_followup_done: bool = False

    @property
    def response(self) -> dict | None:
        return self.responses[0] if self.responses else None


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    remaining: int
    via_header: bool
    retry_after: float
    is_global: bool
    headers: dict[str, str]


class _Session:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.seq = 0
        self.session_id: str | None = None
        self.intents = 0
        self.identified = False
        self.shard: tuple[int, int] = (0, 1)  # [shard_id, num_shards] from IDENTIFY
        self.lock = asyncio.Lock()

    def serves(self, guild_id: object) -> bool:
        """Discord's routing: a guild's events go to shard (guild_id >> 22) % num_shards; DMs to shard 0."""
        shard_id, count = self.shard
        if count <= 1:
            return True
        return shard_id == ((int(guild_id) >> 22) % count if guild_id else 0)

    async def send(self, payload: dict) -> None:
        async with self.lock:
            if not self.ws.closed:
                await self.ws.send_str(json.dumps(payload))

    async def dispatch(self, event: str, data: dict) -> None:
        async with self.lock:
            if self.ws.closed:
                return
            self.seq += 1
            await self.ws.send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))


class FakeDiscord:
    """See the module docstring for the full public API."""

    def __init__(
        self,
        *,
        app_id: int = DEFAULT_APP_ID,
        bot_user_id: int | None = None,
        token: str = "fake-token",
        bot_name: str = "FakeBot",
        owner_id: int = DEFAULT_OWNER_ID,
        heartbeat_interval_ms: int = 41250,
        enforce_intents: bool = True,
        echo_bot_messages: bool = True,
        callback_deadline: float | None = 3.0,
    ) -> None:
        self.app_id = int(app_id)
        self.bot_user_id = int(bot_user_id if bot_user_id is not None else app_id)
        self.token = token
        self.bot_name = bot_name
        self.owner_id = int(owner_id)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.enforce_intents = enforce_intents
        self.echo_bot_messages = echo_bot_messages
        self.callback_deadline = callback_deadline

        self.bot_user: dict = {
            "id": str(self.bot_user_id),
            "username": bot_name,
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "public_flags": 0,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
            "email": None,
            "locale": "en-US",
        }

        # world
        self.users: dict[int, dict] = {self.bot_user_id: self.bot_user}
        self._refuses_dms: set[int] = set()
        self.guilds: dict[int, dict] = {}
        self._dm_by_user: dict[int, dict] = {}
        self._dm_by_channel: dict[int, int] = {}  # channel id -> user id
        self.messages: dict[int, dict] = {}
        self._attachment_data: dict[int, bytes] = {}
        self._command_ids: dict[tuple[int | None, str], int] = {}

        # records
        self.calls: list[Call] = []
        self.unhandled: list[Call] = []
        self.gateway_received: list[dict] = []
        self.interactions: list[InteractionRecord] = []
        self.interaction_responses: list[dict] = []
        self.followups: list[dict] = []
        self.message_edits: list[dict] = []
        self.deleted_messages: list[int] = []
        self.reactions: list[dict] = []
        self.channel_messages: defaultdict[int, list[dict]] = defaultdict(list)
        self.dms: defaultdict[int, list[dict]] = defaultdict(list)
        self.incoming_messages: list[dict] = []
        self.registered_commands: dict[int | None, list[dict]] = {}
        self._command_store: dict[int | None, list[dict]] = {}

        self._interactions_by_id: dict[int, InteractionRecord] = {}
        self._interactions_by_token: dict[str, InteractionRecord] = {}
        self._failures: list[_Failure] = []
        self._sessions: set[_Session] = set()
        self._session_state: dict[str, dict] = {}
        self._bg: set[asyncio.Task] = set()
        self._changed = asyncio.Event()
        self._last_snowflake = 0
        self._counter = itertools.count(1)

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway_handler)
        app.router.add_route("GET", "/gateway/", self._gateway_handler)
        app.router.add_route("GET", "/attachments/{channel}/{aid}/{filename}", self._attachment_handler)
        app.router.add_route("*", r"/api/v{version:\d+}/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self._port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        for task in list(self._bg):
            task.cancel()
        if self._bg:
            await asyncio.gather(*self._bg, return_exceptions=True)
        for sess in list(self._sessions):
            with contextlib.suppress(Exception):
                await sess.ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        route_cls = discord.http.Route
        ws_cls = discord.gateway.DiscordWebSocket
        old_base, old_gw = route_cls.BASE, ws_cls.DEFAULT_GATEWAY
        route_cls.BASE = self.api_base
        ws_cls.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            route_cls.BASE = old_base
            ws_cls.DEFAULT_GATEWAY = old_gw

    @contextlib.asynccontextmanager
    async def connect(
        self, client: discord.Client, *, token: str | None = None, timeout: float = 5.0
    ) -> AsyncIterator[discord.Client]:
        with self.patch_discord():
            start_task = asyncio.create_task(client.start(token or self.token), name="fake-discord-client")
            ready_task = asyncio.create_task(client.wait_until_ready())
            try:
                done, _ = await asyncio.wait(
                    {start_task, ready_task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if start_task in done:
                    start_task.result()  # re-raise LoginFailure etc.
                    raise RuntimeError("client.start() returned before the client was ready")
                if ready_task not in done:
                    raise TimeoutError(f"client not ready after {timeout}s; last calls: {self._tail()}")
                yield client
            finally:
                ready_task.cancel()
                with contextlib.suppress(Exception):
                    await client.close()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await asyncio.wait_for(start_task, timeout=5)

    # ------------------------------------------------------------------ ids / world
    def _snowflake(self) -> int:
        sf = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._counter) & 0xFFF)
        if sf <= self._last_snowflake:
            sf = self._last_snowflake + 1
        self._last_snowflake = sf
        return sf

    def add_user(
        self, user_id: int, name: str | None = None, *, bot: bool = False, accepts_dms: bool = True
    ) -> dict:
        user = {
            "id": str(int(user_id)),
            "username": name or f"user{user_id}",
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }
        self.users[int(user_id)] = user
        if accepts_dms:
            self._refuses_dms.discard(int(user_id))
        else:
            self._refuses_dms.add(int(user_id))
        return user

    def _user(self, user_id: int) -> dict:
        user = self.users.get(int(user_id))
        return user if user is not None else self.add_user(int(user_id))

    def add_guild(
        self,
        guild_id: int,
        name: str = "Fake Guild",
        channels: Any = (),
        roles: Any = (),
        owner_id: int | None = None,
        *,
        locale: str = "en-US",
        everyone_permissions: str = DEFAULT_PERMISSIONS,
        bot_permissions: str | None = None,
    ) -> dict:
        gid = int(guild_id)
        chans: list[dict] = []
        for pos, spec in enumerate(channels):
            if isinstance(spec, dict):
                ch = {"position": pos, "permission_overwrites": [], "type": 0, **spec}
                ch["id"] = str(ch["id"])
            else:
                cid, cname, *rest = spec
                ch = {
                    "id": str(cid),
                    "name": cname,
                    "type": rest[0] if rest else 0,
                    "position": pos,
                    "permission_overwrites": [],
                }
            ch.setdefault("parent_id", None)
            ch.setdefault("nsfw", False)
            ch.setdefault("flags", 0)
            if ch["type"] in (0, 5):
                ch.setdefault("topic", None)
                ch.setdefault("rate_limit_per_user", 0)
                ch.setdefault("last_message_id", None)
            elif ch["type"] in (2, 13):
                ch.setdefault("bitrate", 64000)
                ch.setdefault("user_limit", 0)
                ch.setdefault("rtc_region", None)
            chans.append(ch)
        role_list = [self._role_dict(gid, "@everyone", everyone_permissions, 0)]
        for pos, spec in enumerate(roles, start=1):
            if isinstance(spec, dict):
                r = {**self._role_dict(int(spec["id"]), spec.get("name", "role"), "0", pos), **spec}
                r["id"] = str(r["id"])
            else:
                rid, rname, *rest = spec
                r = self._role_dict(int(rid), rname, str(rest[0]) if rest else "0", pos)
            role_list.append(r)
        bot_role = self._role_dict(
            self._snowflake(), self.bot_name, bot_permissions or everyone_permissions, len(role_list)
        )
        bot_role["managed"] = True
        bot_role["tags"] = {"bot_id": str(self.bot_user_id)}
        role_list.append(bot_role)
        guild = {
            "id": str(gid),
            "name": name,
            "owner_id": str(owner_id if owner_id is not None else self.owner_id),
            "locale": locale,
            "channels": chans,
            "roles": role_list,
            "bot_role_id": bot_role["id"],
            "joined_at": _now_iso(),
        }
        self.guilds[gid] = guild
        if any(s.identified for s in self._sessions):
            self._background(self.dispatch("GUILD_CREATE", self._guild_create_payload(gid, joined=True)))
        return guild

    @staticmethod
    def _role_dict(role_id: int, name: str, permissions: str, position: int) -> dict:
        return {
            "id": str(role_id),
            "name": name,
            "permissions": str(permissions),
            "position": position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }

    def _guild_object(self, gid: int) -> dict:
        g = self.guilds[gid]
        return {
            "id": g["id"],
            "name": g["name"],
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": g["owner_id"],
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": g["roles"],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": g["locale"],
            "max_members": 500000,
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def _member_dict(self, gid: int | None, user_id: int, permissions: str | None = None) -> dict:
        roles: list[str] = []
        if user_id == self.bot_user_id and gid in self.guilds:
            roles = [self.guilds[gid]["bot_role_id"]]
        member = {
            "user": self._user(user_id),
            "roles": roles,
            "joined_at": _now_iso(),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _guild_create_payload(self, gid: int, *, joined: bool = False) -> dict:
        # After READY, Discord marks a guild that becomes available with "unavailable": false, while the
        # GUILD_CREATE for a guild the bot just joined has no "unavailable" key; discord.py turns the
        # first into on_guild_available and the second into on_guild_join.
        g = self.guilds[gid]
        payload = self._guild_object(gid)
        payload.update(
            {
                "joined_at": g["joined_at"],
                "large": False,
                "member_count": 2,
                "voice_states": [],
                "members": [self._member_dict(gid, self.bot_user_id)],
                "channels": g["channels"],
                "threads": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
            }
        )
        if not joined:
            payload["unavailable"] = False
        return payload

    def _bot_permissions(self, gid: int | None) -> str:
        if gid is None or gid not in self.guilds:
            return DEFAULT_PERMISSIONS
        value = 0
        for role in self.guilds[gid]["roles"]:
            if role["id"] in (str(gid), self.guilds[gid]["bot_role_id"]):
                value |= int(role["permissions"])
        return str(value)

    def channel_dict(self, channel_id: int) -> dict | None:
        cid = str(int(channel_id))
        for gid, g in self.guilds.items():
            for ch in g["channels"]:
                if ch["id"] == cid:
                    return {**ch, "guild_id": str(gid)}
        uid = self._dm_by_channel.get(int(channel_id))
        if uid is not None:
            return self._dm_by_user[uid]
        return None

    def _guild_of_channel(self, channel_id: int) -> int | None:
        ch = self.channel_dict(channel_id)
        return int(ch["guild_id"]) if ch and "guild_id" in ch else None

    def dm_channel_id(self, user_id: int) -> int:
        uid = int(user_id)
        dm = self._dm_by_user.get(uid)
        if dm is None:
            cid = self._snowflake()
            dm = {
                "id": str(cid),
                "type": 1,
                "recipients": [self._user(uid)],
                "last_message_id": None,
                "flags": 0,
            }
            self._dm_by_user[uid] = dm
            self._dm_by_channel[cid] = uid
        return int(dm["id"])

    def attachment_bytes(self, attachment: dict) -> bytes:
        return self._attachment_data[int(attachment["id"])]

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        pat = re.compile(path_regex)
        return [c for c in self.calls if (method == "*" or c.method == method.upper()) and pat.search(c.path)]

    # ------------------------------------------------------------------ waiting
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _tail(self, n: int = 8) -> str:
        return ", ".join(f"{c.method} {c.path} -> {c.status}" for c in self.calls[-n:]) or "(none)"

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, *, poll_interval: float = 0.01
    ) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"FakeDiscord.wait_for timed out after {timeout}s; last calls: {self._tail()}"
                )
            event = self._changed
            # wake on any fake-side change, and poll: the predicate may watch client-side state
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, poll_interval))

    async def wait_response(
        self, interaction: InteractionRecord, timeout: float = 5.0, *, followups: int = 0, edits: int = 0
    ) -> dict:
        rec = interaction
        await self.wait_for(
            lambda: rec.responses and len(rec.followups) >= followups and len(rec.edits) >= edits, timeout
        )
        return rec.responses[0]

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await self.wait_for(lambda: any(s.identified for s in self._sessions), timeout)

    def _background(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._bg.add(task)
        task.add_done_callback(self._bg.discard)

    async def settle(self) -> None:
        while self._bg:
            await asyncio.gather(*list(self._bg), return_exceptions=True)

    # ------------------------------------------------------------------ failure injection
    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        body: Any = None,
        times: int = 1,
        via_header: bool = True,
        *,
        retry_after: float = 0.1,
        is_global: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._failures.append(
            _Failure(
                method.upper(),
                re.compile(path_regex),
                int(status),
                body,
                int(times),
                via_header,
                retry_after,
                is_global,
                dict(headers or {}),
            )
        )

    def _failure_response(self, f: _Failure, method: str, path: str) -> web.Response:
        headers = dict(f.headers)
        body = f.body
        if f.status == 429:
            if body is None:
                body = {
                    "message": _ERROR_TEXT[429],
                    "retry_after": f.retry_after,
                    "global": f.is_global,
                    "code": 0,
                }
            if f.via_header:
                headers.setdefault("Via", "1.1 google")
            headers.setdefault("Retry-After", str(max(1, int(f.retry_after + 0.999))))
            headers.setdefault("X-RateLimit-Limit", "5")
            headers.setdefault("X-RateLimit-Remaining", "0")
            headers.setdefault("X-RateLimit-Reset", f"{time.time() + f.retry_after:.3f}")
            headers.setdefault("X-RateLimit-Reset-After", f"{f.retry_after:.3f}")
            headers.setdefault(
                "X-RateLimit-Bucket", "fake" + format(abs(hash((method, f.pattern.pattern))), "x")
            )
            headers.setdefault("X-RateLimit-Scope", "shared" if not f.is_global else "global")
            if f.is_global:
                headers.setdefault("X-RateLimit-Global", "true")
        elif body is None:
            if f.status == 403:
                body = _error(50007, "Cannot send messages to this user")
            elif f.status == 404:
                body = _error(10003, "Unknown Channel")
            else:
                body = _error(0, _ERROR_TEXT.get(f.status, f"{f.status}: Error"))
        if isinstance(body, (dict, list)):
            return self._json(body, status=f.status, headers=headers)
        return web.Response(status=f.status, text=str(body), headers=headers)

    # ------------------------------------------------------------------ HTTP plumbing
    @staticmethod
    def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        h = {"Content-Type": "application/json"}
        if headers:
            h.update(headers)
        return web.Response(status=status, body=json.dumps(data).encode(), headers=h)

    @staticmethod
    def _empty() -> web.Response:
        return web.Response(status=204)

    async def _read_body(self, request: web.Request) -> tuple[Any, list[dict]]:
        files: list[dict] = []
        if request.content_type == "multipart/form-data":
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                if part is None:
                    break
                name = part.name or ""
                if part.filename is not None:
                    data = await part.read(decode=False)
                    files.append(
                        {
                            "field": name,
                            "filename": part.filename,
                            "content_type": part.headers.get("Content-Type"),
                            "data": bytes(data),
                        }
                    )
                elif name == "payload_json":
                    payload = json.loads(await part.text())
                else:
                    if payload is None:
                        payload = {}
                    payload[name] = await part.text()
            return payload, files
        if not request.body_exists:
            return None, files
        text = await request.text()
        if not text:
            return None, files
        if request.content_type == "application/json":
            return json.loads(text), files
        return text, files

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Callable, bool]]:
        r = [
            ("GET", r"/users/@me", self._get_me, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/users/(\d+)", self._get_user, True),
            ("GET", r"/oauth2/applications/@me", self._get_app, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", r"/applications/(\d+)/commands", self._get_commands, True),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands, True),
            ("POST", r"/applications/(\d+)/commands", self._post_command, True),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", self._get_commands, True),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands, True),
            ("POST", r"/applications/(\d+)/guilds/(\d+)/commands", self._post_command, True),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._interaction_callback, False),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._webhook_execute, False),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_get, False),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_edit, False),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_delete, False),
            ("GET", r"/channels/(\d+)", self._get_channel, True),
            ("GET", r"/channels/(\d+)/messages", self._list_messages, True),
            ("POST", r"/channels/(\d+)/messages", self._post_message, True),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._get_message, True),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message, True),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._delete_message, True),
            ("POST", r"/channels/(\d+)/typing", self._typing, True),
            ("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._add_reaction, True),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._remove_reaction, True),
            ("GET", r"/guilds/(\d+)", self._get_guild, True),
            ("GET", r"/guilds/(\d+)/channels", self._get_guild_channels, True),
            ("GET", r"/guilds/(\d+)/roles", self._get_guild_roles, True),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._get_member, True),
        ]
        return [(m, re.compile(p + r"/?"), h, auth) for m, p, h, auth in r]

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        try:
            body, files = await self._read_body(request)
        except (ValueError, json.JSONDecodeError):
            body, files = None, []
        call = Call(method, path, dict(request.query), body, files, dict(request.headers))
        self.calls.append(call)
        try:
            response = await self._route(request, call)
        except _HTTPError as exc:
            response = self._json(exc.body, status=exc.status)
        call.status = response.status
        self._notify()
        return response

    async def _route(self, request: web.Request, call: Call) -> web.StreamResponse:
        for f in self._failures:
            if f.remaining > 0 and f.method in ("*", call.method) and f.pattern.search(call.path):
                f.remaining -= 1
                if f.remaining == 0:
                    self._failures.remove(f)
                return self._failure_response(f, call.method, call.path)
        for method, pattern, handler, needs_auth in self._routes:
            if method != call.method:
                continue
            m = pattern.fullmatch(call.path)
            if m is None:
                continue
            if needs_auth and request.headers.get("Authorization") != f"Bot {self.token}":
                return self._json(_error(0, "401: Unauthorized"), status=401)
            return await handler(call, *m.groups())
        self.unhandled.append(call)
        return self._json(_error(0, "404: Not Found"), status=404)

    # ------------------------------------------------------------------ REST: identity
    async def _get_me(self, call: Call) -> web.Response:
        return self._json(self.bot_user)

    async def _get_user(self, call: Call, uid: str) -> web.Response:
        return self._json(self._user(int(uid)))

    async def _get_app(self, call: Call) -> web.Response:
        return self._json(
            {
                "id": str(self.app_id),
                "name": self.bot_name,
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self._user(self.owner_id),
                "verify_key": "0" * 64,
                "team": None,
                "flags": 0,
                "summary": "",
                "bot": self.bot_user,
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
            }
        )

    async def _get_gateway(self, call: Call) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _get_gateway_bot(self, call: Call) -> web.Response:
        return self._json(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    # ------------------------------------------------------------------ REST: commands
    def _check_app(self, app: str) -> None:
        if int(app) != self.app_id:
            raise _HTTPError(404, _error(10002, "Unknown Application"))

    def _command_out(self, scope: int | None, cmd: dict) -> dict:
        key = (scope, cmd["name"])
        if key not in self._command_ids:
            self._command_ids[key] = self._snowflake()
        out = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **cmd,
            "id": str(self._command_ids[key]),
            "application_id": str(self.app_id),
            "version": str(self._snowflake()),
        }
        if scope is not None:
            out["guild_id"] = str(scope)
        return out

    async def _get_commands(self, call: Call, app: str, guild: str | None = None) -> web.Response:
        self._check_app(app)
        scope = int(guild) if guild else None
        return self._json(self._command_store.get(scope, []))

    async def _put_commands(self, call: Call, app: str, guild: str | None = None) -> web.Response:
        self._check_app(app)
        scope = int(guild) if guild else None
        payload = call.json or []
        self.registered_commands[scope] = payload
        self._command_store[scope] = [self._command_out(scope, c) for c in payload]
        return self._json(self._command_store[scope])

    async def _post_command(self, call: Call, app: str, guild: str | None = None) -> web.Response:
        self._check_app(app)
        scope = int(guild) if guild else None
        cmd = call.json or {}
        current = [c for c in self.registered_commands.get(scope, []) if c.get("name") != cmd.get("name")]
        self.registered_commands[scope] = [*current, cmd]
        self._command_store[scope] = [self._command_out(scope, c) for c in self.registered_commands[scope]]
        return self._json(self._command_out(scope, cmd), status=201)

    # ------------------------------------------------------------------ messages (shared helpers)
    def _build_attachments(
        self, channel_id: int, payload: dict, files: list[dict], existing: list[dict]
    ) -> list[dict]:
        metas = {str(a.get("id")): a for a in (payload.get("attachments") or [])}
        kept = [a for a in existing if a["id"] in metas] if "attachments" in payload else list(existing)
        out = list(kept)
        for f in files:
            m = re.fullmatch(r"files\[(\d+)\]", f["field"]) or re.fullmatch(r"file(\d*)", f["field"])
            index = m.group(1) if m else ""
            meta = metas.get(index or "0", {})
            aid = self._snowflake()
            self._attachment_data[aid] = f["data"]
            filename = meta.get("filename") or f["filename"]
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{filename}"
            att = {
                "id": str(aid),
                "filename": filename,
                "size": len(f["data"]),
                "url": url,
                "proxy_url": url,
                "content_type": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            }
            if meta.get("description"):
                att["description"] = meta["description"]
            out.append(att)
        return out

    def _make_message(
        self,
        channel_id: int,
        payload: dict | None,
        files: list[dict],
        *,
        author: dict,
        guild_id: int | None = None,
        interaction: InteractionRecord | None = None,
        extra_flags: int = 0,
    ) -> dict:
        payload = payload or {}
        mid = self._snowflake()
        msg: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "type": 0,
            "content": payload.get("content") or "",
            "author": author,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._build_attachments(channel_id, payload, files, []),
            "embeds": payload.get("embeds") or [],
            "components": payload.get("components") or [],
            "pinned": False,
            "flags": int(payload.get("flags") or 0) | extra_flags,
        }
        if guild_id is not None:
            msg["guild_id"] = str(guild_id)
        if payload.get("nonce") is not None:
            msg["nonce"] = payload["nonce"]
        ref = payload.get("message_reference")
        if ref:
            msg["type"] = 19
            msg["message_reference"] = {"channel_id": str(channel_id), **ref}
            target = self.messages.get(int(ref.get("message_id", 0) or 0))
            if target is not None:
                msg["referenced_message"] = target
        if interaction is not None:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
            msg["type"] = 20 if interaction.type == 2 else 0
            msg["interaction_metadata"] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self._user(interaction.user_id),
                "authorizing_integration_owners": {},
            }
        self.messages[mid] = msg
        return msg

    def _apply_edit(self, msg: dict, payload: dict | None, files: list[dict]) -> None:
        payload = payload or {}
        for key in ("content", "embeds", "components"):
            if key in payload:
                msg[key] = payload[key] if payload[key] is not None else ([] if key != "content" else "")
        if payload.get("flags") is not None:
            msg["flags"] = int(payload["flags"]) | (msg["flags"] & _FLAG_EPHEMERAL)
        if "attachments" in payload or files:
            msg["attachments"] = self._build_attachments(
                int(msg["channel_id"]), payload, files, msg["attachments"]
            )
        msg["flags"] &= ~_FLAG_LOADING
        msg["edited_timestamp"] = _now_iso()

    def _record_edit(self, msg: dict, call: Call, via: str) -> dict:
        entry = {
            "message_id": int(msg["id"]),
            "channel_id": int(msg["channel_id"]),
            "json": call.json,
            "files": call.files,
            "via": via,
        }
        self.message_edits.append(entry)
        return entry

    def _echo(self, event: str, msg: dict) -> None:
        if self.echo_bot_messages and not (msg.get("flags", 0) & _FLAG_EPHEMERAL):
            self._background(self._dispatch_message_event(event, msg))

    # ------------------------------------------------------------------ REST: interactions & webhooks
    def _interaction_for(self, iid: str | None, token: str) -> InteractionRecord | None:
        rec = self._interactions_by_token.get(token)
        if rec is None or (iid is not None and rec.id != int(iid)):
            return None
        return rec

    async def _interaction_callback(self, call: Call, iid: str, token: str) -> web.Response:
        rec = self._interaction_for(iid, token)
        if rec is None:
            raise _HTTPError(404, _error(10062, "Unknown interaction"))
        if self.callback_deadline is not None and time.monotonic() - rec.created_at > self.callback_deadline:
            raise _HTTPError(404, _error(10062, "Unknown interaction"))
        if rec.responses:
            raise _HTTPError(400, _error(40060, "Interaction has already been acknowledged."))
        body = call.json or {}
        rtype = int(body.get("type", 0))
        data = body.get("data") or {}
        entry: dict[str, Any] = {
            "interaction_id": rec.id,
            "type": rtype,
            "data": data,
            "files": call.files,
            "message": None,
        }
        info: dict[str, Any] = {
            "id": str(rec.id),
            "type": rec.type,
            "response_message_loading": False,
            "response_message_ephemeral": False,
        }
        resource: dict[str, Any] | None = {"type": rtype}
        bot = self.bot_user
        if rtype in (4, 5):
            extra = _FLAG_LOADING if rtype == 5 else 0
            payload = data if rtype == 4 else {"flags": data.get("flags")}
            msg = self._make_message(
                rec.channel_id,
                payload,
                call.files if rtype == 4 else [],
                author=bot,
                guild_id=rec.guild_id,
                interaction=rec,
                extra_flags=extra,
            )
            rec.original_message_id = int(msg["id"])
            rec.deferred = rtype == 5
            info["response_message_id"] = msg["id"]
            info["response_message_loading"] = rtype == 5
            info["response_message_ephemeral"] = bool(msg["flags"] & _FLAG_EPHEMERAL)
            resource["message"] = msg
            entry["message"] = msg
            self._echo("MESSAGE_CREATE", msg)
        elif rtype in (6, 7):
            msg = self.messages.get(rec.message_id or 0)
            if rtype == 7:
                if msg is None:
                    raise _HTTPError(400, _error(50035, "Invalid Form Body (no message to update)"))
                self._apply_edit(msg, data, call.files)
                self._record_edit(msg, call, "interaction")
                self._echo("MESSAGE_UPDATE", msg)
            if msg is not None:
                info["response_message_id"] = msg["id"]
                resource["message"] = msg
                entry["message"] = msg
        elif rtype == 9:
            pass
        elif rtype in (1, 8):
            resource = None
        else:
            raise _HTTPError(400, _error(50035, f"Invalid Form Body (interaction response type {rtype})"))
        rec.responses.append(entry)
        self.interaction_responses.append(entry)
        out: dict[str, Any] = {"interaction": info}
        if resource is not None:
            out["resource"] = resource
        return self._json(out)

    def _webhook_interaction(self, app: str, token: str) -> InteractionRecord:
        rec = self._interaction_for(None, token)
        if int(app) != self.app_id or rec is None or not rec.responses:
            raise _HTTPError(404, _error(10015, "Unknown Webhook"))
        return rec

    def _webhook_message(self, rec: InteractionRecord, which: str) -> dict:
        mid = rec.original_message_id if which == "@original" else int(which)
        msg = self.messages.get(mid or 0)
        if msg is None:
            raise _HTTPError(404, _error(10008, "Unknown Message"))
        return msg

    async def _webhook_execute(self, call: Call, app: str, token: str) -> web.Response:
        rec = self._webhook_interaction(app, token)
        payload = call.json or {}
        original = self.messages.get(rec.original_message_id or 0)
        if (
            rec.deferred
            and not rec._first_followup_done
            and original is not None
            and original["flags"] & _FLAG_LOADING
        ):
            # Discord: the first follow-up after a deferred (type 5) response edits the loading message.
            self._apply_edit(original, payload, call.files)
            msg = original
            self._echo("MESSAGE_UPDATE", msg)
        else:
            msg = self._make_message(
                rec.channel_id,
                payload,
                call.files,
                author=self.bot_user,
                guild_id=rec.guild_id,
                interaction=rec,
            )
            self._echo("MESSAGE_CREATE", msg)
        rec._first_followup_done = True
        entry = {"interaction_id": rec.id, "json": payload, "files": call.files, "message": msg}
        rec.followups.append(entry)
        self.followups.append(entry)
        if call.query.get("wait", "").lower() in ("1", "true"):
            return self._json(msg)
        return self._empty()

    async def _webhook_get(self, call: Call, app: str, token: str, which: str) -> web.Response:
        rec = self._webhook_interaction(app, token)
        return self._json(self._webhook_message(rec, which))

    async def _webhook_edit(self, call: Call, app: str, token: str, which: str) -> web.Response:
        rec = self._webhook_interaction(app, token)
        msg = self._webhook_message(rec, which)
        self._apply_edit(msg, call.json, call.files)
        rec.edits.append(self._record_edit(msg, call, "webhook"))
        self._echo("MESSAGE_UPDATE", msg)
        return self._json(msg)

    async def _webhook_delete(self, call: Call, app: str, token: str, which: str) -> web.Response:
        rec = self._webhook_interaction(app, token)
        msg = self._webhook_message(rec, which)
        self.messages.pop(int(msg["id"]), None)
        rec.deletes.append(int(msg["id"]))
        self.deleted_messages.append(int(msg["id"]))
        return self._empty()

    # ------------------------------------------------------------------ REST: channels, DMs, guilds
    async def _create_dm(self, call: Call) -> web.Response:
        uid = int((call.json or {}).get("recipient_id", 0))
        if not uid:
            raise _HTTPError(400, _error(50035, "Invalid Form Body"))
        self.dm_channel_id(uid)  # creates it on first use, like Discord returns the existing one later
        return self._json(self._dm_by_user[uid])

    def _channel_or_404(self, cid: str) -> dict:
        ch = self.channel_dict(int(cid))
        if ch is None:
            raise _HTTPError(404, _error(10003, "Unknown Channel"))
        return ch

    async def _get_channel(self, call: Call, cid: str) -> web.Response:
        return self._json(self._channel_or_404(cid))

    async def _post_message(self, call: Call, cid: str) -> web.Response:
        ch = self._channel_or_404(cid)
        channel_id = int(cid)
        dm_user = self._dm_by_channel.get(channel_id)
        if dm_user is not None and dm_user in self._refuses_dms:
            raise _HTTPError(403, _error(50007, "Cannot send messages to this user"))
        gid = int(ch["guild_id"]) if "guild_id" in ch else None
        msg = self._make_message(
            channel_id,
            call.json if isinstance(call.json, dict) else {},
            call.files,
            author=self.bot_user,
            guild_id=gid,
        )
        self.channel_messages[channel_id].append(msg)
        if dm_user is not None:
            self.dms[dm_user].append(msg)
        self._echo("MESSAGE_CREATE", msg)
        return self._json(msg)

    def _message_or_404(self, cid: str, mid: str) -> dict:
        msg = self.messages.get(int(mid))
        if msg is None or msg["channel_id"] != str(int(cid)):
            raise _HTTPError(404, _error(10008, "Unknown Message"))
        return msg

    async def _list_messages(self, call: Call, cid: str) -> web.Response:
        self._channel_or_404(cid)
        limit = int(call.query.get("limit", 50))
        msgs = [m for m in self.messages.values() if m["channel_id"] == str(int(cid))]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        return self._json(msgs[:limit])

    async def _get_message(self, call: Call, cid: str, mid: str) -> web.Response:
        return self._json(self._message_or_404(cid, mid))

    async def _edit_message(self, call: Call, cid: str, mid: str) -> web.Response:
        msg = self._message_or_404(cid, mid)
        self._apply_edit(msg, call.json, call.files)
        self._record_edit(msg, call, "channel")
        self._echo("MESSAGE_UPDATE", msg)
        return self._json(msg)

    async def _delete_message(self, call: Call, cid: str, mid: str) -> web.Response:
        msg = self._message_or_404(cid, mid)
        self.messages.pop(int(msg["id"]), None)
        self.deleted_messages.append(int(msg["id"]))
        return self._empty()

    async def _typing(self, call: Call, cid: str) -> web.Response:
        self._channel_or_404(cid)
        return self._empty()

    async def _add_reaction(self, call: Call, cid: str, mid: str, emoji: str) -> web.Response:
        self._message_or_404(cid, mid)
        self.reactions.append({"channel_id": int(cid), "message_id": int(mid), "emoji": emoji, "added": True})
        return self._empty()

    async def _remove_reaction(self, call: Call, cid: str, mid: str, emoji: str) -> web.Response:
        self._message_or_404(cid, mid)
        self.reactions.append(
            {"channel_id": int(cid), "message_id": int(mid), "emoji": emoji, "added": False}
        )
        return self._empty()

    def _guild_or_404(self, gid: str) -> int:
        if int(gid) not in self.guilds:
            raise _HTTPError(404, _error(10004, "Unknown Guild"))
        return int(gid)

    async def _get_guild(self, call: Call, gid: str) -> web.Response:
        g = self._guild_or_404(gid)
        return self._json({**self._guild_object(g), "approximate_member_count": 2})

    async def _get_guild_channels(self, call: Call, gid: str) -> web.Response:
        g = self._guild_or_404(gid)
        return self._json([{**c, "guild_id": str(g)} for c in self.guilds[g]["channels"]])

    async def _get_guild_roles(self, call: Call, gid: str) -> web.Response:
        g = self._guild_or_404(gid)
        return self._json(self.guilds[g]["roles"])

    async def _get_member(self, call: Call, gid: str, uid: str) -> web.Response:
        g = self._guild_or_404(gid)
        return self._json(self._member_dict(g, int(uid)))

    async def _attachment_handler(self, request: web.Request) -> web.Response:
        data = self._attachment_data.get(int(request.match_info["aid"]))
        if data is None:
            return web.Response(status=404)
        ctype = mimetypes.guess_type(request.match_info["filename"])[0] or "application/octet-stream"
        return web.Response(body=data, headers={"Content-Type": ctype})

    # ------------------------------------------------------------------ gateway
    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        sess = _Session(ws)
        self._sessions.add(sess)
        try:
            await sess.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                self.gateway_received.append(frame)
                await self._on_frame(sess, frame)
                self._notify()
        finally:
            self._sessions.discard(sess)
            if sess.session_id is not None and sess.session_id in self._session_state:
                self._session_state[sess.session_id].update(seq=sess.seq, intents=sess.intents)
            self._notify()
        return ws

    async def _on_frame(self, sess: _Session, frame: dict) -> None:
        op = frame.get("op")
        d = frame.get("d")
        if op == 1:
            await sess.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            if not isinstance(d, dict) or d.get("token") not in (self.token, f"Bot {self.token}"):
                await sess.ws.close(code=4004, message=b"Authentication failed.")
                return
            sess.session_id = secrets.token_hex(16)
            sess.intents = int(d.get("intents", 0))
            sess.identified = True
            self._session_state[sess.session_id] = {"seq": 0, "intents": sess.intents}
            shard = d.get("shard") or [0, 1]
            sess.shard = (int(shard[0]), int(shard[1]))
            await sess.dispatch(
                "READY",
                {
                    "v": 10,
                    "user": self.bot_user,
                    "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds if sess.serves(gid)],
                    "session_id": sess.session_id,
                    "resume_gateway_url": self.gateway_url,
                    "session_type": "normal",
                    "application": {"id": str(self.app_id), "flags": 0},
                    "shard": shard,
                    "private_channels": [],
                    "relationships": [],
                    "presences": [],
                    "user_settings": {},
                    "guild_join_requests": [],
                    "geo_ordered_rtc_regions": [],
                    "_trace": ["fake"],
                },
            )
            for gid in [gid for gid in self.guilds if sess.serves(gid)]:
                await sess.dispatch("GUILD_CREATE", self._guild_create_payload(gid))
        elif op == 6:
            state = self._session_state.get((d or {}).get("session_id", ""))
            if state is None or (d or {}).get("token") not in (self.token, f"Bot {self.token}"):
                await sess.send({"op": 9, "d": False, "s": None, "t": None})
                return
            sess.session_id = d["session_id"]
            sess.seq = max(int(state.get("seq", 0)), int(d.get("seq") or 0))
            sess.intents = int(state.get("intents", 0))
            sess.identified = True
            await sess.dispatch("RESUMED", {"_trace": ["fake"]})
        elif op == 8 and isinstance(d, dict):
            gids = d.get("guild_id")
            for gid in gids if isinstance(gids, list) else [gids]:
                await sess.dispatch(
                    "GUILD_MEMBERS_CHUNK",
                    {
                        "guild_id": str(gid),
                        "members": [],
                        "chunk_index": 0,
                        "chunk_count": 1,
                        "not_found": [],
                        "nonce": d.get("nonce"),
                    },
                )
        # op 3 (presence), 4 (voice state) and others are recorded and otherwise ignored.

    async def dispatch(self, event: str, data: dict) -> None:
        sessions = [s for s in self._sessions if s.identified]
        if not sessions:
            raise RuntimeError(
                f"FakeDiscord.dispatch({event}): no identified gateway session (is the client connected?)"
            )
        guild = data.get("id") if event == "GUILD_CREATE" else data.get("guild_id")
        sessions = [s for s in sessions if s.serves(guild)]  # the shard that owns the guild
        for s in sessions:
            await s.dispatch(event, data)

    async def reconnect_clients(self) -> None:
        for s in [s for s in self._sessions if s.identified]:
            await s.send({"op": 7, "d": None, "s": None, "t": None})

    async def close_gateway(self, code: int = 4000) -> None:
        """Close every gateway connection with ``code`` (4004 "Authentication failed": discord.py gives up)."""
        for s in list(self._sessions):
            await s.ws.close(code=code, message=b"closed by the test")

    async def _dispatch_message_event(self, event: str, msg: dict) -> None:
        gid = int(msg["guild_id"]) if msg.get("guild_id") else None
        author_id = int(msg["author"]["id"])
        for s in [s for s in self._sessions if s.identified and s.serves(gid)]:
            data = dict(msg)
            if gid is not None:
                data["member"] = {k: v for k, v in self._member_dict(gid, author_id).items() if k != "user"}
            if self.enforce_intents:
                needed = _GUILD_MESSAGES if gid is not None else _DIRECT_MESSAGES
                if not s.intents & needed:
                    continue
                mentioned = any(int(u["id"]) == self.bot_user_id for u in msg.get("mentions", []))
                if not (
                    s.intents & _MESSAGE_CONTENT or gid is None or mentioned or author_id == self.bot_user_id
                ):
                    data.update(content="", embeds=[], attachments=[], components=[])
            await s.dispatch(event, data)

    # ------------------------------------------------------------------ driving the bot
    def _require_connected(self) -> None:
        if not any(s.identified for s in self._sessions):
            raise RuntimeError(
                "no identified gateway session: connect the client first (fake.connect(client))"
            )

    def _context(
        self, user_id: int, guild_id: int | None, channel_id: int | None, permissions: str
    ) -> tuple[int, dict]:
        if guild_id is not None:
            gid = int(guild_id)
            if gid not in self.guilds:
                raise ValueError(f"unknown guild {gid}: call fake.add_guild() first")
            if channel_id is None:
                texts = [c for c in self.guilds[gid]["channels"] if c["type"] == 0]
                if not texts:
                    raise ValueError(f"guild {gid} has no text channel; pass channel_id")
                channel_id = int(texts[0]["id"])
            ch = self.channel_dict(channel_id)
            if ch is None:
                raise ValueError(f"unknown channel {channel_id}")
            return int(channel_id), {**ch, "permissions": str(permissions)}
        if channel_id is None:
            channel_id = self.dm_channel_id(user_id)
        ch = self.channel_dict(channel_id)
        if ch is None:
            raise ValueError(f"unknown channel {channel_id}")
        return int(channel_id), ch

    async def _interaction(
        self,
        itype: int,
        data: dict,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        permissions: str,
        locale: str,
        message: dict | None = None,
    ) -> InteractionRecord:
        self._require_connected()
        uid = int(user_id)
        cid, channel = self._context(uid, guild_id, channel_id, permissions)
        iid = self._snowflake()
        token = f"itok{iid}x{secrets.token_hex(12)}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": itype,
            "data": data,
            "channel_id": str(cid),
            "channel": channel,
            "token": token,
            "version": 1,
            "locale": locale,
            "app_permissions": self._bot_permissions(guild_id),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            gid = int(guild_id)
            payload.update(
                guild_id=str(gid),
                guild={"id": str(gid), "locale": self.guilds[gid]["locale"], "features": []},
                guild_locale=self.guilds[gid]["locale"],
                member=self._member_dict(gid, uid, permissions),
                authorizing_integration_owners={"0": str(gid)},
                context=0,
            )
        else:
            payload.update(user=self._user(uid), authorizing_integration_owners={"0": str(uid)}, context=1)
        if message is not None:
            payload["message"] = message
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            user_id=uid,
            channel_id=cid,
            guild_id=int(guild_id) if guild_id is not None else None,
            created_at=time.monotonic(),
            message_id=int(message["id"]) if message is not None else None,
        )
        if message is not None:
            rec.original_message_id = int(message["id"])
        self.interactions.append(rec)
        self._interactions_by_id[iid] = rec
        self._interactions_by_token[token] = rec
        await self.dispatch("INTERACTION_CREATE", payload)
        return rec

    @staticmethod
    def _normalise_options(options: Any) -> list[dict]:
        if options is None:
            return []
        if isinstance(options, dict):
            out = []
            for name, value in options.items():
                if isinstance(value, bool):
                    t = 5
                elif isinstance(value, int):
                    t = 4
                elif isinstance(value, float):
                    t = 10
                else:
                    t = 3
                out.append({"name": name, "type": t, "value": value})
            return out
        return [dict(o) for o in options]

    def _resolve(self, options: list[dict], guild_id: int | None) -> dict:
        resolved: dict[str, dict] = {}
        for opt in options:
            t = opt.get("type")
            if t not in (6, 7, 8, 9, 11):
                continue
            opt["value"] = str(opt["value"])
            sid = opt["value"]
            if t in (6, 9) and (t == 6 or int(sid) in self.users):
                resolved.setdefault("users", {})[sid] = self._user(int(sid))
                if guild_id is not None:
                    member = {
                        k: v for k, v in self._member_dict(guild_id, int(sid), "0").items() if k != "user"
                    }
                    resolved.setdefault("members", {})[sid] = member
            elif t == 7:
                ch = self.channel_dict(int(sid))
                if ch is not None:
                    resolved.setdefault("channels", {})[sid] = {
                        "id": sid,
                        "name": ch.get("name", ""),
                        "type": ch["type"],
                        "permissions": DEFAULT_PERMISSIONS,
                        **({"parent_id": ch.get("parent_id")} if "parent_id" in ch else {}),
                    }
            if t in (8, 9) and guild_id is not None:
                for role in self.guilds[int(guild_id)]["roles"]:
                    if role["id"] == sid:
                        resolved.setdefault("roles", {})[sid] = role
        return resolved

    def _command_data(
        self, name: str, options: list[dict], guild_id: int | None, subcommand: str | None
    ) -> dict:
        resolved = self._resolve(options, guild_id)
        if subcommand:
            parts = subcommand.split()
            if len(parts) == 2:
                options = [
                    {
                        "type": 2,
                        "name": parts[0],
                        "options": [{"type": 1, "name": parts[1], "options": options}],
                    }
                ]
            else:
                options = [{"type": 1, "name": parts[0], "options": options}]
        scope: int | None = None
        if guild_id is not None and any(
            c.get("name") == name for c in self.registered_commands.get(int(guild_id), [])
        ):
            scope = int(guild_id)
        key = (scope, name)
        if key not in self._command_ids:
            self._command_ids[key] = self._snowflake()
        data: dict[str, Any] = {
            "id": str(self._command_ids[key]),
            "name": name,
            "type": 1,
            "options": options,
        }
        if resolved:
            data["resolved"] = resolved
        if scope is not None:
            data["guild_id"] = str(scope)
        return data

    async def slash(
        self,
        name: str,
        options: Any = None,
        *,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        permissions: str = "0",
        locale: str = "en-US",
        subcommand: str | None = None,
    ) -> InteractionRecord:
        data = self._command_data(name, self._normalise_options(options), guild_id, subcommand)
        return await self._interaction(
            2,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
            locale=locale,
        )

    async def autocomplete(
        self,
        name: str,
        options: Any,
        *,
        focused: str | None = None,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        permissions: str = "0",
        locale: str = "en-US",
        subcommand: str | None = None,
    ) -> InteractionRecord:
        opts = self._normalise_options(options)
        if not opts:
            raise ValueError("autocomplete needs at least one option")
        target = focused or opts[-1]["name"]
        for o in opts:
            if o["name"] == target:
                o["focused"] = True
        data = self._command_data(name, opts, guild_id, subcommand)
        return await self._interaction(
            4,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
            locale=locale,
        )

    def _message_for_component(self, message_id: int, channel_id: int) -> dict:
        msg = self.messages.get(int(message_id))
        if msg is None:  # unknown to the fake: a bare bot message
            msg = self._make_message(
                channel_id, {}, [], author=self.bot_user, guild_id=self._guild_of_channel(channel_id)
            )
            self.messages.pop(int(msg["id"]))
            msg["id"] = str(int(message_id))
            self.messages[int(message_id)] = msg
        return msg

    async def click(
        self,
        custom_id: str,
        *,
        message_id: int,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        permissions: str = "0",
        locale: str = "en-US",
        component_type: int = 2,
        values: list[str] | None = None,
    ) -> InteractionRecord:
        known = self.messages.get(int(message_id))
        if channel_id is None and known is not None:
            channel_id = int(known["channel_id"])
        if guild_id is None and channel_id is not None:
            guild_id = self._guild_of_channel(channel_id)
        cid, _ = self._context(int(user_id), guild_id, channel_id, permissions)
        msg = self._message_for_component(message_id, cid)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = list(values or [])
        return await self._interaction(
            3,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=cid,
            permissions=permissions,
            locale=locale,
            message=msg,
        )

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, str],
        *,
        user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        permissions: str = "0",
        locale: str = "en-US",
        message_id: int | None = None,
    ) -> InteractionRecord:
        components = [
            {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]} for k, v in values.items()
        ]
        data = {"custom_id": custom_id, "components": components}
        msg = None
        if message_id is not None:
            cid, _ = self._context(int(user_id), guild_id, channel_id, permissions)
            msg = self._message_for_component(message_id, cid)
            channel_id = cid
        return await self._interaction(
            5,
            data,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            permissions=permissions,
            locale=locale,
            message=msg,
        )

    async def send_message_event(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        guild_id: int | None = None,
        mentions: list[int] | None = None,
    ) -> dict:
        self._require_connected()
        if guild_id is None:
            guild_id = self._guild_of_channel(channel_id)
        if self.channel_dict(channel_id) is None:
            raise ValueError(f"unknown channel {channel_id}")
        msg = self._make_message(
            int(channel_id), {"content": content}, [], author=self._user(author_id), guild_id=guild_id
        )
        msg["mentions"] = [self._user(u) for u in (mentions or [])]
        self.incoming_messages.append(msg)
        await self._dispatch_message_event("MESSAGE_CREATE", msg)
        self._notify()
        return msg


class _HTTPError(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
