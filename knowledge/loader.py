"""Load the plan's YAML files, validate them against the schema and cross-check their references."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from knowledge.schema import Action, Commitment, DataFile, Evidence, Institution, Topic

DATA_DIR = Path(__file__).parent / "data"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KnowledgeError(Exception):
    """A data file is broken; the message names the file, the item and the field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class KnowledgeBase:
    institutions: dict[str, Institution] = field(default_factory=dict)
    commitments: dict[str, Commitment] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)  # by action id, oldest first

    def get(self, item_id: str) -> Commitment | Action | Topic | None:
        return self.commitments.get(item_id) or self.actions.get(item_id) or self.topics.get(item_id)

    def actions_of(self, commitment_id: str) -> list[Action]:
        return [a for a in self.actions.values() if a.commitment == commitment_id]

    def institutions_of(self, item: Commitment | Action | Topic) -> list[Institution]:
        ids = getattr(item, "lead_institutions", None) or getattr(item, "institutions", [])
        return [self.institutions[i] for i in ids]

    @property
    def item_ids(self) -> list[str]:
        return [*self.commitments, *self.actions, *self.topics]


def _describe(raw: object, loc: tuple) -> str:
    """Turn a pydantic error location into 'actions[3] (id 2.12): field summary.fr'."""
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        section, index, rest = loc[0], loc[1], loc[2:]
        item_id = None
        if isinstance(raw, dict):
            items = raw.get(section)
            if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
                item_id = items[index].get("id") or items[index].get("action")
        label = "action" if section == "evidence" else "id"
        where = f"{section}[{index}]" + (f" ({label} {item_id})" if item_id is not None else "")
        fields = ".".join(str(p) for p in rest) or "(the item itself)"
        return f"{where}: field {fields}"
    return "field " + ".".join(str(p) for p in loc)


def parse_file(path: Path) -> DataFile:
    """Parse and validate one YAML file, raising KnowledgeError with precise locations."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError([f"{path}: cannot read: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError([f"{path}: not valid YAML: {exc}"]) from exc
    try:
        return DataFile.model_validate(raw)
    except ValidationError as exc:
        raise KnowledgeError(
            [f"{path}: {_describe(raw, e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from exc


def _merge(files: list[tuple[Path, DataFile]]) -> KnowledgeBase:
    kb = KnowledgeBase()
    problems: list[str] = []
    for path, data in files:
        for section in ("institutions", "commitments", "actions", "topics"):
            target = getattr(kb, section)
            for item in getattr(data, section):
                if item.id in target:
                    problems.append(f"{path}: {section} (id {item.id}): duplicate id")
                target[item.id] = item
    for path, data in files:
        for c in data.commitments:
            problems += [
                f"{path}: commitments (id {c.id}): field lead_institutions: unknown institution {i!r}"
                for i in c.lead_institutions
                if i not in kb.institutions
            ]
        for a in data.actions:
            if a.commitment not in kb.commitments:
                problems.append(f"{path}: actions (id {a.id}): field commitment: unknown commitment {a.commitment!r}")
            elif not a.id.startswith(a.commitment + "."):
                problems.append(f"{path}: actions (id {a.id}): field commitment: id does not belong to {a.commitment!r}")
            problems += [
                f"{path}: actions (id {a.id}): field institutions: unknown institution {i!r}"
                for i in a.institutions
                if i not in kb.institutions
            ]
            problems += _deadline_problems(path, a)
    evidence: dict[str, list[Evidence]] = {}
    for path, data in files:
        for index, fact in enumerate(data.evidence):
            where = f"{path}: evidence[{index}] (action {fact.action})"
            if fact.action not in kb.actions:
                problems.append(f"{where}: field action: unknown action id {fact.action!r}")
            elif any((fact.date, fact.source) == (other.date, other.source) for other in evidence.get(fact.action, [])):
                problems.append(f"{where}: the same action, date and source appear twice")
            else:
                evidence.setdefault(fact.action, []).append(fact)
    if problems:
        raise KnowledgeError(problems)
    ordered = KnowledgeBase(
        institutions=kb.institutions,
        commitments=dict(sorted(kb.commitments.items(), key=lambda kv: int(kv[0]))),
        actions=dict(sorted(kb.actions.items(), key=lambda kv: tuple(int(p) for p in kv[0].split(".")))),
        topics=kb.topics,
        evidence={a: sorted(facts, key=lambda f: f.date) for a, facts in sorted(evidence.items())},
    )
    return ordered


# A deadline is a date the plan gives: not before its drafting began, and within the years it looks ahead to.
DEADLINE_RANGE = (date(2021, 2, 13), date(2030, 12, 31))


def _deadline_problems(path: Path, action: Action) -> list[str]:
    """Each deadline quotes the action's own plan text (its `wording`) and falls in a plausible range."""
    problems = []
    plan_words = " ".join(action.text.en.split())
    for index, promise in enumerate(action.promises):
        deadline = promise.deadline
        if deadline is None:
            continue
        where = f"{path}: actions (id {action.id}): field promises[{index}].deadline"
        if " ".join(deadline.wording.split()) not in plan_words:
            problems.append(f"{where}.wording: {deadline.wording!r} is not in the action's plan text")
        if not DEADLINE_RANGE[0] <= deadline.date <= DEADLINE_RANGE[1]:
            problems.append(f"{where}.date: {deadline.date} is outside {DEADLINE_RANGE[0]}..{DEADLINE_RANGE[1]}")
    return problems


def load(path: Path | str = DATA_DIR) -> KnowledgeBase:
    """Load a directory of YAML files (or one file) into a validated KnowledgeBase."""
    path = Path(path)
    if path.is_dir():
        paths = sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
    else:
        paths = [path]
    if not paths:
        raise KnowledgeError([f"{path}: no YAML files found"])
    files, problems = [], []
    for p in paths:
        try:
            files.append((p, parse_file(p)))
        except KnowledgeError as exc:
            problems += exc.problems
    if problems:
        raise KnowledgeError(problems)
    return _merge(files)


def validate_file(path: Path) -> KnowledgeBase:
    """Check one file on its own schema, then its references against the bundled plan it would replace."""
    path = Path(path)
    parse_file(path)
    others = [p for p in sorted(DATA_DIR.glob("*.yaml")) if p.name != path.name]
    files = [(p, parse_file(p)) for p in others] + [(path, parse_file(path))]
    return _merge(files)


@lru_cache(maxsize=1)
def default_knowledge() -> KnowledgeBase:
    """The bundled plan, loaded once per process."""
    return load(DATA_DIR)
