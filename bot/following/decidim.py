"""A Decidim tracker as a status source (issue 11 item 4): the accountability component's results, read from
Decidim's open-data export, mapped to the plan's actions and applied like the status feed — all or nothing.

The format is Decidim's own (checked in decidim's source):
- `/open-data/download` answers with (a redirect to) a ZIP named `<host>-open-data.zip` holding one CSV per
  exported resource, `<host>-open-data-<resource>.csv`; the accountability results are `...-results.csv`.
- Its columns are `Decidim::Accountability::ResultSerializer`'s hash flattened by `Decidim::Exporters::CSV`
  (nested keys joined with "/"): `id`, `title/en`, `title/fr`..., `status/id`, `status/key`, `status/name/<locale>`,
  `progress`, `created_at`, `updated_at` (recent versions), `url`, ... The separator is
  `Decidim.default_csv_col_sep` (";" unless configured, "," in some installations): both are read.

A mapping file (YAML, see examples/decidim-mapping.yaml) says which result is which action and what each status
key means on the IRM scale. A result id the file neither maps nor ignores, or a status key it does not know,
refuses the whole import (nothing changes; the admins are told once) — a tracker that grows a new result must
be mapped before its statuses are taken.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from bot.domain import Capabilities
from bot.following.feed import MAX_FEED_BYTES, FeedError, ImportResult, import_feed, validate_rows
from bot.following.levels import Level, parse_level
from bot.following.status_updates import StatusUpdate
from bot.presentation.answers import TRACKER_PREFIX
from bot.settings import Settings
from bot.storage.db import Database
from knowledge.loader import KnowledgeBase

log = logging.getLogger(__name__)

RESULTS_SUFFIX = "-results.csv"  # FILE_NAME_PATTERN "%{host}-open-data-%{entity}.csv" with entity "results"
NOTE_LOCALES = ("fr", "en")  # the status name quoted as the note: French first (a French government's tracker)
ResultId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,18}$")]


class DecidimMapping(BaseModel):
    """Which Decidim results are which of the plan's actions, and what the tracker's status keys mean."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statuses: dict[str, Level] = Field(min_length=1)
    results: dict[ResultId, str] = {}
    ignore: list[ResultId] = []

    @field_validator("statuses", mode="before")
    @classmethod
    def _levels(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        levels = {}
        for key, level in value.items():
            parsed = parse_level(str(level))
            if parsed is None:
                raise ValueError(f"status key {key!r}: {level!r} is not an IRM level (not_started, limited, "
                                 "substantial, complete)")
            levels[str(key).strip()] = parsed
        return levels

    @field_validator("results", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("ignore", mode="before")
    @classmethod
    def _ignored_as_text(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value

    def check(self, kb: KnowledgeBase) -> list[str]:
        """Problems with the plan: unknown actions, a result both mapped and ignored."""
        problems = [f"results: {rid}: unknown action id {aid!r}" for rid, aid in self.results.items()
                    if aid not in kb.actions]
        problems += [f"ignore: {rid}: also mapped to an action under results" for rid in self.ignore
                     if rid in self.results]
        return problems


class MappingError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def load_mapping(path: str | Path, kb: KnowledgeBase) -> tuple[DecidimMapping, str]:
    """The mapping file, validated, and a digest of it (a new mapping is a new import state)."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
        raw = yaml.safe_load(raw_bytes.decode("utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError([f"{path}: cannot read the Decidim mapping: {exc}"]) from None
    try:
        mapping = DecidimMapping.model_validate(raw)
    except ValidationError as exc:
        raise MappingError([f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                            for e in exc.errors(include_url=False)]) from None
    problems = mapping.check(kb)
    if problems:
        raise MappingError([f"{path}: {p}" for p in problems])
    return mapping, hashlib.sha256(raw_bytes).hexdigest()


def results_csv(content: bytes, limit: int = MAX_FEED_BYTES) -> tuple[str, str]:
    """The results CSV inside an open-data ZIP (or the content itself when it is a CSV), and its name."""
    if not content.startswith(b"PK\x03\x04"):
        return _decode(content, "the export"), "the export"
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise FeedError([f"the export is not a valid ZIP file: {exc}"]) from None
    entries = [i for i in archive.infolist() if i.filename.endswith(RESULTS_SUFFIX)]
    if len(entries) != 1:
        names = ", ".join(i.filename for i in archive.infolist()[:20]) or "nothing"
        raise FeedError([(f"the open-data ZIP must hold one *{RESULTS_SUFFIX} file (the accountability results); "
                         f"found: {names}")])
    entry = entries[0]
    if entry.file_size > limit:
        raise FeedError([f"{entry.filename} is larger than {limit} bytes"])
    try:
        with archive.open(entry) as file:
            data = file.read(limit + 1)  # bounded: the size in the ZIP's directory may lie
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise FeedError([f"cannot read {entry.filename} from the ZIP: {exc}"]) from None
    if len(data) > limit:
        raise FeedError([f"{entry.filename} is larger than {limit} bytes"])
    return _decode(data, entry.filename), entry.filename


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError([f"{name} is not UTF-8 text: {exc}"]) from None


def feed_rows(text: str, name: str, mapping: DecidimMapping) -> tuple[list[tuple[int, dict]], list[str]]:
    """Decidim result rows as status-feed rows ("assessed_by": "government"), and the problems found."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        records = list(enumerate(reader, start=2))  # line 1 is the header
    except csv.Error as exc:
        raise FeedError([f"{name}: malformed CSV: {exc}"]) from None
    missing = [column for column in ("id", "status/key", "progress") if column not in header]
    if missing:
        raise FeedError([(f"{name}: not a Decidim results export: no column {', '.join(missing)} "
                         f"(found: {', '.join(header[:12]) or 'nothing'})")])
    rows, problems, ignored = [], [], set(mapping.ignore)
    for number, record in records:
        where = f"{name} line {number}"
        if None in record:
            problems.append(f"{where}: more cells than header columns")
            continue
        cell = {k: (v or "").strip() for k, v in record.items()}
        result_id = cell["id"]
        if result_id in ignored:
            continue
        action_id = mapping.results.get(result_id)
        if action_id is None:
            problems.append(f"{where}: unknown Decidim result id {result_id[:40]!r}: map it to an action (or list "
                            "it under ignore) in the mapping file")
            continue
        key = cell["status/key"]
        if not key:
            problems.append(f"{where}: result {result_id} has no status key")
            continue
        if key not in mapping.statuses:
            problems.append(f"{where}: unknown status key {key[:40]!r}: give its IRM level under statuses in the "
                            "mapping file")
            continue
        note = next((cell[f"status/name/{lang}"] for lang in NOTE_LOCALES if cell.get(f"status/name/{lang}")), None)
        rows.append((number, {
            "id": action_id,
            "status": mapping.statuses[key].value,
            "note": note,
            "source": cell.get("url") or None,
            "date": (cell.get("updated_at") or "")[:10] or None,
            "progress": cell["progress"],
            "assessed_by": "government",
        }))
    return rows, problems


def parse_export(mapping: DecidimMapping, content: bytes, kb: KnowledgeBase, hint: str = "") -> list[StatusUpdate]:
    """A Decidim export's results as status updates, every row validated like the feed's; FeedError otherwise."""
    text, name = results_csv(content)
    rows, problems = feed_rows(text, name, mapping)
    return validate_rows(rows, kb, problems)


async def import_decidim(db: Database, kb: KnowledgeBase, settings: Settings, url: str | None = None, *,
                         capabilities: Mapping[str, Capabilities], mapping_path: str | None = None,
                         by: str = TRACKER_PREFIX) -> ImportResult:
    """Fetch (conditionally), read and apply a Decidim export, all or nothing, like the status feed (problems
    reported to the admins in the private chats the platforms' `capabilities` name)."""
    url = url or settings.decidim_url
    mapping_path = mapping_path or settings.decidim_mapping
    result = ImportResult(url or "")
    try:
        if not url:
            raise MappingError(["no Decidim URL: set DECIDIM_URL or give one"])
        if not mapping_path:
            raise MappingError(["no Decidim mapping file: set DECIDIM_MAPPING (see examples/decidim-mapping.yaml)"])
        mapping, digest = load_mapping(mapping_path, kb)
    except MappingError as exc:
        for problem in exc.problems:
            log.error("Decidim import not run: %s", problem)
        result.problems = exc.problems
        return result
    # What is remembered between polls belongs to this URL read with this mapping: a new mapping reads it anew.
    return await import_feed(db, kb, settings, url, capabilities=capabilities, by=by,
                             parse=partial(parse_export, mapping),
                             state_key=f"decidim:{digest[:16]}:{url}"[:500], other_hosts=True)


async def decidim_job(db: Database, kb: KnowledgeBase, settings: Settings,
                      capabilities: Mapping[str, Capabilities]) -> None:
    """The scheduler's poll (problems are logged; an export's problems are also reported to the admins)."""
    await import_decidim(db, kb, settings, capabilities=capabilities)
