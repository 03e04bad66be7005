"""The outbox delivery worker: claim due notifications, send them through their platform, record the outcome.

Claiming is a compare-and-set (state pending -> sending with a lease and a claim token), with FOR UPDATE SKIP
LOCKED on PostgreSQL so several workers share the work. A worker killed mid-send leaves its rows 'sending';
once the lease expires another run picks them up again.

A claimed batch is delivered in one database session, set-based (issue 12): one statement reads every
notification of the batch that is still this worker's claim together with its recipient's chat, the renderer
loads what the batch needs at once (its recipients' follows; status changes and announcements it has not cached)
and renders once per (change, language); the sends run, at most `worker_concurrency` at once and one at a time
per recipient; then the console's inbox rows and the outcomes are written with one statement per kind of outcome
(usually one: all sent) and committed together. About five statements per batch of 50, claim included. A send that
fails records its own outcome (a retry, a failure) beside the others': it rolls nothing back.

Erasure (`forget`) against deliveries in flight, on PostgreSQL: a batch holds FOR KEY SHARE locks on its
recipients' chat rows and on its notifications from its check until it has recorded the outcomes — across the
sends. `forget` locks the chat row FOR UPDATE before erasing anything, so it waits for the batch under way, and
every batch that starts after `forget` committed finds no chat and sends nothing. Hence once `forget` has
returned, nothing more is sent to, or stored for, that person. (The lock on the notification also means no other
worker can reclaim it mid-send, however slow the send: a claim skips locked rows.) SQLite has no row locks, and
one process owns the database: there a batch holds an in-process lock on each of its chats
(`Database.chat_guard`, taken in chat order) from its check until its outcomes are recorded, and `forget` takes
the same lock until it has committed, so the same guarantee holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import NamedTuple

from cachetools import TTLCache
from sqlalchemy import Select, and_, literal_column, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_incrementing

from bot import metrics
from bot.domain import (
    ChatMovedError,
    ChatRef,
    Outbound,
    PermanentDeliveryError,
    Recipient,
    RejectedMessageError,
    Reply,
    TemporaryDeliveryError,
)
from bot.following.announcements import counts_text, report_finished
from bot.i18n import LANGUAGES, t
from bot.pacing import Pacer, Priority
from bot.presentation.alerts import AlertRenderer
from bot.settings import Settings
from bot.storage.chats import move_chat
from bot.storage.db import Database
from bot.storage.models import Chat, Notification, NotificationKind, NotificationState, utcnow

log = logging.getLogger(__name__)

QUICK_RETRIES = 3  # in-process attempts (honouring retry_after) before backing off in the outbox
MAX_INLINE_WAIT = 5.0  # seconds; a longer retry_after goes back to the outbox instead of holding the recipient
MAX_BATCHES = 3  # batches in flight at once (the next is claimed while the current one is half sent)
LEASE_CHECK_SECONDS = 5.0  # how often a claim looks for rows whose lease ran out (a worker died mid-send)
PLATFORMS_SECONDS = 30.0  # how long the platforms present in `chats` are taken as read
# The distinct platforms of `chats`, one index probe each (a "loose index scan"; PostgreSQL and SQLite alike).
PLATFORMS_PRESENT = """
WITH RECURSIVE present(platform) AS (
    SELECT min(platform) FROM chats
    UNION ALL
    SELECT (SELECT min(platform) FROM chats WHERE platform > present.platform) FROM present
    WHERE present.platform IS NOT NULL
)
SELECT platform FROM present WHERE platform IS NOT NULL
"""
_UNREAD = object()  # not among the platforms read (a cached answer may be None)


class Claim(NamedTuple):
    id: int
    chat_pk: int
    token: str


class ChatRow(NamedTuple):
    """A recipient's chat as a batch reads it (the columns delivery and rendering use)."""

    id: int
    platform: str
    chat_id: str
    language: str | None
    active: bool
    delivery_target: str | None
    mention: str | None
    origin: str | None

    def recipient(self) -> Recipient:
        return Recipient(ChatRef(self.platform, self.chat_id), self.delivery_target, self.mention, self.origin)


CHAT_COLUMNS = [getattr(Chat, name) for name in ChatRow._fields]


@dataclass(eq=False)
class Delivery:
    """One claimed notification of a batch: what rendering needs, then the outcome to record."""

    claim: Claim
    key: str
    payload: dict
    attempts: int
    chat: ChatRow
    follows: list | None = None  # the recipient's follows, set by AlertRenderer.prepare
    reply: Reply | None = None
    outcome: str = NotificationState.SKIPPED  # what run_once counts
    state: str | None = None  # the state to record (None: nothing to record)
    values: dict = field(default_factory=dict)  # and the other columns to set with it
    after: Callable[[], Awaitable] | None = None  # run once the batch's session is closed

    @property
    def id(self) -> int:
        return self.claim.id

    @property
    def chat_pk(self) -> int:
        return self.chat.id  # the claim's, unless the chat moved meanwhile (merged into another)

    def settle(self, state: str, error: str | None = None, outcome: str | None = None, **values) -> None:
        self.state, self.outcome = state, outcome or state
        self.values = {"last_error": error[:500] if error else None, **values}


class _Progress:
    """How many deliveries of a batch are not sent yet; wakes the claiming loop at each one done."""

    def __init__(self, size: int, wake: asyncio.Event):
        self.left, self.wake = size, wake

    def done(self, n: int = 1) -> None:
        self.left -= n
        self.wake.set()


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        renderer: AlertRenderer,
        outbounds: Mapping[str, Outbound],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        worker_id: str | None = None,
        pacer: Pacer | None = None,
    ):
        self.db = db
        self.renderer = renderer
        self.outbounds = outbounds
        self.settings = settings
        self.clock = clock
        self.worker_id = worker_id or f"w{random.randrange(1 << 30):x}"
        self._claims = itertools.count(1)
        # The process's pacer (shared with its platforms' replies, and through Redis with other processes)
        self.pacer = pacer or Pacer.from_settings(settings)
        self._chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._unreachable: set[int] = set()  # recipients found unreachable in this run: not tried again
        self._moving: set[int] = set()  # recipients whose chat moved: their rows go back until it is renamed
        self.concurrency = max(1, settings.worker_concurrency)
        self._slots = asyncio.Semaphore(self.concurrency)
        # Each batch in flight holds one connection from its check to its commit; the claim needs one more.
        self.max_batches = max(1, min(MAX_BATCHES, _pool_capacity(db) - 2))
        # platforms running -> platforms to claim for, taken as read for PLATFORMS_SECONDS
        self._served: TTLCache[frozenset[str], list[str] | None] = TTLCache(1, PLATFORMS_SECONDS)
        self._leases_read_at: datetime | None = None
        self._leases_full = True  # the last read of expired leases filled its quota: more may wait

    def paced(self, platform: str) -> bool:
        """Whether the worker paces this platform's sends itself: not when its outbound's library goes through
        the same pacer already (`paces_itself`: Telegram's bot), so that each send is counted once."""
        return self.pacer.paces(platform) and not getattr(self.outbounds.get(platform), "paces_itself", False)

    async def run_once(self, limit: int | None = None, stop: asyncio.Event | None = None) -> Counter[str]:
        """Deliver everything due now (or up to `limit` notifications); return counts by outcome. Once `stop`
        is set, claims nothing more and returns when what it has claimed is settled.

        The next batch is claimed once half of the current one is sent, so a rate-limited platform never
        waits on the database between batches. Every batch task is awaited, even when the round fails (the
        database went away while claiming): none is left running unwatched.
        """
        stats: Counter[str] = Counter()
        in_flight: dict[asyncio.Task[list[str]], _Progress] = {}
        wake = asyncio.Event()
        claimed = 0
        exhausted = reported = False
        batch_size = self.settings.worker_batch
        try:
            while True:
                room = batch_size if limit is None else min(batch_size, limit - claimed)
                if stop is not None and stop.is_set():
                    exhausted = True
                unsent = sum(progress.left for progress in in_flight.values())
                if (not exhausted and room > 0 and unsent <= batch_size // 2
                        and len(in_flight) < self.max_batches):
                    batch = await self.claim(room)
                    claimed += len(batch)
                    exhausted = not batch
                    if batch:
                        progress = _Progress(len(batch), wake)
                        in_flight[asyncio.create_task(self._deliver_batch(batch, progress))] = progress
                        continue
                if not in_flight:
                    # Everything settled: finished announcements owe their admin a report, delivered in this run.
                    if stats and not reported and await self.queue_announcement_reports():
                        reported, exhausted = True, False
                        continue
                    break
                wake.clear()
                waiting = asyncio.create_task(wake.wait())
                done, _ = await asyncio.wait([*in_flight, waiting], return_when=asyncio.FIRST_COMPLETED)
                waiting.cancel()
                for task in done - {waiting}:
                    del in_flight[task]
                    outcomes = task.result()  # _deliver_batch never raises
                    stats.update(outcomes)
                    metrics.record_deliveries(outcomes)
                    if "moved" in outcomes:
                        exhausted = False  # the row was given back under the chat's new id: pick it up again
        finally:
            if in_flight:
                results = await asyncio.gather(*in_flight, return_exceptions=True)
                settled = [o for r in results if isinstance(r, list) for o in r]
                stats.update(settled)
                metrics.record_deliveries(settled)
            self._chat_locks.clear()
            self._unreachable.clear()
            self._moving.clear()
        return stats

    async def queue_announcement_reports(self) -> int:
        """Tell each admin, once, the final count of an announcement whose every message is settled."""
        try:
            async with self.db.session() as session, session.begin():
                finished = await report_finished(session)
                for announcement, counts in finished:
                    if announcement.reporter_chat_pk is None:
                        continue
                    text = {lang: t("announce_report", lang, id=announcement.id, **counts_text(counts, lang))
                            for lang in LANGUAGES}
                    session.add(Notification(
                        chat_pk=announcement.reporter_chat_pk, key=f"announce-report:{announcement.id}",
                        kind=NotificationKind.NOTICE, payload={"type": "notice", "text": text},
                        state=NotificationState.PENDING, due_at=self.clock(),
                    ))
        except IntegrityError:
            return 0  # another worker reported the same announcement at the same moment
        return len(finished)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver continuously until `stop` is set: the one loop that drives delivery, in `run` and `worker`."""
        while not stop.is_set():
            try:
                stats = await self.run_once(stop=stop)
                if stats:
                    log.info("delivered: %s", dict(stats))
            except Exception:
                log.exception("delivery round failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_interval)
            except TimeoutError:
                pass

    async def claim(self, size: int) -> list[Claim]:
        """Claim up to `size` due notifications, now 'sending' under this worker's lease and claim token.

        Two bounded reads, each the head of a partial index (migration 0005), never a sort of the backlog:
        rows whose lease ran out (a worker died mid-send: they go first, they were due earliest), then pending
        rows in (due_at, id) order. Expired leases are looked for at the first claim, then every
        LEASE_CHECK_SECONDS (or at once while the last look filled its quota): a lease lasts minutes, so a
        read of them at every batch would find nothing almost always.
        """
        now = self.clock()
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        token = f"{self.worker_id}:{next(self._claims)}"
        # The states as literals, not parameters: the planners match them against the partial indexes' WHERE
        # (a bound parameter could be anything, so a generic plan could not use them).
        expired = and_(Notification.state == literal_column("'sending'"), Notification.claimed_until < now)
        pending = and_(Notification.state == literal_column("'pending'"), Notification.due_at <= now)
        check_leases = (self._leases_full or self._leases_read_at is None
                        or now - self._leases_read_at >= timedelta(seconds=LEASE_CHECK_SECONDS))
        async with self.db.session() as session, session.begin():
            served = await self._served_platforms(session)
            ids: list[int] = []
            if check_leases:
                ids = list(await session.scalars(self._claim_query(expired, served, size, Notification.claimed_until)))
                self._leases_read_at, self._leases_full = now, len(ids) >= size
            if len(ids) < size:
                ids += await session.scalars(self._claim_query(
                    pending, served, size - len(ids), Notification.due_at, Notification.id))
            if not ids:
                return []
            result = await session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), or_(pending, expired))
                .values(state=NotificationState.SENDING, claimed_until=now + lease, claim_token=token)
                .returning(Notification.id, Notification.chat_pk)
            )
            return sorted(Claim(row[0], row[1], token) for row in result)

    def _claim_query(self, due, served: list[str] | None, size: int, *order) -> Select:
        query = select(Notification.id).where(due).order_by(*order).limit(size)
        if served is not None:
            # Only what this process can deliver (another process runs the other platforms): a join on the
            # chat's primary key per row read, so the partial index still gives the order.
            query = query.join(Chat, Chat.id == Notification.chat_pk).where(Chat.platform.in_(served))
        if not self.db.is_sqlite:
            query = query.with_for_update(of=Notification, skip_locked=True)
        return query

    async def _served_platforms(self, session: AsyncSession) -> list[str] | None:
        """The platforms to claim for, or None when this process serves every platform that has chats.

        The platforms present are read with a skip scan of the (platform, chat_id) unique index — one probe per
        platform, not a scan of the chats — at most every PLATFORMS_SECONDS, or when a platform of this process
        came up (a row for a platform that appeared meanwhile is given back, deferred, by `_check`).
        """
        running = frozenset(self.outbounds)  # grows as the platforms come up
        served = self._served.get(running, _UNREAD)
        if served is _UNREAD:
            present = set(await session.scalars(text(PLATFORMS_PRESENT)))
            served = self._served[running] = None if present <= running else sorted(running)
        return served

    async def _deliver(self, claim: Claim) -> str:
        """Deliver one claimed notification alone (a batch of one); its outcome."""
        [outcome] = await self._deliver_batch([claim], _Progress(1, asyncio.Event()))
        return outcome

    async def _deliver_batch(self, claims: list[Claim], progress: _Progress) -> list[str]:
        """Deliver a claimed batch; the outcome of each claim, in order. Never raises.

        A batch is delivered in rounds, each in one session: the first notification of each recipient, then the
        second of those that have two, and so on (a fan-out is one round). A recipient's messages then go in
        order, and an erasure waits for at most one send to its author (the round under way) before it runs.
        """
        rounds: list[list[Claim]] = []
        seen: Counter[int] = Counter()
        for claim in claims:
            if seen[claim.chat_pk] == len(rounds):
                rounds.append([])
            rounds[seen[claim.chat_pk]].append(claim)
            seen[claim.chat_pk] += 1
        outcomes: dict[int, str] = {}
        try:
            for round_claims in rounds:
                outcomes.update(await self._deliver_round(round_claims, progress))
        finally:
            progress.done(progress.left)
        return [outcomes.get(claim.id, NotificationState.SKIPPED) for claim in claims]

    async def _deliver_round(self, claims: list[Claim], progress: _Progress) -> dict[int, str]:
        """Check, render, send and record claims of distinct recipients in one session; their outcomes.

        When the database goes away mid-round, the rows stay claimed and are retried after their lease ("error").
        """
        deliveries: list[Delivery] = []
        try:
            async with contextlib.AsyncExitStack() as guards:
                for chat_pk in sorted({claim.chat_pk for claim in claims}):  # in order: two batches never deadlock
                    await guards.enter_async_context(self.db.chat_guard(chat_pk))
                async with self.db.session() as session, session.begin():
                    deliveries = await self._attempt(session, claims, progress)
        except Exception:
            log.exception("delivery of notifications %s failed; they will be retried after their lease",
                          [claim.id for claim in claims])
            return dict.fromkeys((claim.id for claim in claims), "error")
        for delivery in deliveries:
            if delivery.after is not None:  # once the round's session is closed: never two sessions at once
                try:
                    await delivery.after()
                except Exception:
                    log.exception("after delivering notification %s", delivery.id)
        return {delivery.id: delivery.outcome for delivery in deliveries}

    async def _attempt(self, session: AsyncSession, claims: list[Claim], progress: _Progress) -> list[Delivery]:
        """The batch in `session`'s transaction: check, render, send, then record every outcome."""
        deliveries = await self._check(session, claims)
        progress.done(len(claims) - len(deliveries))  # erased since claimed, or no longer this worker's claim
        sending = [d for d in deliveries if d.state is None]
        await self.renderer.prepare(session, sending)
        for delivery in sending:
            try:
                delivery.reply = await self.renderer.render(session, delivery.chat, delivery)
            except Exception as exc:
                log.exception("cannot render notification %s", delivery.id)
                delivery.settle(NotificationState.FAILED, f"render: {exc}")
        by_chat: dict[int, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            if delivery.state is None:
                by_chat[delivery.chat_pk].append(delivery)
            else:
                progress.done()
        await asyncio.gather(*(self._send_to(chat_pk, queue, progress) for chat_pk, queue in by_chat.items()))
        await self._store(session, deliveries)
        await self._record(session, deliveries)
        return deliveries

    async def _check(self, session: AsyncSession, claims: list[Claim]) -> list[Delivery]:
        """The batch's notifications that are still this worker's claims, with their recipients (one statement;
        locked on PostgreSQL until the batch ends). Those whose recipient is inactive, or on a platform this
        process does not run, are settled at once."""
        query = (
            select(Notification.id, Notification.claim_token, Notification.key, Notification.payload,
                   Notification.attempts, *CHAT_COLUMNS)
            .join(Chat, Chat.id == Notification.chat_pk)
            .where(Notification.id.in_([claim.id for claim in claims]),
                   Notification.claim_token.in_(sorted({claim.token for claim in claims})),
                   Notification.state == NotificationState.SENDING)
        )
        if not self.db.is_sqlite:
            query = query.with_for_update(read=True, key_share=True)
        rows = {row[0]: row for row in await session.execute(query)}
        deliveries = []
        for claim in claims:
            row = rows.get(claim.id)
            if row is None or row[1] != claim.token:
                continue
            chat = ChatRow(*row[5:])
            delivery = Delivery(claim, row[2], row[3], row[4], chat)
            if not chat.active or chat.id in self._unreachable:
                delivery.settle(NotificationState.SKIPPED, "recipient inactive")
            elif chat.id in self._moving:
                self._give_back(delivery, outcome="moved")
            elif chat.platform not in self.outbounds:
                # This process does not run that platform: give the row back for a process that does.
                delivery.settle(NotificationState.PENDING, outcome="deferred", due_at=self.clock() + timedelta(seconds=60))
            deliveries.append(delivery)
        return deliveries

    async def _send_to(self, chat_pk: int, queue: list[Delivery], progress: _Progress) -> None:
        """A recipient's deliveries of this batch, in order, one at a time (each send takes one of the slots)."""
        async with self._chat_locks[chat_pk]:
            for delivery in queue:
                try:
                    if delivery.state is not None:
                        continue  # failed to render
                    if chat_pk in self._unreachable:
                        delivery.settle(NotificationState.SKIPPED, "recipient inactive")
                    elif chat_pk in self._moving:
                        self._give_back(delivery, outcome="moved")
                    elif getattr(self.outbounds[delivery.chat.platform], "stores_in_transaction", False):
                        delivery.settle(NotificationState.SENT)  # stored with the outcomes
                    else:
                        async with self._slots:
                            await self._send(delivery)
                finally:
                    progress.done()

    async def _send(self, delivery: Delivery) -> None:
        chat, key = delivery.chat, delivery.key
        platform = chat.platform
        recipient = chat.recipient()
        try:
            await self._send_with_retries(self.outbounds[platform], platform, recipient, delivery.reply, key)
        except ChatMovedError as moved:
            self._give_back(delivery, outcome="moved")
            delivery.after = partial(self._move, chat.id, recipient.chat, moved.new_chat)
            self._moving.add(chat.id)  # the rest of its batch goes back too, and follows it
        except PermanentDeliveryError as exc:
            delivery.settle(NotificationState.FAILED, str(exc))
            delivery.after = partial(self._deactivate, chat.id, str(exc))
            self._unreachable.add(chat.id)
        except RejectedMessageError as exc:
            log.error("%s refused notification %s (%s) for %s: %s — the recipient stays active",
                      platform, delivery.id, key, recipient.chat, exc)
            delivery.settle(NotificationState.FAILED, f"rejected: {exc}")
        except TemporaryDeliveryError as exc:
            self._backoff(delivery, exc)
        except Exception as exc:  # an adapter bug must not kill the worker nor lose the message
            log.exception("unexpected delivery error for notification %s", delivery.id)
            self._backoff(delivery, TemporaryDeliveryError(repr(exc)))
        else:
            delivery.settle(NotificationState.SENT)

    async def _store(self, session: AsyncSession, deliveries: list[Delivery]) -> None:
        """Outbounds whose delivery is a database write (the console): every one of the batch in one go, in the
        batch's transaction, so the inbox rows and the notifications' "sent" are committed together."""
        stored: defaultdict[str, list[tuple[Recipient, Reply, str]]] = defaultdict(list)
        for delivery in deliveries:
            outbound = self.outbounds.get(delivery.chat.platform)
            if delivery.state == NotificationState.SENT and getattr(outbound, "stores_in_transaction", False):
                stored[delivery.chat.platform].append((delivery.chat.recipient(), delivery.reply, delivery.key))
        for platform, entries in stored.items():
            await self.outbounds[platform].store_many(session, entries)

    async def _record(self, session: AsyncSession, deliveries: list[Delivery]) -> None:
        """Every outcome of the batch, one UPDATE per distinct outcome (all 'sent' in one), each only where the
        claim is still this worker's; a row whose claim is gone is counted "lost" when it was sent."""
        groups: defaultdict[tuple, list[Delivery]] = defaultdict(list)
        for delivery in deliveries:
            if delivery.state is not None:
                groups[(delivery.claim.token, delivery.state, *sorted(delivery.values.items()))].append(delivery)
        now = self.clock()
        for (token, state, *values), group in groups.items():
            sent = {"sent_at": now} if state == NotificationState.SENT else {}
            result = await session.execute(
                update(Notification)
                .where(Notification.id.in_([d.id for d in group]), Notification.claim_token == token,
                       Notification.state == NotificationState.SENDING)
                .values(state=state, claimed_until=None, claim_token=None, **dict(values), **sent)
                .returning(Notification.id)
            )
            recorded = set(result.scalars())
            for delivery in group:
                if delivery.id not in recorded:
                    log.warning("notification %s: claim %s is gone (lease expired, or the recipient erased): %s not "
                                "recorded", delivery.id, token, state)
                    if state == NotificationState.SENT:
                        delivery.outcome = "lost"

    def _give_back(self, delivery: Delivery, delay: float = 0.0, outcome: str | None = None) -> None:
        delivery.settle(NotificationState.PENDING, outcome=outcome, due_at=self.clock() + timedelta(seconds=delay))

    async def _send_with_retries(self, outbound, platform, recipient, reply, key) -> None:
        paced = self.paced(platform)
        retrying = AsyncRetrying(
            retry=retry_if_exception(_worth_waiting_for),  # a longer wait goes back to the outbox at once
            stop=stop_after_attempt(QUICK_RETRIES),
            wait=_wait_retry_after,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if paced:  # an alert: it takes what interactive replies leave of the platform's limit
                    await self.pacer.acquire(platform, Priority.ALERT)
                await outbound.send(recipient, reply, key=key)

    def _backoff(self, delivery: Delivery, exc: TemporaryDeliveryError) -> None:
        attempts = delivery.attempts + 1
        if attempts >= self.settings.max_attempts:
            delivery.settle(NotificationState.FAILED, str(exc), attempts=attempts)
            return
        delay = self.settings.retry_base_seconds * 2 ** (attempts - 1)
        delay = max(delay, exc.retry_after or 0) * random.uniform(1.0, 1.25)
        delivery.settle(NotificationState.PENDING, str(exc), outcome="retry", attempts=attempts,
                        due_at=self.clock() + timedelta(seconds=delay))
        log.warning("notification %s will be retried in %.1fs: %s", delivery.id, delay, exc)

    async def _deactivate(self, chat_pk: int, reason: str) -> None:
        """The recipient cannot be reached any more: stop trying, skip what is queued for them."""
        async with self.db.session() as session, session.begin():
            chat = await session.get(Chat, chat_pk)
            if chat is None:
                return  # erased meanwhile
            chat.active, chat.inactive_reason = False, reason[:200]
            await session.execute(
                update(Notification)
                .where(Notification.chat_pk == chat.id,
                       Notification.state.in_([NotificationState.PENDING, NotificationState.HELD]))
                .values(state=NotificationState.SKIPPED, last_error="recipient inactive")
            )
        log.info("recipient %s:%s deactivated: %s", chat.platform, chat.chat_id, reason)

    async def _move(self, chat_pk: int, old: ChatRef, new_chat: ChatRef) -> None:
        """A group became a supergroup: rename the chat (keeping its follows); its alerts are already given back."""
        try:
            await move_chat(self.db, old, new_chat)
        except IntegrityError:
            log.exception("could not move chat %s to %s", old, new_chat)
        finally:
            self._moving.discard(chat_pk)


def _pool_capacity(db: Database) -> int:
    """How many connections the engine's pool lends at once (a large number when it does not say)."""
    pool = db.engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return 1_000
    return size() + max(getattr(pool, "_max_overflow", 0), 0)


def _worth_waiting_for(exc: BaseException) -> bool:
    """A temporary failure whose Retry-After (if any) is short enough to wait for here, holding the recipient."""
    return isinstance(exc, TemporaryDeliveryError) and (exc.retry_after or 0) <= MAX_INLINE_WAIT


_STEPS = wait_incrementing(start=0.5, increment=0.5)  # 0.5 s, 1 s...: when the platform names no delay


def _wait_retry_after(retry_state: RetryCallState) -> float:
    """The platform's Retry-After (at most MAX_INLINE_WAIT: `_worth_waiting_for`), else a growing step."""
    return retry_state.outcome.exception().retry_after or _STEPS(retry_state)
