"""schedules.following_nudge_at, and a partial index for weekly summaries

following_nudge_at is the nudge after the next one, worked out ahead: with it, claiming a due
nudge is one statement that needs no schedule rules (bot/nudges). Existing rows start
without it: the dispatcher works it out the first time it claims them.

ix_schedules_next_summary_at leaves out the people with no weekly summary (most of them), so
that moving their nudges on writes one index entry less on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from bot.storage.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SUMMARIES = "ix_schedules_next_summary_at"
HAS_SUMMARY = sa.text("next_summary_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(
            sa.Column("following_nudge_at", UTCDateTime(timezone=True), nullable=True)
        )
        batch.drop_index(SUMMARIES)
        batch.create_index(
            SUMMARIES,
            ["next_summary_at"],
            postgresql_where=HAS_SUMMARY,
            sqlite_where=HAS_SUMMARY,
        )


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_index(SUMMARIES)
        batch.create_index(SUMMARIES, ["next_summary_at"])
        batch.drop_column("following_nudge_at")
