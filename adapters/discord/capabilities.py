"""What the core needs to know about Discord (bot.domain.Capabilities), and Discord's chat ids: a person's DMs
are "user:<user id>", a server is "guild:<server id>" (its alerts go to the channel a manager chose with /setup).

Imports nothing from discord.py: the composition root reads it in every process, even those that never talk to
Discord."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Capabilities, ChatRef, Platform

USER = "user"  # a person's direct messages
SERVER = "guild"  # a server (Discord's API calls it a guild)
MESSAGE_LIMIT = 2000  # characters of a message's content


def user_chat(user_id: int | str) -> ChatRef:
    return ChatRef(Platform.DISCORD, f"{USER}:{user_id}")


def server_chat(guild_id: int | str) -> ChatRef:
    return ChatRef(Platform.DISCORD, f"{SERVER}:{guild_id}")


@dataclass(frozen=True)
class DiscordCapabilities(Capabilities):
    platform: str = Platform.DISCORD
    message_limit: int = MESSAGE_LIMIT

    def mention_channel(self, channel_id: str) -> str:
        return f"<#{channel_id}>"

    def mention_role(self, role_id: str) -> str:
        return f"<@&{role_id}>"

    def is_server_chat(self, chat_id: str) -> bool:
        return chat_id.startswith(f"{SERVER}:")

    def admin_chat(self, user_id: str) -> ChatRef:
        return user_chat(user_id)


CAPABILITIES = DiscordCapabilities()
