"""One person's slow answer (a chart) never holds up another's: short transactions, charts cached, off the loop."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from datetime import timedelta
from pathlib import Path

import bot.conversation.handlers.plan
import bot.presentation.chart
from bot.domain import ChatRef, IncomingMessage, Reply

ROOT = Path(__file__).resolve().parent.parent


def message(text: str, user: str, **kwargs) -> IncomingMessage:
    return IncomingMessage(ChatRef("console", user), user, text, **kwargs)


async def ask(app, text: str, user: str = "alice", **kwargs) -> list[Reply]:
    return await app.assistant.handle(message(text, user, **kwargs))


def spy_on_drawing(monkeypatch, hold: threading.Event | None = None, hold_for: float = 5.0):
    """Wrap the real chart drawing: count the drawings, tell when one starts, optionally hold it (at most
    `hold_for` seconds) until `hold` is set. Returns (started: asyncio.Event, drawings: list[lang])."""
    real = bot.presentation.chart.progress_png
    loop = asyncio.get_running_loop()
    started = asyncio.Event()
    drawings: list[str] = []

    def drawing(kb, statuses, lang, evidence=None):
        drawings.append(lang)
        loop.call_soon_threadsafe(started.set)
        if hold is not None:
            hold.wait(hold_for)
        return real(kb, statuses, lang, evidence)

    monkeypatch.setattr(bot.presentation.chart, "progress_png", drawing)
    monkeypatch.setattr(bot.conversation.handlers.plan, "progress_png", drawing, raising=False)
    return started, drawings


async def test_a_hello_is_answered_while_someone_elses_chart_is_drawn(app, monkeypatch):
    hello_answered = threading.Event()
    started, _ = spy_on_drawing(monkeypatch, hold=hello_answered)
    chart = asyncio.create_task(ask(app, "progress", user="carol"))
    await asyncio.wait_for(started.wait(), timeout=10)

    # The chart is being drawn (and is held until the hello is answered, 5 s at most). With one transaction
    # for the whole handler, carol's write lock made the hello wait for the chart to finish.
    hello = await asyncio.wait_for(ask(app, "hello", user="dave"), timeout=30)
    finished_first = not chart.done()
    hello_answered.set()
    replies = await asyncio.wait_for(chart, timeout=30)

    assert "Hello" in hello[0].plain_text
    assert finished_first, "the hello waited for someone else's chart"
    assert replies[0].image is not None and replies[0].image.data.startswith(b"\x89PNG")


async def test_the_chart_is_drawn_once_per_status_version_and_language(app, monkeypatch):
    _, drawings = spy_on_drawing(monkeypatch)

    first = await ask(app, "progress", user="alice")
    again = await ask(app, "progress", user="bob")
    assert drawings == ["en"]
    assert again[0].image.data == first[0].image.data

    crowd = await asyncio.gather(*(ask(app, "progress", user=f"fr{i}", locale="fr-FR") for i in range(12)))
    assert drawings == ["en", "fr"]  # twelve at once: one drawing, which they all await
    assert len({r[0].image.data for r in crowd}) == 1

    changed = await ask(app, 'setstatus 2.12 complete "Register published"', user="admin")
    assert "2.12" in changed[0].plain_text
    after = await ask(app, "progress", user="alice")
    assert drawings == ["en", "fr", "en"]  # a status change is a new version
    assert after[0].image.data != first[0].image.data
    await ask(app, "progress", user="bob")
    assert drawings == ["en", "fr", "en"]


async def test_a_failed_drawing_is_not_cached(app, monkeypatch):
    real = bot.presentation.chart.progress_png
    calls = []

    def flaky(kb, statuses, lang, evidence=None):
        calls.append(lang)
        if len(calls) == 1:
            raise RuntimeError("out of memory while drawing")
        return real(kb, statuses, lang, evidence)

    monkeypatch.setattr(bot.presentation.chart, "progress_png", flaky)
    monkeypatch.setattr(bot.conversation.handlers.plan, "progress_png", flaky, raising=False)
    sorry = await ask(app, "progress")
    assert sorry[0].image is None and "sorry" in sorry[0].plain_text.lower()
    ok = await ask(app, "progress")
    assert ok[0].image is not None and len(calls) == 2


SCRIPT = textwrap.dedent("""
    import asyncio, json, sys, threading

    imports = []

    class Spy:
        def find_spec(self, name, path=None, target=None):
            if name == "matplotlib":
                imports.append(threading.current_thread() is threading.main_thread())
            return None

    sys.meta_path.insert(0, Spy())

    async def main():
        from adapters.bootstrap import bootstrap
        from bot.domain import ChatRef, IncomingMessage
        from bot.settings import Settings

        app = await bootstrap(Settings(_env_file=None, database_url=sys.argv[1]))
        before = "matplotlib" in sys.modules
        replies = await app.assistant.handle(IncomingMessage(ChatRef("console", "a"), "a", "progress"))
        await app.close()
        print(json.dumps({"before": before, "on_loop": imports, "png": replies[0].image is not None}))

    asyncio.run(main())
""")


def test_matplotlib_is_never_imported_on_the_event_loop(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    done = subprocess.run([sys.executable, "-c", SCRIPT, url], cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["png"] and not seen["before"]
    assert seen["on_loop"] == [False], "matplotlib was imported on the event loop's thread"


async def test_reading_a_feed_file_does_not_stall_the_event_loop(app, tmp_path):
    from bot.following.feed import import_feed

    # A named pipe: reading it blocks until someone writes, like a file on a slow or hung network disk.
    pipe = tmp_path / "feed.json"
    os.mkfifo(pipe)
    hello_answered = threading.Event()
    feed = (ROOT / "examples" / "status-feed.json").read_bytes()

    def writer() -> None:
        hello_answered.wait(5)
        with open(pipe, "wb") as out:
            out.write(feed)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    importing = asyncio.create_task(import_feed(app.db, app.kb, app.settings, str(pipe),
                                                capabilities=app.capabilities))
    await asyncio.sleep(0.2)  # the import is now waiting on the pipe
    hello = await asyncio.wait_for(ask(app, "hello", user="dave"), timeout=30)
    finished_first = not importing.done()
    hello_answered.set()
    result = await asyncio.wait_for(importing, timeout=30)
    thread.join(5)

    assert "Hello" in hello[0].plain_text
    assert finished_first, "the event loop was blocked while the feed file was read"
    assert not result.problems and result.changed >= 3


async def test_a_question_writes_only_after_it_is_answered(app):
    """A known chat's question reads while it is answered; its conversation state (reply language, the item
    follow-ups refer to) is written in one statement at the very end, so no write lock is held meanwhile."""
    from sqlalchemy import event, update

    from bot.storage.models import Chat, utcnow

    await ask(app, "hello", user="erin")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split(" ", 1)[0].upper())

    def writes() -> list[str]:
        return [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await ask(app, "hello", user="erin")
        assert writes() == []  # a bare command from a known chat: read-only
        await ask(app, "what is France doing on lobbying transparency?", user="erin")
        assert writes() == ["UPDATE"]  # the follow-up context (and reply language), once
        first_write = statements.index("UPDATE")
        assert statements[first_write + 1:] == [], statements  # ... after every read of the answer
        async with app.db.session() as session, session.begin():  # last seen two minutes ago
            await session.execute(update(Chat).where(Chat.chat_id == "erin")
                                  .values(last_seen_at=utcnow() - timedelta(minutes=2)))
        statements.clear()
        await ask(app, "hello", user="erin")
        assert writes() == ["UPDATE"]  # last_seen_at, kept to the minute
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", record)
