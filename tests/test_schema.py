"""The database the migrations build is the one the models describe, and it refuses states the code doesn't know.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (tests/conftest.py's `database_url`).
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from bot.storage.models import Base

T = "'2026-01-01 00:00:00+00:00'"
CHAT = ("INSERT INTO chats (id, platform, chat_id, is_group, frequency, active, language_chosen, created_at, "
        f"last_seen_at) VALUES (1, 'console', 'alice', false, 'immediately', true, false, {T}, {T})")
# (table, checked column) -> a row with the column's value as @V@, and a value that the database accepts
ROWS = {
    ("chats", "frequency"): (
        ("INSERT INTO chats (id, platform, chat_id, is_group, frequency, active, language_chosen, created_at, "
         f"last_seen_at) VALUES (2, 'console', 'bob', false, '@V@', true, false, {T}, {T})"), "daily"),
    ("subscriptions", "target_kind"): (
        ("INSERT INTO subscriptions (chat_pk, target_kind, target_id, created_at) "
         f"VALUES (1, '@V@', '2.12', {T})"), "action"),
    ("notifications", "state"): (
        ("INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, created_at) "
         f"VALUES (1, 'k', 'alert', '{{}}', '@V@', {T}, 0, {T})"), "pending"),
    ("notifications", "kind"): (
        ("INSERT INTO notifications (chat_pk, key, kind, payload, state, due_at, attempts, created_at) "
         f"VALUES (1, 'k', '@V@', '{{}}', 'pending', {T}, 0, {T})"), "digest"),
    ("announcements", "state"): (
        ("INSERT INTO announcements (text, audience, scheduled_at, state, recipients, created_by, created_at) "
         f"VALUES ('hi', 'all', {T}, '@V@', 0, 'admin', {T})"), "queued"),
    ("announcements", "audience"): (
        ("INSERT INTO announcements (text, audience, scheduled_at, state, recipients, created_by, created_at) "
         f"VALUES ('hi', '@V@', {T}, 'queued', 0, 'admin', {T})"), "followers"),
    ("status_changes", "status"): (
        ("INSERT INTO status_changes (action_id, status, previous_status, effective_date, set_by, created_at) "
         f"VALUES ('2.12', '@V@', 'no_evidence', '2026-01-01', 'admin', {T})"), "limited"),
    ("status_changes", "assessed_by"): (
        ("INSERT INTO status_changes (action_id, status, previous_status, effective_date, set_by, assessed_by, "
         f"created_at) VALUES ('2.12', 'limited', 'no_evidence', '2026-01-01', 'admin', '@V@', {T})"), "irm"),
    ("evidence", "reported_by"): (
        ("INSERT INTO evidence (action_id, fact_date, note, source_url, publisher, reported_by, added_by, created_at) "
         f"VALUES ('2.12', '2022-01-01', 'n', 'https://example.org/', 'P', '@V@', 'admin', {T})"), "press"),
    ("status_changes", "previous_status"): (
        ("INSERT INTO status_changes (action_id, status, previous_status, effective_date, set_by, created_at) "
         f"VALUES ('2.12', 'limited', '@V@', '2026-01-01', 'admin', {T})"), "complete"),
}


def row(table: str, column: str, value: str) -> str:
    return ROWS[table, column][0].replace("@V@", value)


@pytest.fixture
async def db(database_url):
    database = Database(database_url)
    yield database
    await database.close()


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    return compare_metadata(context, Base.metadata)


async def test_the_migrated_database_is_what_the_models_describe(db) -> None:
    await db.migrate()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_differences) == []


@pytest.mark.parametrize(("table", "column"), list(ROWS))
async def test_a_state_the_code_does_not_know_is_refused_by_the_database(db, table, column) -> None:
    await db.migrate()
    valid = ROWS[table, column][1]
    async with db.engine.begin() as conn:
        await conn.execute(text(CHAT))
        await conn.execute(text(row(table, column, valid)))  # the same row with a known value is accepted
        await conn.execute(text(f"DELETE FROM {table} WHERE {column} = :v"), {"v": valid})
    with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK constraint failed"):
        async with db.engine.begin() as conn:
            await conn.execute(text(row(table, column, "bogus")))


async def test_rows_survive_the_migration_and_come_back_on_downgrade(db) -> None:
    """0006 rebuilds tables on SQLite; the chats' followers and outbox (ON DELETE CASCADE) must not be lost."""
    await db.migrate("0004")
    async with db.engine.begin() as conn:
        await conn.execute(text(CHAT))
        await conn.execute(text(row("subscriptions", "target_kind", "all")))
        await conn.execute(text(row("notifications", "state", "held")))
    await db.migrate()
    for step in (db.downgrade, db.migrate, None):
        async with db.engine.connect() as conn:
            counts = [(await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                      for table in ("chats", "subscriptions", "notifications")]
        assert counts == [1, 1, 1], step
        if step is not None:
            await step("0004" if step == db.downgrade else "head")
    async with db.engine.connect() as conn:  # and the connections are back to enforcing foreign keys
        with pytest.raises(IntegrityError):
            await conn.execute(text(row("subscriptions", "target_kind", "all").replace("(1,", "(99,")))  # no chat 99
