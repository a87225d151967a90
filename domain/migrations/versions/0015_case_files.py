"""case files: officers' uploads, letters and applicants' evidence in one table (where each came
from, the person or application it concerns, a document type), a record of every download, and
history kinds for uploads and letters

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
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
    "case.closed",
    "case.reopened",
    "case.officers",
    "case.details",
    "household.member_updated",
    "person.relationship",
    "strand.moved_out",
    "strand.moved_in",
    "strand_type.saved",
    "note.added",
    "note.edited",
    "alert.added",
    "alert.removed",
    "action.added",
    "action.done",
)
HISTORY_KINDS = (*HISTORY_KINDS_BEFORE, "file.uploaded", "file.removed", "letter.generated")
SOURCES = ("portal", "officer", "letter")


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def upgrade() -> None:
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), nullable=False, server_default="portal")
        )
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("strand_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("category", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("removed_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_evidence_file_person_id_person"),
            "person",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_evidence_file_strand_id_strand"),
            "strand",
            ["strand_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            op.f("fk_evidence_file_removed_by_id_user_account"),
            "user_account",
            ["removed_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(
            op.f("ck_evidence_file_source_known"),
            "source IN (" + ", ".join(f"'{s}'" for s in SOURCES) + ")",
        )
        batch_op.drop_index("ix_evidence_file_case_id")
        batch_op.create_index(
            "ix_evidence_file_case_id_created_at_id", ["case_id", "created_at", "id"]
        )
    op.execute(
        "UPDATE evidence_file SET source = 'officer' "
        "WHERE uploaded_by_account_id IS NULL AND uploaded_by_user_id IS NOT NULL"
    )
    op.create_table(
        "file_download",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["evidence_file.id"],
            name=op.f("fk_file_download_file_id_evidence_file"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_file_download_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_file_download_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["portal_account.id"],
            name=op.f("fk_file_download_account_id_portal_account"),
        ),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR account_id IS NOT NULL",
            name=op.f("ck_file_download_by_someone"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_download")),
    )
    op.create_index(
        "ix_file_download_file_id_downloaded_at", "file_download", ["file_id", "downloaded_at"]
    )
    op.create_index(
        "ix_file_download_case_id_downloaded_at", "file_download", ["case_id", "downloaded_at"]
    )
    op.create_index(
        "ix_file_download_user_id_downloaded_at", "file_download", ["user_id", "downloaded_at"]
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_table("file_download")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_case_id_created_at_id")
        batch_op.create_index("ix_evidence_file_case_id", ["case_id"])
        batch_op.drop_constraint(op.f("ck_evidence_file_source_known"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_evidence_file_removed_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("fk_evidence_file_strand_id_strand"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_evidence_file_person_id_person"), type_="foreignkey")
        for column in (
            "removed_reason",
            "removed_by_id",
            "removed_at",
            "category",
            "strand_id",
            "person_id",
            "source",
        ):
            batch_op.drop_column(column)
