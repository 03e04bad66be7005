"""Tables. Message texts are never stored; only chats, their choices, statuses and the alert outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import text as sql_text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.following.levels import Assessor, Level
from bot.redact import clean_error
from knowledge.schema import Reporter


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite (which drops tzinfo) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class ErrorText(TypeDecorator):
    """Stored error text: secrets masked and NUL bytes removed before it reaches the database."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return clean_error(value)


class ErrorString(ErrorText):
    impl = String
    cache_ok = True


class Frequency(StrEnum):
    """When a chat's alerts arrive."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


class TargetKind(StrEnum):
    """What a subscription follows."""

    ACTION = "action"
    COMMITMENT = "commitment"
    INSTITUTION = "institution"
    ALL = "all"


class NotificationKind(StrEnum):
    ALERT = "alert"
    ANNOUNCEMENT = "announcement"
    DIGEST = "digest"
    NOTICE = "notice"


class NotificationState(StrEnum):
    """pending -> sending -> sent | failed | skipped ; held (waiting for a digest) -> digested"""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    HELD = "held"
    DIGESTED = "digested"


class AudienceKind(StrEnum):
    """Who an announcement goes to ('chat': one chat, e.g. a server manager announcing to their own server)."""

    ALL = "all"
    FOLLOWERS = "followers"
    PLATFORM = "platform"
    CHAT = "chat"


class AnnouncementState(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    CANCELLED = "cancelled"


def choice(values: type[StrEnum], length: int, name: str) -> Enum:
    """A column holding one of `values`: a VARCHAR(length) with a CHECK constraint named `name`."""
    return Enum(values, length=length, name=name, native_enum=False, create_constraint=True,
                validate_strings=True, values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    pass


class Chat(Base):
    """A recipient: a person's private chat, a group, or a Discord server (delivering to its chosen channel)."""

    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_chats_platform_chat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    language: Mapped[str | None] = mapped_column(String(2))
    # True once the person picked a language with `language`; until then `language` follows their messages.
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    frequency: Mapped[Frequency] = mapped_column(choice(Frequency, 16, "ck_chats_frequency"),
                                                 default=Frequency.IMMEDIATELY, server_default=Frequency.IMMEDIATELY.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    inactive_reason: Mapped[str | None] = mapped_column(ErrorString(200))
    delivery_target: Mapped[str | None] = mapped_column(String(64))  # e.g. a Discord server's alert channel
    mention: Mapped[str | None] = mapped_column(String(64))  # e.g. a Discord role to mention in alerts
    origin: Mapped[str | None] = mapped_column(String(64))  # where the person last wrote from (a channel)
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The item last shown here and when, so that "who leads it?" right after refers to it (bot/conversation/followup.py).
    context_item: Mapped[str | None] = mapped_column(String(64))
    context_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StatusChange(Base):
    """One entry of an action's status history; the latest per action is its current status."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[Level] = mapped_column(choice(Level, 24, "ck_status_changes_status"))
    previous_status: Mapped[Level] = mapped_column(choice(Level, 24, "ck_status_changes_previous_status"))
    note: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    effective_date: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(128))
    # Who assessed it (the source of the status); `source_url` is where they said it.
    assessed_by: Mapped[Assessor] = mapped_column(choice(Assessor, 16, "ck_status_changes_assessed_by"),
                                                  default=Assessor.MAINTAINERS, server_default=Assessor.MAINTAINERS.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Percentage of completion the source gives (a Decidim tracker's `progress`), when it gives one.
    progress: Mapped[int | None] = mapped_column(Integer)


class EvidenceRecord(Base):
    """A dated, sourced fact about an action recorded at run time (feed, admin command); the facts shipped in
    knowledge/data/evidence.yaml are read from the knowledge base. One fact per (action, date, source)."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("action_id", "fact_date", "source_url", name="uq_evidence_fact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[str] = mapped_column(String(16), index=True)
    fact_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    note_fr: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(String(2000))
    publisher: Mapped[str] = mapped_column(String(200))
    reported_by: Mapped[Reporter] = mapped_column(choice(Reporter, 24, "ck_evidence_reported_by"))
    added_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeadlineAlert(Base):
    """A promise's deadline whose passing was fanned out to the action's followers (once per deadline)."""

    __tablename__ = "deadline_alerts"

    action_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    deadline: Mapped[date] = mapped_column(Date, primary_key=True)
    alerted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # notifications queued
    fanned_out_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Subscription(Base):
    """A chat follows an action, a commitment (all its actions), an institution, or everything ('all')."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("chat_pk", "target_kind", "target_id", name="uq_subscriptions_target"),
        Index("ix_subscriptions_target", "target_kind", "target_id"),  # who follows this target (fan-out)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_pk: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    target_kind: Mapped[TargetKind] = mapped_column(choice(TargetKind, 16, "ck_subscriptions_target_kind"))
    target_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """The durable outbox: one row per message owed to one recipient, unique by its idempotency key."""

    __tablename__ = "notifications"
    # The delivery claim reads these in order (migration 0005): due pending rows, and leases that ran out.
    __table_args__ = (
        Index("ix_notifications_pending_due", "state", "due_at", "id",
              postgresql_where=sql_text("state = 'pending'"), sqlite_where=sql_text("state = 'pending'")),
        Index("ix_notifications_sending_lease", "state", "claimed_until",
              postgresql_where=sql_text("state = 'sending'"), sqlite_where=sql_text("state = 'sending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_pk: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[NotificationKind] = mapped_column(choice(NotificationKind, 16, "ck_notifications_kind"))
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[NotificationState] = mapped_column(choice(NotificationState, 12, "ck_notifications_state"),
                                                     index=True, default=NotificationState.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(ErrorText())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who holds the claim: "<worker id>:<claim number>"; only that claim may record the outcome.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[AudienceKind] = mapped_column(choice(AudienceKind, 16, "ck_announcements_audience"))
    target: Mapped[str | None] = mapped_column(String(64))  # item id / institution (followers), platform name
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[AnnouncementState] = mapped_column(choice(AnnouncementState, 12, "ck_announcements_state"),
                                                     default=AnnouncementState.QUEUED)
    recipients: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reporter_chat_pk: Mapped[int | None] = mapped_column(ForeignKey("chats.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEntry(Base):
    """Every admin action; kept after `forget` but with the person's id removed."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str | None] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class FeedState(Base):
    """What the status-feed poller remembers between polls (HTTP validators, the last error reported)."""

    __tablename__ = "feed_state"

    source: Mapped[str] = mapped_column(String(500), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    error_hash: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConsoleInbox(Base):
    """Alerts delivered to console users, shown when they next open `opengov-bot chat --as NAME`."""

    __tablename__ = "console_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    text: Mapped[str] = mapped_column(Text)
    shown: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
