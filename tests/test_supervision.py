"""Start, stop, outages: retries at start-up, one platform down never stops the other, dead parts restarted,
and a part that keeps dying ends the process with a non-zero status."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from adapters.bootstrap import DatabaseUnreachable, bootstrap
from adapters.clock import SchedulerPart
from adapters.runner import run_all
from adapters.supervisor import Supervised, Supervisor
from bot.domain import ChatRef, IncomingMessage
from tests.discord_support import ALICE, GUILD
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram
from tests.http_support import free_port
from tests.telegram_support import USER

ROOT = Path(__file__).resolve().parent.parent
NEVER_RETRIEVED = "Task exception was never retrieved"



@pytest.fixture
def quick(settings):
    """Short backoffs, so that every retry and restart of these tests takes a fraction of a second."""
    return settings.model_copy(update={
        "startup_retry_base": 0.05, "startup_retry_max": 0.3, "startup_timeout": 30.0,
        "restart_max_failures": 3, "restart_window": 60.0, "supervise_interval": 0.1,
    })


def telegram_at(settings, tg: FakeTelegram | None, port: int | None = None, token: str | None = None):
    base = f"http://127.0.0.1:{port or tg.port}"
    return settings.model_copy(update={
        "telegram_token": SecretStr(token or (tg.token if tg else "123:TEST")),
        "telegram_base_url": f"{base}/bot", "telegram_base_file_url": f"{base}/file/bot",
    })


def discord_at(settings, dc: FakeDiscord, token: str | None = None):
    return settings.model_copy(update={
        "discord_token": SecretStr(token or dc.token), "discord_api_base": dc.api_base,
        "discord_gateway_url": dc.gateway_url,
    })


@contextlib.asynccontextmanager
async def running(app):
    """run_all in a task; stopped (and checked not to have failed) on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_all(app, stop, telegram_options={"poll_timeout": 1},
                                       discord_options={"guild_ready_timeout": 0.05}))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await app.close()


def discord_world(dc: FakeDiscord) -> None:
    dc.add_guild(GUILD, "OGP France", channels=[(1, "general")])
    dc.add_user(ALICE, "alice")


async def discord_answers(dc: FakeDiscord) -> None:
    asked = await dc.slash("ask", {"question": "lobbying transparency"}, user_id=ALICE, guild_id=GUILD)
    reply = await dc.wait_response(asked, timeout=10, followups=1)
    assert "2.12" in str(reply)


async def telegram_answers(tg: FakeTelegram) -> None:
    tg.inject_message(USER, USER, "lobbying transparency")
    answer = await tg.wait_for_message(USER, contains="2.12", timeout=10)
    assert "lobbying" in answer["text"]


async def until(predicate, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def lines(caplog, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def no_unretrieved_exceptions(caplog) -> None:
    gc.collect()
    assert not lines(caplog, NEVER_RETRIEVED)


# ---------------------------------------------------------------------------------------------- the database


class Proxy:
    """A TCP proxy on `port` to `target`, started when the test wants the database to become reachable."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._pipe, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            for writer in self.writers:
                writer.close()
            await self.server.wait_closed()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL)")
async def test_an_unreachable_database_is_waited_for_then_used(quick, caplog):
    caplog.set_level(logging.INFO)
    real = make_url(quick.database_url)
    port = free_port()
    behind_proxy = real.set(host="127.0.0.1", port=port, password=real.password or "s3cret-pw")
    settings = quick.model_copy(update={"database_url": behind_proxy.render_as_string(hide_password=False)})
    building = asyncio.create_task(bootstrap(settings, wait_for_database=True))
    await until(lambda: len(lines(caplog, "database unreachable")) >= 2)
    assert not building.done()

    proxy = Proxy(port, (real.host or "127.0.0.1", real.port or 5432))
    await proxy.start()
    try:
        app = await asyncio.wait_for(building, timeout=20)
        try:
            replies = await app.assistant.handle(IncomingMessage(ChatRef("console", "a"), "a", "hello"))
            assert "Hello" in replies[0].plain_text
        finally:
            await app.close()
    finally:
        await proxy.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"127.0.0.1:{port}" in logged and "ConnectionRefusedError" in logged
    assert "s3cret-pw" not in logged and (real.password is None or real.password not in logged)
    assert lines(caplog, "database reachable")


async def test_a_database_that_never_answers_is_given_up_on_clearly(quick, caplog):
    port = free_port()
    settings = quick.model_copy(update={
        "database_url": f"postgresql+asyncpg://bot:s3cret-pw@127.0.0.1:{port}/ogp", "startup_timeout": 0.5})
    with pytest.raises(DatabaseUnreachable) as raised:
        await bootstrap(settings, wait_for_database=True)
    assert f"127.0.0.1:{port}" in str(raised.value) and "s3cret-pw" not in str(raised.value)
    tries = lines(caplog, "database unreachable")
    assert len(tries) >= 2 and not any("s3cret-pw" in line for line in tries)


# ---------------------------------------------------------------------------------------------- the platforms


async def test_telegram_down_at_start_does_not_stop_discord_and_comes_up_later(quick, caplog):
    caplog.set_level(logging.INFO)
    port = free_port()
    async with FakeDiscord() as dc:
        discord_world(dc)
        app = await bootstrap(discord_at(telegram_at(quick, None, port), dc))
        async with running(app) as task:
            await dc.wait_connected(timeout=10)
            await discord_answers(dc)
            await until(lambda: len(lines(caplog, "telegram cannot start")) >= 2)
            assert "telegram" not in app.outbounds and not task.done()

            async with FakeTelegram(port=port) as tg:  # Telegram's API is back
                await tg.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=10)
                await telegram_answers(tg)
                assert {"telegram", "discord"} <= set(app.outbounds)
                await discord_answers(dc)
    assert lines(caplog, "telegram started after")
    no_unretrieved_exceptions(caplog)


@pytest.mark.parametrize("rejected", ["telegram", "discord"])
async def test_a_rejected_token_is_not_retried_and_the_other_platform_runs(quick, caplog, rejected):
    async with FakeTelegram() as tg, FakeDiscord() as dc:
        discord_world(dc)
        settings = telegram_at(quick, tg, token="123:WRONG" if rejected == "telegram" else None)
        app = await bootstrap(discord_at(settings, dc, token="wrong-token" if rejected == "discord" else None))
        async with running(app) as task:
            await until(lambda: lines(caplog, "will not be retried"))
            if rejected == "telegram":
                await dc.wait_connected(timeout=10)
                await discord_answers(dc)
            else:
                await telegram_answers(tg)
            await asyncio.sleep(0.5)  # several backoffs' worth: no second attempt
            assert not task.done() and rejected not in app.outbounds
    given_up = lines(caplog, "will not be retried")
    assert len(given_up) == 1 and "rejected the token" in given_up[0]
    assert not lines(caplog, f"{rejected} cannot start (attempt")
    if rejected == "telegram":
        assert len(tg.calls_to("getMe")) == 1
        assert "123:WRONG" not in given_up[0]
    else:
        assert len(dc.calls_to("GET", r"/users/@me$")) == 1
    no_unretrieved_exceptions(caplog)


async def test_a_dead_polling_loop_is_restarted(quick, caplog):
    async with FakeTelegram() as tg:
        app = await bootstrap(telegram_at(quick, tg))
        async with running(app) as task:
            await tg.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=10)
            tg.fail_next("getUpdates", 401, "Unauthorized")  # PTB's polling loop gives up on a 401
            await until(lambda: lines(caplog, "telegram stopped unexpectedly"))
            await until(lambda: len(tg.calls_to("getMe")) >= 2)
            await telegram_answers(tg)
            assert not task.done() and "telegram" in app.outbounds
    no_unretrieved_exceptions(caplog)


async def test_a_dead_discord_gateway_is_restarted(quick, caplog):
    async with FakeDiscord() as dc:
        discord_world(dc)
        app = await bootstrap(discord_at(quick, dc))
        async with running(app) as task:
            await dc.wait_connected(timeout=10)
            await discord_answers(dc)
            identified = sum(1 for frame in dc.gateway_received if frame.get("op") == 2)
            await dc.close_gateway(4004)  # "Authentication failed": discord.py closes the client and raises
            await until(lambda: lines(caplog, "discord stopped unexpectedly"))
            await until(lambda: sum(1 for frame in dc.gateway_received if frame.get("op") == 2) > identified)
            await dc.wait_connected(timeout=10)
            await discord_answers(dc)
            assert not task.done() and "discord" in app.outbounds
    no_unretrieved_exceptions(caplog)


async def test_a_scheduler_shut_down_is_restarted(quick, app, caplog):
    app.settings = quick
    spec = Supervised("scheduler", lambda: SchedulerPart(app))
    stop = asyncio.Event()
    supervising = asyncio.create_task(Supervisor(quick).run([spec], stop))
    await asyncio.wait_for(spec.up.wait(), timeout=10)
    first = spec.current
    first.scheduler.shutdown(wait=False)  # as if something stopped it behind our back
    await until(lambda: spec.current is not first and spec.up.is_set())
    assert spec.current.scheduler.running and not first.scheduler.running
    assert lines(caplog, "scheduler stopped unexpectedly")
    stop.set()
    await asyncio.wait_for(supervising, timeout=10)
    assert not spec.current.scheduler.running


async def test_a_platform_that_keeps_dying_makes_the_real_cli_exit_non_zero(quick, tmp_path):
    async with FakeTelegram() as tg:
        tg.fail_next("getUpdates", 401, "Unauthorized", times=None)  # getMe works, polling dies every time
        env = {
            **os.environ, "DATABASE_URL": quick.database_url, "TELEGRAM_TOKEN": tg.token,
            "TELEGRAM_BASE_URL": tg.base_url, "TELEGRAM_BASE_FILE_URL": tg.base_file_url,
            "STARTUP_RETRY_BASE": "0.05", "STARTUP_RETRY_MAX": "0.2", "RESTART_MAX_FAILURES": "3",
            "RESTART_WINDOW": "60", "NO_PROXY": "127.0.0.1", "PYTHONDEVMODE": "0",
        }
        env.pop("DISCORD_TOKEN", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "run", cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            if process.returncode is None:
                process.kill()
    stderr = err.decode()
    assert process.returncode == 1, stderr[-3000:]
    assert "telegram stopped 3 times within 60 s" in stderr
    assert stderr.count("telegram stopped unexpectedly") == 2
    assert NEVER_RETRIEVED not in stderr
    assert len(tg.calls_to("getMe")) == 3


async def test_worker_once_delivers_what_it_can_when_telegram_is_down(quick, caplog):
    from adapters.runner import run_worker
    from bot.following.levels import Level
    from bot.following.status_updates import StatusUpdate, apply_status
    from bot.storage.models import Chat, Notification
    from tests.outbox_support import add_followers, count

    app = await bootstrap(telegram_at(quick, None, free_port()))
    try:
        await add_followers(app, 2, prefix="con")
        await add_followers(app, 2, platform="telegram", prefix="5")
        async with app.db.session() as session, session.begin():
            await apply_status(session, app.kb, StatusUpdate("2.12", Level.LIMITED, "a note"), "test")
        assert await run_worker(app, once=True) == 0
        telegram_rows = Notification.chat_pk.in_(select(Chat.id).where(Chat.platform == "telegram"))
        assert await count(app, Notification, Notification.state == "sent") == 2  # the console's
        assert await count(app, Notification, telegram_rows, Notification.state == "pending") == 2
        assert lines(caplog, "telegram cannot start")
    finally:
        await app.close()


async def test_a_stopped_scheduler_waits_for_the_job_it_was_running(app):
    """A job mid-query when the scheduler stops has ended (session closed) when stop() returns, so the caller may
    close the database: before, the job was only asked to cancel and the loop's teardown could hang on it."""
    part = SchedulerPart(app)
    started, ended = asyncio.Event(), asyncio.Event()

    async def slow_job():
        try:
            async with app.db.session() as session:
                await session.execute(text("SELECT 1"))
                started.set()
                await asyncio.sleep(60)
        finally:
            ended.set()

    part.scheduler.add_job(slow_job, id="slow")
    await part.start()
    await asyncio.wait_for(started.wait(), timeout=10)
    await part.stop()
    assert ended.is_set() and not part.scheduler.running
