"""lists and exports: saved list views (private or shared with a team) and each officer's default
view; exports of a list as a spreadsheet made in the background (progress through the job,
expiring); indexes so a cases list sorts by date opened and filters by team at any size;
history of lists and exports

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
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
    "file.uploaded",
    "file.removed",
    "letter.generated",
    "message.sent",
    "message.failed",
    "message.retried",
    "message_template.saved",
    "letter_template.saved",
    "task.created",
    "task.completed",
    "task.held",
    "task.released",
    "task.reassigned",
    "task.cancelled",
)
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "list.saved",
    "list.deleted",
    "export.requested",
    "export.downloaded",
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
        "saved_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_saved_list_owner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_saved_list_team_id_team"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_list")),
    )
    op.create_index("ix_saved_list_owner_id_kind", "saved_list", ["owner_id", "kind"])
    op.create_index("ix_saved_list_team_id_kind", "saved_list", ["team_id", "kind"])
    op.create_table(
        "list_default",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_list_default_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["saved_list.id"],
            name=op.f("fk_list_default_list_id_saved_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_list_default")),
    )
    op.create_table(
        "export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=300), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_export_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_export_job_id_job"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export")),
    )
    op.create_index(
        "ix_export_requested_by_id_created_at", "export", ["requested_by_id", "created_at"]
    )
    op.create_index("ix_export_status_expires_at", "export", ["status", "expires_at"])
    op.create_index("ix_housing_case_created_at_id", "housing_case", ["created_at", "id"])
    op.create_index(
        "ix_housing_case_responsible_team_id_id", "housing_case", ["responsible_team_id", "id"]
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_index("ix_housing_case_responsible_team_id_id", table_name="housing_case")
    op.drop_index("ix_housing_case_created_at_id", table_name="housing_case")
    op.drop_table("export")
    op.drop_table("list_default")
    op.drop_table("saved_list")
