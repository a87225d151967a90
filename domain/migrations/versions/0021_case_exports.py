"""case and activity exports: an export may belong to a case (a zip of everything on it, or of
who did what on it), listed on the case's Export tab newest first; the case officers list sorts
and filters by the date assigned, and one officer's assignments newest first, through indexes
(the latter replaces the index on the officer alone)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_export_case_id_housing_case"),
            "housing_case",
            ["case_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index("ix_export_case_id_created_at", ["case_id", "created_at"])
    op.create_index("ix_case_officer_assigned_at_id", "case_officer", ["assigned_at", "id"])
    op.create_index(
        "ix_case_officer_user_id_assigned_at_id", "case_officer", ["user_id", "assigned_at", "id"]
    )
    with op.batch_alter_table("case_officer", schema=None) as batch_op:
        batch_op.drop_index("ix_case_officer_user_id")


def downgrade() -> None:
    with op.batch_alter_table("case_officer", schema=None) as batch_op:
        batch_op.create_index("ix_case_officer_user_id", ["user_id"], unique=False)
    op.drop_index("ix_case_officer_user_id_assigned_at_id", table_name="case_officer")
    op.drop_index("ix_case_officer_assigned_at_id", table_name="case_officer")
    with op.batch_alter_table("export", schema=None) as batch_op:
        batch_op.drop_index("ix_export_case_id_created_at")
        batch_op.drop_constraint(op.f("fk_export_case_id_housing_case"), type_="foreignkey")
        batch_op.drop_column("case_id")
