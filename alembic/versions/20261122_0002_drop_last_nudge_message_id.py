"""drop schedules.last_nudge_message_id

Nothing ever read it, and writing it after every send was a third of the dispatcher's
recording work (bench/README.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("last_nudge_message_id")


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("last_nudge_message_id", sa.BigInteger(), nullable=True))
