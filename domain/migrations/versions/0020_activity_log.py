"""activity log: who opened which page or took which action, on which case, person or record,
and how it was answered (written in batches; pruned after ACTIVITY_KEEP_DAYS)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(length=60), nullable=False),
        sa.Column("method", sa.String(length=7), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("record", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_log")),
    )
    op.create_index("ix_activity_log_case_id_at", "activity_log", ["case_id", "at"])
    op.create_index("ix_activity_log_person_id_at", "activity_log", ["person_id", "at"])
    op.create_index("ix_activity_log_user_id_at", "activity_log", ["user_id", "at"])
    op.create_index("ix_activity_log_at", "activity_log", ["at"])


def downgrade() -> None:
    op.drop_table("activity_log")
