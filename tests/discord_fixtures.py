"""Fixtures of the Discord tests (a pytest plugin: `pytest_plugins = ["tests.discord_fixtures"]`)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from tests.discord_support import ADMIN, ALERTS, ALICE, BOB, GENERAL, GUILD, ROLE, start_service
from tests.fakes.discord_api import FakeDiscord


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
    application = await bootstrap(discord_settings)
    yield application
    await application.close()


@pytest.fixture
async def discord_service(discord_app, fake):
    running = await start_service(discord_app)
    yield running
    await running.stop()
    assert not fake.unhandled, [f"{c.method} {c.path}" for c in fake.unhandled]
