"""The outbox remembers which worker's claim holds a notification (only that claim records the outcome).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("claim_token", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("claim_token")
