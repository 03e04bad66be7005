"""Issue 12 item 8: the benchmarks run as the README says and build what they claim; the fast stemmer is in use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bot.storage.models import Chat, Subscription
from tests.outbox_support import add_followers, count


async def test_add_followers_builds_every_follow_beyond_ten_thousand(app) -> None:
    names = await add_followers(app, 10_003)
    assert len(names) == len(set(names)) == 10_003
    assert await count(app, Chat) == 10_003
    assert await count(app, Subscription, Subscription.target_id == "2.12") == 10_003
    # a second batch with another prefix follows too, without touching the first one's follows
    await add_followers(app, 2, prefix="other", target_id="1.1")
    assert await count(app, Subscription) == 10_005
    async with app.db.session() as session:
        followers = await session.scalar(select(func.count(func.distinct(Subscription.chat_pk))))
    assert followers == 10_005  # one follow per chat


def test_the_telegram_benchmark_starts_from_the_repo_root_as_the_readme_says() -> None:
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "benchmarks/bench_telegram.py", "--help"], cwd=root, capture_output=True,
                         text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "--alerts" in run.stdout


def test_the_stemmers_are_pystemmers_c_implementation() -> None:
    from bot.plan import text

    # snowballstemmer hands out PyStemmer's stemmers when it is installed (same stems, several times faster)
    assert type(text._EN).__module__ == type(text._FR).__module__ == "Stemmer"
    assert text._FR.stemWord("gouvernement") == "gouvern"
