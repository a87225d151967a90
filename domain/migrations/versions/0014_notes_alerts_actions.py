"""notes, alerts and actions: notes on a case, person or strand (correctable by their author for a
while), alerts on a case or person (removed with a reason, never deleted), actions for an
officer or a team with a due date; history of each

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
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
)
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "note.added",
    "note.edited",
    "alert.added",
    "alert.removed",
    "action.added",
    "action.done",
)
NOTE_CATEGORIES = (
    "General",
    "Phone call",
    "Visit",
    "Office interview",
    "Email",
    "Letter",
    "Safeguarding",
    "Other",
)
ALERT_TYPES = (
    "Violent or aggressive",
    "Risk to staff: do not visit alone",
    "Safeguarding",
    "Vulnerable adult",
    "Interpreter needed",
    "Medical",
    "Other",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def _about(table: str, with_strand: bool) -> list[sa.Column[object] | sa.Constraint]:
    items: list[sa.Column[object] | sa.Constraint] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f(f"fk_{table}_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f(f"fk_{table}_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "case_id IS NOT NULL OR person_id IS NOT NULL", name=op.f(f"ck_{table}_on_something")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]
    if with_strand:
        items += [
            sa.Column("strand_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["strand_id"],
                ["strand.id"],
                name=op.f(f"fk_{table}_strand_id_strand"),
                ondelete="SET NULL",
            ),
        ]
    return items


def _user(table: str, column: str, nullable: bool) -> list[sa.Column[object] | sa.Constraint]:
    return [
        sa.Column(column, sa.Integer(), nullable=nullable),
        sa.ForeignKeyConstraint(
            [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account")
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "note",
        *_about("note", with_strand=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_user("note", "created_by_id", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _one_of("category", NOTE_CATEGORIES), name=op.f("ck_note_category_known")
        ),
    )
    op.create_index("ix_note_case_id_created_at_id", "note", ["case_id", "created_at", "id"])
    op.create_index("ix_note_person_id_created_at_id", "note", ["person_id", "created_at", "id"])
    op.create_table(
        "alert",
        *_about("alert", with_strand=False),
        sa.Column("alert_type", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_until", sa.Date(), nullable=True),
        *_user("alert", "created_by_id", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        *_user("alert", "removed_by_id", nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of("alert_type", ALERT_TYPES), name=op.f("ck_alert_type_known")),
        sa.CheckConstraint(
            "date_until IS NULL OR date_until >= date_from", name=op.f("ck_alert_until_after_from")
        ),
    )
    op.create_index("ix_alert_case_id_created_at_id", "alert", ["case_id", "created_at", "id"])
    op.create_index("ix_alert_person_id_created_at_id", "alert", ["person_id", "created_at", "id"])
    op.create_table(
        "action",
        *_about("action", with_strand=True),
        sa.Column("what", sa.String(length=200), nullable=False),
        *_user("action", "assignee_id", nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_action_team_id_team")),
        sa.Column("due_date", sa.Date(), nullable=False),
        *_user("action", "created_by_id", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        *_user("action", "done_by_id", nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "assignee_id IS NOT NULL OR team_id IS NOT NULL", name=op.f("ck_action_for_someone")
        ),
    )
    op.create_index("ix_action_case_id_created_at_id", "action", ["case_id", "created_at", "id"])
    op.create_index(
        "ix_action_person_id_created_at_id", "action", ["person_id", "created_at", "id"]
    )
    op.create_index(
        "ix_action_open_assignee_id_due_date",
        "action",
        ["assignee_id", "due_date", "id"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_table("action")
    op.drop_table("alert")
    op.drop_table("note")
