"""The composition root: the one place that reads settings and builds storage, the core and the platforms."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.assistant import Assistant
from bot.domain import Outbound, Platform
from bot.redact import install_on_root, register_settings
from bot.settings import Settings, get_settings
from bot.storage.db import Database
from knowledge.loader import KnowledgeBase, default_knowledge


@dataclass
class App:
    settings: Settings
    db: Database
    kb: KnowledgeBase
    assistant: Assistant
    outbounds: dict[str, Outbound] = field(default_factory=dict)

    async def close(self) -> None:
        await self.db.close()


class _NoTraceback(logging.Formatter):
    """For the terminal chat: one line per problem, never a traceback in the person's face."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def configure_logging(settings: Settings, *, interactive: bool = False) -> None:
    """Logs to stderr; in the terminal chat only warnings, and without tracebacks."""
    level = settings.log_level.upper()
    if interactive:
        level = max(logging.WARNING, logging.getLevelName(level) if isinstance(logging.getLevelName(level), int) else 0)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if interactive:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_NoTraceback("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    register_settings(settings)
    install_on_root()  # tokens masked in every record of every library: message, traceback, stack
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def build_app(settings: Settings | None = None, kb: KnowledgeBase | None = None) -> App:
    """Build and migrate storage, load the plan, wire the core and the console recipient."""
    from adapters.console import ConsoleOutbound

    settings = settings or get_settings()
    register_settings(settings)
    db = Database(settings.database_url)
    await db.migrate()
    kb = kb or default_knowledge()
    app = App(settings, db, kb, Assistant(kb, db, settings))
    app.outbounds[Platform.CONSOLE] = ConsoleOutbound(db)
    return app
