"""The `opengov-bot` command line: chat, run, ask, kb validate, status, and the process types web, worker,
clock and gateway."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from pathlib import Path

from bot.settings import get_settings

log = logging.getLogger("opengov-bot")
LONG_RUNNING = ("run", "web", "worker", "clock", "gateway")  # these wait for the database at start-up


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
    ask.add_argument("--lang", choices=["en", "fr"], help="reply language (default: the question's language)")

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
    dec = status_sub.add_parser("import-decidim",
                                help="import a Decidim tracker's accountability results once, all-or-nothing")
    dec.add_argument("url", nargs="?", default=None,
                     help="its open-data export, e.g. https://HOST/open-data/download, or a file (default: DECIDIM_URL)")
    dec.add_argument("--mapping", default=None, help="the mapping file (default: DECIDIM_MAPPING)")
    show = status_sub.add_parser("history", help="an action's status history")
    show.add_argument("action_id")

    set_.add_argument("--assessed-by", default="maintainers", help="irm | government | maintainers (default)")

    evidence = sub.add_parser("evidence", help="add or list dated, sourced facts about an action")
    evidence_sub = evidence.add_subparsers(dest="evidence_command", required=True)
    add = evidence_sub.add_parser("add", help="record a fact and alert the action's followers")
    add.add_argument("action_id")
    add.add_argument("--date", required=True, help="when it happened, YYYY-MM-DD")
    add.add_argument("--source", required=True, help="the http(s) address of the page that states it")
    add.add_argument("--note", required=True, help="what happened, in English (your own words)")
    add.add_argument("--note-fr", default=None, help="the same in French")
    add.add_argument("--publisher", default=None, help="who published the source (default: its web site)")
    add.add_argument("--reported-by", default="maintainers",
                     help="independent_review | government | press | maintainers (default)")
    add.add_argument("--by", default=getpass.getuser(), help="who adds it (default: your user name)")
    listing = evidence_sub.add_parser("list", help="an action's facts, newest first")
    listing.add_argument("action_id")

    sub.add_parser("web", help="serve the Telegram webhook, /healthz, /readyz, /metrics and the public pages on PORT")
    sub.add_parser("clock", help="run the scheduler (feed polls, digests, purge); one is elected among several")
    sub.add_parser("gateway", help="run Discord's gateway (DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS)")
    worker = sub.add_parser("worker", help="deliver due alerts and announcements (sends only, receives nothing)")
    worker.add_argument("--once", action="store_true", help="deliver everything due now, then exit")

    digest = sub.add_parser("digest", help="build the daily/weekly digests that are due now")
    digest.add_argument("--force", action="store_true", help="build them whatever the hour")

    sub.add_parser("purge", help="delete sent alerts and console-inbox rows older than RETENTION_DAYS (also daily)")
    return parser


def _console_name(value: str) -> str:
    """A console user's name is their chat id: it must fit the chats.chat_id column and be printable."""
    from bot.plan.text import CONTROL
    from bot.storage.models import Chat

    limit = Chat.__table__.c.chat_id.type.length
    name = value.strip()
    if not name or len(name) > limit or CONTROL.search(name):
        raise argparse.ArgumentTypeError(f"a console name is 1 to {limit} printable characters "
                                         f"(this one has {len(value)})")
    return name


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "kb":
            return _kb_validate(args.path)
        if args.command == "ask" and args.json:
            return _ask_json(args.question, args.lang)
        return asyncio.run(_async_main(args)) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:  # noqa: BLE001 — a clean one-line error, secrets masked; the traceback in DEBUG logs
        return _fatal(exc)


def _closed_pipe() -> int:
    """The reader went away (`opengov-bot ask … | head`): stop quietly, as a Unix tool killed by SIGPIPE would.

    stdout is pointed at /dev/null so that Python's final flush at exit does not raise a second time.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 128 + 13  # 141, the shell's status for a process ended by SIGPIPE


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
        f"{len(kb.institutions)} institutions, {sum(map(len, kb.evidence.values()))} pieces of evidence "
        f"on {len(kb.evidence)} actions"
    )
    return 0


def _ask_json(question: str | None, lang: str | None = None) -> int:
    """Matcher output as JSON lines; needs no database, so it is fast enough for evaluation scripts.

    "language" is the language the answer would be in: --lang, else the question's, else DEFAULT_LANGUAGE.
    """
    from adapters.bootstrap import build_reader

    reader = build_reader()
    matcher, detector = reader.matcher, reader.detector
    default = get_settings().default_language
    questions = sys.stdin if question in (None, "-") else [question]
    for line in questions:
        text = line.rstrip("\n")
        result = matcher.rank(text)
        payload = {
            "answered": result.answered,
            "language": lang or detector.detect(text) or default,
            "matches": [{"id": m.id, "kind": m.kind, "score": m.score, "title": m.title} for m in result.matches],
        }
        print(json.dumps(payload, ensure_ascii=False), flush=True)
    return 0


async def _async_main(args: argparse.Namespace) -> int:
    from adapters.bootstrap import DatabaseUnreachable, bootstrap, configure_logging
    from adapters.supervisor import KeepsFailing, NothingToRun

    settings = get_settings()
    configure_logging(settings, interactive=args.command in ("chat", "ask") or (
        args.command == "run" and not (settings.telegram_token or settings.discord_token)))
    try:  # the long-running commands wait for the database (STARTUP_TIMEOUT); the others fail at once
        app = await bootstrap(settings, wait_for_database=args.command in LONG_RUNNING,
                              process=args.command if args.command in LONG_RUNNING else "command",
                              answers=args.command in ("chat", "ask", "run", "web", "gateway"))
    except DatabaseUnreachable as exc:
        log.error("%s: giving up", exc)
        return 1
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

            # Without --lang the reply is in the question's language (detected by the core).
            await chat_loop(app.assistant, app.db, "cli", stdin=io.StringIO((args.question or "") + "\n"),
                            forced_language=args.lang)
        elif args.command == "status":
            from adapters.cli_status import run_status

            return await run_status(app, args)
        elif args.command in ("web", "clock", "gateway"):
            from adapters import runner

            return await getattr(runner, f"run_{args.command}")(app)
        elif args.command == "evidence":
            from adapters.cli_status import run_evidence

            return await run_evidence(app, args)
        elif args.command == "worker":
            from adapters.runner import run_worker

            return await run_worker(app, once=args.once)
        elif args.command == "digest":
            from jobs.digests import build_digests

            made = await build_digests(app.db, app.settings, force=args.force)
            print(f"{made} digest(s) queued")
        elif args.command == "purge":
            from bot.following.retention import purge

            removed = await purge(app.db, app.settings)
            print(f"older than {app.settings.retention_days} days: {removed['notifications']} sent alert(s) and "
                  f"{removed['console_inbox']} console-inbox row(s) deleted")
        return 0
    except KeepsFailing as exc:  # exit non-zero, so that the process supervisor (Procfile) starts us again
        log.critical("%s: exiting with status 1", exc)
        return 1
    except NothingToRun as exc:  # every platform refused for good (a rejected token): say why, in one line
        raise exc.cause from None
    finally:
        await app.close()


if __name__ == "__main__":
    sys.exit(main())
