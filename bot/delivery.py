"""The outbox delivery worker: claim due notifications, send them through their platform, record the outcome.

Claiming is a compare-and-set (state pending -> sending with a lease), with FOR UPDATE SKIP LOCKED on
PostgreSQL so several workers share the work without sending anything twice. A worker killed mid-send leaves
its rows 'sending'; once the lease expires another run picks them up again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from bot.alerts import AlertRenderer
from bot.announcements import report_finished
from bot.domain import (
    ChatMovedError,
    ChatRef,
    Outbound,
    PermanentDeliveryError,
    Recipient,
    TemporaryDeliveryError,
)
from bot.i18n import LANGUAGES, t
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat, Notification, utcnow

log = logging.getLogger(__name__)

QUICK_RETRIES = 3  # in-process attempts (honouring retry_after) before backing off in the outbox
MAX_INLINE_WAIT = 30.0  # seconds; a longer retry_after goes back to the outbox instead of blocking


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        renderer: AlertRenderer,
        outbounds: Mapping[str, Outbound],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        worker_id: str | None = None,
    ):
        self.db = db
        self.renderer = renderer
        self.outbounds = outbounds
        self.settings = settings
        self.clock = clock
        self.worker_id = worker_id or f"w{random.randrange(1 << 30):x}"
        self._limiters: dict[str, AsyncLimiter | None] = {}
        self._chat_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def limiter(self, platform: str) -> AsyncLimiter | None:
        """One limiter per platform: evenly spaced sends (capacity 1), so no burst ever exceeds the rate.

        An outbound whose library already paces it (`paces_itself`) gets none: one limiter per platform.
        """
        if platform not in self._limiters:
            rate = self.settings.rate_limit(platform)
            if getattr(self.outbounds.get(platform), "paces_itself", False):
                rate = 0
            self._limiters[platform] = AsyncLimiter(1, 1 / rate) if rate > 0 else None
        return self._limiters[platform]

    async def run_once(self, limit: int | None = None) -> Counter[str]:
        """Deliver everything due now (or up to `limit` notifications); return counts by outcome.

        The next batch is claimed while the current one is still sending, so a rate-limited platform never
        waits on the database between batches.
        """
        stats: Counter[str] = Counter()
        in_flight: set[asyncio.Task[str]] = set()
        claimed = 0
        exhausted = reported = False
        batch_size = self.settings.worker_batch
        while True:
            room = batch_size if limit is None else min(batch_size, limit - claimed)
            if not exhausted and room > 0 and len(in_flight) <= batch_size // 2:
                batch = await self.claim(room)
                claimed += len(batch)
                exhausted = not batch
                in_flight.update(asyncio.create_task(self._deliver(n_id, chat_pk)) for n_id, chat_pk in batch)
            if not in_flight:
                # Everything settled: finished announcements owe their admin a report, delivered in this run too.
                if stats and not reported and await self.queue_announcement_reports():
                    reported, exhausted = True, False
                    continue
                break
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            outcomes = [task.result() for task in done]
            stats.update(outcomes)
            if "moved" in outcomes:
                exhausted = False  # the row was given back under the chat's new id: pick it up again
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
                    text = {lang: t("announce_report", lang, id=announcement.id, **counts) for lang in LANGUAGES}
                    session.add(Notification(
                        chat_pk=announcement.reporter_chat_pk, key=f"announce-report:{announcement.id}",
                        kind="notice", payload={"type": "notice", "text": text}, state="pending", due_at=self.clock(),
                    ))
        except IntegrityError:
            return 0  # another worker reported the same announcement at the same moment
        return len(finished)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver continuously until `stop` is set."""
        while not stop.is_set():
            try:
                stats = await self.run_once()
                if stats:
                    log.info("delivered: %s", dict(stats))
            except Exception:
                log.exception("delivery round failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.worker_interval)
            except TimeoutError:
                pass

    async def claim(self, size: int) -> list[tuple[int, int]]:
        """Claim up to `size` due notifications: their (id, chat_pk), now 'sending' under this worker's lease."""
        now = self.clock()
        due = or_(
            and_(Notification.state == "pending", Notification.due_at <= now),
            and_(Notification.state == "sending", Notification.claimed_until < now),
        )
        lease = timedelta(seconds=self.settings.worker_lease_seconds)
        async with self.db.session() as session, session.begin():
            platforms = set(await session.scalars(select(Chat.platform).distinct()))
            if not platforms <= set(self.outbounds):
                # Only what this process can deliver: another process runs the other platforms. (Skipped when
                # this process serves them all: the sub-select misleads PostgreSQL's planner after big fan-outs.)
                served = select(Chat.id).where(Chat.platform.in_(list(self.outbounds)))
                due = and_(due, Notification.chat_pk.in_(served))
            query = select(Notification.id).where(due).order_by(Notification.due_at, Notification.id).limit(size)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = list(await session.scalars(query))
            if not ids:
                return []
            result = await session.execute(
                update(Notification)
                .where(Notification.id.in_(ids), due)
                .values(state="sending", claimed_until=now + lease)
                .returning(Notification.id, Notification.chat_pk)
            )
            return sorted((row[0], row[1]) for row in result)

    async def _deliver(self, notification_id: int, chat_pk: int) -> str:
        # One message at a time per recipient: alerts arrive in order, and once a recipient is found
        # unreachable the rest of its batch is skipped instead of tried.
        async with self._chat_locks[chat_pk]:
            return await self._deliver_one(notification_id)

    async def _deliver_one(self, notification_id: int) -> str:
        async with self.db.session() as session:
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return "skipped"  # erased since it was claimed (the recipient used `forget`)
            chat = await session.get(Chat, notification.chat_pk)
            if not chat.active:
                await self._finish(notification_id, "skipped", "recipient inactive")
                return "skipped"
            platform = chat.platform
            outbound = self.outbounds.get(platform)
            if outbound is None:
                # This process does not run that platform: give the row back for a process that does.
                await self._release(notification_id, delay=60)
                return "deferred"
            try:
                reply = await self.renderer.render(session, chat, notification)
            except Exception as exc:
                log.exception("cannot render notification %s", notification_id)
                await self._finish(notification_id, "failed", f"render: {exc}")
                return "failed"
            recipient = Recipient(ChatRef(platform, chat.chat_id), chat.delivery_target, chat.mention, chat.origin)
            key = notification.key
        try:
            await self._send_with_retries(outbound, platform, recipient, reply, key)
        except ChatMovedError as moved:
            await self._move(notification_id, moved.new_chat)
            return "moved"
        except PermanentDeliveryError as exc:
            await self._deactivate(notification_id, str(exc))
            return "failed"
        except TemporaryDeliveryError as exc:
            return await self._backoff(notification_id, exc)
        except Exception as exc:  # an adapter bug must not kill the worker nor lose the message
            log.exception("unexpected delivery error for notification %s", notification_id)
            return await self._backoff(notification_id, TemporaryDeliveryError(repr(exc)))
        await self._finish(notification_id, "sent")
        return "sent"

    async def _send_with_retries(self, outbound, platform, recipient, reply, key) -> None:
        limiter = self.limiter(platform)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TemporaryDeliveryError),
            stop=stop_after_attempt(QUICK_RETRIES),
            wait=_wait_retry_after,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if limiter:
                    async with limiter:
                        await outbound.send(recipient, reply, key=key)
                else:
                    await outbound.send(recipient, reply, key=key)

    async def _finish(self, notification_id: int, state: str, error: str | None = None) -> None:
        async with self.db.session() as session, session.begin():
            values = {"state": state, "claimed_until": None, "last_error": error}
            if state == "sent":
                values["sent_at"] = self.clock()
            await session.execute(update(Notification).where(Notification.id == notification_id).values(**values))

    async def _release(self, notification_id: int, delay: float = 0.0) -> None:
        async with self.db.session() as session, session.begin():
            await session.execute(
                update(Notification)
                .where(Notification.id == notification_id)
                .values(state="pending", claimed_until=None, due_at=self.clock() + timedelta(seconds=delay))
            )

    async def _backoff(self, notification_id: int, exc: TemporaryDeliveryError) -> str:
        async with self.db.session() as session, session.begin():
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return "skipped"
            notification.attempts += 1
            notification.last_error = str(exc)[:500]
            notification.claimed_until = None
            if notification.attempts >= self.settings.max_attempts:
                notification.state = "failed"
                return "failed"
            delay = self.settings.retry_base_seconds * 2 ** (notification.attempts - 1)
            delay = max(delay, exc.retry_after or 0) * random.uniform(1.0, 1.25)
            notification.state = "pending"
            notification.due_at = self.clock() + timedelta(seconds=delay)
        log.warning("notification %s will be retried in %.1fs: %s", notification_id, delay, exc)
        return "retry"

    async def _deactivate(self, notification_id: int, reason: str) -> None:
        """The recipient cannot be reached any more: stop trying, skip what is queued for them."""
        async with self.db.session() as session, session.begin():
            notification = await session.get(Notification, notification_id)
            if notification is None:
                return
            notification.state, notification.claimed_until, notification.last_error = "failed", None, reason[:500]
            chat = await session.get(Chat, notification.chat_pk)
            chat.active, chat.inactive_reason = False, reason[:200]
            await session.execute(
                update(Notification)
                .where(Notification.chat_pk == chat.id, Notification.state.in_(["pending", "held"]))
                .values(state="skipped", last_error="recipient inactive")
            )
        log.info("recipient %s:%s deactivated: %s", chat.platform, chat.chat_id, reason)

    async def _move(self, notification_id: int, new_chat: ChatRef) -> None:
        """A group became a supergroup: rename the chat (keeping its follows) and send again at once."""
        from bot.chats import move_chat

        async with self.db.session() as session, session.begin():
            notification = await session.get(Notification, notification_id)
            chat = await session.get(Chat, notification.chat_pk)
            old = ChatRef(chat.platform, chat.chat_id)
        try:
            await move_chat(self.db, old, new_chat)
        except IntegrityError:
            log.exception("could not move chat %s to %s", old, new_chat)
        await self._release(notification_id)


def _wait_retry_after(retry_state) -> float:
    exc = retry_state.outcome.exception() if retry_state.outcome else None
    retry_after = getattr(exc, "retry_after", None) or 0.5 * retry_state.attempt_number
    if retry_after > MAX_INLINE_WAIT:
        raise exc  # too long to wait here: let the outbox back off
    return retry_after
