"""The one engine and session factory, and migrations applied on start."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.storage.locks import lock_key

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK_TIMEOUT = 300.0  # seconds a process waits for another one's migration of the same SQLite file


class Database:
    """Owns the async engine; `session()` opens a unit of work."""

    def __init__(self, url: str, **engine_options):
        """`engine_options` go to create_async_engine (pool_size, max_overflow, pool_timeout...)."""
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs = {"connect_args": {"timeout": 30}} if self.is_sqlite else {"pool_pre_ping": True}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs, **engine_options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    @contextlib.asynccontextmanager
    async def chat_guard(self, chat_pk: int) -> AsyncIterator[None]:
        """On SQLite, one process owns the database: a delivery to a chat and that chat's erasure take turns
        through this in-process lock (PostgreSQL does it with row locks, across processes; see bot/following/delivery.py)."""
        if not self.is_sqlite:
            yield
            return
        lock = self._chat_locks.get(chat_pk)
        if lock is None:
            lock = self._chat_locks[chat_pk] = asyncio.Lock()
        async with lock:
            yield

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema to the latest Alembic revision (or to `revision`)."""
        await self._alembic(command.upgrade, revision)

    async def downgrade(self, revision: str) -> None:
        await self._alembic(command.downgrade, revision)

    def _migration_lock(self) -> FileLock | None:
        """SQLite has no advisory lock: processes starting together on one database file (`run` and `chat`,
        a test's two gateways) migrate one at a time through a lock file beside it; the others then find the
        schema done. None for an in-memory database."""
        if not self.is_sqlite:
            return None
        path = make_url(self.url).database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        return FileLock(f"{path}.migrate-lock", thread_local=False)

    async def _alembic(self, step, revision: str) -> None:
        lock = self._migration_lock()
        if lock is None:
            return await self._alembic_step(step, revision)
        await asyncio.to_thread(lock.acquire, timeout=MIGRATION_LOCK_TIMEOUT)
        try:
            await self._alembic_step(step, revision)
        finally:
            lock.release()

    async def _alembic_step(self, step, revision: str) -> None:
        """Run one Alembic command in one transaction (on PostgreSQL under an advisory lock). On SQLite, foreign keys are off meanwhile: a migration
        that rebuilds a table (batch mode) drops the old one, and with them on, dropping `chats` would delete
        every row that references it (ON DELETE CASCADE). They are checked, then turned back on, after."""
        async with self.engine.connect() as conn:
            if self.is_sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # before any transaction: else ignored
            else:  # processes starting together (web, workers, clocks) migrate one at a time; the rest find it done
                await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key("opengov-bot:migrate")})
            await conn.run_sync(lambda sync: step(alembic_config(sync), revision))
            if self.is_sqlite:
                broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    await conn.rollback()
                    await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                    raise RuntimeError(f"migration to {revision} broke foreign keys: {broken[:5]}")
            await conn.commit()
            if self.is_sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()

    async def current_revision(self) -> str | None:
        """The schema's Alembic revision (raises when the database cannot be reached or was never migrated)."""
        async with self.engine.connect() as conn:
            return await conn.scalar(text("SELECT version_num FROM alembic_version"))

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@functools.cache
def head_revision() -> str | None:
    """The latest migration's revision, the one a ready process expects the database at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg

