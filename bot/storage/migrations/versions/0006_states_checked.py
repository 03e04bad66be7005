"""States and kinds are checked by the database (CHECK constraints); the unused chats.forget_requested_at goes.

Revision ID: 0006
Revises: 0005 (the claim indexes; 0004 in this branch until they are merged)
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# table -> column -> the values it may hold (the StrEnums of bot/storage/models.py as they are at this revision)
CHECKED = {
    "chats": {"frequency": ("immediately", "daily", "weekly")},
    "status_changes": {
        "status": ("no_evidence", "not_started", "limited", "substantial", "complete"),
        "previous_status": ("no_evidence", "not_started", "limited", "substantial", "complete"),
    },
    "subscriptions": {"target_kind": ("action", "commitment", "institution", "all")},
    "notifications": {
        "kind": ("alert", "announcement", "digest", "notice"),
        "state": ("pending", "sending", "sent", "failed", "skipped", "held", "digested"),
    },
    "announcements": {
        "audience": ("all", "followers", "platform", "chat"),
        "state": ("queued", "done", "cancelled"),
    },
}


def upgrade() -> None:
    for table, columns in CHECKED.items():
        with op.batch_alter_table(table) as batch:
            if table == "chats":
                batch.drop_column("forget_requested_at")
            for column, values in columns.items():
                allowed = ", ".join(f"'{value}'" for value in values)
                batch.create_check_constraint(f"ck_{table}_{column}", sa.text(f"{column} IN ({allowed})"))


def downgrade() -> None:
    for table, columns in CHECKED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(f"ck_{table}_{column}", type_="check")
            if table == "chats":
                batch.add_column(sa.Column("forget_requested_at", UTCDateTime()))
