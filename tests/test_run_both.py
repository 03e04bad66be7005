"""`opengov-bot run` with both tokens: Telegram and Discord in one asyncio loop, one core, one scheduler, one outbox."""

from __future__ import annotations

import asyncio

from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from adapters.runner import run_all
from tests.discord_support import ALICE as DISCORD_ALICE
from tests.discord_support import GUILD
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_support import ADMIN as TELEGRAM_ADMIN
from tests.telegram_support import USER as TELEGRAM_USER


async def test_both_platforms_share_one_process_and_one_outbox(settings):
    async with FakeTelegram() as tg, FakeDiscord() as dc:
        dc.add_guild(GUILD, "OGP France", channels=[(1, "general")])
        dc.add_user(DISCORD_ALICE, "alice")
        both = settings.model_copy(update={
            "telegram_token": SecretStr(tg.token), "telegram_base_url": tg.base_url,
            "telegram_base_file_url": tg.base_file_url,
            "discord_token": SecretStr(dc.token), "discord_api_base": dc.api_base,
            "discord_gateway_url": dc.gateway_url,
        })
        app = await bootstrap(both)
        stop = asyncio.Event()
        running = asyncio.create_task(run_all(app, stop))
        try:
            await tg.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=10)
            await dc.wait_connected(timeout=10)
            assert set(app.outbounds) == {"console", "telegram", "discord"}

            # A question on each platform, answered by the same core.
            tg.inject_message(TELEGRAM_USER, TELEGRAM_USER, "lobbying transparency")
            answer = await tg.wait_for_message(TELEGRAM_USER, contains="2.12", timeout=10)
            assert "lobbying" in answer["text"]
            asked = await dc.slash("ask", {"question": "lobbying transparency"}, user_id=DISCORD_ALICE, guild_id=GUILD)
            reply = await dc.wait_response(asked, timeout=10, followups=1)
            assert "2.12" in str(reply)

            # Follow on both platforms, change the status from Telegram, both alerted by the shared worker.
            tg.inject_message(TELEGRAM_USER, TELEGRAM_USER, "/follow 2.12")
            await tg.wait_for_message(TELEGRAM_USER, contains="2.12", timeout=10)
            followed = await dc.slash("follow", {"target": "2.12"}, user_id=DISCORD_ALICE, guild_id=GUILD)
            await dc.wait_response(followed, timeout=10)
            tg.inject_message(TELEGRAM_ADMIN, TELEGRAM_ADMIN, '/setstatus 2.12 limited "Consultation opened"')
            await tg.wait_for_message(TELEGRAM_ADMIN, contains="2 alert", timeout=10)

            alert = await tg.wait_for_message(TELEGRAM_USER, contains="Consultation opened", timeout=10)
            assert "Limited" in alert["text"]
            await dc.wait_for(lambda *_: dc.dms.get(DISCORD_ALICE), timeout=10)
            assert "Consultation opened" in str(dc.dms[DISCORD_ALICE][-1])
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=15)
            await app.close()
