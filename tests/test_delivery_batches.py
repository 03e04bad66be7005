"""Set-based delivery (issue 12 item 2): a batch of 50 costs a handful of SQL statements, not six per notification;
an alert is rendered once per (change, language); outcomes of one batch are recorded together without one failure
undoing the others; digests are built in bounded transactions. On SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import event, func, select, update

from adapters.console import ConsoleOutbound
from bot.following.delivery import DeliveryWorker
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.presentation.alerts import AlertRenderer
from bot.storage.models import Chat, ConsoleInbox, Notification
from jobs.digests import build_digests
from tests.outbox_support import RecordingOutbound, add_followers, count, make_worker, notifications

BATCH = 50
PER_BATCH = 5  # claim (pending read, UPDATE), check, follows, outcomes (the console adds its inbox INSERT)
# Once per round: the first claim reads the platforms present and the expired leases, the renderer the status
# change, the last claim finds nothing, and the round ends with the announcements owed a report.
PER_ROUND = 5


class Statements:
    """Every statement the engine runs while active (SQLAlchemy's before_cursor_execute event)."""

    def __init__(self, app):
        self.engine, self.seen = app.db.engine.sync_engine, []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.seen.append(" ".join(statement.split())[:60])

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


async def change_status(app, level: Level = Level.LIMITED, action: str = "2.12") -> None:
    async with app.db.session() as session, session.begin():
        await apply_status(session, app.kb, StatusUpdate(action, level, "batch test"), "test")


async def test_a_batch_of_fifty_costs_a_handful_of_statements(app) -> None:
    await add_followers(app, 10 * BATCH)
    await change_status(app)
    outbound = RecordingOutbound()
    worker = make_worker(app, outbound, app.settings.model_copy(update={"worker_batch": BATCH}))
    with Statements(app) as statements:
        stats = await worker.run_once()
    assert stats == {"sent": 10 * BATCH} and len(outbound.sent) == 10 * BATCH
    print(f"{len(statements.seen)} statements for 10 batches of {BATCH}: {Counter(statements.seen)}")
    assert len(statements.seen) <= 10 * PER_BATCH + PER_ROUND, Counter(statements.seen)  # it was 6 per alert
    assert await count(app, Notification, Notification.state == "sent") == 10 * BATCH


async def test_console_deliveries_store_the_batch_in_one_statement_exactly_once(app) -> None:
    names = await add_followers(app, 4 * BATCH)
    await change_status(app)
    worker = make_worker(app, ConsoleOutbound(app.db), app.settings.model_copy(update={"worker_batch": BATCH}))
    with Statements(app) as statements:
        assert await worker.run_once() == {"sent": 4 * BATCH}
    inserts = [s for s in statements.seen if s.startswith("INSERT INTO console_inbox")]
    assert len(inserts) == 4
    assert len(statements.seen) <= 4 * (PER_BATCH + 1) + PER_ROUND, Counter(statements.seen)
    async with app.db.session() as session:
        rows = (await session.execute(select(ConsoleInbox.chat_id, ConsoleInbox.key, ConsoleInbox.text))).all()
    assert sorted(r.chat_id for r in rows) == sorted(names) and len({r.key for r in rows}) == 4 * BATCH
    assert all("2.12" in r.text for r in rows)


class CountingRenderer(AlertRenderer):
    def __init__(self, kb):
        super().__init__(kb, "en")
        self.bodies: Counter[tuple[int, str]] = Counter()

    def _status(self, change, lang, divergence=None):
        self.bodies[(change.id, lang)] += 1
        return super()._status(change, lang, divergence)


async def test_an_alert_is_rendered_once_per_change_and_language_each_with_its_own_buttons(app) -> None:
    await add_followers(app, 120)
    await add_followers(app, 30, target_kind="commitment", target_id="2", prefix="commitment")
    async with app.db.session() as session, session.begin():
        await session.execute(update(Chat).where(Chat.id % 3 == 0).values(language="fr"))
    await change_status(app)
    outbound = RecordingOutbound()
    renderer = CountingRenderer(app.kb)
    worker = DeliveryWorker(app.db, renderer, {"console": outbound}, app.settings)
    assert await worker.run_once() == {"sent": 150}
    assert sorted(renderer.bodies.values()) == [1, 1] and {lang for _, lang in renderer.bodies} == {"en", "fr"}
    by_chat = {s.chat_id: s.reply for s in outbound.sent}
    assert by_chat["user00001"].commands == ["show 2.12", "unfollow 2.12"]
    assert by_chat["commitment00001"].commands == ["show 2.12", "unfollow 2"]
    french = [s for s in outbound.sent if "Limitée" in s.text or "limitée" in s.text.casefold()]
    assert 0 < len(french) < 150


async def test_the_renderers_memory_keeps_the_most_recently_used_rows_only(app, monkeypatch) -> None:
    monkeypatch.setattr("bot.presentation.alerts.CACHE_LIMIT", 2)
    await add_followers(app, 3)
    for level in (Level.LIMITED, Level.SUBSTANTIAL, Level.COMPLETE):
        await change_status(app, level)
    renderer = CountingRenderer(app.kb)
    worker = DeliveryWorker(app.db, renderer, {"console": RecordingOutbound()}, app.settings)
    assert await worker.run_once() == {"sent": 9}
    assert sorted(renderer.bodies.values()) == [1, 1, 1]  # each change rendered once for its three followers
    assert len(renderer._changes) == len(renderer._bodies) == 2  # the two latest, the first one dropped
    first = min(change_id for change_id, _ in renderer.bodies)
    assert first not in renderer._changes and max(renderer._changes) == max(renderer.bodies)[0]


async def test_the_platforms_present_are_read_again_when_stale_or_when_a_platform_comes_up(app, monkeypatch) -> None:
    monkeypatch.setattr("bot.following.delivery.PLATFORMS_SECONDS", 0.3)
    await add_followers(app, 2)
    worker = make_worker(app, RecordingOutbound())

    async def reads() -> int:
        with Statements(app) as statements:
            await worker.run_once()
        return sum(s.startswith("WITH RECURSIVE present") for s in statements.seen)

    assert await reads() == 1 and await reads() == 0  # taken as read for PLATFORMS_SECONDS
    worker.outbounds["telegram"] = RecordingOutbound()  # another platform came up
    assert await reads() == 1 and await reads() == 0
    await asyncio.sleep(0.35)
    assert await reads() == 1


async def test_one_failure_in_a_batch_undoes_no_other_outcome(app) -> None:
    await add_followers(app, 20)
    await change_status(app)
    outbound = RecordingOutbound()
    outbound.fail_permanently(chat_id="user00003")
    outbound.fail_temporarily(100, chat_id="user00007")
    stats = await make_worker(app, outbound).run_once()
    assert stats == {"sent": 18, "failed": 1, "retry": 1}
    states = Counter(n.state for n in await notifications(app))
    assert states == {"sent": 18, "failed": 1, "pending": 1}
    async with app.db.session() as session:
        blocked = await session.scalar(select(Chat).where(Chat.chat_id == "user00003"))
    assert blocked.active is False


async def test_a_recipients_alerts_of_one_batch_go_in_order_each_in_its_own_round(app) -> None:
    await add_followers(app, 3)
    for level in (Level.LIMITED, Level.SUBSTANTIAL, Level.COMPLETE):
        await change_status(app, level)
    outbound = RecordingOutbound()
    assert await make_worker(app, outbound).run_once() == {"sent": 9}
    for name in ("user00000", "user00001", "user00002"):
        texts = [s.text for s in outbound.to(name)]
        assert ["Limited" in texts[0], "Substantial" in texts[1], "Complete" in texts[2]] == [True] * 3, texts


async def test_digests_for_many_followers_are_set_based_in_bounded_transactions(app) -> None:
    await add_followers(app, 1_200, frequency="daily")
    await change_status(app)
    await change_status(app, Level.SUBSTANTIAL)
    with Statements(app) as statements:
        made = await build_digests(app.db, app.settings, now=datetime(2026, 3, 3, 7, 0, tzinfo=UTC), chunk=500)
    assert made == 1_200
    # three chunks of five statements, and the read that finds no more
    assert len(statements.seen) <= 3 * 5 + 1, Counter(statements.seen)
    async with app.db.session() as session:
        states = dict((await session.execute(select(Notification.state, func.count()).group_by(Notification.state))).all())
        digest = await session.scalar(select(Notification).where(Notification.kind == "digest").limit(1))
        stamped = await session.scalar(select(func.count()).select_from(Chat).where(Chat.last_digest_at.is_not(None)))
    assert states == {"digested": 2_400, "pending": 1_200}
    assert len(digest.payload["change_ids"]) == 2 and stamped == 1_200
    assert await build_digests(app.db, app.settings, now=datetime(2026, 3, 3, 9, 0, tzinfo=UTC)) == 0  # once per period
    outbound = RecordingOutbound()
    assert await make_worker(app, outbound).run_once() == {"sent": 1_200}
    assert "Your digest: 2 status changes" in outbound.sent[0].text
