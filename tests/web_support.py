"""The public pages served by a real aiohttp server on 127.0.0.1, and small HTML helpers for their tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date

import lxml.html
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.public import add_public_routes
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status


@contextlib.asynccontextmanager
async def public_client(app, settings=None) -> AsyncIterator[TestClient]:
    """A client of the pages of the composed `app` (its kb, database and, unless given, settings)."""
    application = web.Application()
    add_public_routes(application, kb=app.kb, db=app.db, settings=settings or app.settings)
    async with TestClient(TestServer(application, host="127.0.0.1")) as client:
        yield client


async def set_status(app, action_id: str, level: Level, note: str | None = None, source: str | None = None,
                     effective: date | None = None, **more):
    """A status change through the real core (history, alerts), committed."""
    update = StatusUpdate(action_id, level, note, source, effective, **more)
    async with app.db.session() as session, session.begin():
        return await apply_status(session, app.kb, update, "test")


def parse(body: str):
    return lxml.html.document_fromstring(body)
