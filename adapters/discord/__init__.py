"""Discord: slash commands and buttons answered by the core, alerts by DM or in a server's alert channel.

Deploying: create an application, copy its bot token to DISCORD_TOKEN, and invite the bot with the scopes
`bot applications.commands` and the permissions View Channels, Send Messages, Embed Links and Attach Files
(plus Mention All Roles if alert roles are not mentionable). No privileged intent is needed. Commands are
published at start-up, globally (Discord may take a while to show them) or instantly to
DISCORD_DEV_GUILD_ID. DISCORD_API_BASE / DISCORD_GATEWAY_URL point it at a Discord-compatible server.

This package is `adapters.discord`; inside it `import discord` still means discord.py (absolute imports),
as long as nobody runs a file from inside adapters/ as a script (`python -m adapters.cli` is fine).

The names below are imported on first use, so that `adapters.discord.capabilities` (read by the composition
root in every process) does not load discord.py.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.discord.client import OpenGovClient
    from adapters.discord.outbound import DiscordOutbound
    from adapters.discord.service import DiscordService

_MODULES = {"DiscordOutbound": "outbound", "DiscordService": "service", "OpenGovClient": "client"}
__all__ = ["DiscordOutbound", "DiscordService", "OpenGovClient"]


def __getattr__(name: str) -> object:
    if name in _MODULES:
        return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
