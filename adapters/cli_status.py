"""`opengov-bot status set|import|history` and `evidence add|list`: the admin's command-line tools, audited like
chat commands."""

from __future__ import annotations

import functools
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.following.decidim import import_decidim
from bot.following.evidence import EvidenceUpdate, apply_evidence, facts_of, parse_reporter
from bot.following.feed import import_feed
from bot.following.levels import DateError, Level, label, parse_assessor, parse_effective_date, parse_level
from bot.following.status_reads import history
from bot.following.status_updates import StatusUpdate, apply_status
from bot.storage.audit import audit


class _Refused(Exception):
    """A command line we refuse: its message goes to stderr after ✗, and the command exits with 1."""


def _refusing(command: Callable[[Any, Any], Awaitable[int]]) -> Callable[[Any, Any], Awaitable[int]]:
    @functools.wraps(command)
    async def run(app, args) -> int:
        try:
            return await command(app, args)
        except _Refused as refusal:
            print(f"✗ {refusal}", file=sys.stderr)
            return 1
    return run


def _required(value, message: str):
    """A parsed argument, or the command refused with `message` when the parser found nothing (None)."""
    if value is None:
        raise _Refused(message)
    return value


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise _Refused(message)


def _known_action(app, action_id: str) -> None:
    _check(action_id in app.kb.actions, f"unknown action {action_id!r}")


def _date(text: str):
    try:
        return parse_effective_date(text)
    except DateError as exc:
        raise _Refused(f"--date: {exc.describe()}") from None


def _listing(rows: Iterable, empty: str, line: Callable[[Any], str]) -> int:
    """One line a row (`history`, `evidence list`), or `empty` when there is none."""
    rows = list(rows)
    if not rows:
        print(empty)
    for row in rows:
        print(line(row))
    return 0


async def _record(app, args, apply, update, audited: str, details: Callable[[Any], dict], *, unchanged: str,
                  done: Callable[[Any], str]) -> int:
    """Apply `update` for the admin `--by`, audited as `audited` when it changes something (`apply` returns the
    new row, or None when nothing changes): says which, as `done(row)` or `unchanged`."""
    async with app.db.session() as session, session.begin():
        row = await apply(session, app.kb, update, f"cli:{args.by}")
        if row is not None:
            await audit(session, None, audited, {"action": args.action_id, **details(row)}, platform="cli",
                        user_id=args.by)
    print(unchanged if row is None else f"✓ {args.action_id}: {done(row)}")
    return 0


@_refusing
async def run_status(app, args) -> int:
    if args.status_command == "set":
        return await _set(app, args)
    if args.status_command in ("import", "import-decidim"):
        if args.status_command == "import":
            result = await import_feed(app.db, app.kb, app.settings, args.source, capabilities=app.capabilities,
                                       by="cli")
        else:
            result = await import_decidim(app.db, app.kb, app.settings, args.url, capabilities=app.capabilities,
                                          mapping_path=args.mapping)
        _check(result.ok, f"feed rejected, nothing changed ({len(result.problems)} problem(s)):"
                          + "".join(f"\n  - {problem}" for problem in result.problems))
        if result.not_modified:
            print("feed unchanged since the last import: nothing to do")
        else:
            print(f"✓ imported: {result.changed} changed, {result.unchanged} unchanged")
        return 0
    if args.status_command == "history":
        _known_action(app, args.action_id)
        async with app.db.session() as session:
            rows = await history(session, args.action_id)
        return _listing(rows, f"{args.action_id}: no status recorded (no evidence available)", _history_line)
    return 2


def _history_line(row) -> str:
    source = "" if row.assessed_by == "maintainers" else f" (assessed by {row.assessed_by})"
    return (f"{row.effective_date} {row.previous_status} -> {row.status}{source} by {row.set_by}"
            f"{' — ' + row.note if row.note else ''}{' <' + row.source_url + '>' if row.source_url else ''}")


async def _set(app, args) -> int:
    level = _required(parse_level(args.level),
                      f"unknown level {args.level!r}; use one of: {', '.join(lv.value for lv in Level)}")
    _known_action(app, args.action_id)
    _check(not args.source or args.source.startswith(("http://", "https://")), "--source must be an http(s) URL")
    effective = _date(args.date) if args.date else None
    assessor = _required(parse_assessor(args.assessed_by), "--assessed-by must be irm, government or maintainers")
    update = StatusUpdate(args.action_id, level, args.note, args.source, effective, assessor)
    return await _record(
        app, args, apply_status, update, "setstatus", lambda change: {"status": level.value, "change": change.id},
        unchanged=f"{args.action_id} is already {label(level, 'en')}: nothing changed, no alert",
        done=lambda change: f"{label(change.previous_status, 'en')} -> {label(level, 'en')}")


@_refusing
async def run_evidence(app, args) -> int:
    _known_action(app, args.action_id)
    if args.evidence_command == "list":
        async with app.db.session() as session:
            facts = await facts_of(session, app.kb, args.action_id)
        return _listing(facts, f"{args.action_id}: no evidence recorded",
                        lambda fact: f"{fact.date} {fact.en} — {fact.publisher} ({fact.reported_by}) <{fact.source_url}>")
    _check(args.source.startswith(("http://", "https://")) and not any(ch.isspace() for ch in args.source),
           "--source must be an http(s) URL")
    fact_date = _date(args.date)
    reporter = _required(parse_reporter(args.reported_by),
                         "--reported-by must be independent_review, government, press or maintainers")
    _check(bool(args.note.strip()), "--note must say what happened")
    update = EvidenceUpdate(args.action_id, fact_date, args.note, args.source, args.publisher, reporter, args.note_fr)
    return await _record(
        app, args, apply_evidence, update, "evidence", lambda record: {"evidence": record.id},
        unchanged=f"{args.action_id}: this fact is already recorded (same date and source): nothing changed, no alert",
        done=lambda _: f"evidence of {fact_date} recorded; the action's followers are alerted")
