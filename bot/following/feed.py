"""The status feed: fetch (HTTP with ETag / Last-Modified, or a file), validate every row, apply all or nothing.

Format (JSON or CSV), one row per status or per piece of evidence:
    kind, id, status, assessed_by, note, note_fr, source, publisher, reported_by, date
    status row (kind absent or "status"):  2.12, substantial, irm, "Register opened", https://..., 2026-03-01
    evidence row (kind "evidence"):  id, date, note (note_fr optional), source, publisher, reported_by
JSON may be a list of such objects or {"statuses": [...]}. `status` accepts the IRM levels in English or French;
`assessed_by` is irm, government or maintainers (absent: maintainers); `reported_by` is independent_review,
government, press or maintainers (absent: maintainers). `apply_updates` applies validated rows in the caller's
transaction (the Decidim reader uses it too).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import logging
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date as date_type
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import httpx
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Capabilities, Platform, capabilities_of
from bot.following.evidence import EvidenceUpdate, apply_evidence, parse_reporter
from bot.following.levels import Assessor, DateError, Level, parse_assessor, parse_effective_date, parse_level
from bot.following.status_updates import StatusUpdate, apply_status, lock_action
from bot.i18n import LANGUAGES, tn
from bot.plan.text import CONTROL, MAX_NOTE, fold
from bot.redact import redact
from bot.settings import Settings
from bot.storage.audit import audit
from bot.storage.chats import find_chat
from bot.storage.db import Database
from bot.storage.locks import hold_lock
from bot.storage.models import FeedState, Notification, NotificationKind, NotificationState, utcnow
from knowledge.loader import KnowledgeBase
from knowledge.schema import Reporter

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


MAX_ROWS = 1000  # the plan has 58 actions and a feed names each at most once
MAX_PROBLEMS = 50  # listed; the rest are counted


def _text(value: object, field: str, *, limit: int) -> str:
    """A feed cell as text: JSON numbers arrive as their digits (see _rows); anything else is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _refused(f"{field} must be text, not {_kind(value)}")
    if "\x00" in value:
        raise _refused(f"{field} contains a NUL character")
    if len(value) > limit:
        raise _refused(f"{field} is longer than {limit} characters")
    return value.strip()


def _refused(message: str) -> PydanticCustomError:
    return PydanticCustomError("feed", "{message}", {"message": message})  # no template: the text may hold braces


def _kind(value: object) -> str:
    return {bool: "true/false", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def _chosen(value: object, field: str, parse: Callable[[str], object | None], hint: str = ""):
    """A cell naming one of a few values (40 characters at most), as `parse` reads it; refused when unknown."""
    chosen = parse(_text(value, field, limit=40))
    if chosen is None:
        raise _refused(f"unknown {field} {repr(value)[:60]}{hint}")
    return chosen


def _choice(parse: Callable[[str], object | None], hint: str = "") -> BeforeValidator:
    return BeforeValidator(lambda value, info: _chosen(value, info.field_name, parse, hint))


def _cell(limit: int, parse: Callable[[str], object] = str) -> BeforeValidator:
    """An optional cell: text of at most `limit` characters, stripped; None when empty, else as `parse` reads it."""
    def validate(value: object, info: ValidationInfo):
        text = _text(value, info.field_name, limit=limit)
        return parse(text) if text else None
    return BeforeValidator(validate)


class RowKind(StrEnum):
    STATUS = "status"
    EVIDENCE = "evidence"


_KINDS = {"": RowKind.STATUS, "status": RowKind.STATUS, "statut": RowKind.STATUS,
          "evidence": RowKind.EVIDENCE, "preuve": RowKind.EVIDENCE, "fait": RowKind.EVIDENCE}


def _url(source: str) -> str:
    if not source.startswith(("http://", "https://")) or CONTROL.search(source) or " " in source:
        raise _refused(f"source is not an http(s) URL: {source[:80]!r}")
    return source


def _effective_date(text: str) -> date_type:
    try:
        return parse_effective_date(text)
    except DateError as exc:
        raise _refused(exc.describe()) from None


def _percentage(text: str) -> int:
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise _refused(f"progress {text!r} is not a number") from None
    if not 0 <= number <= 100:
        raise _refused(f"progress {text!r} is not a percentage (0 to 100)")
    return round(number)


class FeedRow(BaseModel):
    """One row of a status feed (a JSON object or a CSV line), validated against the plan (context "kb")."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)  # a missing id is checked too

    kind: Annotated[RowKind, _choice(lambda text: _KINDS.get(fold(text)), " (status or evidence)")] = RowKind.STATUS
    id: str = ""
    status: Level | None = None
    assessed_by: Annotated[Assessor, _choice(parse_assessor, " (irm, government or maintainers)")] = (
        Assessor.MAINTAINERS)
    # notes are cleaned where every note enters: StatusUpdate, EvidenceUpdate
    note: Annotated[str | None, _cell(MAX_NOTE * 2)] = None
    note_fr: Annotated[str | None, _cell(MAX_NOTE * 2)] = None
    source: Annotated[str | None, _cell(2000, _url)] = None
    publisher: Annotated[str | None, _cell(200)] = None
    reported_by: Annotated[Reporter, _choice(
        parse_reporter, " (independent_review, government, press or maintainers)")] = Reporter.MAINTAINERS
    date: Annotated[date_type | None, _cell(40, _effective_date)] = None
    progress: Annotated[int | None, _cell(20, _percentage)] = None  # % complete, where a source says (Decidim)

    @field_validator("id", mode="before")
    @classmethod
    def _known_action(cls, value: object, info: ValidationInfo) -> str:
        action_id = _text(value, "id", limit=20)
        if action_id not in info.context["kb"].actions:
            raise _refused(f"unknown action id {action_id!r}")
        return action_id

    @field_validator("status", mode="before")
    @classmethod
    def _level(cls, value: object, info: ValidationInfo) -> Level | None:
        if info.data.get("kind") == RowKind.EVIDENCE:
            return None  # an evidence row has no status
        return _chosen(value, "status", parse_level)

    @model_validator(mode="after")
    def _evidence_complete(self) -> FeedRow:
        if self.kind == RowKind.EVIDENCE:
            missing = [name for name in ("date", "note", "source") if getattr(self, name) is None]
            if missing:
                raise _refused(f"an evidence row needs {', '.join(missing)}")
        return self

    def update(self) -> StatusUpdate | EvidenceUpdate:
        if self.kind == RowKind.EVIDENCE:
            return EvidenceUpdate(self.id, self.date, self.note, self.source, self.publisher, self.reported_by,
                                  self.note_fr)
        return StatusUpdate(self.id, self.status, self.note, self.source, self.date, self.assessed_by,
                            progress=self.progress)

    def key(self) -> tuple:
        """What a feed names at most once: an action's status by one source, or one fact."""
        if self.kind == RowKind.EVIDENCE:
            return self.kind, self.id, self.date, self.source
        return self.kind, self.id, self.assessed_by


def parse_feed(content: bytes, kb: KnowledgeBase, hint: str = "") -> list[StatusUpdate | EvidenceUpdate]:
    """Every row validated; FeedError lists every problem with its row number."""
    return validate_rows(_rows(content, hint), kb)


def validate_rows(rows: list[tuple[int, object]], kb: KnowledgeBase, problems: list[str] | None = None,
                  ) -> list[StatusUpdate]:
    """Feed rows (numbered) validated against the plan; FeedError lists every problem (with `problems` found
    before, e.g. by a reader turning another format into feed rows)."""
    problems = list(problems or [])
    if len(rows) > MAX_ROWS:
        raise FeedError([f"too many rows ({len(rows)}; the plan has {len(kb.actions)} actions)"])
    updates, seen = [], set()
    for number, row in rows:
        where = f"row {number}"
        if not isinstance(row, dict):
            problems.append(f"{where}: not an object")
            continue
        try:
            parsed = FeedRow.model_validate(row, context={"kb": kb})
        except ValidationError as exc:
            problems += [f"{where}: {_message(error)}" for error in exc.errors(include_url=False)]
            continue
        if parsed.key() in seen:
            what = (" (the same evidence)" if parsed.kind == RowKind.EVIDENCE else
                    "" if parsed.assessed_by == Assessor.MAINTAINERS else f" (assessed by {parsed.assessed_by})")
            problems.append(f"{where}: action {parsed.id} appears twice{what}")
            continue
        seen.add(parsed.key())
        updates.append(parsed.update())
    if problems:
        more = len(problems) - MAX_PROBLEMS
        raise FeedError(problems[:MAX_PROBLEMS] + ([f"... and {more} more problem(s)"] if more > 0 else []))
    return updates


def _message(error) -> str:
    """Our own messages as they are; pydantic's (a wrong type) prefixed with the field."""
    if error["type"] == "feed":
        return error["msg"]
    return f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"


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
            # Numbers stay their digits: an id written 2.10 must stay "2.10" (not 2.1), and a 5,000-digit
            # integer is just an unknown id, not a ValueError.
            data = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            raise FeedError([f"malformed JSON: {exc}"]) from exc
        except RecursionError:
            raise FeedError(["malformed JSON: nested too deeply"]) from None
        if isinstance(data, dict):
            data = data.get("statuses")
        if not isinstance(data, list):
            raise FeedError(["JSON must be a list of rows or {\"statuses\": [...]}"])
        return list(enumerate(data, start=1))
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "id" not in header or ("status" not in header and "kind" not in header):
            found = ", ".join(header) or "nothing"
            raise FeedError([f"CSV header must name at least id and status, or id and kind (found: {found})"])
        reader.fieldnames = header
        rows = []
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            if None in row:
                raise FeedError([f"row {number}: more cells than header columns"])
            rows.append((number, {k: (v or "").strip() for k, v in row.items()}))
        return rows
    except csv.Error as exc:
        raise FeedError([f"malformed CSV: {exc}"]) from exc


MAX_REDIRECTS = 5  # same-host redirects followed; another host is refused
READ_TIMEOUT = 30.0  # seconds without a byte (the whole download has STATUS_FEED_TIMEOUT)


async def fetch(source: str, state: FeedState | None, *, deadline: float = 60.0,
                limit: int = MAX_FEED_BYTES, other_hosts: bool = False) -> tuple[bytes | None, dict[str, str]]:
    """The feed's bytes (None when unchanged since last time) and the HTTP validators to remember.

    At most `limit` bytes are read (decompressed bytes for a compressed answer), the whole download takes at
    most `deadline` seconds, and a redirect is followed only on the same host (never from https to http) —
    or, with `other_hosts` (Decidim serves its export from its file storage), to another host over https.
    """
    if source.startswith(("http://", "https://")):
        try:
            async with asyncio.timeout(deadline):
                return await _fetch_http(httpx.URL(source), state, limit, other_hosts)
        except TimeoutError:
            raise FeedError([f"cannot fetch: no complete answer within {deadline:g} s (STATUS_FEED_TIMEOUT)"]) from None
    return await asyncio.to_thread(_read_file, Path(source.removeprefix("file://")), limit), {}


def _read_file(path: Path, limit: int) -> bytes:
    with path.open("rb") as file:  # a bounded read: the size on disk may change, or be 0 for a device
        content = file.read(limit + 1)
    if len(content) > limit:
        raise FeedError([f"feed larger than {limit} bytes"])
    return content


async def _fetch_http(url: httpx.URL, state: FeedState | None, limit: int,
                      other_hosts: bool = False) -> tuple[bytes | None, dict[str, str]]:
    headers = {"Accept-Encoding": "gzip, deflate"}  # the encodings _Inflate decodes within the limit
    if state and state.etag:
        headers["If-None-Match"] = state.etag
    if state and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    async with httpx.AsyncClient(timeout=READ_TIMEOUT, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            async with client.stream("GET", url, headers=headers) as response:
                if response.status_code == 304:
                    return None, {}
                if response.next_request is not None:  # a redirect, not followed by httpx
                    url = _same_host(url, response.next_request.url, other_hosts)
                    continue
                response.raise_for_status()
                content = await _read_limited(response, limit)
                validators = {k: response.headers[h] for k, h in (("etag", "ETag"), ("last_modified", "Last-Modified"))
                              if h in response.headers}
                return content, validators
    raise FeedError([f"cannot fetch: more than {MAX_REDIRECTS} redirects"])


def _same_host(origin: httpx.URL, target: httpx.URL, other_hosts: bool = False) -> httpx.URL:
    if other_hosts and target.scheme == "https":
        return target
    if target.host != origin.host or (origin.scheme == "https" and target.scheme != "https"):
        problem = (f"cannot fetch: redirected to another host or scheme ({str(target)[:200]}): "
                   "set STATUS_FEED_URL to the feed's real address")
        raise FeedError([problem])
    return target


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    """The body, decoded, never holding more than `limit` + one chunk of bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FeedError([f"feed larger than {limit} bytes"])
    inflate = _Inflate(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    async for chunk in response.aiter_raw():
        body += inflate.feed(chunk, limit + 1 - len(body))
        if len(body) > limit:
            raise FeedError([f"feed larger than {limit} bytes"])
    return bytes(body)


class _Inflate:
    """gzip/deflate decoding with a bound on the output, so a compression bomb never inflates past the limit."""

    def __init__(self, encoding: str):
        self.encoding = encoding.strip().lower()
        self.first = self.encoding == "deflate"  # "deflate" is zlib-wrapped, or raw from some servers
        if self.encoding in ("", "identity"):
            self.zlib = None
        elif self.encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self.zlib = zlib.decompressobj()
        else:
            raise FeedError([f"cannot fetch: unsupported Content-Encoding {encoding[:40]!r}"])

    def feed(self, data: bytes, room: int) -> bytes:
        """At most `room` decoded bytes of `data` (`room` >= 1; more data than that is left undecoded)."""
        if self.zlib is None:
            return data[:room]
        out = bytearray()
        try:
            while data and len(out) < room:
                out += self.zlib.decompress(data, room - len(out))
                data = self.zlib.unconsumed_tail
        except zlib.error as exc:
            if self.first and not out:
                self.zlib, self.first = zlib.decompressobj(-zlib.MAX_WBITS), False  # raw deflate, no zlib header
                return self.feed(data, room)
            raise FeedError([f"cannot fetch: corrupt {self.encoding} body ({exc})"]) from None
        self.first = False
        return bytes(out)


Parser = Callable[[bytes, KnowledgeBase, str], list[StatusUpdate]]


async def import_feed(db: Database, kb: KnowledgeBase, settings: Settings, source: str, *,
                      capabilities: Mapping[str, Capabilities], by: str = "feed",
                      parse: Parser = parse_feed, state_key: str | None = None,
                      other_hosts: bool = False) -> ImportResult:
    """Fetch, validate and apply a feed in one transaction; on any error change nothing and tell admins once
    (in their private chats, which each platform's `capabilities` name).

    `parse` turns the bytes into status updates (the status feed's JSON/CSV by default; bot/following/decidim.py reads a
    Decidim export with it); `state_key` names what is remembered between polls (default: the source).
    """
    result = ImportResult(source)
    key = state_key or source
    async with db.session() as session:
        state = await session.get(FeedState, key)
    try:
        content, validators = await fetch(source, state, deadline=settings.status_feed_timeout,
                                          other_hosts=other_hosts)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return await _rejected(db, settings, capabilities, result, [f"cannot fetch: {exc.__class__.__name__}: {exc}"], key)
    except FeedError as exc:
        return await _rejected(db, settings, capabilities, result, exc.problems, key)
    if content is None:
        result.not_modified = True
        return result
    digest = hashlib.sha256(content).hexdigest()
    if state and state.content_hash == digest:
        result.not_modified = True
        return result
    try:
        updates = parse(content, kb, source.lower())
    except FeedError as exc:
        return await _rejected(db, settings, capabilities, result, exc.problems, key)
    async with db.session() as session, session.begin():
        # One import of a source at a time; a second one running at once finds this one's work done.
        await hold_lock(session, f"feed:{key}")
        state = await session.get(FeedState, key)
        if state and state.content_hash == digest:
            result.not_modified = True
            return result
        result.changed, result.unchanged = await apply_updates(session, kb, updates, by)
        state = state or FeedState(source=key)
        state.etag, state.last_modified = validators.get("etag"), validators.get("last_modified")
        state.content_hash, state.error_hash, state.checked_at = digest, None, utcnow()
        session.add(state)
        await audit(session, None, "status_import", {"source": redact(source)[:200], "changed": result.changed,
                                                     "unchanged": result.unchanged}, platform="feed", user_id=by)
    log.info("status feed %s imported: %d changed, %d unchanged", redact(source), result.changed, result.unchanged)
    return result


async def apply_updates(session: AsyncSession, kb: KnowledgeBase, updates: list[StatusUpdate | EvidenceUpdate],
                        by: str) -> tuple[int, int]:
    """Apply validated rows in the caller's transaction (all or nothing is the caller's): (changed, unchanged).

    Statuses are recorded and evidence added, each alerting the action's followers once; a status a source
    already gave, or a fact already known, changes nothing.
    """
    # Actions locked in one order by every import: two imports of overlapping feeds cannot deadlock.
    for action_id in sorted({u.action_id for u in updates}):
        await lock_action(session, action_id)
    changed = 0
    for update in updates:
        if isinstance(update, EvidenceUpdate):
            done = await apply_evidence(session, kb, update, by)
        else:
            done = await apply_status(session, kb, update, by)
        changed += done is not None
    return changed, len(updates) - changed


async def _rejected(db: Database, settings: Settings, capabilities: Mapping[str, Capabilities],
                    result: ImportResult, problems: list[str], key: str | None = None) -> ImportResult:
    result.problems = [redact(problem) for problem in problems]  # an error may quote a URL with a token in it
    await _report(db, settings, capabilities, result.source, result.problems, key or result.source)
    return result


async def _report(db: Database, settings: Settings, capabilities: Mapping[str, Capabilities], source: str,
                  problems: list[str], key: str) -> None:
    """Log every problem; queue one notice per admin chat, once per distinct set of problems."""
    shown = redact(source)
    for problem in problems:
        log.error("status feed %s rejected: %s", shown, problem)
    error_hash = hashlib.sha256("\n".join(problems).encode()).hexdigest()
    async with db.session() as session, session.begin():
        await hold_lock(session, f"feed:{key}")
        state = await session.get(FeedState, key) or FeedState(source=key)
        if state.error_hash == error_hash:
            return  # already told
        state.error_hash, state.checked_at = error_hash, utcnow()
        session.add(state)
        # The same problems may come back after a good import: the key names this report, not the problems.
        notice = f"feed-error:{error_hash[:16]}:{state.checked_at:%Y%m%dT%H%M%S%f}"
        await _notify_admins(session, settings, capabilities, notice, {
            lang: tn("feed_error", lang, len(problems), source=shown[:200], problems="; ".join(problems[:10])[:1500])
            for lang in LANGUAGES
        })


async def _notify_admins(session: AsyncSession, settings: Settings, capabilities: Mapping[str, Capabilities],
                         key: str, text: dict[str, str]) -> int:
    """A notice to every admin who has a chat with the bot (in the private chat their platform's
    `capabilities` name)."""
    queued = 0
    for platform in Platform:
        admin_chat = capabilities_of(capabilities, platform).admin_chat
        for user_id in settings.admin_ids(platform):
            chat = await find_chat(session, admin_chat(user_id))
            if chat is None:
                continue
            session.add(Notification(chat_pk=chat.id, key=f"{key}:{chat.id}", kind=NotificationKind.NOTICE,
                                     payload={"type": "notice", "text": text}, state=NotificationState.PENDING,
                                     due_at=utcnow()))
            queued += 1
    return queued
