"""The crash test: a delivery worker process SIGKILLed in the middle of a fan-out, then restarted, delivers every
remaining notification exactly once (console recipients: the inbox table is what each person reads)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.storage.models import Chat, ConsoleInbox, Notification
from tests.outbox_support import add_followers, count

N = 300
BIN = Path(sys.executable).parent / "opengov-bot"


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(DATABASE_URL=database_url, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
               LOG_LEVEL="WARNING", **extra)
    return env


async def _states(app) -> dict[str, int]:
    async with app.db.session() as session:
        rows = await session.execute(select(Notification.state, func.count()).group_by(Notification.state))
        return dict(rows.all())


async def test_a_worker_killed_mid_run_then_restarted_delivers_each_notification_exactly_once(
    app, database_url, tmp_path
) -> None:
    names = await add_followers(app, N)
    async with app.db.session() as session, session.begin():  # one transaction records and fans out
        change = await apply_status(session, app.kb, StatusUpdate("2.12", Level.SUBSTANTIAL, "crash test"), "test")
    assert await count(app, Notification, Notification.key.like(f"status:{change.id}:%")) == N

    log = (tmp_path / "worker.log").open("wb")
    worker = await asyncio.create_subprocess_exec(
        str(BIN), "worker", cwd=tmp_path, stdout=log, stderr=log,
        env=_env(database_url, CONSOLE_RATE_LIMIT="100", WORKER_LEASE_SECONDS="1", WORKER_INTERVAL="0.2"),
    )
    delivered = 0
    deadline = time.monotonic() + 40
    try:
        while time.monotonic() < deadline:
            delivered = await count(app, ConsoleInbox)
            if delivered >= N // 5 or worker.returncode is not None:
                break
            await asyncio.sleep(0.02)
    finally:
        if worker.returncode is None:
            worker.send_signal(signal.SIGKILL)
        await worker.wait()
        log.close()
    assert worker.returncode == -signal.SIGKILL, (tmp_path / "worker.log").read_text()
    at_kill = await count(app, ConsoleInbox)
    states_at_kill = await _states(app)
    print(f"killed with {at_kill} of {N} in the inbox; outbox states {states_at_kill}")
    assert 0 < at_kill < N, f"kill came too late or too early: {at_kill} of {N} delivered"
    assert states_at_kill.get("sent", 0) < N
    assert states_at_kill.get("sending", 0) + states_at_kill.get("pending", 0) > 0

    await asyncio.sleep(1.2)  # the dead worker's leases (1 s) expire
    restart = await asyncio.create_subprocess_exec(
        str(BIN), "worker", "--once", cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env=_env(database_url, CONSOLE_RATE_LIMIT="0", WORKER_LEASE_SECONDS="1"),
    )
    out, err = await asyncio.wait_for(restart.communicate(), timeout=60)
    assert restart.returncode == 0, err.decode()
    assert f"sent: {N - states_at_kill.get('sent', 0)}" in out.decode()

    assert await _states(app) == {"sent": N}  # none left 'sending', none failed
    async with app.db.session() as session:
        rows = (await session.execute(select(ConsoleInbox.chat_id, ConsoleInbox.key))).all()
        keys = set(await session.scalars(select(Notification.key)))
        recipients = set(await session.scalars(select(Chat.chat_id).join(Notification, Notification.chat_pk == Chat.id)))
    assert len(rows) == N
    assert len({key for _, key in rows}) == N and {key for _, key in rows} == keys
    assert sorted(chat_id for chat_id, _ in rows) == sorted(names) and recipients == set(names)
