"""Statuses say who assessed them (status_changes.assessed_by); evidence recorded at run time (table evidence).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ASSESSORS = ("irm", "government", "maintainers")  # bot.following.levels.Assessor at this revision
REPORTERS = ("independent_review", "government", "press", "maintainers")  # knowledge.schema.Reporter


def _allowed(column: str, values: tuple[str, ...]) -> sa.TextClause:
    return sa.text(f"{column} IN ({', '.join(repr(v) for v in values)})")


def upgrade() -> None:
    with op.batch_alter_table("status_changes") as batch:
        batch.add_column(sa.Column("assessed_by", sa.String(16), nullable=False, server_default="maintainers"))
        batch.create_check_constraint("ck_status_changes_assessed_by", _allowed("assessed_by", ASSESSORS))
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("action_id", sa.String(16), nullable=False, index=True),
        sa.Column("fact_date", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("note_fr", sa.Text),
        sa.Column("source_url", sa.String(2000), nullable=False),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("reported_by", sa.String(24), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("action_id", "fact_date", "source_url", name="uq_evidence_fact"),
        sa.CheckConstraint(_allowed("reported_by", REPORTERS), name="ck_evidence_reported_by"),
    )


def downgrade() -> None:
    op.drop_table("evidence")
    with op.batch_alter_table("status_changes") as batch:
        batch.drop_constraint("ck_status_changes_assessed_by", type_="check")
        batch.drop_column("assessed_by")
