"""`opengov-bot status set|import|history` and `evidence add|list`: the admin's command-line tools, audited like
chat commands."""

from __future__ import annotations

import sys

from bot.audit import audit
from bot.decidim import import_decidim
from bot.evidence import EvidenceUpdate, apply_evidence, facts_of, parse_reporter
from bot.feed import import_feed
from bot.status import DateError, Level, label, parse_assessor, parse_effective_date, parse_level
from bot.status_changes import StatusUpdate, apply_status
from bot.statuses import history


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
        if not result.ok:
            print(f"✗ feed rejected, nothing changed ({len(result.problems)} problem(s)):", file=sys.stderr)
            for problem in result.problems:
                print(f"  - {problem}", file=sys.stderr)
            return 1
        if result.not_modified:
            print("feed unchanged since the last import: nothing to do")
        else:
            print(f"✓ imported: {result.changed} changed, {result.unchanged} unchanged")
        return 0
    if args.status_command == "history":
        if args.action_id not in app.kb.actions:
            print(f"✗ unknown action {args.action_id!r}", file=sys.stderr)
            return 1
        async with app.db.session() as session:
            rows = await history(session, args.action_id)
        if not rows:
            print(f"{args.action_id}: no status recorded (no evidence available)")
        for row in rows:
            source = "" if row.assessed_by == "maintainers" else f" (assessed by {row.assessed_by})"
            print(f"{row.effective_date} {row.previous_status} -> {row.status}{source} by {row.set_by}"
                  f"{' — ' + row.note if row.note else ''}{' <' + row.source_url + '>' if row.source_url else ''}")
        return 0
    return 2


async def _set(app, args) -> int:
    level = parse_level(args.level)
    if level is None:
        print(f"✗ unknown level {args.level!r}; use one of: {', '.join(lv.value for lv in Level)}", file=sys.stderr)
        return 1
    if args.action_id not in app.kb.actions:
        print(f"✗ unknown action {args.action_id!r}", file=sys.stderr)
        return 1
    if args.source and not args.source.startswith(("http://", "https://")):
        print("✗ --source must be an http(s) URL", file=sys.stderr)
        return 1
    try:
        effective = parse_effective_date(args.date) if args.date else None
    except DateError as exc:
        print(f"✗ --date: {exc.describe()}", file=sys.stderr)
        return 1
    assessor = parse_assessor(args.assessed_by)
    if assessor is None:
        print("✗ --assessed-by must be irm, government or maintainers", file=sys.stderr)
        return 1
    async with app.db.session() as session, session.begin():
        update = StatusUpdate(args.action_id, level, args.note, args.source, effective, assessor)
        change = await apply_status(session, app.kb, update, f"cli:{args.by}")
        if change is not None:
            await audit(session, None, "setstatus", {"action": args.action_id, "status": level.value,
                                                     "change": change.id}, platform="cli", user_id=args.by)
    if change is None:
        print(f"{args.action_id} is already {label(level, 'en')}: nothing changed, no alert")
    else:
        print(f"✓ {args.action_id}: {label(change.previous_status, 'en')} -> {label(level, 'en')}")
    return 0


async def run_evidence(app, args) -> int:
    if args.action_id not in app.kb.actions:
        print(f"✗ unknown action {args.action_id!r}", file=sys.stderr)
        return 1
    if args.evidence_command == "list":
        async with app.db.session() as session:
            facts = await facts_of(session, app.kb, args.action_id)
        if not facts:
            print(f"{args.action_id}: no evidence recorded")
        for fact in facts:
            print(f"{fact.date} {fact.en} — {fact.publisher} ({fact.reported_by}) <{fact.source_url}>")
        return 0
    if not args.source.startswith(("http://", "https://")) or any(ch.isspace() for ch in args.source):
        print("✗ --source must be an http(s) URL", file=sys.stderr)
        return 1
    try:
        fact_date = parse_effective_date(args.date)
    except DateError as exc:
        print(f"✗ --date: {exc.describe()}", file=sys.stderr)
        return 1
    reporter = parse_reporter(args.reported_by)
    if reporter is None:
        print("✗ --reported-by must be independent_review, government, press or maintainers", file=sys.stderr)
        return 1
    if not args.note.strip():
        print("✗ --note must say what happened", file=sys.stderr)
        return 1
    update = EvidenceUpdate(args.action_id, fact_date, args.note, args.source, args.publisher, reporter, args.note_fr)
    async with app.db.session() as session, session.begin():
        record = await apply_evidence(session, app.kb, update, f"cli:{args.by}")
        if record is not None:
            await audit(session, None, "evidence", {"action": args.action_id, "evidence": record.id},
                        platform="cli", user_id=args.by)
    if record is None:
        print(f"{args.action_id}: this fact is already recorded (same date and source): nothing changed, no alert")
    else:
        print(f"✓ {args.action_id}: evidence of {fact_date} recorded; the action's followers are alerted")
    return 0
