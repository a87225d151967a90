"""foundation: journey drafts for every portal journey; history kinds and causes as enums

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The history kinds known at this revision (domain.history_kinds.HistoryKind).
HISTORY_KINDS = (
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
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "journey_draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("journey", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_account.id"],
            name=op.f("fk_journey_draft_account_id_portal_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_draft")),
    )
    with op.batch_alter_table("journey_draft", schema=None) as batch_op:
        batch_op.create_index("ix_journey_draft_updated_at", ["updated_at"], unique=False)
        batch_op.create_index(
            "ix_journey_draft_account_id_journey", ["account_id", "journey"], unique=False
        )
    op.execute(
        "INSERT INTO journey_draft (id, journey, answers, created_at, updated_at) "
        "SELECT id, journey, answers, created_at, updated_at FROM referral_draft"
    )
    with op.batch_alter_table("referral_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_draft_updated_at")
    op.drop_table("referral_draft")
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"), _one_of("kind", HISTORY_KINDS)
        )


def downgrade() -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
    op.create_table(
        "referral_draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("journey", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_draft")),
    )
    with op.batch_alter_table("referral_draft", schema=None) as batch_op:
        batch_op.create_index("ix_referral_draft_updated_at", ["updated_at"], unique=False)
    op.execute(
        "INSERT INTO referral_draft (id, journey, answers, created_at, updated_at) "
        "SELECT id, journey, answers, created_at, updated_at FROM journey_draft "
        "WHERE journey IN ('referrer', 'self')"
    )
    with op.batch_alter_table("journey_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_draft_account_id_journey")
        batch_op.drop_index("ix_journey_draft_updated_at")
    op.drop_table("journey_draft")
