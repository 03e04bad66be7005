"""Bad input gets a clear, polite refusal and changes nothing: implausible dates (chat, feed, command line), huge
announcement numbers, over-long console names, and terminal escape sequences on their way to a terminal."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from adapters.cli import _parser
from adapters.cli_status import run_evidence, run_status
from adapters.console import ConsoleOutbound, chat_loop, pop_inbox
from bot.following.feed import import_feed
from bot.storage.models import ConsoleInbox, EvidenceRecord, StatusChange
from tests.outbox_support import count, make_worker, say, text_of

TODAY = datetime.now(UTC).date()


async def admin(app, command: str, **kwargs) -> str:
    return text_of(await say(app, "admin", command, **kwargs))


# -- dates --------------------------------------------------------------------------------------------------

REFUSED_DATES = {
    "20260301": "That date is not valid (YYYY-MM-DD).",
    "01/03/2026": "That date is not valid (YYYY-MM-DD).",
    "2026-W09-1": "That date is not valid (YYYY-MM-DD).",
    "2020-12-31": "That date is before the plan: its drafting began on 2021-02-13.",
    (TODAY + timedelta(days=3)).isoformat(): "That date is in the future: record a status once it has happened.",
}


async def test_setstatus_refuses_implausible_and_non_iso_dates(app) -> None:
    for when, refusal in REFUSED_DATES.items():
        assert await admin(app, f'setstatus 2.12 substantial "Register analysis published" {when}') == refusal
    assert await count(app, StatusChange) == 0


async def test_setstatus_accepts_the_plan_start_and_tomorrow_and_answers_in_french(app) -> None:
    assert "now “Limited”" in await admin(app, 'setstatus 2.12 limited "kick-off" 2021-02-13')
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert "now “Substantial”" in await admin(app, f'setstatus 2.12 substantial "published" {tomorrow}')
    reply = await admin(app, 'setstatus 2.11 complete "fait" 2019-01-01', locale="fr")
    assert reply == "Cette date est antérieure au plan\u202f: son élaboration a commencé le 2021-02-13."
    assert await count(app, StatusChange) == 2


FEED_DATES = {
    "20260301": "bad date '20260301' (expected YYYY-MM-DD)",
    "2021-02-12": "date '2021-02-12' is before the plan (drafting began on 2021-02-13)",
    "2099-01-01": "date '2099-01-01' is in the future",
}


async def test_the_feed_refuses_implausible_and_non_iso_dates(app, tmp_path) -> None:
    feed = tmp_path / "feed.csv"
    for when, problem in FEED_DATES.items():
        feed.write_text(f"id,status,note,source,date\n2.12,limited,first step,,{when}\n")
        result = await import_feed(app.db, app.kb, app.settings, str(feed), capabilities=app.capabilities)
        assert result.problems == [f"row 2: {problem}"]
    assert await count(app, StatusChange) == 0


async def test_status_set_on_the_command_line_refuses_them_too(app, capsys) -> None:
    for when, message in (("20260301", "✗ --date: bad date '20260301' (expected YYYY-MM-DD)"),
                          ("2020-06-01", "✗ --date: date '2020-06-01' is before the plan (drafting began on 2021-02-13)")):
        args = _parser().parse_args(["status", "set", "2.12", "limited", "--note", "x", "--date", when])
        assert await run_status(app, args) == 1
        assert capsys.readouterr().err.strip() == message
    assert await count(app, StatusChange) == 0


CLI_REFUSALS = [
    (["status", "set", "9.99", "bogus"],  # the level is checked first
     "unknown level 'bogus'; use one of: no_evidence, not_started, limited, substantial, complete"),
    (["status", "set", "9.99", "limited"], "unknown action '9.99'"),
    (["status", "set", "2.12", "limited", "--source", "ftp://x.org/"], "--source must be an http(s) URL"),
    (["status", "set", "2.12", "limited", "--assessed-by", "nobody"],
     "--assessed-by must be irm, government or maintainers"),
    (["status", "history", "9.99"], "unknown action '9.99'"),
    (["evidence", "list", "9.99"], "unknown action '9.99'"),
    (["evidence", "add", "4.1", "--date", "2023-02-16", "--source", "https://x.org/ a", "--note", "n"],
     "--source must be an http(s) URL"),
    (["evidence", "add", "4.1", "--date", "20230216", "--source", "https://x.org/", "--note", "n"],
     "--date: bad date '20230216' (expected YYYY-MM-DD)"),
    (["evidence", "add", "4.1", "--date", "2023-02-16", "--source", "https://x.org/", "--note", "n",
      "--reported-by", "blog"], "--reported-by must be independent_review, government, press or maintainers"),
    (["evidence", "add", "4.1", "--date", "2023-02-16", "--source", "https://x.org/", "--note", " "],
     "--note must say what happened"),
]


async def test_each_bad_command_line_argument_is_refused_with_its_own_message(app, capsys, tmp_path) -> None:
    for argv, message in CLI_REFUSALS:
        run = run_status if argv[0] == "status" else run_evidence
        assert await run(app, _parser().parse_args(argv)) == 1, argv
        assert capsys.readouterr() == ("", f"✗ {message}\n"), argv
    feed = tmp_path / "feed.csv"
    feed.write_text("id,status,note,source,date\n2.12,limited,x,,20260101\n9.99,limited,,,\n")
    assert await run_status(app, _parser().parse_args(["status", "import", str(feed)])) == 1
    assert capsys.readouterr().err == ("✗ feed rejected, nothing changed (2 problem(s)):\n"
                                       "  - row 2: bad date '20260101' (expected YYYY-MM-DD)\n"
                                       "  - row 3: unknown action id '9.99'\n")
    assert await count(app, StatusChange) == 0 and await count(app, EvidenceRecord) == 0


# -- announcements, console names ---------------------------------------------------------------------------

async def test_an_impossible_announcement_number_is_no_such_announcement(app) -> None:
    for command in ("announce status", "announce cancel", "announce annuler"):
        for number in ("99999999999999999999", "2147483648", "0", "²"):
            assert await admin(app, f"{command} {number}") == f"There is no announcement #{number}."


def test_a_console_name_that_does_not_fit_the_chat_id_column_is_refused(capsys) -> None:
    assert _parser().parse_args(["chat", "--as", "a" * 64]).name == "a" * 64
    for bad in ("a" * 65, "alice\x1b[2J", "   "):
        with pytest.raises(SystemExit) as stopped:
            _parser().parse_args(["chat", "--as", bad])
        assert stopped.value.code == 2
        assert "a console name is 1 to 64 printable characters" in capsys.readouterr().err


# -- terminal escape sequences --------------------------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m"


async def test_escape_sequences_in_a_feed_note_never_reach_a_terminal(app, tmp_path) -> None:
    await say(app, "alice", "follow 2.12")
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"id": "2.12", "status": "limited", "note": f"Budget{ESCAPES} voted"}]))
    assert (await import_feed(app.db, app.kb, app.settings, str(feed), capabilities=app.capabilities)).ok
    async with app.db.session() as session:
        change = await session.get(StatusChange, 1)
    assert change.note == "Budget [2J ]0;pwned 31m voted"  # stored clean, where every note enters
    assert (await make_worker(app, ConsoleOutbound(app.db)).run_once())["sent"] == 1
    async with app.db.session() as session, session.begin():  # a row stored before alerts were cleaned
        session.add(ConsoleInbox(chat_id="alice", key="old", text=f"old alert {ESCAPES}"))
    shown = io.StringIO()
    await chat_loop(app.assistant, app.db, "alice", "en", stdin=io.StringIO("status 2.12\n"), stdout=shown)
    printed = shown.getvalue()
    assert "Budget [2J ]0;pwned 31m voted" in printed and "old alert" in printed
    assert not set(printed) & {"\x1b", "\x07", "\x9b"}
    assert (await pop_inbox(app.db, "alice"))[0] == []
