"""Tokens never leave the process: not on stdout/stderr of the real CLI, not in log tracebacks, not in the database."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import text, update

from adapters.bootstrap import bootstrap
from adapters.runner import make_telegram_service
from bot.redact import redact, register_secrets
from bot.storage.models import Notification
from tests.fakes.telegram_api import FakeTelegram
from tests.secrets_support import root_output
from tests.telegram_support import USER, unlimited

# Shaped like a real token (bot id, colon, 35 characters), so pattern redaction is exercised as well.
TOKEN = "7312345678:AAH4kq9vX2sLmN0pQrStUvWxYz_AbC-dEfG"
CLI = [sys.executable, "-m", "adapters.cli", "run"]
ROOT = Path(__file__).resolve().parent.parent


async def _run_cli(tmp_path: Path, name: str, base_url: str, log_level: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "DATABASE_"))}
    env.update(TELEGRAM_TOKEN=TOKEN, TELEGRAM_BASE_URL=base_url, LOG_LEVEL=log_level, PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / name}.db", NO_PROXY="127.0.0.1")
    workdir = tmp_path / name
    workdir.mkdir()  # no .env file there
    proc = await asyncio.create_subprocess_exec(*CLI, cwd=workdir, env=env, stdin=asyncio.subprocess.DEVNULL,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode() + err.decode()


async def test_the_cli_never_prints_a_rejected_token(tmp_path) -> None:
    """Telegram answering 401 (token refused) or 404 (a mistyped TELEGRAM_BASE_URL) to getMe: PTB's InvalidToken
    names the token; neither the logs (at DEBUG or the default INFO) nor the exit message may show it."""
    async with FakeTelegram(token="1:OTHER") as tg:
        wrong_path = tg.base_url.removesuffix("bot") + "nope/bot"
        (code_401, out_401), (code_404, out_404) = await asyncio.gather(
            _run_cli(tmp_path, "unauthorized", tg.base_url, "DEBUG"),
            _run_cli(tmp_path, "not_found", wrong_path, "INFO"),
        )
    assert [c.method for c in tg.calls if c.status == 401] == ["getMe"]  # the fake did refuse the token
    for code, output in ((code_401, out_401), (code_404, out_404)):
        assert code == 1
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
        last = output.strip().splitlines()[-1]
        assert last == "opengov-bot: error: InvalidToken: The token `***` was rejected by the server."


def test_a_traceback_in_a_log_record_is_masked(settings) -> None:
    settings = settings.model_copy(update={"telegram_token": SecretStr("123:CONFIGURED")})
    with root_output(settings) as output:
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected; url https://api.telegram.org/bot123:CONFIGURED/getMe")
        except RuntimeError:
            logging.getLogger("telegram.ext.Application").exception("start failed for %s", "123:CONFIGURED")
        logging.getLogger("some.library").warning("stack", stack_info=True, extra={})
    printed = output.getvalue()
    assert "RuntimeError: The token `***` was rejected" in printed  # the traceback is still there, masked
    assert "start failed for ***" in printed and "/bot***/getMe" in printed
    assert TOKEN not in printed and "CONFIGURED" not in printed


def test_token_shapes_and_truncated_secrets_are_masked() -> None:
    register_secrets(["0123456789abcdefSECRET"])
    discord_bot = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.abcdefghijklmnopqrstuvwxyz0123"
    interaction = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OTpyYW5kb20"
    text_in = (f"a {TOKEN} b {discord_bot} c {interaction} d Authorization: Bot {discord_bot} "
               f"e {{'token': 'itok42xdeadbeef', 'id': '1'}} f /webhooks/1/itok42xdeadbeef/messages/@original "
               f"g ?secret_token=abc123def&x=1 cut 0123456789abcd")
    masked = redact(text_in)
    for secret in (TOKEN, discord_bot, interaction, "itok42xdeadbeef", "abc123def", "0123456789abcd"):
        assert secret not in masked
    assert "'id': '1'" in masked and "&x=1" in masked and masked.endswith("cut ***")
    assert redact("plan 2.12 at 12:30, see adapters.telegram.service") == "plan 2.12 at 12:30, see adapters.telegram.service"


async def test_stored_delivery_errors_are_masked(settings) -> None:
    """A Bot API server that echoes the token in its error: neither last_error nor inactive_reason keeps it."""
    async with FakeTelegram() as tg:
        tg_app = await bootstrap(settings.model_copy(update={
            "telegram_token": SecretStr(tg.token), "telegram_base_url": tg.base_url,
            "telegram_base_file_url": tg.base_file_url}))
        service = make_telegram_service(tg_app, rate_limiter=unlimited(), poll_timeout=1)
        tg_app.outbounds["telegram"] = service.outbound
        await service.start()
        try:
            await _fail_and_store(tg, tg_app)
        finally:
            await service.stop()
            await tg_app.close()


async def _fail_and_store(tg: FakeTelegram, tg_app) -> None:
    tg.inject_message(USER, USER, "/follow 2.12")
    await tg.wait_for_message(USER, "2.12")
    from bot.following.levels import Level
    from bot.following.status_updates import StatusUpdate, apply_status

    async with tg_app.db.session() as session, session.begin():
        await apply_status(session, tg_app.kb, StatusUpdate("2.12", Level.LIMITED, None, None, None), "test")
    tg.fail_chat(USER, 403, f"Forbidden: bot{tg.token} was blocked by the user (bot {TOKEN})")
    assert (await tg_app.worker.run_once())["failed"] == 1
    stored = await _stored_errors(tg_app)
    assert any("blocked by the user" in error and "blocked by the user" in reason for error, reason in stored)
    async with tg_app.db.session() as session, session.begin():  # any other write path: a Core UPDATE
        await session.execute(update(Notification).values(last_error=f"core update with {tg.token}\x00"))
    stored += await _stored_errors(tg_app)
    assert any(error == "core update with ***" for error, _ in stored)
    assert not [row for row in stored if any(s in value for s in (tg.token, TOKEN, "\x00") for value in row)]


async def _stored_errors(app) -> list[tuple[str, str]]:
    async with app.db.session() as session:
        rows = await session.execute(text(
            "SELECT n.last_error, c.inactive_reason FROM notifications n JOIN chats c ON c.id = n.chat_pk"))
        return [(error or "", reason or "") for error, reason in rows]
