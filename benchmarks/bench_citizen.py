"""A citizen's question set, end to end (a benchmark, not a test): every figure issue 8 asks for, in one run.

    .venv/bin/python benchmarks/bench_citizen.py FILE.tsv [FILE.tsv ...] [-v]

FILE: TSV with the columns `lang`, `expected` (an id, `a|b` when either answers, or `none` when the plan does not
answer) and `question`,
and optionally `fact` (a substring of the plan the reply must show early; `a | b` for alternatives). Each
question comes from a new chat on a platform whose locale is English, so the reply language is the bot's own
detection. Prints:
- top-1 and French top-1: the matcher answers with the expected item, or with one of the expected commitment's
  actions (as benchmarks/bench_answers.py counts); "exact": only the expected item itself;
- off-topic declined: `none` questions that get "not sure" rather than an item;
- fact first: the fact within the first 300 characters of the terminal reply (figures compared without their
  thousands separators; a French reply is only checked for facts holding a figure, since the seed's wording of
  a date or a duration is English); "French on figures": the same, a French reply passing when it shows the
  fact's figures ("janvier 2022" for "January 2022", "90 %" for "90%");
- French answered in French: French questions whose reply is in French;
- median reply length in the terminal (button lines included), and matcher latency (median, p99).
"""

from __future__ import annotations

import asyncio
import csv
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from adapters.bootstrap import bootstrap
from benchmarks.bench_answers import hit
from bot.domain import ChatRef, IncomingMessage, Platform
from bot.settings import Settings
from bot.storage.models import Chat
from tests.facts_support import FACT_WITHIN, console_text

_SEPARATOR = re.compile(r"(?<=\d)[,\s\u00a0\u202f.](?=\d{3}\b)")


def _normal(text: str) -> str:
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()
    return _SEPARATOR.sub("", text)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def load(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row.get("question")]


async def evaluate(app, rows: list[dict[str, str]], verbose: bool) -> dict[str, list]:
    figures: dict[str, list] = {k: [] for k in ("top1", "exact", "fr_top1", "declined", "fact", "fact_figures",
                                                "fr_in_fr", "length", "ms")}
    for index, row in enumerate(rows):
        question, lang = row["question"], row["lang"].strip()
        expected = [e.strip() for e in row["expected"].split("|")]
        started = time.perf_counter()
        result = app.assistant.services.matcher.rank(question)
        figures["ms"].append((time.perf_counter() - started) * 1000)
        got = result.matches[0].id if result.answered and result.matches else "none"
        user = f"citizen{index}"
        replies = await app.assistant.handle(IncomingMessage(ChatRef(Platform.CONSOLE, user), user, question,
                                                             locale="en"))
        text = console_text(replies)
        figures["length"].append(len(text))
        async with app.db.session() as session:
            language = await session.scalar(select(Chat.language).where(Chat.chat_id == user)) or "en"
        if [e.casefold() for e in expected] == ["none"]:
            ok = got == "none"
            figures["declined"].append(ok)
        else:
            ok = got != "none" and hit(got, expected)
            figures["top1"].append(ok)
            figures["exact"].append(got in expected)
            if lang == "fr":
                figures["fr_top1"].append(ok)
        if lang == "fr":
            figures["fr_in_fr"].append(language == "fr")
        facts = [f.strip() for f in (row.get("fact") or "").split("|") if f.strip()]
        if facts and (lang == "en" or any(ch.isdigit() for f in facts for ch in f)):
            head = _normal(text)[:FACT_WITHIN]
            found = any(_normal(f) in head for f in facts)
            figures["fact"].append(found)
            # the same, a French reply checked on the fact's figures only ("janvier 2022" for "January 2022")
            figures["fact_figures"].append(found or (lang == "fr" and any(
                all(n in head for n in re.findall(r"\d+", _normal(f))) for f in facts if re.search(r"\d", f))))
            if verbose and not found:
                print(f"  fact ✗ [{lang}] {question}  (want {facts} from {expected})\n    {text[:200]!r}")
        if verbose and not ok:
            print(f"  item ✗ [{lang}] {question}  expected {expected}, got {got}")
    return figures


def report(name: str, f: dict[str, list]) -> str:
    def share(key: str) -> str:
        values = f[key]
        return f"{sum(values) / len(values):.2f} (n={len(values)})" if values else "–"

    return (f"{name}: top-1 {share('top1')} (exact {share('exact')}) · French top-1 {share('fr_top1')} · off-topic declined "
            f"{share('declined')} · fact first {share('fact')} (French on figures {share('fact_figures')}) · French answered in French {share('fr_in_fr')} · "
            f"median reply {statistics.median(f['length']):.0f} chars · matcher median "
            f"{statistics.median(f['ms']):.2f} ms, p99 {percentile(f['ms'], 0.99):.2f} ms")


async def run(paths: list[Path], verbose: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{directory}/bench.db")
        app = await bootstrap(settings)
        try:
            for path in paths:
                print(report(path.name, await evaluate(app, load(path), verbose)))
        finally:
            await app.close()


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv if not a.startswith("-")]
    if not paths:
        sys.exit(__doc__)
    asyncio.run(run(paths, "-v" in argv))


if __name__ == "__main__":
    main(sys.argv[1:])
