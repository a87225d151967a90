"""Core records: people, cases and their households, officers, teams, accounts, history, jobs.

Every table hangs off one DeclarativeBase (`domain.base.Base`). Records two officers can edit at
once carry a `version` column used for optimistic locking: a stale write raises
`sqlalchemy.orm.exc.StaleDataError`, which the web layer turns into a 409 page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    false,
    func,
    or_,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import (
    Base,
    created_timestamp,
    intpk,
    json_data,
    one_of,
    str50,
    str100,
    str200,
    str320,
    timestamp,
    utcnow,
)
from domain.clock import age_on
from domain.history_kinds import HistoryKind
from domain.identity import phone_key, search_name
from domain.ids import MAX_ID
from domain.vocab import ActorKind, CaseStatus, JobStatus, OfficerRole, Permission, Sex

CASE_REFERENCE_PREFIX = "HC-"


class Team(Base):
    __tablename__ = "team"

    id: Mapped[intpk]
    name: Mapped[str100] = mapped_column(unique=True)
    allows_cases: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    members: Mapped[list[User]] = relationship(back_populates="team")

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class User(Base):
    """An officer of the council."""

    __tablename__ = "user_account"

    id: Mapped[intpk]
    email: Mapped[str320] = mapped_column(unique=True)
    name: Mapped[str200]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    created_at: Mapped[created_timestamp]
    last_sign_in_at: Mapped[timestamp | None]
    # A morning email of their overdue and due-soon work (the officer can turn it off).
    work_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    version: Mapped[int] = mapped_column(Integer, default=1)

    team: Mapped[Team | None] = relationship(back_populates="members")

    # Signing in finds the officer by their address in any case (domain.signin).
    __table_args__ = (Index("ix_user_account_email_lower", func.lower(email)),)
    # Loaded when asked for (the signed-in officer's come with them, see web/signin.py), not
    # with every officer named on a page.
    permission_rows: Mapped[list[UserPermission]] = relationship(cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def permissions(self) -> frozenset[Permission]:
        return frozenset(Permission(row.permission) for row in self.permission_rows)

    def can(self, permission: Permission) -> bool:
        return self.active and (permission in self.permissions)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserPermission(Base):
    __tablename__ = "user_permission"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str50] = mapped_column(primary_key=True)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[intpk]
    title: Mapped[str | None] = mapped_column(String(20))
    first_name: Mapped[str100]
    middle_names: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str100]
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default=Sex.NOT_RECORDED.value)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_contact: Mapped[str | None] = mapped_column(String(40))
    ni_number: Mapped[str | None] = mapped_column(String(13))
    communication_needs: Mapped[str | None] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Search keys, kept in step with the fields they come from (see `_keep_search_keys`).
    search_name: Mapped[str] = mapped_column(String(400), default="", server_default="")
    phone_key: Mapped[str | None] = mapped_column(String(20))
    cannot_share_bedroom: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnancy_due_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    addresses: Mapped[list[Address]] = relationship(
        back_populates="person",
        order_by="(Address.date_to.is_(None).desc(), Address.date_from.desc())",
        cascade="all, delete-orphan",
    )
    case_links: Mapped[list[CasePerson]] = relationship(
        back_populates="person", foreign_keys="CasePerson.person_id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("sex IN ('F', 'M', 'X')", name="sex_known"),
        Index("ix_person_last_name_first_name", "last_name", "first_name"),
        Index("ix_person_date_of_birth", "date_of_birth"),
        # Names are found by any part of any word: a trigram index on PostgreSQL (typos too);
        # SQLite, for a council small enough to embed, reads the key column.
        Index(
            "ix_person_search_name",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
        ),
        Index("ix_person_phone_key", "phone_key"),
        Index("ix_person_ni_number", "ni_number"),
        Index("ix_person_email", "email"),
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)

    @property
    def current_address(self) -> Address | None:
        return next((a for a in self.addresses if a.date_to is None), None)

    @property
    def previous_addresses(self) -> list[Address]:
        return [a for a in self.addresses if a.date_to is not None]

    def age_on(self, on: dt.date) -> int | None:
        return None if self.date_of_birth is None else age_on(self.date_of_birth, on)

    @property
    def reference(self) -> str:
        return format_person_reference(self.id)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name}>"


# Indexes on expressions that only PostgreSQL has (made by migrations, not declared on the
# models): the migrations test and autogenerate leave them be.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_person_search_prefixes"})
# Indexes on expressions declared on the models, which SQLAlchemy cannot read back from SQLite
# (the migrations test checks them there by name; tests/integration/test_migrations.py).
EXPRESSION_INDEXES = frozenset({"ix_user_account_email_lower", "ix_portal_account_email_lower"})

PERSON_REFERENCE_PREFIX = "PN-"


def format_person_reference(person_id: int) -> str:
    return f"{PERSON_REFERENCE_PREFIX}{person_id:07d}"


def parse_person_reference(reference: str) -> int | None:
    """The person id for a reference such as 'PN-0000123' (case and spaces forgiven)."""
    return _parse_reference(reference, "PN")


def _parse_reference(reference: str, prefix: str) -> int | None:
    """The id in a reference such as 'HC-000123' with or without its prefix, else None."""
    cleaned = reference.strip().upper().replace(" ", "").replace("-", "")
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :]
    if not (cleaned.isascii() and cleaned.isdigit()) or len(cleaned) > 12:
        return None
    value = int(cleaned)
    return value if 0 < value <= MAX_ID else None


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_search_keys(mapper: Any, connection: Any, person: Person) -> None:
    """However a person's names or phone change, their search keys follow in the same write;
    email addresses are kept in lower case, as they are compared."""
    if person.email is not None:
        person.email = person.email.strip().lower() or None
    person.search_name = search_name(person.first_name, person.middle_names, person.last_name)
    person.phone_key = phone_key(person.phone)


class Address(Base):
    """An address a person lives or lived at. The current one has no `date_to`."""

    __tablename__ = "address"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    line_1: Mapped[str200]
    line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)

    person: Mapped[Person] = relationship(back_populates="addresses")

    __table_args__ = (
        Index("ix_address_person_id_date_from", "person_id", "date_from"),
        Index(
            "ix_address_current_postcode",
            "postcode",
            sqlite_where=text("date_to IS NULL"),
            postgresql_where=text("date_to IS NULL"),
        ),
        Index(
            "uq_address_one_current_per_person",
            "person_id",
            unique=True,
            sqlite_where=text("date_to IS NULL"),
            postgresql_where=text("date_to IS NULL"),
        ),
    )

    @property
    def one_line(self) -> str:
        return ", ".join(p for p in (self.line_1, self.line_2, self.town, self.postcode) if p)


class Case(Base):
    __tablename__ = "housing_case"

    id: Mapped[intpk]
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.ACTIVE.value)
    responsible_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_kind: Mapped[str] = mapped_column(String(20), default=ActorKind.OFFICER.value)
    created_at: Mapped[created_timestamp]
    closed_at: Mapped[timestamp | None]
    close_reason: Mapped[str | None] = mapped_column(String(500))
    # Opens only for officers on the case and holders of "Cases: restricted" (domain.restricted).
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # The primary applicant's name as lists sort by it, lower(last_name || ', ' || first_name)
    # ('' with no primary): kept by the events of domain.kept_copies, so a list sorted by name
    # reads an index instead of working out every case's applicant (domain.list_columns).
    applicant_sort: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    responsible_team: Mapped[Team | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    people: Mapped[list[CasePerson]] = relationship(
        back_populates="case",
        order_by="(CasePerson.is_primary.desc(), CasePerson.date_joined, CasePerson.id)",
        cascade="all, delete-orphan",
    )
    officers: Mapped[list[CaseOfficer]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    # Only the primary applicant's link, for lists that show one name per case (load it with
    # selectinload, rather than every member of every household).
    primary_link: Mapped[CasePerson | None] = relationship(
        primaryjoin="and_(CasePerson.case_id == Case.id, CasePerson.is_primary)",
        viewonly=True,
        uselist=False,
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("status IN ('Active', 'Closed')", name="status_known"),
        Index("ix_housing_case_status_created_at", "status", "created_at"),
        # a cases list sorted by date opened, or filtered by team (domain.case_list)
        Index("ix_housing_case_created_at_id", "created_at", "id"),
        Index("ix_housing_case_responsible_team_id_id", "responsible_team_id", "id"),
        Index("ix_housing_case_applicant_sort_id", "applicant_sort", "id"),
    )

    @property
    def reference(self) -> str:
        return format_case_reference(self.id)

    @property
    def primary(self) -> CasePerson | None:
        return next((cp for cp in self.people if cp.is_primary), None)

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


def format_case_reference(case_id: int) -> str:
    return f"{CASE_REFERENCE_PREFIX}{case_id:06d}"


def parse_case_reference(reference: str) -> int | None:
    """The case id for a reference such as 'HC-000123' (case and spaces forgiven), else None."""
    return _parse_reference(reference, "HC")


class CasePerson(Base):
    """A person's membership of a case's household."""

    __tablename__ = "case_person"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    joint_applicant: Mapped[bool] = mapped_column(Boolean, default=False)
    relationship_to_primary: Mapped[str | None] = mapped_column(String(50))
    partner_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    date_joined: Mapped[dt.date] = mapped_column(Date)
    date_left: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship(back_populates="people")
    person: Mapped[Person] = relationship(back_populates="case_links", foreign_keys=[person_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("case_id", "person_id"),
        Index(
            "uq_case_person_one_primary_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
        Index("ix_case_person_person_id", "person_id"),
        CheckConstraint(
            "date_left IS NULL OR date_left >= date_joined", name="left_not_before_joined"
        ),
    )

    def is_member_on(self, on: dt.date) -> bool:
        return is_member_on(self.date_joined, self.date_left, on)

    @classmethod
    def member_on(cls, on: dt.date) -> ColumnElement[bool]:
        """The same rule as :func:`is_member_on`, as SQL (for queries)."""
        return and_(cls.date_joined <= on, or_(cls.date_left.is_(None), cls.date_left > on))


def is_member_on(date_joined: dt.date, date_left: dt.date | None, on: dt.date) -> bool:
    """A member is in the household from the day they joined until the day before they left.

    `date_left` is the first day they no longer live there, so on that date they are gone.
    """
    return date_joined <= on and (date_left is None or on < date_left)


class CaseOfficer(Base):
    __tablename__ = "case_officer"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    role: Mapped[str] = mapped_column(String(20), default=OfficerRole.PRIMARY.value)
    assigned_at: Mapped[created_timestamp]
    # Copies of its case's responsible team and whether the case is active, kept by
    # domain.kept_copies: the workload by officer reads a team's assignments from here alone.
    case_team_id: Mapped[int | None] = mapped_column(Integer)
    case_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # ...and of its case's applicant_sort: an officer's cases by name, a page from one index.
    applicant_sort: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Whether the officer holds another role on the same case too (kept by cases._assign, the
    # only way to a second role; a new case's one officer added directly has one): the workload
    # counts an officer's cases as the assignments on their own plus the distinct cases of these
    # few, instead of every assignment's case made distinct (a sort of them all).
    several_roles: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    case: Mapped[Case] = relationship(back_populates="officers")
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "user_id", "role"),
        CheckConstraint(
            "role IN ('Primary', 'Secondary', 'Supervisor', 'Other')", name="role_known"
        ),
        # An officer's caseload, and their assignments newest first (the officers list).
        Index("ix_case_officer_user_id_assigned_at_id", "user_id", "assigned_at", "id"),
        # an officer's cases in one role, from the index alone, in order by name (case_list)
        Index(
            "ix_case_officer_user_id_role_applicant_sort",
            "user_id",
            "role",
            "applicant_sort",
            "case_id",
        ),
        Index("ix_case_officer_assigned_at_id", "assigned_at", "id"),
        # a team's assignments of a period, and what the workload counts of them
        Index(
            "ix_case_officer_case_team_id_assigned_at",
            "case_team_id",
            "assigned_at",
            postgresql_include=["user_id", "role", "case_id", "case_active"],
        ),
        # ...and of those the few of an officer with several roles on one case
        Index(
            "ix_case_officer_several_roles",
            "case_team_id",
            "assigned_at",
            postgresql_include=["user_id", "case_id", "case_active"],
            postgresql_where=text("several_roles"),
            sqlite_where=text("several_roles"),
        ),
    )


class PortalAccount(Base):
    """An applicant's sign-in to the portal, optionally linked to their person record."""

    __tablename__ = "portal_account"

    id: Mapped[intpk]
    email: Mapped[str320] = mapped_column(unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    email_verified_at: Mapped[timestamp | None]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    external_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_timestamp]
    last_sign_in_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    person: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    # Signing in finds the account by its address in any case (domain.signin): without this a
    # council of a million applicants read every account, 0.1 s a sign-in.
    __table_args__ = (Index("ix_portal_account_email_lower", func.lower(email)),)


class HistoryEvent(Base):
    """One recorded change, written in the same transaction as the change itself."""

    __tablename__ = "history_event"

    id: Mapped[intpk]
    occurred_at: Mapped[created_timestamp]
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_portal_account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    actor_label: Mapped[str200]
    kind: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]

    __table_args__ = (
        Index("ix_history_event_case_id_occurred_at", "case_id", "occurred_at"),
        Index("ix_history_event_person_id_occurred_at", "person_id", "occurred_at"),
        CheckConstraint(one_of("kind", HistoryKind), name="kind_known"),
    )


class Job(Base):
    """A unit of background work, claimed by `hearth worker` (or the web process when embedded)."""

    __tablename__ = "job"

    id: Mapped[intpk]
    kind: Mapped[str100]
    payload: Mapped[json_data]
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    run_after: Mapped[created_timestamp]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_at: Mapped[timestamp | None]
    progress: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_timestamp]
    finished_at: Mapped[timestamp | None]

    __table_args__ = (Index("ix_job_status_run_after", "status", "run_after"),)


__all__ = [
    "Address",
    "Base",
    "Case",
    "CaseOfficer",
    "CasePerson",
    "HistoryEvent",
    "Job",
    "Person",
    "PortalAccount",
    "Team",
    "User",
    "UserPermission",
    "format_case_reference",
    "format_person_reference",
    "is_member_on",
    "parse_case_reference",
    "parse_person_reference",
    "utcnow",
]
