"""Typed commands (issue 10 item 2): Discord's options reach the handlers as the handlers' own argument types,
never turned back into text; text commands (console, Telegram, buttons) are parsed once, into the same types."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.conversation.commands import UsageError
from bot.conversation.handlers.admin import AnnounceArgs, parse_announce, parse_setstatus
from bot.conversation.handlers.follow import parse_frequency
from bot.conversation.handlers.server import SetupArgs, parse_setup
from bot.domain import ChatRef, CommandCall, IncomingMessage
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate
from bot.storage.models import EvidenceRecord, Frequency, StatusChange
from tests.discord_support import ADMIN, ALICE, GUILD, embed_text
from tests.outbox_support import text_of

EPHEMERAL = 1 << 6

pytest_plugins = ["tests.discord_fixtures"]  # fake, discord_settings, discord_app, discord_service

NOTE = 'Register "extended" to local officials on 2023-01-01 (see https://example.org/x)'


async def _notes(app) -> list[tuple[str, str | None]]:
    async with app.db.session() as session:
        return [tuple(row) for row in await session.execute(select(StatusChange.note, StatusChange.source_url))]


def test_text_is_parsed_into_the_handlers_types() -> None:
    assert parse_setstatus('2.12 substantial "a note" https://e.org/s 2023-03-01') == StatusUpdate(
        "2.12", Level.SUBSTANTIAL, "a note", "https://e.org/s", date(2023, 3, 1))
    assert parse_setstatus("2.12 not started").level == Level.NOT_STARTED
    with pytest.raises(UsageError) as refused:
        parse_setstatus('2.12 complete "unclosed')
    assert refused.value.key == "setstatus_quotes"
    assert parse_announce("dry to followers:2.12 at 2026-12-24T09:00 Hello") == AnnounceArgs(
        "Hello", "followers:2.12", "2026-12-24T09:00", True)
    assert parse_announce("to server Meeting tonight") == AnnounceArgs("Meeting tonight", "server")
    assert parse_announce("At last, the register is open").audience is None  # text, not an option
    assert parse_announce("cancel 7") == AnnounceArgs(query="cancel", number="7", query_word=True)
    assert parse_announce("aide") == AnnounceArgs()
    assert parse_setup("salon=42 role=none langue=fr") == SetupArgs(channel="42", role="none", language="fr")
    assert parse_setup("") == SetupArgs(show=True) and parse_setup("reset") == SetupArgs(reset=True)
    assert parse_setup("channel 42").valid is False
    assert parse_frequency("Hebdo") == Frequency.WEEKLY and parse_frequency("sometimes") is None


async def test_a_typed_command_skips_the_text_parsing(app) -> None:
    """The note keeps its quotes and its date-like words: nothing re-splits it."""
    typed = StatusUpdate("2.12", Level.SUBSTANTIAL, NOTE, "https://example.org/source")
    msg = IncomingMessage(ChatRef("console", "admin"), "admin", "/setstatus", command=CommandCall("setstatus", typed))
    assert "2.12" in text_of(await app.assistant.handle(msg))
    assert await _notes(app) == [(NOTE, "https://example.org/source")]
    other = IncomingMessage(ChatRef("console", "bob"), "bob", "/setstatus", command=CommandCall("setstatus", typed))
    assert "administrators" in text_of(await app.assistant.handle(other))  # still an admin command
    unknown = IncomingMessage(ChatRef("console", "bob"), "bob", "/nope", command=CommandCall("nope"))
    assert "nope" in text_of(await app.assistant.handle(unknown))


async def test_a_typed_source_must_be_a_web_address(app) -> None:
    typed = StatusUpdate("2.12", Level.COMPLETE, "done", "not a url")
    msg = IncomingMessage(ChatRef("console", "admin"), "admin", "/setstatus", command=CommandCall("setstatus", typed))
    assert "http:// or https://" in text_of(await app.assistant.handle(msg))
    assert await _notes(app) == []


async def test_discord_setstatus_note_arrives_verbatim(fake, discord_service, discord_app) -> None:
    options = [{"name": "item", "type": 3, "value": "2.12"}, {"name": "level", "type": 3, "value": "limited"},
               {"name": "note", "type": 3, "value": NOTE}]
    interaction = await fake.slash("setstatus", options, user_id=ADMIN)
    assert "2.12" in embed_text((await fake.wait_response(interaction))["data"])
    assert await _notes(discord_app) == [(NOTE, None)]


async def test_discord_announce_to_followers_is_typed(fake, discord_service, discord_app) -> None:
    options = {"message": "to all: this text starts like an option", "followers": "2.12", "dry": True}
    interaction = await fake.slash("announce", options, user_id=ADMIN)
    body = embed_text((await fake.wait_response(interaction))["data"])
    assert "would reach 0 recipients" in body and "to all: this text starts like an option" in body


async def test_discord_evidence_lists_and_admins_record_a_fact(fake, discord_service, discord_app) -> None:
    """/evidence (it had no slash command): the facts of an action for anyone; with a date, a source and a note,
    an admin records one (typed: no quoting of the note); the checks are the chat command's."""
    listing = await fake.slash("evidence", {"item": "5.10"}, user_id=ALICE)
    assert "5.10" in embed_text((await fake.wait_response(listing))["data"])
    fact = {"item": "2.9", "date": "2023-01-10", "source": "https://example.org/rdg",
            "note": 'The "Recherche Data Gouv" platform opened'}
    refused = await fake.slash("evidence", fact, user_id=ALICE, guild_id=GUILD)
    answer = (await fake.wait_response(refused))["data"]
    assert "administrators" in embed_text(answer) and answer["flags"] & EPHEMERAL
    early = await fake.slash("evidence", {**fact, "date": "2019-05-01"}, user_id=ADMIN)
    assert "2021-02-13" in embed_text((await fake.wait_response(early))["data"])
    recorded = await fake.slash("evidence", fact, user_id=ADMIN)
    assert "Evidence recorded for 2.9 (2023-01-10)" in embed_text((await fake.wait_response(recorded))["data"])
    async with discord_app.db.session() as session:
        notes = list(await session.scalars(select(EvidenceRecord.note)))
    assert notes == ['The "Recherche Data Gouv" platform opened']
    missing = await fake.slash("evidence", {"item": "2.9", "date": "2023-01-11"}, user_id=ADMIN)
    assert "YYYY-MM-DD" in embed_text((await fake.wait_response(missing))["data"])  # the usage
