"""cases and relationships: relationships between people (stored once, read both ways); why a
case was closed; history of closing and reopening, officers and details on a case, household
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
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    with op.batch_alter_table("housing_case", schema=None) as batch_op:
        batch_op.drop_column("close_reason")
    op.drop_index("ix_person_relationship_related_person_id", table_name="person_relationship")
    op.drop_table("person_relationship")
