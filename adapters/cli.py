"""The `opengov-bot` command line: chat, run, ask, kb validate, status, worker."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path

from bot.settings import get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opengov-bot", description="Ask about and follow France's OGP action plan.")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="chat in the terminal (reads one message per line when not a terminal)")
    chat.add_argument("--as", dest="name", default="you", type=_console_name,
                      help="console user name, up to 64 characters (default: you)")
    chat.add_argument("--lang", choices=["en", "fr"], help="language hint for a new user")

    sub.add_parser("run", help="start every platform that has credentials (the console chat when none)")

    ask = sub.add_parser("ask", help="answer one question, or one per line of stdin with --json -")
    ask.add_argument("question", nargs="?", help="the question, or - to read questions from stdin")
    ask.add_argument("--json", action="store_true", help="print JSON: {answered, matches: [{id, kind, score, title}]}")
    ask.add_argument("--lang", choices=["en", "fr"], help="reply language (text output)")

    kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    validate = kb_sub.add_parser("validate", help="check a data file or directory; exit 1 on error")
    validate.add_argument("path", nargs="?", help="a YAML file or a directory (default: the bundled plan)")

    status = sub.add_parser("status", help="set, import or show action statuses")
    status_sub = status.add_subparsers(dest="status_command", required=True)
    set_ = status_sub.add_parser("set", help="set an action's status")
    set_.add_argument("action_id")
    set_.add_argument("level", help="no_evidence | not_started | limited | substantial | complete")
    set_.add_argument("--note", default=None)
    set_.add_argument("--source", default=None, help="source URL")
    set_.add_argument("--date", default=None, help="date it took effect, YYYY-MM-DD (default: today)")
    set_.add_argument("--by", default=getpass.getuser(), help="who sets it (default: your user name)")
    imp = status_sub.add_parser("import", help="import a status feed (JSON or CSV) all-or-nothing")
    imp.add_argument("source", help="a file path or an http(s) URL")
    show = status_sub.add_parser("history", help="an action's status history")
    show.add_argument("action_id")

    worker = sub.add_parser("worker", help="deliver due alerts and announcements")
    worker.add_argument("--once", action="store_true", help="deliver everything due now, then exit")

    digest = sub.add_parser("digest", help="build the daily/weekly digests that are due now")
    digest.add_argument("--force", action="store_true", help="build them whatever the hour")
    return parser


def _console_name(value: str) -> str:
    """A console user's name is their chat id: it must fit the chats.chat_id column and be printable."""
    from bot.storage.models import Chat
    from bot.text import CONTROL

    limit = Chat.__table__.c.chat_id.type.length
    name = value.strip()
    if not name or len(name) > limit or CONTROL.search(name):
        raise argparse.ArgumentTypeError(f"a console name is 1 to {limit} printable characters "
                                         f"(this one has {len(value)})")
    return name


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "kb":
        return _kb_validate(args.path)
    if args.command == "ask" and args.json:
        return _ask_json(args.question)
    try:
        return asyncio.run(_async_main(args)) or 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 — a clean one-line error, secrets masked; the traceback in DEBUG logs
        return _fatal(exc)


def _fatal(exc: Exception) -> int:
    import logging

    from bot.redact import redact

    logging.getLogger("opengov-bot").debug("stopped by an error", exc_info=exc)
    detail = " ".join(f"{exc.__class__.__name__}: {exc}".split())
    print(f"opengov-bot: error: {redact(detail)[:500]}", file=sys.stderr)
    return 1


def _kb_validate(path: str | None) -> int:
    from knowledge.loader import DATA_DIR, KnowledgeError, load, validate_file

    try:
        if path and Path(path).is_file():
            kb = validate_file(Path(path))
        else:
            kb = load(Path(path) if path else DATA_DIR)
    except KnowledgeError as exc:
        print(f"✗ {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(
        f"✓ valid: {len(kb.commitments)} commitments, {len(kb.actions)} actions, {len(kb.topics)} topics, "
        f"{len(kb.institutions)} institutions"
    )
    return 0


def _ask_json(question: str | None) -> int:
    """Matcher output as JSON lines; needs no database, so it is fast enough for evaluation scripts."""
    from bot.search import build_matcher
    from knowledge.loader import default_knowledge

    matcher = build_matcher(default_knowledge())
    questions = sys.stdin if question in (None, "-") else [question]
    for line in questions:
        result = matcher.rank(line.rstrip("\n"))
        payload = {
            "answered": result.answered,
            "matches": [{"id": m.id, "kind": m.kind, "score": m.score, "title": m.title} for m in result.matches],
        }
        print(json.dumps(payload, ensure_ascii=False), flush=True)
    return 0


async def _async_main(args: argparse.Namespace) -> int:
    from adapters.compose import build_app, configure_logging

    settings = get_settings()
    configure_logging(settings, interactive=args.command in ("chat", "ask") or (
        args.command == "run" and not (settings.telegram_token or settings.discord_token)))
    app = await build_app(settings)
    try:
        if args.command == "chat":
            from adapters.console import chat_loop

            await chat_loop(app.assistant, app.db, args.name, args.lang)
        elif args.command == "run":
            from adapters.runner import run_all

            await run_all(app)
        elif args.command == "ask":
            import io

            from adapters.console import chat_loop

            await chat_loop(app.assistant, app.db, "cli", args.lang, stdin=io.StringIO((args.question or "") + "\n"))
        elif args.command == "status":
            from adapters.cli_status import run_status

            return await run_status(app, args)
        elif args.command == "worker":
            from adapters.runner import run_worker

            return await run_worker(app, once=args.once)
        elif args.command == "digest":
            from jobs.digests import build_digests

            made = await build_digests(app, force=args.force)
            print(f"{made} digest(s) queued")
        return 0
    finally:
        await app.close()


if __name__ == "__main__":
    sys.exit(main())
