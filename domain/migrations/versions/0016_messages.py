"""messages: templates an admin writes (email or text message, merge fields checked on saving,
versioned), messages sent from a case with their delivery status, the outbox's emails read by
case newest first, and history kinds for sending and saving

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
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
)
HISTORY_KINDS = (
    *HISTORY_KINDS_BEFORE,
    "message.sent",
    "message.failed",
    "message.retried",
    "message_template.saved",
)
CHANNELS = ("email", "sms")
STATUSES = ("queued", "sent", "delivered", "failed")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"), _one_of("kind", values)
        )


def upgrade() -> None:
    op.create_table(
        "message_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _one_of("channel", CHANNELS), name=op.f("ck_message_template_channel_known")
        ),
        sa.CheckConstraint(
            "channel = 'sms' OR subject IS NOT NULL",
            name=op.f("ck_message_template_email_has_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_message_template_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_template")),
        sa.UniqueConstraint("name", name=op.f("uq_message_template_name")),
    )
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("strand_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of("channel", CHANNELS), name=op.f("ck_message_channel_known")),
        sa.CheckConstraint(_one_of("status", STATUSES), name=op.f("ck_message_status_known")),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["housing_case.id"],
            name=op.f("fk_message_case_id_housing_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_message_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["strand_id"],
            ["strand.id"],
            name=op.f("fk_message_strand_id_strand"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_template.id"],
            name=op.f("fk_message_template_id_message_template"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox_email.id"],
            name=op.f("fk_message_outbox_id_outbox_email"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["user_account.id"], name=op.f("fk_message_sent_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
    )
    op.create_index("ix_message_case_id_created_at_id", "message", ["case_id", "created_at", "id"])
    op.create_index("ix_message_outbox_id", "message", ["outbox_id"])
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_email_case_id")
        batch_op.create_index(
            "ix_outbox_email_case_id_created_at_id", ["case_id", "created_at", "id"]
        )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    with op.batch_alter_table("outbox_email", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_email_case_id_created_at_id")
        batch_op.create_index("ix_outbox_email_case_id", ["case_id"])
    op.drop_index("ix_message_outbox_id", table_name="message")
    op.drop_index("ix_message_case_id_created_at_id", table_name="message")
    op.drop_table("message")
    op.drop_table("message_template")
