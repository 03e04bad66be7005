"""Fact questions (tests/data/facts-*.tsv): each names the item that answers it and the fact the reply must
show early. Shared by tests/test_answer_shape.py and benchmarks/bench_answers_shape.py."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from adapters.console import render
from bot.domain import Reply

DATA = Path(__file__).resolve().parent / "data"
FACTS = DATA / "facts-questions.tsv"
UNSEEN_FACTS = DATA / "facts-questions-unseen.tsv"  # not looked at while tuning: the honest figure
FACT_WITHIN = 300  # characters of the console reply the asked fact must appear in


@dataclass(frozen=True)
class FactQuestion:
    lang: str
    expected: str
    facts: tuple[str, ...]  # any of them will do ("10 to 20 | between 10 and 20")
    question: str


def load_facts(path: Path = FACTS) -> list[FactQuestion]:
    with path.open(encoding="utf-8") as handle:
        return [
            FactQuestion(row["lang"], row["expected"], tuple(f.strip() for f in row["fact"].split("|")),
                         row["question"])
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def _spaces(text: str) -> str:
    """French figures use (narrow) no-break spaces: "4 000", "1 %"."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


def holds_fact(text: str, question: FactQuestion, within: int | None = None) -> bool:
    head = _spaces(text)[:within] if within else _spaces(text)
    return any(_spaces(fact) in head for fact in question.facts)


def console_text(replies: list[Reply]) -> str:
    """All replies to one message as the terminal shows them (buttons numbered on, as chat_loop does)."""
    shown: list[str] = []
    count = 0
    for reply in replies:
        text, commands = render(reply, count + 1)
        shown.append(text)
        count += len(commands)
    return "\n".join(shown)
