"""Matcher latency per question: median and p99, on the real plan and on a synthetic base of 10,000 items.

Run: python benchmarks/bench_matcher.py     (targets: median <= 1 ms real, <= 20 ms at 10,000 items)
"""

from __future__ import annotations

import csv
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.plan.matcher import Document, Matcher
from bot.plan.search import build_matcher
from knowledge.loader import default_knowledge

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "heldout-questions.tsv"


def questions() -> list[str]:
    with QUESTIONS.open(encoding="utf-8") as handle:
        return [row["question"] for row in csv.DictReader(handle, delimiter="\t")]


def measure(matcher: Matcher, qs: list[str], rounds: int = 3) -> tuple[float, float]:
    for q in qs:  # warm caches as a long-running bot would have them
        matcher.rank(q)
    timings = []
    for _ in range(rounds):
        for q in qs:
            start = time.perf_counter()
            matcher.rank(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def measure_cold(matcher_factory, qs: list[str]) -> tuple[float, float]:
    """First sight of every question (no fuzzy cache): the worst case for typos."""
    matcher = matcher_factory()
    timings = []
    for q in qs:
        start = time.perf_counter()
        matcher.rank(q)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.99) - 1]


def synthetic(kb_docs: list[Document], size: int) -> list[Document]:
    """Real documents' vocabulary recombined into `size` items of similar shape."""
    rng = random.Random(7)
    words = sorted({w for d in kb_docs for texts in d.fields.values() for t in texts for w in t.split()})
    docs = []
    for i in range(size):
        def text(n: int) -> str:
            return " ".join(rng.choice(words) for _ in range(n))
        docs.append(Document(
            f"{i // 100 + 1}.{i % 100 + 1}", "action", text(6),
            {"title": [text(8), text(8)], "keyword": [text(3) for _ in range(12)], "summary": [text(40), text(40)],
             "text": [text(120), text(120)], "alias": [text(2)]},
            {"keyword": [text(2) for _ in range(6)], "alias": [text(2)]},
        ))
    return docs


def main() -> None:
    qs = questions()
    kb = default_knowledge()
    start = time.perf_counter()
    real = build_matcher(kb)
    print(f"real plan: {len(real.docs)} items, index built in {(time.perf_counter() - start) * 1000:.0f} ms")
    med, p99 = measure(real, qs)
    print(f"real plan, {len(qs)} questions x3: median {med:.3f} ms, p99 {p99:.3f} ms (target median <= 1 ms)")
    med, p99 = measure_cold(lambda: build_matcher(kb), qs)
    print(f"real plan, first sight of each question: median {med:.3f} ms, p99 {p99:.3f} ms")
    docs = synthetic(real.docs, 10_000)
    start = time.perf_counter()
    big = Matcher(docs)
    print(f"synthetic: {len(docs)} items, index built in {time.perf_counter() - start:.1f} s")
    med, p99 = measure(big, qs, rounds=1)
    print(f"synthetic 10,000 items: median {med:.3f} ms, p99 {p99:.3f} ms (target median <= 20 ms)")


if __name__ == "__main__":
    main()
