"""Chats with their language; action statuses with history.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chats",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(64), nullable=False),
        sa.Column("is_group", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("language", sa.String(2)),
        sa.Column("frequency", sa.String(16), nullable=False, server_default="immediately"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("inactive_reason", sa.String(200)),
        sa.Column("delivery_target", sa.String(64)),
        sa.Column("mention", sa.String(64)),
        sa.Column("origin", sa.String(64)),
        sa.Column("last_digest_at", UTCDateTime()),
        sa.Column("forget_requested_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "chat_id", name="uq_chats_platform_chat"),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.String(16), nullable=False, index=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("previous_status", sa.String(24), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("source_url", sa.Text),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("status_changes")
    op.drop_table("chats")
