"""Language detection of short chat messages: latency, accuracy, and how often French gets a French answer.

Run: python benchmarks/bench_language.py     (target: <= 1 ms per message; French answered in French >= 0.95)

Messages: benchmarks/data/language_messages.tsv (the set the cue words were tuned on) and
benchmarks/data/language_messages_unseen.tsv (written before tuning, never used to tune). Each row: lang, kind
(short, chatty, mixed, sms, question), text. A message the detector leaves undecided (None: "lobbying",
"HATVP") keeps the chat's language; for a new chat that is the platform's locale, counted here as English.
"""

from __future__ import annotations

import asyncio
import csv
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DATA = Path(__file__).resolve().parent / "data"


def rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def accuracy(detector, messages: list[dict], label: str) -> None:
    wrong, undecided, by_kind = [], 0, Counter()
    for row in messages:
        got = detector.detect(row["text"])
        if got is None:
            undecided += 1
        if (got or "en") != row["lang"]:
            wrong.append(row)
            by_kind[row["kind"]] += 1
    n = len(messages)
    french = [r for r in messages if r["lang"] == "fr"]
    sms = [r for r in messages if r["lang"] == "fr" and r["kind"] == "sms"]
    print(f"{label}: {n} messages ({len(french)} French, {len(sms)} SMS-style French)")
    print(f"  accuracy {1 - len(wrong) / n:.3f}  (undecided, left to the chat's language: {undecided})")
    print(f"  French {1 - sum(r['lang'] == 'fr' for r in wrong) / len(french):.3f}  "
          f"SMS-style French {1 - sum(r in sms for r in wrong) / len(sms):.3f}")
    for row in wrong:
        print(f"    wrong: [{row['lang']} {row['kind']}] {row['text']}")


def latency(detector, messages: list[dict], rounds: int = 5) -> None:
    texts = [r["text"] for r in messages]
    timings = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            detector.detect(text)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"latency per message: median {statistics.median(timings):.3f} ms, "
          f"p99 {timings[int(len(timings) * 0.99) - 1]:.3f} ms, max {timings[-1]:.3f} ms ({len(timings)} runs)")


def reply_language(text: str) -> str | None:
    """Which language a reply's interface is in, from the sentences and labels of the catalogues (bot/locales)."""
    from bot.i18n import MESSAGES

    score = Counter()
    for entry in MESSAGES.values():
        for lang in ("en", "fr"):
            other = entry.get("fr" if lang == "en" else "en", "")
            for piece in entry.get(lang, "").split("{"):
                piece = piece.split("}")[-1].strip(" :.,—()“”«»")
                if len(piece) >= 6 and piece not in other and piece in text:
                    score[lang] += 1
    if not score:
        return None
    return "fr" if score["fr"] > score["en"] else "en"


async def answered_in_kind(messages: list[dict]) -> None:
    """Every message as the first message of a new chat whose platform says the opposite language."""
    from adapters.bootstrap import bootstrap
    from bot.domain import ChatRef, IncomingMessage
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp}/bench.db")
        app = await bootstrap(settings)
        try:
            results: dict[str, list[bool]] = {"en": [], "fr": []}
            misses = []
            for i, row in enumerate(messages):
                locale = "en-US" if row["lang"] == "fr" else "fr-FR"
                msg = IncomingMessage(ChatRef("console", f"bench-{i}"), f"bench-{i}", row["text"], locale=locale)
                text = "\n".join(r.plain_text + "\n" + " ".join(b.label for row_ in r.buttons for b in row_)
                                 for r in await app.assistant.handle(msg))
                ok = reply_language(text) == row["lang"]
                results[row["lang"]].append(ok)
                if not ok:
                    misses.append(row)
        finally:
            await app.close()
    for lang, name in (("fr", "French answered in French"), ("en", "English answered in English")):
        print(f"{name}: {sum(results[lang]) / len(results[lang]):.3f} ({len(results[lang])} first messages, "
              f"platform locale the other language)")
    for row in misses:
        print(f"    not in kind: [{row['lang']} {row['kind']}] {row['text']}")


def main() -> None:
    from bot.plan.language import default_detector
    from knowledge.loader import default_knowledge

    default_knowledge()  # the plan is loaded by the bot anyway: measure only the detector
    before = rss_mb()
    start = time.perf_counter()
    detector = default_detector()
    detector.detect("bonjour tout le monde")
    print(f"model load: {(time.perf_counter() - start) * 1000:.0f} ms, peak RSS +{rss_mb() - before:.0f} MB "
          "(lingua, English and French, low-accuracy mode, and the index of the plan's names)")
    tuned, unseen = rows("language_messages.tsv"), rows("language_messages_unseen.tsv")
    latency(detector, tuned + unseen)
    accuracy(detector, tuned, "tuning set")
    accuracy(detector, unseen, "unseen set")
    asyncio.run(answered_in_kind(tuned + unseen))


if __name__ == "__main__":
    main()
