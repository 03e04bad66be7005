"""Fixtures for the Telegram tests: the fake Bot API, an App whose settings point at it, a running service.

A test module uses them with `pytest_plugins = ["tests.telegram_fixtures"]`.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from adapters.runner import make_telegram_service
from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegram
from tests.telegram_support import unlimited


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def tg_settings(settings, tg) -> Settings:
    """tests/conftest.py's settings, pointed at the fake Bot API."""
    return settings.model_copy(update={
        "telegram_token": SecretStr(tg.token),
        "telegram_base_url": tg.base_url,
        "telegram_base_file_url": tg.base_file_url,
    })


@pytest.fixture
async def tg_app(tg_settings):
    """The composed App, with Telegram settings (what tests/conftest.py's `app` is for the console)."""
    application = await bootstrap(tg_settings)
    yield application
    await application.close()


@pytest.fixture
async def tg_service(tg_app, tg):
    """A started TelegramService (polling, no rate limit), registered as the app's Telegram outbound."""
    svc = make_telegram_service(tg_app, rate_limiter=unlimited(), poll_timeout=1)
    tg_app.outbounds["telegram"] = svc.outbound
    await svc.start()
    yield svc
    await svc.stop()
