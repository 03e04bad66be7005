"""Chats: whether the language was chosen (or only detected), and the item last shown (for follow-ups).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("language_chosen", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("context_item", sa.String(64)))
        batch.add_column(sa.Column("context_at", UTCDateTime()))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("context_at")
        batch.drop_column("context_item")
        batch.drop_column("language_chosen")
