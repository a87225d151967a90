"""indexes for a council of a million cases: the queue's filters and counts on pending changes
(the team carried on each change), addresses by person, an applicant's own changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
PENDING_INDEXES = {
    "kind": ("kind", "submitted_at", "id"),
    "team": ("team_id", "submitted_at", "id"),
    "assigned": ("assigned_to_id", "submitted_at", "id"),
    "target": ("target_date", "id"),
}


def upgrade() -> None:
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_pending_change_team_id_team", "team", ["team_id"], ["id"])
    op.execute(
        "UPDATE pending_change SET team_id = (SELECT responsible_team_id FROM housing_case "
        "WHERE housing_case.id = pending_change.case_id)"
    )
    for name, columns in PENDING_INDEXES.items():
        op.create_index(
            f"ix_pending_change_pending_{name}",
            "pending_change",
            list(columns),
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
    op.create_index(
        "ix_pending_change_account_submitted_at",
        "pending_change",
        ["submitted_by_account_id", "submitted_at"],
    )
    op.create_index("ix_address_person_id_date_from", "address", ["person_id", "date_from"])


def downgrade() -> None:
    op.drop_index("ix_address_person_id_date_from", table_name="address")
    op.drop_index("ix_pending_change_account_submitted_at", table_name="pending_change")
    for name in PENDING_INDEXES:
        op.drop_index(f"ix_pending_change_pending_{name}", table_name="pending_change")
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.drop_constraint("fk_pending_change_team_id_team", type_="foreignkey")
        batch_op.drop_column("team_id")
