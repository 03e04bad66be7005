"""The shape of question replies (a benchmark, not a test): does the asked fact come first, and how long is a
reply in the terminal (the console adapter's rendering, button lines included)?

    .venv/bin/python benchmarks/bench_answers_shape.py [--show-failures] [--show-unseen-failures]

Targets (issue 8): the asked fact within the first 300 characters for >= 90 % of fact questions; median reply
<= 700 characters. Prints, for the tuned fact set and for the unseen one (never used to tune):
- facts-first: the expected fact within the first 300 characters of the whole console reply (end to end: the
  matcher's choice of item included);
- lead holds fact: the lead sentence chosen for the expected item holds the fact (sentence choice alone);
- median / p90 reply length of those replies; and the same lengths over the held-out question set.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.bootstrap import bootstrap
from bot.domain import ChatRef, IncomingMessage, Platform
from bot.plan.sentences import answers_for
from bot.settings import Settings
from tests.facts_support import FACT_WITHIN, FACTS, UNSEEN_FACTS, console_text, holds_fact, load_facts

HELDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "heldout-questions.tsv"


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0


async def reply_text(app, user: str, question: str, lang: str | None) -> str:
    message = IncomingMessage(ChatRef(Platform.CONSOLE, user), user, question, locale=lang)
    return console_text(await app.assistant.handle(message))


async def run(show: set[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{directory}/bench.db")
        app = await bootstrap(settings)
        answers = answers_for(app.kb)
        try:
            for name, path in (("tuned", FACTS), ("unseen", UNSEEN_FACTS)):
                questions = load_facts(path)
                first = lead = 0
                lengths = []
                for index, q in enumerate(questions):
                    text = await reply_text(app, f"{name}{index}", q.question, q.lang)
                    lengths.append(len(text))
                    ok = holds_fact(text, q, FACT_WITHIN)
                    first += ok
                    lead += holds_fact(answers.lead(q.expected, q.question, q.lang) or "", q)
                    if name in show and not ok:
                        print(f"  ✗ [{q.lang}] {q.question}  (want {' | '.join(q.facts)} in {q.expected})")
                        print("    " + text[:FACT_WITHIN].replace("\n", "\n    "))
                n = len(questions)
                print(f"{name:6} fact questions: {n}  facts-first {first / n:.1%}  lead holds fact {lead / n:.1%}  "
                      f"reply length median {statistics.median(lengths):.0f}  p90 {percentile(lengths, 0.9)}")
            with HELDOUT.open(encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t"))
            lengths = [len(await reply_text(app, f"h{i}", row["question"], row.get("lang"))) for i, row in enumerate(rows)]
            print(f"held-out questions: {len(rows)}  reply length median {statistics.median(lengths):.0f}  "
                  f"p90 {percentile(lengths, 0.9)}  max {max(lengths)}")
        finally:
            await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-failures", action="store_true", help="the tuned set's failures")
    parser.add_argument("--show-unseen-failures", action="store_true", help="the unseen set's (spoils it)")
    args = parser.parse_args()
    show = {name for name, wanted in (("tuned", args.show_failures), ("unseen", args.show_unseen_failures)) if wanted}
    asyncio.run(run(show))


if __name__ == "__main__":
    main()
