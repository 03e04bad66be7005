"""Webhook mode: TELEGRAM_WEBHOOK_URL set, updates POSTed by 'Telegram' with the secret token to the web app
(adapters/web/app.py) are answered; the service itself never polls."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from adapters.bootstrap import bootstrap
from adapters.runner import make_telegram_service
from adapters.web.app import WebServer, build_web_app
from tests.http_support import free_port
from tests.telegram_support import USER, unlimited

pytest_plugins = ["tests.telegram_fixtures"]



@pytest.fixture
async def webhook_service(tg, tg_settings, request):
    port = free_port()
    secret = getattr(request, "param", "s3cret")
    settings = tg_settings.model_copy(update={
        "telegram_webhook_url": f"http://127.0.0.1:{port}/tg/hook",
        "telegram_webhook_secret": SecretStr(secret) if secret else None,
        "port": port,
    })
    app = await bootstrap(settings)
    service = make_telegram_service(app, rate_limiter=unlimited())
    await service.start()
    server = WebServer(lambda: build_web_app(app.db, webhook_path=service.webhook_path, telegram=lambda: service),
                       "127.0.0.1", port)
    await server.start()
    yield service
    await server.stop()
    await service.stop()
    await app.close()


async def test_a_webhook_update_is_answered_and_a_wrong_secret_refused(tg, webhook_service) -> None:
    assert webhook_service.webhook_mode and not tg.calls_to("getUpdates")
    assert tg.webhook["url"].endswith("/tg/hook") and tg.webhook["secret_token"] == "s3cret"
    assert tg.webhook["allowed_updates"] == ["message", "callback_query"]

    assert await tg.post_webhook(tg.make_update_json(USER, USER, "/help")) == 200
    assert "What I can do" in (await tg.wait_for_message(USER))["text"]

    forged = tg.make_update_json(USER, USER, "/about")
    assert await tg.post_webhook(forged, secret_token="wrong") == 403
    assert await tg.post_webhook(forged, secret_token=None) == 403
    await asyncio.sleep(0.2)
    assert len(tg.sent(USER)) == 1


@pytest.mark.parametrize("webhook_service", [None], indirect=True)
async def test_without_a_configured_secret_a_random_one_is_required(tg, webhook_service) -> None:
    secret = tg.webhook["secret_token"]
    assert secret and len(secret) >= 32
    assert await tg.post_webhook(tg.make_update_json(USER, USER, "/help"), secret_token=None) == 403
    assert await tg.post_webhook(tg.make_update_json(USER, USER, "/help")) == 200
    await tg.wait_for_message(USER, "What I can do")
