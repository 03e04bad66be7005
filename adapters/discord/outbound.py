"""Alerts and announcements to Discord: a person by DM, a server in its alert channel (mentioning its role).

Errors become the worker's vocabulary: closed DMs (50007), missing access and unknown channels are permanent;
rate limits that discord.py did not absorb, 5xx and network trouble are temporary.
"""

from __future__ import annotations

import hashlib
import logging

import aiohttp
import discord
from cachetools import LRUCache

from adapters.discord.capabilities import CAPABILITIES, SERVER, USER
from adapters.discord.i18n import t
from adapters.discord.rendering import plain_chunks, render_reply
from adapters.discord.views import SERVER_SCOPE
from bot.domain import (
    DeliveryResult,
    PermanentDeliveryError,
    Recipient,
    Reply,
    TemporaryDeliveryError,
)
from bot.i18n import LANGUAGES

log = logging.getLogger(__name__)

CANNOT_DM = 50007
DM_CACHE_SIZE = 10_000


def nonce(key: str, part: int) -> str:
    """Discord drops a second message with the same nonce (enforce_nonce), so a retried alert posts once."""
    return hashlib.sha256(f"{key}#{part}".encode()).hexdigest()[:25]


def _retry_after(exc: discord.HTTPException) -> float | None:
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (AttributeError, ValueError):
        return None


class DiscordOutbound:
    """The Outbound port for Discord. Needs a logged-in client (the gateway is not required)."""

    def __init__(self, client: discord.Client):
        self.client = client
        self._dm_channels: LRUCache[int, int] = LRUCache(DM_CACHE_SIZE)  # user id -> DM channel id
        self._told_dms_closed: set[int] = set()  # users told in their channel, until a DM gets through

    async def send(self, recipient: Recipient, reply: Reply, *, key: str) -> DeliveryResult:
        kind, _, ident = recipient.chat.chat_id.partition(":")
        if kind not in (USER, SERVER) or not ident.isdigit():
            raise PermanentDeliveryError(f"not a Discord recipient: {recipient.chat}")
        try:
            if kind == USER:
                return await self._send_dm(recipient, int(ident), reply, key)
            return await self._send_to_server(recipient, reply, key)
        except discord.RateLimited as exc:
            raise TemporaryDeliveryError("rate limited by Discord", retry_after=exc.retry_after) from exc
        except discord.Forbidden as exc:
            raise PermanentDeliveryError(f"Discord refused: {exc.code} {exc.text}") from exc
        except discord.NotFound as exc:
            raise PermanentDeliveryError(f"Discord does not know it: {exc.code} {exc.text}") from exc
        except discord.HTTPException as exc:
            if exc.status == 429:
                raise TemporaryDeliveryError("rate limited by Discord", retry_after=_retry_after(exc)) from exc
            # 5xx, and 4xx that say nothing about the recipient (our payload, our token): try again later
            # rather than give up on the person.
            raise TemporaryDeliveryError(f"Discord error {exc.status}: {exc.code} {exc.text}") from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TemporaryDeliveryError(f"network error: {exc!r}") from exc

    async def _send_dm(self, recipient: Recipient, user_id: int, reply: Reply, key: str) -> DeliveryResult:
        channel = await self._dm_channel(user_id)
        try:
            result = await self._post(channel, reply, key)
        except discord.Forbidden as exc:
            if exc.code == CANNOT_DM:
                await self._tell_dms_closed(recipient, user_id)
                raise PermanentDeliveryError("the person's direct messages are closed (50007)") from exc
            raise
        self._told_dms_closed.discard(user_id)
        return result

    async def _dm_channel(self, user_id: int) -> discord.PartialMessageable:
        channel_id = self._dm_channels.get(user_id)
        if channel_id is None:
            data = await self.client.http.start_private_message(user_id)
            channel_id = int(data["id"])
            self._dm_channels[user_id] = channel_id
        return self.client.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def _send_to_server(self, recipient: Recipient, reply: Reply, key: str) -> DeliveryResult:
        if not recipient.target or not recipient.target.isdigit():
            raise PermanentDeliveryError("this server has no alert channel: a manager must run /setup")
        channel = self.client.get_partial_messageable(int(recipient.target), type=discord.ChannelType.text)
        mention = recipient.mention if recipient.mention and recipient.mention.isdigit() else None
        return await self._post(channel, reply, key, scope=SERVER_SCOPE, role=mention)

    async def _post(
        self, channel: discord.PartialMessageable, reply: Reply, key: str, *, scope: str = "", role: str | None = None
    ) -> DeliveryResult:
        ids = []
        for part, out in enumerate(render_reply(reply)):
            kwargs = out.kwargs(scope)
            allowed = discord.AllowedMentions.none()
            if role and part == 0:
                kwargs["content"] = CAPABILITIES.mention_role(role) + (f" {out.content}" if out.content else "")
                allowed = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(int(role))])
            message = await channel.send(**kwargs, nonce=nonce(key, part), allowed_mentions=allowed)
            ids.append(str(message.id))
        return DeliveryResult(tuple(ids))

    async def _tell_dms_closed(self, recipient: Recipient, user_id: int) -> None:
        """Once, in the channel they last used the bot from: their DMs are closed, so their alerts pause."""
        if user_id in self._told_dms_closed or not recipient.origin or not recipient.origin.isdigit():
            return
        self._told_dms_closed.add(user_id)
        mention = f"<@{user_id}>"
        text = "\n\n".join(t("dc_dm_closed", lang, user=mention) for lang in LANGUAGES)
        channel = self.client.get_partial_messageable(int(recipient.origin), type=discord.ChannelType.text)
        allowed = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])
        try:
            for chunk in plain_chunks(text):
                await channel.send(chunk, allowed_mentions=allowed)
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            log.warning("could not post the closed-DM notice in channel %s: %r", recipient.origin, exc)
