"""people: search keys (name words, phone digits; email addresses in lower case) and their indexes (a trigram index on
PostgreSQL so any part of a name, in any order and with typos, is found without reading the
table); a person's communication needs; history of a person's details changing

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 5000

# The keys as domain/identity.py worked them out at this revision (a migration keeps its own
# copy: what it wrote must not change if the application's rules do later).
_FOLDED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})


def search_name(*parts: str | None) -> str:
    text = " ".join(p for p in parts if p).casefold()
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", re.sub(r"['’‘`]", "", plain.translate(_FOLDED))))


def phone_key(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+44") or (digits.startswith("44") and len(digits) == 12):
        digits = "0" + digits[2:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits or None


def normalise_ni_number(value: str | None) -> str | None:
    compact = re.sub(r"[\s-]", "", value or "").upper()
    return compact if re.match(r"^[A-Z]{2}[0-9]{6}[A-D]$", compact) else None


CURRENT = sa.text("date_to IS NULL")

# The history kinds known at this revision (0006's and a person's details changing).
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
)
HISTORY_KINDS = (*HISTORY_KINDS_BEFORE, "person.details")


def _kinds(values: tuple[str, ...]) -> None:
    with op.batch_alter_table("history_event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_history_event_kind_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_history_event_kind_known"),
            "kind IN (" + ", ".join(f"'{v}'" for v in values) + ")",
        )


def _backfill() -> None:
    """Work the keys out for the people already recorded, a batch at a time (by id)."""
    bind = op.get_bind()
    person = sa.table(
        "person",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("middle_names", sa.String),
        sa.column("last_name", sa.String),
        sa.column("phone", sa.String),
        sa.column("ni_number", sa.String),
        sa.column("search_name", sa.String),
        sa.column("phone_key", sa.String),
    )
    update = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("pid"))
        .values(
            search_name=sa.bindparam("name_key"),
            phone_key=sa.bindparam("phone_digits"),
            ni_number=sa.bindparam("ni"),
        )
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                person.c.id,
                person.c.first_name,
                person.c.middle_names,
                person.c.last_name,
                person.c.phone,
                person.c.ni_number,
            )
            .where(person.c.id > last)
            .order_by(person.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [
                {
                    "pid": r.id,
                    "name_key": search_name(r.first_name, r.middle_names, r.last_name),
                    "phone_digits": phone_key(r.phone),
                    "ni": normalise_ni_number(r.ni_number) or r.ni_number,
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("communication_needs", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("search_name", sa.String(length=400), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("phone_key", sa.String(length=20), nullable=True))
    _backfill()
    op.create_index(
        "ix_person_search_name",
        "person",
        ["search_name"],
        postgresql_using="gin",
        postgresql_ops={"search_name": "gin_trgm_ops"},
    )
    op.create_index("ix_person_phone_key", "person", ["phone_key"])
    op.create_index("ix_person_ni_number", "person", ["ni_number"])
    op.execute("UPDATE person SET email = lower(email) WHERE email <> lower(email)")
    op.create_index("ix_person_email", "person", ["email"])
    op.create_index(
        "ix_address_current_postcode",
        "address",
        ["postcode"],
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    _kinds(HISTORY_KINDS)


def downgrade() -> None:
    _kinds(HISTORY_KINDS_BEFORE)
    op.drop_index("ix_address_current_postcode", table_name="address")
    op.drop_index("ix_person_email", table_name="person")
    op.drop_index("ix_person_ni_number", table_name="person")
    op.drop_index("ix_person_phone_key", table_name="person")
    op.drop_index("ix_person_search_name", table_name="person")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("phone_key")
        batch_op.drop_column("search_name")
        batch_op.drop_column("communication_needs")
