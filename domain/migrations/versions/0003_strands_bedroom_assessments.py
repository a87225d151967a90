"""strands, bedroom assessment versions, council settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "council_setting",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_council_setting_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_council_setting")),
    )
    op.create_table(
        "strand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("type_code", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=60), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_kind", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(is_open AND closed_at IS NULL) OR (NOT is_open AND closed_at IS NOT NULL)",
            name=op.f("ck_strand_open_means_not_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_strand_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_strand_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strand")),
    )
    with op.batch_alter_table("strand", schema=None) as batch_op:
        batch_op.create_index("ix_strand_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_strand_type_code_is_open", ["type_code", "is_open"], unique=False)
        batch_op.create_index(
            "uq_strand_one_open_bedroom_assessment_per_case",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
            postgresql_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
        )

    op.create_table(
        "bedroom_assessment_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("calculated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(length=20), nullable=False),
        sa.Column("bedrooms", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("cause", sa.String(length=30), nullable=False),
        sa.Column("cause_detail", sa.String(length=500), nullable=False),
        sa.Column("cause_ref", sa.String(length=60), nullable=True),
        sa.Column("override_bedrooms", sa.Integer(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("household_snapshot", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "cause IN ('application', 'household_change', 'birthday', 'pregnancy_due', 'officer_recalculation', 'policy_change', 'override')",
            name=op.f("ck_bedroom_assessment_version_cause_known"),
        ),
        sa.CheckConstraint(
            "(override_bedrooms IS NULL AND override_reason IS NULL) OR (override_bedrooms IS NOT NULL AND override_reason IS NOT NULL)",
            name=op.f("ck_bedroom_assessment_version_override_has_reason"),
        ),
        sa.CheckConstraint(
            "bedrooms >= 0", name=op.f("ck_bedroom_assessment_version_bedrooms_not_negative")
        ),
        sa.CheckConstraint(
            "number >= 1", name=op.f("ck_bedroom_assessment_version_number_positive")
        ),
        sa.CheckConstraint(
            "override_bedrooms IS NULL OR (override_bedrooms >= 0 AND override_bedrooms <= 15)",
            name=op.f("ck_bedroom_assessment_version_override_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["user_account.id"],
            name=op.f("fk_bedroom_assessment_version_officer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["strand_id"],
            ["strand.id"],
            name=op.f("fk_bedroom_assessment_version_strand_id_strand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bedroom_assessment_version")),
        sa.UniqueConstraint(
            "strand_id", "number", name=op.f("uq_bedroom_assessment_version_strand_id_number")
        ),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints too, on SQLite and PostgreSQL.
    op.drop_table("bedroom_assessment_version")
    op.drop_table("strand")
    op.drop_table("council_setting")
