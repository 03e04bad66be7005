"""Daily and weekly digests: group a recipient's held alerts into one message."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.storage.models import Chat, Frequency, Notification, NotificationKind, NotificationState, utcnow


async def build_digests(app, *, force: bool = False, now: datetime | None = None) -> int:
    """Queue one digest per daily recipient (and weekly ones on the digest weekday) holding alerts.

    The digest's key names its period, so running this twice in a period queues nothing more.
    """
    settings = app.settings
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(settings.timezone))
    frequencies = [Frequency.DAILY]
    if force or local.weekday() == settings.digest_weekday:
        frequencies.append(Frequency.WEEKLY)
    made = 0
    async with app.db.session() as session, session.begin():
        held = (await session.execute(
            select(Notification.id, Notification.chat_pk, Notification.payload)
            .join(Chat, Chat.id == Notification.chat_pk)
            .where(Notification.state == NotificationState.HELD, Chat.frequency.in_(frequencies), Chat.active.is_(True))
            .order_by(Notification.id)
        )).all()
        by_chat: dict[int, list[tuple[int, dict]]] = {}
        for notification_id, chat_pk, payload in held:
            by_chat.setdefault(chat_pk, []).append((notification_id, payload))
        for chat_pk, items in by_chat.items():
            chat = await session.get(Chat, chat_pk)
            period = local.date().isoformat() if chat.frequency == Frequency.DAILY else f"{local.isocalendar()[0]}-W{local.isocalendar()[1]:02d}"
            if force:
                period += "@" + now.isoformat(timespec="seconds")
            key = f"digest:{chat_pk}:{period}"
            if await session.scalar(select(Notification.id).where(Notification.key == key)):
                continue  # this period's digest is already out; these wait for the next one
            change_ids = sorted({p["change_id"] for _, p in items if p.get("type") == "status"})
            evidence_ids = sorted({p["evidence_id"] for _, p in items if p.get("type") == "evidence"})
            divergence = {str(p["change_id"]): p["divergence"] for _, p in items if p.get("divergence")}
            payload = {"type": "digest", "change_ids": change_ids}
            if evidence_ids:
                payload["evidence_ids"] = evidence_ids
            if divergence:
                payload["divergence"] = divergence
            deadlines = [[p["action_id"], p["deadline"]] for _, p in items if p.get("type") == "deadline"]
            if deadlines:  # passed deadlines held for this digest (bot/overdue.py)
                payload["deadlines"] = deadlines
            session.add(Notification(chat_pk=chat_pk, key=key, kind=NotificationKind.DIGEST, state=NotificationState.PENDING, due_at=now,
                                     payload=payload))
            await session.execute(
                update(Notification).where(Notification.id.in_([i for i, _ in items])).values(state=NotificationState.DIGESTED)
            )
            chat.last_digest_at = now
            made += 1
    return made
