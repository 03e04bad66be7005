"""Issue 11: a status change keeps the progress percentage its source gives; passed deadlines are remembered.

Revision ID: 0008
Revises: 0007 (evidence)
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_changes") as batch:
        batch.add_column(sa.Column("progress", sa.Integer(), nullable=True))
    op.create_table(
        "deadline_alerts",
        sa.Column("action_id", sa.String(16), primary_key=True),
        sa.Column("deadline", sa.Date(), primary_key=True),
        sa.Column("alerted", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("fanned_out_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deadline_alerts")
    with op.batch_alter_table("status_changes") as batch:
        batch.drop_column("progress")
