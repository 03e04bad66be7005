"""The outbox delivery worker: claim due notifications, send them through their platform, record the outcome.

Claiming is a compare-and-set (state pending -> sending with a lease and a claim token), with FOR UPDATE SKIP
LOCKED on PostgreSQL so several workers share the work. A worker killed mid-send leaves its rows 'sending';
once the lease expires another run picks them up again.

One delivery is one database session, never two at once: it checks that the claim is still this worker's and
that the recipient still exists, renders, sends and records the outcome in that session (console "sends" are
rows written in that same transaction). At most `worker_concurrency` deliveries run at once (kept under the
connection pool's size), so in-flight work can never exhaust the pool.

Erasure (`forget`) against deliveries in flight, on PostgreSQL: a delivery holds a FOR KEY SHARE lock on its
recipient's chat row, and a FOR UPDATE lock on its notification, from its last check until it has recorded
the outcome — across the send. `forget` locks the chat row FOR UPDATE before erasing anything, so it waits
for the sends already under way, and every delivery that starts after `forget` committed finds no chat and
sends nothing. Hence once `forget` has returned, nothing more is sent to, or stored for, that person. (The
row lock on the notification also means no other worker can reclaim it mid-send, however slow the send.)
SQLite has no row locks, and one process owns the database: there a delivery holds an in-process lock on its
chat (`Database.chat_guard`) from its check until its outcome is recorded, and `forget` takes the same lock
until it has committed, so the same guarantee holds.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import NamedTuple

from sqlalchemy import Select, and_, literal_column, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from bot import metrics
from bot.alerts import AlertRenderer
from bot.announcements import counts_text, report_finished
from bot.domain import (
    ChatMovedError,
    ChatRef,
    Outbound,
    PermanentDeliveryError,
    Recipient,
    RejectedMessageError,
    TemporaryDeliveryError,
)
from bot.i18n import LANGUAGES, t
from bot.pacing import Pacer, Priority
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat, Notification, NotificationKind, NotificationState, utcnow

log = logging.getLogger(__name__)

QUICK_RETRIES = 3  # in-process attempts (honouring retry_after) before backing off in the outbox
MAX_INLINE_WAIT = 5.0  # seconds; a longer retry_after goes back to the outbox instead of holding the recipient
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


class Claim(NamedTuple):
    id: int
    chat_pk: int
    token: str


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
        self.concurrency = max(1, min(settings.worker_concurrency, _pool_capacity(db) - 2))
        self._slots = asyncio.Semaphore(self.concurrency)

    def paced(self, platform: str) -> bool:
        """Whether the worker paces this platform's sends itself: not when its outbound's library goes through
        the same pacer already (`paces_itself`: Telegram's bot), so that each send is counted once."""
        return self.pacer.paces(platform) and not getattr(self.outbounds.get(platform), "paces_itself", False)

    async def run_once(self, limit: int | None = None, stop: asyncio.Event | None = None) -> Counter[str]:
        """Deliver everything due now (or up to `limit` notifications); return counts by outcome. Once `stop`
        is set, claims nothing more and returns when what it has claimed is settled.

        The next batch is claimed while the current one is still sending, so a rate-limited platform never
        waits on the database between batches. Every delivery task is awaited, even when the round fails
        (the database went away while claiming): none is left running unwatched.
        """
        stats: Counter[str] = Counter()
        in_flight: set[asyncio.Task[str]] = set()
        claimed = 0
        exhausted = reported = False
        batch_size = self.settings.worker_batch
        try:
            while True:
                room = batch_size if limit is None else min(batch_size, limit - claimed)
                if stop is not None and stop.is_set():
                    exhausted = True
                if not exhausted and room > 0 and len(in_flight) <= batch_size // 2:
                    batch = await self.claim(room)
                    claimed += len(batch)
                    exhausted = not batch
                    in_flight.update(asyncio.create_task(self._deliver(claim)) for claim in batch)
                if not in_flight:
                    # Everything settled: finished announcements owe their admin a report, delivered in this run.
                    if stats and not reported and await self.queue_announcement_reports():
                        reported, exhausted = True, False
                        continue
                    break
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                outcomes = [task.result() for task in done]  # _deliver never raises
                stats.update(outcomes)
                metrics.record_deliveries(outcomes)
                if "moved" in outcomes:
                    exhausted = False  # the row was given back under the chat's new id: pick it up again
        finally:
            if in_flight:
                results = await asyncio.gather(*in_flight, return_exceptions=True)
                stats.update(r for r in results if isinstance(r, str))
                metrics.record_deliveries(r for r in results if isinstance(r, str))
            self._chat_locks.clear()
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
        rows in (due_at, id) order.
        """
        now = self.clock()
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        token = f"{self.worker_id}:{next(self._claims)}"
        # The states as literals, not parameters: the planners match them against the partial indexes' WHERE
        # (a bound parameter could be anything, so a generic plan could not use them).
        expired = and_(Notification.state == literal_column("'sending'"), Notification.claimed_until < now)
        pending = and_(Notification.state == literal_column("'pending'"), Notification.due_at <= now)
        async with self.db.session() as session, session.begin():
            served = await self._served_platforms(session)
            ids = list(await session.scalars(self._claim_query(expired, served, size, Notification.claimed_until)))
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
        platform, not a scan of the chats.
        """
        present = set(await session.scalars(text(PLATFORMS_PRESENT)))
        return None if present <= set(self.outbounds) else sorted(self.outbounds)

    async def _deliver(self, claim: Claim) -> str:
        # One message at a time per recipient: alerts arrive in order, and once a recipient is found
        # unreachable the rest of its batch is skipped instead of tried. Then one of the worker's slots.
        try:
            async with self._chat_locks[claim.chat_pk], self._slots:
                return await self._deliver_one(claim)
        except Exception:
            # The database went away mid-delivery, say: the row stays claimed and is retried after its lease.
            log.exception("delivery of notification %s failed; it will be retried after its lease", claim.id)
            return "error"

    async def _deliver_one(self, claim: Claim) -> str:
        async with self.db.chat_guard(claim.chat_pk), self.db.session() as session, session.begin():
            outcome, after = await self._attempt(session, claim)
        if after is not None:
            await after()  # once the delivery's session is closed: never two sessions at once
        return outcome

    async def _attempt(self, session: AsyncSession, claim: Claim) -> tuple[str, Callable[[], Awaitable] | None]:
        """Check, render, send and record one claimed notification, all in `session`'s transaction."""
        chat = await self._lock_chat(session, claim.chat_pk)
        notification = await self._lock_claimed(session, claim)
        if notification is None or chat is None:
            # erased since it was claimed (`forget`), or no longer this worker's claim
            return NotificationState.SKIPPED, None
        if not chat.active:
            await self._settle(session, claim, NotificationState.SKIPPED, "recipient inactive")
            return NotificationState.SKIPPED, None
        platform = chat.platform
        outbound = self.outbounds.get(platform)
        if outbound is None:
            # This process does not run that platform: give the row back for a process that does.
            await self._give_back(session, claim, delay=60)
            return "deferred", None
        try:
            reply = await self.renderer.render(session, chat, notification)
        except Exception as exc:
            log.exception("cannot render notification %s", claim.id)
            await self._settle(session, claim, NotificationState.FAILED, f"render: {exc}")
            return NotificationState.FAILED, None
        recipient = Recipient(ChatRef(platform, chat.chat_id), chat.delivery_target, chat.mention, chat.origin)
        key = notification.key
        try:
            if getattr(outbound, "stores_in_transaction", False):
                await outbound.store(session, chat.id, recipient, reply, key=key)
            else:
                await self._send_with_retries(outbound, platform, recipient, reply, key)
        except ChatMovedError as moved:
            await self._give_back(session, claim)
            return "moved", partial(self._move, recipient.chat, moved.new_chat)
        except PermanentDeliveryError as exc:
            await self._settle(session, claim, NotificationState.FAILED, str(exc))
            return NotificationState.FAILED, partial(self._deactivate, chat.id, str(exc))
        except RejectedMessageError as exc:
            log.error("%s refused notification %s (%s) for %s: %s — the recipient stays active",
                      platform, claim.id, key, recipient.chat, exc)
            await self._settle(session, claim, NotificationState.FAILED, f"rejected: {exc}")
            return NotificationState.FAILED, None
        except TemporaryDeliveryError as exc:
            return await self._backoff(session, claim, notification.attempts, exc), None
        except Exception as exc:  # an adapter bug must not kill the worker nor lose the message
            log.exception("unexpected delivery error for notification %s", claim.id)
            return await self._backoff(session, claim, notification.attempts, TemporaryDeliveryError(repr(exc))), None
        sent = await self._settle(session, claim, NotificationState.SENT)
        return (NotificationState.SENT if sent else "lost"), None

    async def _lock_chat(self, session: AsyncSession, chat_pk: int) -> Chat | None:
        """The recipient, locked against erasure until this delivery ends (see the module docstring)."""
        query = select(Chat).where(Chat.id == chat_pk)
        if not self.db.is_sqlite:
            query = query.with_for_update(read=True, key_share=True)
        return await session.scalar(query)

    async def _lock_claimed(self, session: AsyncSession, claim: Claim) -> Notification | None:
        """The notification if it is still this worker's claim (locked on PostgreSQL: nobody reclaims it)."""
        query = select(Notification).where(
            Notification.id == claim.id, Notification.claim_token == claim.token,
            Notification.state == NotificationState.SENDING,
        )
        if not self.db.is_sqlite:
            query = query.with_for_update()
        return await session.scalar(query)

    async def _settle(self, session: AsyncSession, claim: Claim, state: str, error: str | None = None,
                      **values: object) -> bool:
        """Record an outcome, only if the claim is still this worker's; False when it no longer is."""
        values.update(state=state, claimed_until=None, claim_token=None,
                      last_error=error[:500] if error else None)
        if state == NotificationState.SENT:
            values["sent_at"] = self.clock()
        result = await session.execute(
            update(Notification)
            .where(Notification.id == claim.id, Notification.claim_token == claim.token,
                   Notification.state == NotificationState.SENDING)
            .values(**values)
        )
        if not result.rowcount:
            log.warning("notification %s: claim %s is gone (lease expired, or the recipient erased): %s not recorded",
                        claim.id, claim.token, state)
        return bool(result.rowcount)

    async def _give_back(self, session: AsyncSession, claim: Claim, delay: float = 0.0) -> None:
        await self._settle(session, claim, NotificationState.PENDING, due_at=self.clock() + timedelta(seconds=delay))

    async def _send_with_retries(self, outbound, platform, recipient, reply, key) -> None:
        paced = self.paced(platform)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TemporaryDeliveryError),
            stop=stop_after_attempt(QUICK_RETRIES),
            wait=_wait_retry_after,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if paced:  # an alert: it takes what interactive replies leave of the platform's limit
                    await self.pacer.acquire(platform, Priority.ALERT)
                await outbound.send(recipient, reply, key=key)

    async def _backoff(self, session: AsyncSession, claim: Claim, attempts: int, exc: TemporaryDeliveryError) -> str:
        attempts += 1
        if attempts >= self.settings.max_attempts:
            await self._settle(session, claim, NotificationState.FAILED, str(exc), attempts=attempts)
            return NotificationState.FAILED
        delay = self.settings.retry_base_seconds * 2 ** (attempts - 1)
        delay = max(delay, exc.retry_after or 0) * random.uniform(1.0, 1.25)
        await self._settle(session, claim, NotificationState.PENDING, str(exc), attempts=attempts,
                           due_at=self.clock() + timedelta(seconds=delay))
        log.warning("notification %s will be retried in %.1fs: %s", claim.id, delay, exc)
        return "retry"

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

    async def _move(self, old: ChatRef, new_chat: ChatRef) -> None:
        """A group became a supergroup: rename the chat (keeping its follows); its alert is already given back."""
        from bot.chats import move_chat

        try:
            await move_chat(self.db, old, new_chat)
        except IntegrityError:
            log.exception("could not move chat %s to %s", old, new_chat)


def _pool_capacity(db: Database) -> int:
    """How many connections the engine's pool lends at once (a large number when it does not say)."""
    pool = db.engine.pool
    size = getattr(pool, "size", None)
    if not callable(size):
        return 1_000
    return size() + max(getattr(pool, "_max_overflow", 0), 0)


def _wait_retry_after(retry_state) -> float:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    retry_after = getattr(exc, "retry_after", None) or 0.5 * retry_state.attempt_number
    if retry_after > MAX_INLINE_WAIT:
        raise exc  # too long to wait here: let the outbox back off
    return retry_after
