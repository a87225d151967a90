"""online applications and evidence requests: documents an officer asks an applicant for (what,
why, by when), listed newest first on the case and on the application's page, and overdue first
on the requesting officer's My work; files the applicant sends link to the request they answer;
history of applying online and of evidence asked for, sent, accepted, asked again and cancelled

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

HISTORY_KINDS_BEFORE = (
    "case.created",
    "case.circumstances",
    "case.closed",
    "case.reopened",
    "case.officers",
    "case.details",
    "household.joined",
    "household.left",
    "household.primary_switched",
    "household.couple",
    "household.couple_ended",
    "household.relationship",
    "household.member_updated",
    "person.created",
    "person.contact",
    "person.address",
    "person.pregnancy",
    "person.details",
    "person.relationship",
    "strand.opened",
    "strand.status_changed",
    "strand.updated",
    "strand.action_recorded",
    "strand.moved_out",
    "strand.moved_in",
    "strand_type.saved",
    "note.added",
    "note.edited",
    "alert.added",
    "alert.removed",
    "action.added",
    "action.done",
    "file.uploaded",
    "file.removed",
    "letter.generated",
    "letter_template.saved",
    "task.created",
    "task.completed",
    "task.held",
    "task.released",
    "task.reassigned",
    "task.cancelled",
    "list.saved",
    "list.deleted",
    "export.requested",
    "export.downloaded",
    "message.sent",
    "message.failed",
    "message.retried",
    "message_template.saved",
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
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "application.submitted",
    "evidence.requested",
    "evidence.sent",
    "evidence.accepted",
    "evidence.asked_again",
    "evidence.cancelled",
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
        "evidence_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=200), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("times_asked", sa.Integer(), nullable=False),
        sa.Column("asked_again_reason", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'sent', 'accepted', 'cancelled')",
            name=op.f("ck_evidence_request_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_evidence_request_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["strand_id"],
            ["strand.id"],
            name=op.f("fk_evidence_request_strand_id_strand"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_evidence_request_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_request_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_account_id"],
            ["portal_account.id"],
            name=op.f("fk_evidence_request_sent_by_account_id_portal_account"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_request_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_request")),
    )
    op.create_index(
        "ix_evidence_request_case_id_requested_at_id",
        "evidence_request",
        ["case_id", "requested_at", "id"],
    )
    op.create_index(
        "ix_evidence_request_strand_id_requested_at_id",
        "evidence_request",
        ["strand_id", "requested_at", "id"],
    )
    op.create_index(
        "ix_evidence_request_requested_by_id_status_due_date_id",
        "evidence_request",
        ["requested_by_id", "status", "due_date", "id"],
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_evidence_file_request_id_evidence_request"),
            "evidence_request",
            ["request_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_evidence_file_request_id", ["request_id"])
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_request_id")
        batch_op.drop_constraint(
            op.f("fk_evidence_file_request_id_evidence_request"), type_="foreignkey"
        )
        batch_op.drop_column("request_id")
    op.drop_index("ix_evidence_request_requested_by_id_status_due_date_id", "evidence_request")
    op.drop_index("ix_evidence_request_strand_id_requested_at_id", "evidence_request")
    op.drop_index("ix_evidence_request_case_id_requested_at_id", "evidence_request")
    op.drop_table("evidence_request")
