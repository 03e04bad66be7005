"""The bootstrap (the composition root): the one place that reads settings and builds everything, explicitly —
storage, the plan, the matcher, the conversation core and its commands, the alert renderer and the delivery
worker, the pacer, the outbounds; the scheduler's jobs get their parts from here too (adapters/runner.py).
Tests override any part by passing it in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.engine import make_url
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_delay, stop_never

from adapters.console import CAPABILITIES as CONSOLE_CAPABILITIES
from adapters.console import ConsoleOutbound
from adapters.discord.capabilities import CAPABILITIES as DISCORD_CAPABILITIES
from adapters.supervisor import backoff
from adapters.telegram.capabilities import CAPABILITIES as TELEGRAM_CAPABILITIES
from bot.conversation.assistant import Assistant
from bot.conversation.commands import CommandRegistry, Services
from bot.conversation.handlers import default_commands
from bot.domain import Capabilities, Outbound, Platform
from bot.following.delivery import DeliveryWorker
from bot.following.subscriptions import TargetIndex
from bot.pacing import Pacer
from bot.plan.language import LanguageDetector, detector_for
from bot.plan.matcher import Matcher
from bot.plan.search import build_matcher
from bot.plan.sentences import answers_for
from bot.presentation.alerts import AlertRenderer
from bot.presentation.chart import ChartCache
from bot.redact import install_on_root, redact, register_settings
from bot.settings import Settings, get_settings
from bot.storage.db import Database
from bot.storage.models import utcnow
from knowledge.loader import KnowledgeBase, default_knowledge

log = logging.getLogger(__name__)

# What each platform can do, from its adapter (mentions, servers, admins' chats, message limits): the core is
# handed these and knows no platform of its own.
CAPABILITIES: Mapping[str, Capabilities] = MappingProxyType({
    caps.platform: caps for caps in (CONSOLE_CAPABILITIES, TELEGRAM_CAPABILITIES, DISCORD_CAPABILITIES)})


@dataclass
class App:
    """Everything one process runs on, built by `bootstrap`. `assistant` is None in processes that answer nobody
    (worker, clock)."""

    settings: Settings
    db: Database
    kb: KnowledgeBase
    pacer: Pacer
    assistant: Assistant | None
    worker: DeliveryWorker
    outbounds: dict[str, Outbound] = field(default_factory=dict)  # shared with the worker: platforms come and go
    running: dict[str, object] = field(default_factory=dict)  # the platform services running now, by name
    capabilities: Mapping[str, Capabilities] = field(default_factory=lambda: CAPABILITIES)  # by platform, from the adapters

    async def close(self) -> None:
        await self.pacer.close()
        await self.db.close()


@dataclass(frozen=True)
class Reader:
    """What reads questions about the plan: the plan itself, its matcher and the language detector (a second
    and ~11 MB to build: processes that answer nobody never build them)."""

    kb: KnowledgeBase
    matcher: Matcher
    detector: LanguageDetector


def build_reader(kb: KnowledgeBase | None = None, *, matcher: Matcher | None = None,
                 detector: LanguageDetector | None = None) -> Reader:
    kb = kb or default_knowledge()
    return Reader(kb, matcher or build_matcher(kb), detector or detector_for(kb))


def build_assistant(reader: Reader, db: Database, settings: Settings, *, commands: CommandRegistry | None = None,
                    clock: Callable[[], datetime] = utcnow,
                    capabilities: Mapping[str, Capabilities] = CAPABILITIES) -> Assistant:
    """The conversation core and what its handlers use."""
    answers_for(reader.kb)  # the answers' sentence index, built now rather than on the first question
    services = Services(
        kb=reader.kb, db=db, settings=settings, matcher=reader.matcher, targets=TargetIndex(reader.kb),
        charts=ChartCache(), commands=commands or default_commands(), clock=clock, capabilities=capabilities,
    )
    return Assistant(services, reader.detector)


def build_worker(db: Database, kb: KnowledgeBase, settings: Settings, outbounds: dict[str, Outbound],
                 pacer: Pacer) -> DeliveryWorker:
    """The outbox's delivery worker, rendering alerts in each recipient's language."""
    renderer = AlertRenderer(kb, settings.default_language, settings.public_url)
    return DeliveryWorker(db, renderer, outbounds, settings, pacer=pacer)


class _NoTraceback(logging.Formatter):
    """For the terminal chat: one line per problem, never a traceback in the person's face."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


class JsonLines(JsonFormatter):
    """LOG_FORMAT=json: one JSON object per line (python-json-logger), traceback included as a string field.

    The root handler's RedactingFilter has already masked the message and traceback; the whole line is masked
    once more here, because python-json-logger also writes a record's `extra` fields, which no filter sees.
    """

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s",
                         rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                         json_ensure_ascii=False)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(settings: Settings, *, interactive: bool = False) -> None:
    """Logs to stderr, one line per event (LOG_FORMAT=json: JSON lines); in the terminal chat only warnings,
    and without tracebacks."""
    level = settings.log_level.upper()
    if interactive:
        level = max(logging.WARNING, logging.getLevelName(level) if isinstance(logging.getLevelName(level), int) else 0)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if interactive:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_NoTraceback("%(levelname)s %(name)s: %(message)s"))
    elif settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonLines())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    register_settings(settings)
    install_on_root()  # tokens masked in every record of every library: message, traceback, stack
    logging.getLogger("httpx").setLevel(logging.WARNING)


class DatabaseUnreachable(RuntimeError):
    """The database did not answer within STARTUP_TIMEOUT."""


def _unreachable(exc: BaseException) -> bool:
    """Refused, unknown host, timed out, the server starting up or full: worth waiting for. A wrong password, a
    missing database or a failing migration is not."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, OSError | TimeoutError) or type(seen).__name__ in (
                "CannotConnectNowError", "TooManyConnectionsError", "ConnectionDoesNotExistError"):
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


async def migrate_when_reachable(db: Database, settings: Settings) -> None:
    """Migrate, waiting for the database with capped exponential backoff (one log line per attempt)."""
    where = make_url(settings.database_url).render_as_string(hide_password=True)

    def log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("database unreachable at %s (attempt %d: %s: %s): retrying in %.2f s", where,
                    state.attempt_number, type(exc).__name__, exc, state.next_action.sleep if state.next_action else 0)

    timeout = settings.startup_timeout
    retrying = AsyncRetrying(
        retry=retry_if_exception(_unreachable),
        wait=backoff(settings),
        stop=stop_after_delay(timeout) if timeout else stop_never,
        before_sleep=log_retry, reraise=True,
    )
    try:
        async for attempt in retrying:
            with attempt:
                await db.migrate()
    except Exception as exc:
        if not _unreachable(exc):
            raise
        raise DatabaseUnreachable(
            f"database unreachable at {where} after {timeout:.0f} s ({type(exc).__name__}: {exc})") from None
    if retrying.statistics.get("attempt_number", 1) > 1:
        log.info("database reachable at %s after %d attempts", where, retrying.statistics["attempt_number"])


# Connections each process type may hold at once (PostgreSQL): (pool size, overflow). DB_POOL_SIZE and
# DB_MAX_OVERFLOW override them. A worker needs one per concurrent delivery plus two (claims, moves).
POOL_DEFAULTS: dict[str, tuple[int, int]] = {
    "run": (5, 10),  # SQLAlchemy's defaults: everything in one process
    "web": (5, 5),  # answers (one short transaction at a time per message)
    "gateway": (5, 5),
    "clock": (2, 1),  # one scheduled job at a time, plus the leader's lock on its own connection
    "command": (2, 1),  # one-shot commands: ask, status, digest, purge...
}


def pool_options(settings: Settings, process: str) -> dict[str, int]:
    """create_async_engine's pool_size / max_overflow for this process type (PostgreSQL only)."""
    if settings.database_url.startswith("sqlite"):
        return {}
    size, overflow = (settings.worker_concurrency + 2, 0) if process == "worker" else \
        POOL_DEFAULTS.get(process, POOL_DEFAULTS["command"])
    return {"pool_size": settings.db_pool_size or size,
            "max_overflow": overflow if settings.db_max_overflow is None else settings.db_max_overflow}


async def bootstrap(settings: Settings | None = None, kb: KnowledgeBase | None = None, *,
                    wait_for_database: bool = False, process: str = "run", matcher: Matcher | None = None,
                    detector: LanguageDetector | None = None, commands: CommandRegistry | None = None,
                    clock: Callable[[], datetime] = utcnow, pacer: Pacer | None = None,
                    answers: bool | None = None) -> App:
    """Build and migrate storage, load the plan, build the core (unless the process answers nobody), the worker
    and the console recipient. With `wait_for_database` (long-running commands), an unreachable database is
    waited for (STARTUP_TIMEOUT). `process` (run, web, worker, clock, gateway, command) picks the connection
    pool's default size and, unless `answers` says, whether the conversation core is built (not for worker,
    clock and one-shot commands)."""
    settings = settings or get_settings()
    register_settings(settings)
    db = Database(settings.database_url, **pool_options(settings, process))
    try:
        await (migrate_when_reachable(db, settings) if wait_for_database else db.migrate())
    except BaseException:
        await db.close()
        raise
    kb = kb or default_knowledge()
    pacer = pacer or Pacer.from_settings(settings)
    if answers is None:
        answers = process not in ("worker", "clock", "command")
    assistant = build_assistant(build_reader(kb, matcher=matcher, detector=detector), db, settings,
                                commands=commands, clock=clock) if answers else None
    outbounds: dict[str, Outbound] = {Platform.CONSOLE: ConsoleOutbound(db)}
    worker = build_worker(db, kb, settings, outbounds, pacer)
    return App(settings, db, kb, pacer, assistant, worker, outbounds)
