"""the queue's partial indexes on PostgreSQL carry every filter's column (INCLUDE), so counting
a combination of filters (a team's overdue changes, one kind within a team) reads one index and
never the table

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
PENDING_INDEXES = {
    "kind": ("kind", "submitted_at", "id"),
    "team": ("team_id", "submitted_at", "id"),
    "assigned": ("assigned_to_id", "submitted_at", "id"),
    "target": ("target_date", "id"),
}
FILTER_COLUMNS = ("kind", "team_id", "assigned_to_id", "target_date", "submitted_at")


def _recreate(include: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no INCLUDE; its indexes stay as 0008 made them
    for name, columns in PENDING_INDEXES.items():
        index = f"ix_pending_change_pending_{name}"
        op.drop_index(index, table_name="pending_change")
        op.create_index(
            index,
            "pending_change",
            list(columns),
            postgresql_where=PENDING,
            postgresql_include=[c for c in FILTER_COLUMNS if c not in columns] if include else [],
        )


def upgrade() -> None:
    _recreate(include=True)


def downgrade() -> None:
    _recreate(include=False)
