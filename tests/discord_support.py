"""Fixtures shared by the tests/test_discord_*.py files: the fake Discord world, the App and a running service."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from adapters.compose import build_app
from adapters.discord import DiscordService
from bot.chats import find_chat
from bot.domain import ChatRef
from tests.fakes.discord_api import FakeDiscord

GUILD = 710_000_000_000_000_001
GENERAL = 710_000_000_000_000_011
ALERTS = 710_000_000_000_000_012
ROLE = 710_000_000_000_000_021
ALICE = 710_000_000_000_000_101
BOB = 710_000_000_000_000_102  # DMs closed
MANAGE_GUILD = "32"  # the Manage Server permission bit
ADMIN = 2001  # DISCORD_ADMIN_IDS in tests/conftest.py


@pytest.fixture
async def fake():
    async with FakeDiscord() as server:
        server.add_guild(GUILD, "OGP France", channels=[(GENERAL, "general"), (ALERTS, "alerts")],
                         roles=[(ROLE, "ogp-watchers")])
        server.add_user(ALICE, "alice")
        server.add_user(BOB, "bob", accepts_dms=False)
        server.add_user(ADMIN, "admin")
        yield server


@pytest.fixture
def discord_settings(settings, fake):
    return settings.model_copy(update={
        "discord_token": SecretStr(fake.token),
        "discord_api_base": fake.api_base,
        "discord_gateway_url": fake.gateway_url,
    })


@pytest.fixture
async def discord_app(discord_settings):
    application = await build_app(discord_settings)
    yield application
    await application.close()


async def start_service(app) -> DiscordService:
    service = DiscordService(app, guild_ready_timeout=0.05)
    await service.start()
    await service.wait_until_ready(5)
    app.outbounds["discord"] = service.outbound
    return service


@pytest.fixture
async def service(discord_app, fake):
    running = await start_service(discord_app)
    yield running
    await running.stop()
    assert not fake.unhandled, [f"{c.method} {c.path}" for c in fake.unhandled]


async def chat_record(app, chat_id: str):
    async with app.db.session() as session:
        return await find_chat(session, ChatRef("discord", chat_id))


def buttons(payload: dict) -> list[str]:
    """The custom_ids of a message (or callback data) in order."""
    return [c["custom_id"] for row in payload.get("components", []) for c in row["components"]]


def embed_text(payload: dict) -> str:
    return "\n".join(f"{e.get('title', '')}\n{e.get('description', '')}" for e in payload.get("embeds", []))
