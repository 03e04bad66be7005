"""discord.py's DEBUG logs dump gateway events and request URLs: interaction tokens must come out masked."""

from __future__ import annotations

import asyncio
import logging

from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from tests.discord_support import ALICE, GENERAL, GUILD, start_service
from tests.fakes.discord_api import FakeDiscord
from tests.secrets_support import root_output


async def test_interaction_tokens_are_masked_in_discord_debug_logs(settings) -> None:
    async with FakeDiscord() as fake:
        fake.add_guild(GUILD, "OGP France", channels=[(GENERAL, "general")])
        fake.add_user(ALICE, "alice")
        discord_settings = settings.model_copy(update={
            "discord_token": SecretStr(fake.token), "discord_api_base": fake.api_base,
            "discord_gateway_url": fake.gateway_url})
        app = await bootstrap(discord_settings)
        service = await start_service(app)
        try:
            await _check_debug_logs(fake, discord_settings)
        finally:
            await service.stop()
            await app.close()


async def _check_debug_logs(fake: FakeDiscord, discord_settings) -> None:
    with root_output(discord_settings, ("discord", logging.DEBUG)) as output:
        rec = await fake.slash("about", user_id=ALICE, guild_id=GUILD)
        await fake.wait_response(rec)
        async with asyncio.timeout(5):  # discord.py logs the request once it has read the answer
            while "/callback" not in output.getvalue():
                await asyncio.sleep(0.01)
    printed = output.getvalue()
    assert "INTERACTION_CREATE" in printed and f"/interactions/{rec.id}/***/callback" in printed
    assert "'token': '***'" in printed
    assert rec.token not in printed and fake.token not in printed
