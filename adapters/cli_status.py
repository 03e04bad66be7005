"""`opengov-bot status set|import|history`: the admin's command-line tools, audited like chat commands."""

from __future__ import annotations

import sys

from bot.audit import audit
from bot.decidim import import_decidim
from bot.feed import import_feed
from bot.status import DateError, Level, label, parse_effective_date, parse_level
from bot.status_changes import StatusUpdate, apply_status
from bot.statuses import history


async def run_status(app, args) -> int:
    if args.status_command == "set":
        return await _set(app, args)
    if args.status_command in ("import", "import-decidim"):
        if args.status_command == "import":
            result = await import_feed(app.db, app.kb, app.settings, args.source, by="cli")
        else:
            result = await import_decidim(app.db, app.kb, app.settings, args.url, mapping_path=args.mapping)
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
            print(f"{row.effective_date} {row.previous_status} -> {row.status} by {row.set_by}"
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
    async with app.db.session() as session, session.begin():
        update = StatusUpdate(args.action_id, level, args.note, args.source, effective)
        change = await apply_status(session, app.kb, update, f"cli:{args.by}")
        if change is not None:
            await audit(session, None, "setstatus", {"action": args.action_id, "status": level.value,
                                                     "change": change.id}, platform="cli", user_id=args.by)
    if change is None:
        print(f"{args.action_id} is already {label(level, 'en')}: nothing changed, no alert")
    else:
        print(f"✓ {args.action_id}: {label(change.previous_status, 'en')} -> {label(level, 'en')}")
    return 0
