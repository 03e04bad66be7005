"""Named locks held until the end of the current transaction, to serialise changes across processes."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks (a collision only serialises more)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


async def hold_lock(session: AsyncSession, name: str) -> None:
    """Wait for, then hold until commit or rollback, the lock called `name`.

    PostgreSQL: `pg_advisory_xact_lock`, so two processes changing the same thing take turns and the second
    reads what the first committed (READ COMMITTED: every statement after the lock sees a fresh snapshot).
    SQLite has one writer at a time: a write that touches nothing makes this transaction that writer now,
    so what it reads next cannot change under it (the equivalent of BEGIN IMMEDIATE).
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        await connection.execute(text("UPDATE feed_state SET source = source WHERE 1 = 0"))
