"""Processes that start together on one SQLite file migrate it one at a time (a lock file beside it), as they
do on PostgreSQL (an advisory lock): before, three of four processes died on "table chats already exists"."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.storage.db import head_revision

ROOT = Path(__file__).resolve().parent.parent
MIGRATE = """
import asyncio, sys
from bot.storage.db import Database

async def main():
    db = Database(f"sqlite+aiosqlite:///{sys.argv[1]}")
    try:
        await db.migrate()
    finally:
        await db.close()

asyncio.run(main())
"""


@pytest.mark.parametrize("round_", range(3))
async def test_four_processes_migrate_one_fresh_sqlite_file_together(tmp_path, round_) -> None:
    path = tmp_path / "shared.db"
    processes = [await asyncio.create_subprocess_exec(sys.executable, "-c", MIGRATE, str(path), cwd=ROOT,
                                                      stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                 for _ in range(4)]
    outcomes = [(await process.wait(), (await process.stderr.read()).decode()[-300:]) for process in processes]
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], outcomes
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
