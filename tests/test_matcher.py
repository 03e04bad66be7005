"""The matcher: bilingual, accent- and typo-tolerant, aware of names and acronyms, honest when off the plan."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.matcher import Document, Matcher
from bot.search import build_matcher
from knowledge.loader import default_knowledge

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return build_matcher(default_knowledge())


def hit(got: str, expected: list[str]) -> bool:
    return any(got == e or (e.isdigit() and got.startswith(e + ".")) for e in expected)


@pytest.mark.parametrize(
    ("questions", "floor"),
    [
        # written from the plan alone by someone who never saw the knowledge base: measured 0.92 / 0.90 / 0.97
        ("heldout-questions.tsv", {"top1": 0.90, "fr_top1": 0.88, "declined": 0.93}),
        # a second such set, short phone-style queries, written later and used for tuning only once:
        # measured 0.91 / 0.92 / 0.93
        ("questions-b.tsv", {"top1": 0.89, "fr_top1": 0.88, "declined": 0.90}),
        # the project's dev questions (copied from shared/eval): measured 0.98 / 1.00 / 1.00
        ("dev-questions.tsv", {"top1": 0.94, "fr_top1": 0.85, "declined": 0.75}),
    ],
)
def test_regression_floor_on_citizen_questions(matcher, questions, floor):
    rows = list(csv.DictReader((DATA / questions).open(encoding="utf-8"), delimiter="\t"))
    answerable = [r for r in rows if r["expected"] != "NONE"]
    french = [r for r in answerable if r["lang"] == "fr"]
    off_plan = [r for r in rows if r["expected"] == "NONE"]

    def top1(row) -> bool:
        result = matcher.rank(row["question"])
        return result.answered and hit(result.matches[0].id, row["expected"].split("|"))

    scores = {
        "top1": sum(map(top1, answerable)) / len(answerable),
        "fr_top1": sum(map(top1, french)) / len(french),
        "declined": sum(not matcher.rank(r["question"]).answered for r in off_plan) / len(off_plan),
    }
    assert all(scores[k] >= floor[k] for k in floor), scores


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is France doing on lobbying transparency?", "2.12"),
        ("Que fait la France sur la transparence du lobbying ?", "2.12"),
        ("LOBBYING", "2.12"),
        ("lobying tranparency", "2.12"),  # typos
        ("decisions de justice en open data", "2.3"),  # no accents
        ("l'alerte FR-Alert en cas de crise", "5.10"),  # elision, hyphenated name
        ("fr alert", "5.10"),
        ("G_NIUS", "5.1"),
        ("gnius", "5.1"),
        ("Géoportail de l'urbanisme", "4.6"),
        ("geoportail urbanisme", "4.6"),
        ("HATVP", "2.12"),
        ("Mon Espace Santé ambassadors", "5.3"),
    ],
)
def test_finds_the_right_action(matcher, question, expected):
    result = matcher.rank(question)
    assert result.answered, result
    assert result.matches[0].id == expected, result.matches[:3]


@pytest.mark.parametrize(
    "question",
    ["what's the weather like?", "tell me a joke", "quel temps fera-t-il demain ?", "recipe for pancakes",
     "who won the football match", "asdkjh qwe zzz", "", "?!?", "😀😀😀"],
)
def test_declines_off_plan_questions(matcher, question):
    assert not matcher.rank(question).answered


def test_ranked_matches_carry_scores_best_first(matcher):
    result = matcher.rank("open data on public procurement contracts")
    scores = [m.score for m in result.matches]
    assert scores == sorted(scores, reverse=True) and len(result.matches) <= 5
    assert result.matches[0].kind == "action" and result.matches[0].title


def test_commitment_and_topic_questions(matcher):
    assert matcher.rank("digital inclusion").matches[0].id.split(".")[0] == "3"
    assert matcher.rank("how many countries are members of the Open Government Partnership?").matches[0].id == "about.ogp"


def test_scales_to_synthetic_documents():
    docs = [Document(f"9.{i}", "action", f"Item {i}", {"title": [f"widget{i} gadget"], "text": ["lorem ipsum"]})
            for i in range(300)]
    matcher = Matcher(docs)
    assert matcher.rank("widget123").matches[0].id == "9.123"


@pytest.mark.parametrize("questions", ["heldout-questions.tsv", "questions-b.tsv", "dev-questions.tsv"])
def test_ask_json_answers_every_line_with_plain_json(questions):
    rows = list(csv.DictReader((DATA / questions).open(encoding="utf-8"), delimiter="\t"))
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "ask", "--json", "-"],
        input="".join(r["question"] + "\n" for r in rows), capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(rows)
    for line in lines:
        payload = json.loads(line)
        assert type(payload["answered"]) is bool
        assert all(type(m["score"]) is float and m["id"] for m in payload["matches"])


def test_ask_json_reads_questions_from_stdin():
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "ask", "--json", "-"],
        input="lobbying transparency\ntell me a joke\n", capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["answered"] is True and first["matches"][0]["id"] == "2.12"
    assert set(first["matches"][0]) == {"id", "kind", "score", "title"}
    assert second["answered"] is False
