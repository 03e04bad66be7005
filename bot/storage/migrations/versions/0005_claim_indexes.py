"""Partial indexes for the delivery claim: due pending rows in claim order, and sending rows by lease end.

The claim reads the first `batch` rows of each index (O(batch)) instead of sorting the whole backlog. `state`
leads both (a constant there): SQLite, which has no statistics unless ANALYZE ran, then prefers them to the
plain index on `state`.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")
SENDING = sa.text("state = 'sending'")


def upgrade() -> None:
    op.create_index("ix_notifications_pending_due", "notifications", ["state", "due_at", "id"],
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index("ix_notifications_sending_lease", "notifications", ["state", "claimed_until"],
                    postgresql_where=SENDING, sqlite_where=SENDING)


def downgrade() -> None:
    op.drop_index("ix_notifications_sending_lease", table_name="notifications")
    op.drop_index("ix_notifications_pending_due", table_name="notifications")
