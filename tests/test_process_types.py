"""Several processes of one type, as real `opengov-bot` subprocesses: two clocks elect one leader (PostgreSQL),
two gateways split Discord's shards; and LOG_FORMAT=json writes redacted JSON lines."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from aiohttp import web

from adapters.clock import ClockPart
from tests.discord_support import ALICE
from tests.fakes.discord_api import FakeDiscord
from tests.http_support import serve

BIN = Path(sys.executable).parent / "opengov-bot"
ROOT = Path(__file__).resolve().parent.parent


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "STATUS_FEED"))}
    env.update(DATABASE_URL=database_url, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
               LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", **extra)
    return env


async def _spawn(command: str, log: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    out = log.open("wb")
    try:
        return await asyncio.create_subprocess_exec(str(BIN), command, cwd=log.parent, stdout=out, stderr=out, env=env)
    finally:
        out.close()


async def _until(predicate, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.05)


async def _end(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def test_on_sqlite_the_one_clock_just_runs(app) -> None:
    if not app.db.is_sqlite:
        pytest.skip("SQLite's single-process clock")
    part = ClockPart(app)
    await part.start()
    waiting = asyncio.create_task(part.wait())
    try:
        await asyncio.wait_for(part.leading.wait(), timeout=5)
        assert part.scheduler.scheduler.running and part._conn is None
    finally:
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        await part.stop()


async def test_two_clocks_one_runs_and_the_standby_takes_over_when_the_leader_dies(app, database_url, tmp_path):
    if app.db.is_sqlite:
        pytest.skip("the clock's election needs PostgreSQL (TEST_DATABASE_URL)")
    polls: list[float] = []

    async def feed(_request: web.Request) -> web.Response:  # the clock's first job: poll the status feed
        polls.append(asyncio.get_running_loop().time())
        return web.json_response([])

    async with serve("/feed.json", feed) as port:
        await _two_clocks(database_url, tmp_path, port, polls)


async def _two_clocks(database_url: str, tmp_path: Path, port: int, polls: list[float]) -> None:
    env = _env(database_url, STATUS_FEED_URL=f"http://127.0.0.1:{port}/feed.json", STATUS_FEED_INTERVAL="3600",
               CLOCK_STANDBY_INTERVAL="0.2")
    a_log, b_log = tmp_path / "a" / "clock.log", tmp_path / "b" / "clock.log"
    a_log.parent.mkdir()
    b_log.parent.mkdir()
    a = await _spawn("clock", a_log, env)
    b = None
    try:
        await _until(lambda: len(polls) == 1, 30, f"the first clock never polled: {a_log.read_text()[-2000:]}")
        assert "clock: elected" in a_log.read_text()
        b = await _spawn("clock", b_log, env)
        await _until(lambda: "clock: standby" in b_log.read_text(), 30, f"no standby: {b_log.read_text()[-2000:]}")
        await asyncio.sleep(1.0)  # five of the standby's tries
        assert len(polls) == 1, "the standby ran the scheduler too"

        a.send_signal(signal.SIGKILL)  # the leader dies without a word: its connection, and its lock, go
        await a.wait()
        await _until(lambda: len(polls) == 2, 30, f"the standby never took over: {b_log.read_text()[-2000:]}")
        assert "clock: elected" in b_log.read_text()
        assert b.returncode is None
    finally:
        await _end(*(p for p in (a, b) if p is not None))


GUILD_SHARD_0 = 4 << 22  # (id >> 22) % 2 == 0
GUILD_SHARD_1 = 5 << 22  # (id >> 22) % 2 == 1


async def test_two_gateway_processes_split_the_shards(tmp_path, database_url) -> None:
    async with FakeDiscord() as dc:
        dc.add_guild(GUILD_SHARD_0, "Even", channels=[((4 << 22) + 1, "general")])
        dc.add_guild(GUILD_SHARD_1, "Odd", channels=[((5 << 22) + 1, "general")])
        dc.add_user(ALICE, "alice")
        common = {"DISCORD_TOKEN": dc.token, "DISCORD_API_BASE": dc.api_base, "DISCORD_GATEWAY_URL": dc.gateway_url,
                  "DISCORD_SHARD_COUNT": "2"}
        logs = [tmp_path / f"g{i}" / "gateway.log" for i in (0, 1)]
        processes = []
        try:
            for shard, log in enumerate(logs):
                log.parent.mkdir()
                processes.append(await _spawn("gateway", log, _env(database_url, **common,
                                                                    DISCORD_SHARD_IDS=str(shard))))
            await dc.wait_for(lambda: len([f for f in dc.gateway_received if f.get("op") == 2]) >= 2, timeout=40)
            identified = sorted(tuple(f["d"]["shard"]) for f in dc.gateway_received if f.get("op") == 2)
            assert identified == [(0, 2), (1, 2)]  # each process identified only its own shard

            for guild in (GUILD_SHARD_0, GUILD_SHARD_1):  # each guild's shard, in its process, answers
                asked = await dc.slash("ask", {"question": "lobbying transparency"}, user_id=ALICE, guild_id=guild)
                reply = await dc.wait_response(asked, timeout=20, followups=1)
                assert "2.12" in str(reply)
            assert len(dc.calls_to("PUT", r"/applications/\d+/commands")) == 1  # published once, by shard 0
            assert all(p.returncode is None for p in processes)
        finally:
            await _end(*processes)
        # each interaction was answered once: no second answer refused (400 code 40060)
        assert not [c for c in dc.calls if c.path.endswith("/callback") and c.status >= 400]


async def test_json_logs_are_one_valid_object_per_line_and_never_carry_a_token(tmp_path) -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    script = """
import logging
import os
from bot.settings import get_settings
from adapters.bootstrap import configure_logging
configure_logging(get_settings())
log = logging.getLogger("probe")
token = os.environ["TELEGRAM_TOKEN"]
log.info("calling https://api.telegram.org/bot%s/getMe", token)
log.warning("multi\\nline message with %s", token, extra={"token": token, "url": "/bot" + token + "/x"})
try:
    raise RuntimeError("failed with " + token)
except RuntimeError:
    log.exception("it broke")
"""
    env = {**_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"), "LOG_FORMAT": "json", "TELEGRAM_TOKEN": token,
           "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, cwd=tmp_path, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()[-2000:]
    lines = err.decode().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(records) == 3
    assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR"]
    assert records[0]["logger"] == "probe" and "time" in records[0]
    assert "multi\nline" in records[1]["message"]
    assert "RuntimeError" in records[2]["exc_info"]
    assert token not in err.decode() and token.split(":")[1] not in err.decode()
