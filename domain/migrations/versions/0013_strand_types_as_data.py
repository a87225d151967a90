"""strand types as data: a council's own application and assessment types (TOML definitions an
administrator edits); every cardinality rule enforced by the database through the key an open
strand holds (`strand.current_key`, unique per type), replacing the bedroom assessment's own
index; history of strands moved between cases and of type definitions

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
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
)
HISTORY_KINDS = (*HISTORY_KINDS_BEFORE, "strand.moved_out", "strand.moved_in", "strand_type.saved")

# The shipped types' rules when this migration was written (frozen: a migration imports nothing
# from the project).
ONE_OPEN_PER_CASE = ("bedroom_assessment", "financial_assistance", "rough_sleeper")
ONE_PER_PRIMARY = ("housing_register", "homeless_application", "homeless_legacy_application")


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def _in(codes: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{c}'" for c in codes) + ")"


def upgrade() -> None:
    op.create_table(
        "strand_type_definition",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_strand_type_definition_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_strand_type_definition")),
        sa.UniqueConstraint("prefix", name=op.f("uq_strand_type_definition_prefix")),
    )
    with op.batch_alter_table("strand", schema=None) as batch_op:
        batch_op.add_column(sa.Column("current_key", sa.String(length=40), nullable=True))
    # Keys for the open strands already there. Should the data already break a rule (two open
    # of a kind where one is allowed), the oldest holds the key and the others keep none, so the
    # migration never fails on old data; officers close the extra ones.
    op.execute(
        f"""
        UPDATE strand SET current_key = 'c' || case_id
        WHERE is_open AND type_code IN {_in(ONE_OPEN_PER_CASE)}
          AND id IN (SELECT min(id) FROM strand
                     WHERE is_open AND type_code IN {_in(ONE_OPEN_PER_CASE)}
                     GROUP BY type_code, case_id)
        """,  # noqa: S608 (the codes are this file's constants)
    )
    op.execute(
        f"""
        UPDATE strand SET current_key = (
            SELECT 'p' || cp.person_id FROM case_person AS cp
            WHERE cp.case_id = strand.case_id AND cp.is_primary)
        WHERE is_open AND type_code IN {_in(ONE_PER_PRIMARY)}
          AND case_id IN (SELECT id FROM housing_case WHERE status = 'Active')
          AND id IN (
            SELECT min(s.id) FROM strand AS s
            JOIN housing_case AS c ON c.id = s.case_id AND c.status = 'Active'
            JOIN case_person AS cp ON cp.case_id = s.case_id AND cp.is_primary
            WHERE s.is_open AND s.type_code IN {_in(ONE_PER_PRIMARY)}
            GROUP BY s.type_code, cp.person_id)
        """,  # noqa: S608 (the codes are this file's constants)
    )
    op.drop_index(
        "uq_strand_one_open_bedroom_assessment_per_case",
        table_name="strand",
        sqlite_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
        postgresql_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
    )
    op.create_index(
        "uq_strand_type_code_current_key",
        "strand",
        ["type_code", "current_key"],
        unique=True,
        sqlite_where=sa.text("current_key IS NOT NULL"),
        postgresql_where=sa.text("current_key IS NOT NULL"),
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_index(
        "uq_strand_type_code_current_key",
        table_name="strand",
        sqlite_where=sa.text("current_key IS NOT NULL"),
        postgresql_where=sa.text("current_key IS NOT NULL"),
    )
    op.create_index(
        "uq_strand_one_open_bedroom_assessment_per_case",
        "strand",
        ["case_id"],
        unique=True,
        sqlite_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
        postgresql_where=sa.text("type_code = 'bedroom_assessment' AND is_open"),
    )
    with op.batch_alter_table("strand", schema=None) as batch_op:
        batch_op.drop_column("current_key")
    op.drop_table("strand_type_definition")
