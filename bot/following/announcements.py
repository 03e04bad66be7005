"""Announcements: pick an audience, count it (dry run), queue one notification per recipient, report progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, func, literal, select, update
from sqlalchemy import insert as sql_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Platform
from bot.following.subscriptions import Target, TargetIndex, item_followers_condition
from bot.i18n import t, tn
from bot.storage.models import (
    Announcement,
    AnnouncementState,
    AudienceKind,
    Chat,
    Notification,
    NotificationKind,
    NotificationState,
    Subscription,
    utcnow,
)
from knowledge.loader import KnowledgeBase


class AnnouncementError(Exception):
    """args[0] names the problem: usage, audience, when."""


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    target: Target | None = None
    platform: str | None = None
    chat_pk: int | None = None

    @property
    def key(self) -> str:
        if self.kind == AudienceKind.FOLLOWERS:
            return f"followers:{self.target.kind}:{self.target.id}"
        if self.kind == AudienceKind.PLATFORM:
            return f"platform:{self.platform}"
        if self.kind == AudienceKind.CHAT:
            return f"chat:{self.chat_pk}"
        return "all"

    def describe(self, lang: str) -> str:
        if self.kind == AudienceKind.FOLLOWERS:
            what = self.target.id if self.target.kind != "all" else t("audience_all", lang)
            return t("audience_followers", lang, what=what)
        if self.kind == AudienceKind.PLATFORM:
            return t("audience_platform", lang, platform=self.platform)
        if self.kind == AudienceKind.CHAT:
            return t("audience_server", lang)
        return t("audience_everyone", lang)


def parse_audience(text: str, targets: TargetIndex) -> Audience:
    """'all', 'followers:2.12', 'followers:HATVP', 'platform:telegram' (also 'telegram')."""
    kind, _, rest = text.partition(":")
    kind = kind.casefold()
    if kind in ("all", "everyone", "tous", "tout"):
        return Audience(AudienceKind.ALL)
    if kind in ("followers", "abonnes", "abonnés") and rest:
        target = targets.resolve(rest)
        if target is None:
            raise AnnouncementError("audience")
        return Audience(AudienceKind.FOLLOWERS, target=target)
    platform = rest.casefold() if kind == "platform" else kind
    if platform in {p.value for p in Platform}:
        return Audience(AudienceKind.PLATFORM, platform=platform)
    raise AnnouncementError("audience")


def _recipients(kb: KnowledgeBase, audience: Audience):
    query = select(Chat.id).where(Chat.active.is_(True))
    if audience.kind == AudienceKind.FOLLOWERS:
        query = query.where(
            Chat.id.in_(select(Subscription.chat_pk).where(item_followers_condition(kb, audience.target)))
        )
    elif audience.kind == AudienceKind.PLATFORM:
        query = query.where(Chat.platform == audience.platform)
    elif audience.kind == AudienceKind.CHAT:
        query = query.where(Chat.id == audience.chat_pk)
    return query


async def reach(session: AsyncSession, kb: KnowledgeBase, audience: Audience) -> int:
    return await session.scalar(select(func.count()).select_from(_recipients(kb, audience).subquery())) or 0


async def create(
    session: AsyncSession, kb: KnowledgeBase, audience: Audience, text: str, created_by: str,
    when: datetime | None = None, reporter: Chat | None = None,
) -> tuple[Announcement, int]:
    """Queue the announcement for every recipient now, due at `when` (default: now)."""
    due = when or utcnow()
    announcement = Announcement(
        text=text, audience=audience.kind, target=audience.key, scheduled_at=due, state=AnnouncementState.QUEUED,
        created_by=created_by, reporter_chat_pk=reporter.id if reporter else None,
    )
    session.add(announcement)
    await session.flush()
    # FOR KEY SHARE (PostgreSQL): a `forget` under way is waited for and its chat left out (see status_changes).
    recipients = _recipients(kb, audience).with_for_update(read=True, key_share=True).subquery()
    rows = select(
        recipients.c.id,
        (literal(f"announce:{announcement.id}:", String) + func.cast(recipients.c.id, String)),
        literal(NotificationKind.ANNOUNCEMENT.value, String),
        literal({"type": "announcement", "announcement_id": announcement.id}, Notification.payload.type),
        literal(NotificationState.PENDING.value, String),
        literal(due, Notification.due_at.type),
        literal(0, Integer),
        literal(announcement.id, Integer),
        literal(utcnow(), Notification.created_at.type),
    )
    result = await session.execute(
        sql_insert(Notification).from_select(
            ["chat_pk", "key", "kind", "payload", "state", "due_at", "attempts", "announcement_id", "created_at"], rows
        )
    )
    announcement.recipients = result.rowcount or 0
    return announcement, announcement.recipients


async def progress(session: AsyncSession, announcement_id: int) -> dict[str, int] | None:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        return None
    rows = (await session.execute(
        select(Notification.state, func.count()).where(Notification.announcement_id == announcement_id)
        .group_by(Notification.state)
    )).all()
    counts = dict(rows)
    return {
        "total": announcement.recipients,
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0),
        "pending": counts.get("pending", 0) + counts.get("sending", 0),
    }


def counts_text(counts: dict[str, int], lang: str) -> dict[str, object]:
    """progress()'s counts as words for announce_report / announce_progress: "3 sent", « 1 envoyée »."""
    return {
        "total": counts["total"],
        "sent": tn("announce_sent", lang, counts["sent"]),
        "failed": tn("announce_failed", lang, counts["failed"]),
        "skipped": tn("announce_skipped", lang, counts["skipped"]),
        "pending": tn("announce_pending", lang, counts["pending"]),
    }


async def cancel(session: AsyncSession, announcement_id: int) -> int | None:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        return None
    result = await session.execute(
        update(Notification)
        .where(Notification.announcement_id == announcement_id, Notification.state == NotificationState.PENDING)
        .values(state=NotificationState.SKIPPED, last_error="cancelled")
    )
    announcement.state = AnnouncementState.CANCELLED
    return result.rowcount or 0


async def report_finished(session: AsyncSession) -> list[tuple[Announcement, dict[str, int]]]:
    """Announcements whose every notification is settled: mark them done, return them with their counts."""
    finished = []
    queued = select(Announcement).where(Announcement.state == AnnouncementState.QUEUED)
    for announcement in await session.scalars(queued):
        counts = await progress(session, announcement.id)
        if counts["pending"] == 0:
            announcement.state = AnnouncementState.DONE
            finished.append((announcement, counts))
    return finished
