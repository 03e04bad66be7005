"""Resident memory of each process type (issue 12): `opengov-bot run`, `web`, `worker`, `clock`, `gateway`, each
started as a real process against the local fake Telegram and Discord servers, measured once it is serving.

    .venv/bin/python benchmarks/bench_processes.py [--database-url URL] [--settle SECONDS]

Prints VmRSS (now) and VmHWM (peak) from /proc/PID/status, after the process logged that it is up and then
`--settle` seconds more. Default database: a fresh SQLite file (PostgreSQL: pass a scratch database's URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import FakeTelegram

BIN = Path(sys.executable).parent / "opengov-bot"

# What each process type logs once it serves (adapters/runner.py, adapters/clock.py, the services).
UP = {
    "run": "telegram: polling",
    "web": "web: listening",
    "worker": "telegram: outbound only",
    "clock": "clock: running the scheduler",
    "gateway": "discord started",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(rest.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def measure(kind: str, env: dict[str, str], workdir: Path, settle: float) -> tuple[float, float, float]:
    log = workdir / f"{kind}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(str(BIN), kind, cwd=workdir, env=env, stdout=out, stderr=out)
    started = time.monotonic()
    try:
        while UP[kind] not in log.read_text(errors="replace"):
            if process.returncode is not None or time.monotonic() - started > 90:
                raise RuntimeError(f"{kind} did not come up:\n{log.read_text(errors='replace')[-3000:]}")
            await asyncio.sleep(0.05)
        up = time.monotonic() - started
        await asyncio.sleep(settle)
        rss, peak = memory(process.pid)
        return up, rss, peak
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after start-up before measuring")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        async with FakeTelegram() as tg, FakeDiscord() as dc:
            base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
            base.update(DATABASE_URL=url, NO_PROXY="127.0.0.1,localhost", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
                        TELEGRAM_TOKEN=tg.token, TELEGRAM_BASE_URL=tg.base_url,
                        TELEGRAM_BASE_FILE_URL=tg.base_file_url, DISCORD_TOKEN=dc.token,
                        DISCORD_API_BASE=dc.api_base, DISCORD_GATEWAY_URL=dc.gateway_url)
            print(f"{'process':<10}{'up after':>10}{'RSS MiB':>10}{'peak MiB':>10}   ({'SQLite' if not args.database_url else 'PostgreSQL'})")
            for kind in UP:
                env = dict(base)
                if kind == "web":
                    port = free_port()
                    env.update(PORT=str(port), TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
                               TELEGRAM_WEBHOOK_SECRET="bench-secret-123")
                if kind == "run":
                    env.pop("DISCORD_TOKEN")  # one line to wait for; Discord's share shows in `gateway`
                up, rss, peak = await measure(kind, env, workdir, args.settle)
                print(f"{kind:<10}{up:>9.1f}s{rss:>10.1f}{peak:>10.1f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
