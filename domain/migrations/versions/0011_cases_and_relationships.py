"""cases and relationships: relationships between people (stored once, read both ways); why a
case was closed; restricted cases and people, and the record of every view of them; history of closing and reopening, officers and details on a case, household
members' details, and relationships

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

HISTORY_KINDS_BEFORE = (
    "case.created",
    "case.circumstances",
    "household.joined",
    "household.left",
    "household.primary_switched",
    "household.couple",
    "household.couple_ended",
    "household.relationship",
    "person.created",
    "person.contact",
    "person.address",
    "person.pregnancy",
    "strand.opened",
    "strand.status_changed",
    "strand.updated",
    "strand.action_recorded",
    "bedroom.recalculated",
    "bedroom.overridden",
    "bedroom.override_removed",
    "bedroom.need_changed",
    "bedroom.recalculation_failed",
    "bedroom.flag_cleared",
    "bedroom.policy_changed",
    "change.submitted",
    "change.withdrawn",
    "change.assigned",
    "change.accepted",
    "change.rejected",
    "referral.received",
    "portal.linked",
    "officer.created",
    "officer.provisioned",
    "officer.renamed",
    "officer.updated",
    "team.created",
    "team.updated",
    "council_setting.changed",
    "person.details",
)
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "case.closed",
    "case.reopened",
    "case.officers",
    "case.details",
    "household.member_updated",
    "person.relationship",
)


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def upgrade() -> None:
    op.create_table(
        "person_relationship",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("related_person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('partner', 'parent', 'sibling', 'carer', 'other')",
            name=op.f("ck_person_relationship_kind_known"),
        ),
        sa.CheckConstraint(
            "person_id <> related_person_id", name=op.f("ck_person_relationship_not_oneself")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_relationship_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["related_person_id"],
            ["person.id"],
            name=op.f("fk_person_relationship_related_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_relationship")),
        sa.UniqueConstraint(
            "person_id",
            "related_person_id",
            name=op.f("uq_person_relationship_person_id_related_person_id"),
        ),
    )
    op.create_index(
        "ix_person_relationship_related_person_id", "person_relationship", ["related_person_id"]
    )
    with op.batch_alter_table("housing_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restricted", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.create_table(
        "restricted_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("page", sa.String(length=300), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_restricted_view_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_restricted_view_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_restricted_view_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restricted_view")),
    )
    op.create_index(
        "ix_restricted_view_case_id_viewed_at", "restricted_view", ["case_id", "viewed_at"]
    )
    op.create_index(
        "ix_restricted_view_person_id_viewed_at", "restricted_view", ["person_id", "viewed_at"]
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_index("ix_restricted_view_person_id_viewed_at", table_name="restricted_view")
    op.drop_index("ix_restricted_view_case_id_viewed_at", table_name="restricted_view")
    op.drop_table("restricted_view")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("restricted")
    with op.batch_alter_table("housing_case", schema=None) as batch_op:
        batch_op.drop_column("restricted")
        batch_op.drop_column("close_reason")
    op.drop_index("ix_person_relationship_related_person_id", table_name="person_relationship")
    op.drop_table("person_relationship")
