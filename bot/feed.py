"""The status feed: fetch (HTTP with ETag / Last-Modified, or a file), validate every row, apply all or nothing.

Format (JSON or CSV), one row per action:
    id, status, note, source, date      e.g.  2.12, substantial, "Register opened", https://..., 2026-03-01
JSON may be a list of such objects or {"statuses": [...]}. `status` accepts the IRM levels in English or French.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import audit
from bot.chats import find_chat
from bot.domain import ChatRef, Platform
from bot.i18n import t
from bot.settings import Settings
from bot.status import parse_level
from bot.status_changes import StatusUpdate, apply_status, lock_action
from bot.storage.db import Database
from bot.storage.locks import hold_lock
from bot.storage.models import FeedState, Notification, utcnow
from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5_000_000


class FeedError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    source: str
    changed: int = 0
    unchanged: int = 0
    not_modified: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_feed(content: bytes, kb: KnowledgeBase, hint: str = "") -> list[StatusUpdate]:
    """Every row validated; FeedError lists every problem with its row number."""
    rows = _rows(content, hint)
    updates, problems, seen = [], [], set()
    for number, row in rows:
        where = f"row {number}"
        if not isinstance(row, dict):
            problems.append(f"{where}: not an object")
            continue
        action_id = str(row.get("id") or "").strip()
        level = parse_level(str(row.get("status") or ""))
        note = (str(row.get("note") or "").strip() or None)
        source = (str(row.get("source") or "").strip() or None)
        raw_date = str(row.get("date") or "").strip()
        row_problems = []
        if action_id not in kb.actions:
            row_problems.append(f"unknown action id {action_id!r}")
        elif action_id in seen:
            row_problems.append(f"action {action_id} appears twice")
        if level is None:
            row_problems.append(f"unknown status {row.get('status')!r}")
        if source and not source.startswith(("http://", "https://")):
            row_problems.append(f"source is not an http(s) URL: {source[:80]!r}")
        effective = None
        if raw_date:
            try:
                effective = date.fromisoformat(raw_date)
            except ValueError:
                row_problems.append(f"bad date {raw_date!r} (expected YYYY-MM-DD)")
        problems += [f"{where}: {p}" for p in row_problems]
        seen.add(action_id)
        if not row_problems:
            updates.append(StatusUpdate(action_id, level, note and note[:2000], source, effective))
    if problems:
        raise FeedError(problems)
    return updates


def _rows(content: bytes, hint: str) -> list[tuple[int, object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError([f"file is not UTF-8 text: {exc}"]) from exc
    stripped = text.lstrip()
    if not stripped:
        raise FeedError(["file is empty"])
    # Sniff the content (a path or URL merely containing "json" says nothing about a CSV file).
    if stripped[0] in "[{" or hint.endswith(".json"):
        try:
            data = json.loads(text, parse_float=str)  # an id written 2.10 must stay "2.10", not become 2.1
        except json.JSONDecodeError as exc:
            raise FeedError([f"malformed JSON: {exc}"]) from exc
        if isinstance(data, dict):
            data = data.get("statuses")
        if not isinstance(data, list):
            raise FeedError(["JSON must be a list of rows or {\"statuses\": [...]}"])
        return list(enumerate(data, start=1))
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "id" not in header or "status" not in header:
            raise FeedError([f"CSV header must name at least id and status (found: {', '.join(header) or 'nothing'})"])
        reader.fieldnames = header
        rows = []
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            if None in row:
                raise FeedError([f"row {number}: more cells than header columns"])
            rows.append((number, {k: (v or "").strip() for k, v in row.items()}))
        return rows
    except csv.Error as exc:
        raise FeedError([f"malformed CSV: {exc}"]) from exc


async def fetch(source: str, state: FeedState | None) -> tuple[bytes | None, dict[str, str]]:
    """The feed's bytes (None when unchanged since last time) and the HTTP validators to remember."""
    if source.startswith(("http://", "https://")):
        headers = {}
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:
            response = await client.get(source, headers=headers)
        if response.status_code == 304:
            return None, {}
        response.raise_for_status()
        if len(response.content) > MAX_FEED_BYTES:
            raise FeedError([f"feed larger than {MAX_FEED_BYTES} bytes"])
        validators = {k: response.headers[h] for k, h in (("etag", "ETag"), ("last_modified", "Last-Modified"))
                      if h in response.headers}
        return response.content, validators
    path = Path(source.removeprefix("file://"))
    if path.stat().st_size > MAX_FEED_BYTES:
        raise FeedError([f"feed larger than {MAX_FEED_BYTES} bytes"])
    return path.read_bytes(), {}


async def import_feed(db: Database, kb: KnowledgeBase, settings: Settings, source: str, *, by: str = "feed") -> ImportResult:
    """Fetch, validate and apply a feed in one transaction; on any error change nothing and tell admins once."""
    result = ImportResult(source)
    async with db.session() as session:
        state = await session.get(FeedState, source)
    try:
        content, validators = await fetch(source, state)
    except (httpx.HTTPError, OSError) as exc:
        result.problems = [f"cannot fetch: {exc.__class__.__name__}: {exc}"]
        await _report(db, settings, source, result.problems)
        return result
    except FeedError as exc:
        result.problems = exc.problems
        await _report(db, settings, source, result.problems)
        return result
    if content is None:
        result.not_modified = True
        return result
    digest = hashlib.sha256(content).hexdigest()
    if state and state.content_hash == digest:
        result.not_modified = True
        return result
    try:
        updates = parse_feed(content, kb, source.lower())
    except FeedError as exc:
        result.problems = exc.problems
        await _report(db, settings, source, result.problems)
        return result
    async with db.session() as session, session.begin():
        # One import of a source at a time; a second one running at once finds this one's work done.
        await hold_lock(session, f"feed:{source}")
        state = await session.get(FeedState, source)
        if state and state.content_hash == digest:
            result.not_modified = True
            return result
        # Actions locked in one order by every import: two imports of overlapping feeds cannot deadlock.
        for action_id in sorted({u.action_id for u in updates}):
            await lock_action(session, action_id)
        for update in updates:
            change = await apply_status(session, kb, update, by)
            if change is None:
                result.unchanged += 1
            else:
                result.changed += 1
        state = state or FeedState(source=source)
        state.etag, state.last_modified = validators.get("etag"), validators.get("last_modified")
        state.content_hash, state.error_hash, state.checked_at = digest, None, utcnow()
        session.add(state)
        await audit(session, None, "status_import", {"source": source[:200], "changed": result.changed,
                                                     "unchanged": result.unchanged}, platform="feed", user_id=by)
    log.info("status feed %s imported: %d changed, %d unchanged", source, result.changed, result.unchanged)
    return result


async def _report(db: Database, settings: Settings, source: str, problems: list[str]) -> None:
    """Log every problem; queue one notice per admin chat, once per distinct set of problems."""
    for problem in problems:
        log.error("status feed %s rejected: %s", source, problem)
    error_hash = hashlib.sha256("\n".join(problems).encode()).hexdigest()
    async with db.session() as session, session.begin():
        await hold_lock(session, f"feed:{source}")
        state = await session.get(FeedState, source) or FeedState(source=source)
        if state.error_hash == error_hash:
            return  # already told
        state.error_hash, state.checked_at = error_hash, utcnow()
        session.add(state)
        # The same problems may come back after a good import: the key names this report, not the problems.
        await _notify_admins(session, settings, f"feed-error:{error_hash[:16]}:{state.checked_at:%Y%m%dT%H%M%S%f}", {
            lang: t("feed_error", lang, source=source[:200], n=len(problems), problems="; ".join(problems[:10])[:1500])
            for lang in ("en", "fr")
        })


async def _notify_admins(session: AsyncSession, settings: Settings, key: str, text: dict[str, str]) -> int:
    """A notice to every admin who has a chat with the bot (private chat ids follow each platform's scheme)."""
    queued = 0
    for platform in Platform:
        for user_id in settings.admin_ids(platform):
            chat_id = f"user:{user_id}" if platform == Platform.DISCORD else user_id
            chat = await find_chat(session, ChatRef(platform, chat_id))
            if chat is None:
                continue
            session.add(Notification(chat_pk=chat.id, key=f"{key}:{chat.id}", kind="notice",
                                     payload={"type": "notice", "text": text}, state="pending", due_at=utcnow()))
            queued += 1
    return queued
