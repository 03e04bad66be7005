"""Shared by the tests/test_discord_*.py files: the fake Discord world's ids and small helpers.

The fixtures (fake, discord_settings, discord_app, service) are in tests/discord_fixtures.py, loaded with
`pytest_plugins = ["tests.discord_fixtures"]`.
"""

from __future__ import annotations

from adapters.discord.service import DiscordService
from adapters.runner import make_discord_service
from bot.domain import ChatRef
from bot.storage.chats import find_chat

GUILD = 710_000_000_000_000_001
GENERAL = 710_000_000_000_000_011
ALERTS = 710_000_000_000_000_012
ROLE = 710_000_000_000_000_021
ALICE = 710_000_000_000_000_101
BOB = 710_000_000_000_000_102  # DMs closed
MANAGE_GUILD = "32"  # the Manage Server permission bit
ADMIN = 2001  # DISCORD_ADMIN_IDS in tests/conftest.py


async def start_service(app) -> DiscordService:
    service = make_discord_service(app, guild_ready_timeout=0.05)
    await service.start()
    await service.wait_until_ready(5)
    app.outbounds["discord"] = service.outbound
    return service


async def chat_record(app, chat_id: str):
    async with app.db.session() as session:
        return await find_chat(session, ChatRef("discord", chat_id))


def buttons(payload: dict) -> list[str]:
    """The custom_ids of a message (or callback data) in order."""
    return [c["custom_id"] for row in payload.get("components", []) for c in row["components"]]


def embed_text(payload: dict) -> str:
    return "\n".join(f"{e.get('title', '')}\n{e.get('description', '')}" for e in payload.get("embeds", []))
