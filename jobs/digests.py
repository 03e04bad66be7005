"""Daily and weekly digests: group a recipient's held alerts into one message.

Set-based, in bounded transactions (issue 12): recipients are taken DIGEST_CHUNK at a time in id order, and each
chunk is one short transaction of five statements — the chunk's recipients, which of them already have this
period's digest, the UPDATE that marks the others' held alerts digested and returns them, one INSERT of their
digests, one UPDATE of their `last_digest_at` — so 100,000 daily followers are 200 short transactions, not one
long one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import Chat, Frequency, Notification, NotificationKind, NotificationState, utcnow

DIGEST_CHUNK = 500  # recipients per transaction


async def build_digests(db: Database, settings: Settings, *, force: bool = False, now: datetime | None = None, chunk: int = DIGEST_CHUNK) -> int:
    """Queue one digest per daily recipient (and weekly ones on the digest weekday) holding alerts.

    The digest's key names its period, so running this twice in a period queues nothing more: a recipient whose
    digest of this period exists keeps its held alerts for the next one.
    """
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(settings.timezone))
    frequencies = [Frequency.DAILY]
    if force or local.weekday() == settings.digest_weekday:
        frequencies.append(Frequency.WEEKLY)
    year, week, _ = local.isocalendar()
    suffix = "@" + now.isoformat(timespec="seconds") if force else ""
    periods = {Frequency.DAILY: local.date().isoformat() + suffix, Frequency.WEEKLY: f"{year}-W{week:02d}{suffix}"}
    made, after = 0, 0
    while True:
        async with db.session() as session, session.begin():
            # The next recipients in id order (the primary key), never a scan of the outbox's held rows.
            chats = (await session.execute(
                select(Chat.id, Chat.frequency)
                .where(Chat.id > after, Chat.active.is_(True), Chat.frequency.in_(frequencies))
                .order_by(Chat.id).limit(chunk)
            )).all()
            if not chats:
                return made
            after = chats[-1][0]
            keys = {f"digest:{chat_pk}:{periods[frequency]}": chat_pk for chat_pk, frequency in chats}
            out = set(await session.scalars(select(Notification.key).where(Notification.key.in_(keys))))
            # This period's digest already out: these recipients' alerts wait for the next one.
            owed = {chat_pk: frequency for key, (chat_pk, frequency) in zip(keys, chats, strict=True) if key not in out}
            if owed:
                made += await _digest_chunk(session, owed, periods, now)


async def _digest_chunk(session, frequency_of: dict[int, Frequency], periods: dict[Frequency, str],
                        now: datetime) -> int:
    """Digest the held alerts of these recipients: mark them, queue one digest each; how many were queued."""
    # The UPDATE itself picks the rows: what another run or a new alert does meanwhile cannot slip between a
    # read and the write (a concurrent run waits for these rows, then finds them no longer held).
    held = (await session.execute(
        update(Notification)
        .where(Notification.chat_pk.in_(frequency_of), Notification.state == NotificationState.HELD)
        .values(state=NotificationState.DIGESTED)
        .returning(Notification.id, Notification.chat_pk, Notification.payload)
    )).all()
    payloads: dict[int, dict] = {}
    for _, chat_pk, payload in sorted(held, key=lambda row: row[0]):
        digest = payloads.setdefault(chat_pk, {"type": "digest", "change_ids": []})
        kind = payload.get("type")
        if kind == "status":
            digest["change_ids"].append(payload["change_id"])
            if payload.get("divergence"):
                digest.setdefault("divergence", {})[str(payload["change_id"])] = payload["divergence"]
        elif kind == "evidence":
            digest.setdefault("evidence_ids", []).append(payload["evidence_id"])
        elif kind == "deadline":  # passed deadlines held for this digest (bot/following/overdue.py)
            digest.setdefault("deadlines", []).append([payload["action_id"], payload["deadline"]])
    if not payloads:
        return 0
    for digest in payloads.values():
        digest["change_ids"] = sorted(set(digest["change_ids"]))
        if "evidence_ids" in digest:
            digest["evidence_ids"] = sorted(set(digest["evidence_ids"]))
    rows = [{"chat_pk": chat_pk, "key": f"digest:{chat_pk}:{periods[frequency_of[chat_pk]]}",
             "kind": NotificationKind.DIGEST, "state": NotificationState.PENDING, "due_at": now, "attempts": 0,
             "payload": digest, "created_at": now}
            for chat_pk, digest in sorted(payloads.items())]
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    queued = set(await session.scalars(
        insert(Notification).values(rows).on_conflict_do_nothing(index_elements=["key"])
        .returning(Notification.chat_pk)))
    missed = [notification_id for notification_id, chat_pk, _ in held if chat_pk not in queued]
    if missed:
        # Another run queued this period's digest at the same moment: these alerts wait for the next one.
        await session.execute(update(Notification).where(Notification.id.in_(missed))
                              .values(state=NotificationState.HELD))
    if queued:
        await session.execute(update(Chat).where(Chat.id.in_(queued)).values(last_digest_at=now))
    return len(queued)
