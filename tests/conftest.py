"""Shared fixtures: a loopback-only network guard, settings on a fresh database, the composed app."""

from __future__ import annotations

import os
import socket

import pytest

from bot.settings import Settings

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost")
os.environ.setdefault("PTB_TIMEDELTA", "1")

_LOOPBACK = {"127.0.0.1", "::1", "localhost", None, ""}
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in _LOOPBACK and not str(host).startswith("127."):
        raise OSError(f"test tried to reach {host!r}: only 127.0.0.1 is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        if host not in _LOOPBACK and not str(host).startswith("127.") and host != "::1":
            raise OSError(f"test tried to connect to {host!r}: only 127.0.0.1 is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


def _reset_postgres(url: str) -> None:
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def reset() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset()) if not _loop_running() else None


def _loop_running() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
        return True
    except RuntimeError:
        return False


@pytest.fixture
def database_url(tmp_path) -> str:
    """A fresh, empty database: PostgreSQL when TEST_DATABASE_URL is set, otherwise a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(database_url) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        default_language="en",
        console_admin_ids="admin",
        telegram_admin_ids="1001",
        discord_admin_ids="2001",
        retry_base_seconds=0.05,
        worker_interval=0.05,
    )


@pytest.fixture
async def app(settings):
    from adapters.bootstrap import bootstrap

    application = await bootstrap(settings)
    yield application
    await application.close()
