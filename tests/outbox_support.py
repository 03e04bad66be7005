"""Helpers for the follow / alert / feed tests: a recording Outbound, talking to the Assistant, bulk followers.

RecordingOutbound is a fake *platform* (it implements the Outbound protocol of bot/domain.py): it records every
send and can be told to fail temporarily or permanently a number of times, for every chat or for one chat.
Nothing of the bot itself is replaced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, update

from adapters.bootstrap import App
from bot.domain import (
    ChatRef,
    DeliveryResult,
    IncomingMessage,
    PermanentDeliveryError,
    Recipient,
    Reply,
    TemporaryDeliveryError,
)
from bot.following.delivery import DeliveryWorker
from bot.presentation.alerts import AlertRenderer
from bot.settings import Settings
from bot.storage.models import Chat, Notification, Subscription


@dataclass
class Sent:
    recipient: Recipient
    reply: Reply
    key: str
    at: float  # event-loop time of the send

    @property
    def chat_id(self) -> str:
        return self.recipient.chat.chat_id

    @property
    def text(self) -> str:
        return self.reply.plain_text


@dataclass
class _Plan:
    remaining: int
    make: Callable[[], Exception]
    chat_id: str | None = None  # None: any chat


@dataclass
class RecordingOutbound:
    """Records sends; `fail_temporarily` / `fail_permanently` script failures (consumed in order)."""

    delay: float = 0.0  # seconds each successful send takes (to interleave concurrent workers)
    keep_replies: bool = True  # False: record keys and times only (memory benchmarks)
    sent: list[Sent] = field(default_factory=list)
    attempts: list[tuple[str, str, float]] = field(default_factory=list)  # (chat_id, key, time) of every call
    _plans: list[_Plan] = field(default_factory=list)

    def fail_temporarily(self, times: int, retry_after: float | None = 0.001, chat_id: str | None = None) -> None:
        self._plans.append(_Plan(times, lambda: TemporaryDeliveryError("flood control", retry_after), chat_id))

    def fail_permanently(self, times: int = 1, chat_id: str | None = None) -> None:
        self._plans.append(_Plan(times, lambda: PermanentDeliveryError("bot was blocked by the user"), chat_id))

    async def send(self, recipient: Recipient, reply: Reply, *, key: str) -> DeliveryResult:
        now = asyncio.get_running_loop().time()
        self.attempts.append((recipient.chat.chat_id, key, now))
        for plan in self._plans:
            if plan.remaining > 0 and plan.chat_id in (None, recipient.chat.chat_id):
                plan.remaining -= 1
                raise plan.make()
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append(Sent(recipient, reply if self.keep_replies else Reply(), key, now))
        return DeliveryResult((key,))

    def to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]


class FakeClock:
    """A settable clock for DeliveryWorker(clock=...): due_at, leases and backoff read it."""

    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_worker(app: App, outbound, settings: Settings | None = None, clock=None, platform: str = "console",
                db=None) -> DeliveryWorker:
    kwargs = {"clock": clock} if clock else {}
    return DeliveryWorker(db or app.db, AlertRenderer(app.kb, app.settings.default_language), {platform: outbound},
                          settings or app.settings, **kwargs)


async def say(app: App, user: str, text: str, *, platform: str = "console", chat_id: str | None = None,
              **kwargs) -> list[Reply]:
    msg = IncomingMessage(ChatRef(platform, chat_id or user), user, text, **kwargs)
    return await app.assistant.handle(msg)


async def follow(app: App, user: str, item: str, frequency: str | None = None, *,
                 since: datetime | None = None) -> None:
    """`user` follows `item` through the chat (then sets `frequency` when given), as if since `since` when given."""
    await say(app, user, f"follow {item}")
    if frequency is not None:
        await say(app, user, f"frequency {frequency}")
    if since is not None:
        pk = await chat_pk(app, user)
        async with app.db.session() as session, session.begin():
            await session.execute(update(Subscription).where(Subscription.chat_pk == pk).values(created_at=since))


def text_of(replies: list[Reply]) -> str:
    return "\n\n".join(r.plain_text for r in replies)


def commands_of(replies: list[Reply]) -> list[str]:
    return [c for r in replies for c in r.commands]


async def add_followers(app: App, n: int, target_kind: str = "action", target_id: str = "2.12",
                        platform: str = "console", prefix: str = "user", frequency: str = "immediately") -> list[str]:
    """n chats following one item, written in bulk (the fast path for fan-out tests)."""
    names = [f"{prefix}{i:05d}" for i in range(n)]
    async with app.db.session() as session, session.begin():
        # The new chats' ids straight from the INSERT (a LIKE on the name stopped at 10,000: "user10000").
        ids = list(await session.scalars(insert(Chat).returning(Chat.id), [
            {"platform": platform, "chat_id": name, "frequency": frequency} for name in names
        ]))
        await session.execute(insert(Subscription), [
            {"chat_pk": pk, "target_kind": target_kind, "target_id": target_id} for pk in ids
        ])
    return names


async def count(app: App, model, *where) -> int:
    async with app.db.session() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def notifications(app: App, *where) -> list[Notification]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Notification).where(*where).order_by(Notification.id)))


async def chat_pk(app: App, chat_id: str, platform: str = "console") -> int | None:
    async with app.db.session() as session:
        return await session.scalar(select(Chat.id).where(Chat.platform == platform, Chat.chat_id == chat_id))
