"""tasks: the work on a case and its applications with target dates in working days (waiting,
open, on hold, done, cancelled; sequential tasks wait for the one before), indexed for each
officer's and team's live work by target date (and a team's open actions and pending changes by
target) and for the daily release of held tasks; each
officer's choice of a daily email of their work; history of tasks

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
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
)
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "task.created",
    "task.completed",
    "task.held",
    "task.released",
    "task.reassigned",
    "task.cancelled",
)
STATUSES = ("waiting", "open", "on_hold", "done", "cancelled")
LIVE = sa.text("status IN ('open', 'on_hold')")


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def _user(column: str) -> list[sa.Column[object] | sa.Constraint]:
    return [
        sa.Column(column, sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            [column], ["user_account.id"], name=op.f(f"fk_task_{column}_user_account")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("strand_id", sa.Integer(), nullable=True),
        sa.Column("template_key", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_user("assignee_id"),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("after_id", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("hold_from", sa.Date(), nullable=True),
        sa.Column("hold_until", sa.Date(), nullable=True),
        sa.Column("held_days", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        *_user("done_by_id"),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        *_user("created_by_id"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_task_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["strand_id"], ["strand.id"], name=op.f("fk_task_strand_id_strand"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_task_team_id_team")),
        sa.ForeignKeyConstraint(
            ["after_id"], ["task.id"], name=op.f("fk_task_after_id_task"), ondelete="SET NULL"
        ),
        sa.CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
            name=op.f("ck_task_status_known"),
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'cancelled') OR target_date IS NOT NULL",
            name=op.f("ck_task_open_has_target"),
        ),
        sa.CheckConstraint(
            "status <> 'on_hold' OR (hold_from IS NOT NULL AND hold_until IS NOT NULL)",
            name=op.f("ck_task_hold_has_dates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    op.create_index("ix_task_case_id_status", "task", ["case_id", "status"])
    op.create_index("ix_task_strand_id", "task", ["strand_id"])
    op.create_index("ix_task_after_id", "task", ["after_id"])
    op.create_index(
        "ix_task_live_assignee_id_target_date",
        "task",
        ["assignee_id", "target_date", "id"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_task_live_team_id_target_date",
        "task",
        ["team_id", "target_date", "id"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_task_on_hold_hold_until",
        "task",
        ["hold_until"],
        sqlite_where=sa.text("status = 'on_hold'"),
        postgresql_where=sa.text("status = 'on_hold'"),
    )
    op.create_index(
        "ix_action_open_team_id_due_date",
        "action",
        ["team_id", "due_date", "id"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )
    op.create_index(
        "ix_pending_change_pending_team_id_target_date",
        "pending_change",
        ["team_id", "target_date", "id"],
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("work_digest", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("work_digest")
    op.drop_index("ix_pending_change_pending_team_id_target_date", table_name="pending_change")
    op.drop_index("ix_action_open_team_id_due_date", table_name="action")
    op.drop_table("task")
