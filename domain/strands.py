"""Strands: the applications and assessments on a case, and their types defined as data.

A strand has a type (a :class:`StrandType` in :data:`STRAND_TYPES`), a status taken from that
type's list, and its own `data` (type-specific fields as JSON). Each type declares a cardinality
rule, checked in code by :func:`open_strand` with a message an officer can act on:

``one_open_per_case``
    At most one open strand of the type on a case (Bedroom assessment, Financial assistance,
    Rough sleeper). For the Bedroom assessment the database enforces it too, with a partial
    unique index, so two concurrent requests cannot both open one.
``one_current_per_primary_applicant``
    At most one open strand of the type across all active cases whose primary applicant is the
    same person (Housing Register, Homeless application, Homeless (legacy) application).
``many``
    Any number per case (Health assessment, Risk assessment, Review, Homeless referral).

References: a strand's reference is its type's prefix and its id, e.g. ``BA-000012``. It is a
property, not a column: the id is unique across all strands, so the reference is unique by
construction, it needs no second write after the insert, and :func:`find_by_reference` reads it
back. ``is_open`` and ``closed_at`` are kept in step with the status by :func:`change_status`,
the one primitive that moves a strand's status (a workflow engine calls it after its guards).

Opening a Housing Register strand also opens a Bedroom assessment on the case when there is no
open one (``StrandType.also_opens``), and a newly opened Bedroom assessment gets its first
calculation (cause "application", see :mod:`domain.assessments`).

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history
from domain.base import Base, created_timestamp, intpk, json_data, timestamp, utcnow
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, User
from domain.vocab import CaseStatus

ONE_OPEN_PER_CASE = "one_open_per_case"
ONE_CURRENT_PER_PRIMARY_APPLICANT = "one_current_per_primary_applicant"
MANY = "many"
CARDINALITIES = (ONE_OPEN_PER_CASE, ONE_CURRENT_PER_PRIMARY_APPLICANT, MANY)

HOUSING_REGISTER = "housing_register"
BEDROOM_ASSESSMENT = "bedroom_assessment"
HOMELESS_APPLICATION = "homeless_application"
HOMELESS_LEGACY_APPLICATION = "homeless_legacy_application"
HEALTH_ASSESSMENT = "health_assessment"
RISK_ASSESSMENT = "risk_assessment"
REVIEW = "review"
HOMELESS_REFERRAL = "homeless_referral"
FINANCIAL_ASSISTANCE = "financial_assistance"
ROUGH_SLEEPER = "rough_sleeper"

# Every type can be closed because its strand moved to another case (SPEC C7).
CLOSED_MOVED = "Closed (moved)"

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PREFIX = re.compile(r"^[A-Z]{2,4}$")


# --------------------------------------------------------------------------------------------
# Types as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrandStatus:
    """One status of a strand type; `is_open` says whether a strand in it counts as open."""

    label: str
    is_open: bool


@dataclass(frozen=True)
class StrandType:
    """A kind of application or assessment: its name, reference prefix, rule and statuses.

    The first open status is where a new strand starts. `also_opens` lists the codes of types
    opened on the case alongside this one when the case has no open strand of that type.
    """

    code: str
    name: str
    prefix: str
    cardinality: str
    statuses: tuple[StrandStatus, ...]
    also_opens: tuple[str, ...] = ()
    # What to do when a strand of the type opens, as "module:function" — called with
    # (session, actor, strand, opened_with, on). Named, not imported, so this module needs
    # nothing from the modules that build on it (the bedroom assessment's first calculation).
    on_open: str | None = None

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"Strand type code {self.code!r} must be lower_snake_case")
        if not self.name.strip():
            raise ValueError(f"Strand type {self.code!r} needs a name")
        if not _PREFIX.match(self.prefix):
            raise ValueError(
                f"Strand type {self.code!r}: prefix {self.prefix!r} must be 2-4 capitals"
            )
        if self.cardinality not in CARDINALITIES:
            raise ValueError(
                f"Strand type {self.code!r}: unknown cardinality rule {self.cardinality!r}"
            )
        labels = [status.label for status in self.statuses]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Strand type {self.code!r} lists a status twice")
        if not any(status.is_open for status in self.statuses):
            raise ValueError(f"Strand type {self.code!r} needs at least one open status")
        if not any(not status.is_open for status in self.statuses):
            raise ValueError(f"Strand type {self.code!r} needs at least one closed status")
        if any(not label.strip() or len(label) > 60 for label in labels):
            raise ValueError(f"Strand type {self.code!r}: status labels are 1 to 60 characters")

    @property
    def initial_status(self) -> str:
        return next(status.label for status in self.statuses if status.is_open)

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if status.is_open)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if not status.is_open)

    def status(self, label: str) -> StrandStatus:
        for status in self.statuses:
            if status.label == label:
                return status
        raise RuleBroken(f"{label!r} is not a status of a {self.name}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StrandType:
        """Build a type from plain data, e.g. a council's own generic strand type in JSON::

            {"code": "tenancy_sustainment", "name": "Tenancy sustainment", "prefix": "TS",
             "cardinality": "many", "open": ["Referred", "Supporting"], "closed": ["Ended"]}

        "Closed (moved)" is added to the closed statuses when it is not listed.
        """
        try:
            open_labels = [str(label) for label in data["open"]]
            closed_labels = [str(label) for label in data["closed"]]
            if CLOSED_MOVED not in closed_labels:
                closed_labels.append(CLOSED_MOVED)
            return cls(
                code=str(data["code"]),
                name=str(data["name"]),
                prefix=str(data["prefix"]),
                cardinality=str(data.get("cardinality", MANY)),
                statuses=_statuses(open_labels, closed_labels),
                also_opens=tuple(str(code) for code in data.get("also_opens", ())),
            )
        except KeyError as missing:
            raise ValueError(f"Strand type definition is missing {missing}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "prefix": self.prefix,
            "cardinality": self.cardinality,
            "open": list(self.open_statuses),
            "closed": list(self.closed_statuses),
            "also_opens": list(self.also_opens),
        }


def _statuses(open_labels: list[str], closed_labels: list[str]) -> tuple[StrandStatus, ...]:
    return tuple(
        [StrandStatus(label, True) for label in open_labels]
        + [StrandStatus(label, False) for label in closed_labels]
    )


def _type(
    code: str,
    name: str,
    prefix: str,
    cardinality: str,
    open_labels: list[str],
    closed_labels: list[str],
    also_opens: tuple[str, ...] = (),
    on_open: str | None = None,
) -> StrandType:
    return StrandType(
        code,
        name,
        prefix,
        cardinality,
        _statuses(open_labels, closed_labels),
        also_opens,
        on_open,
    )


_BUILT_IN = (
    _type(
        HOUSING_REGISTER,
        "Housing Register application",
        "HR",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Application received", "Awaiting information", "Assessment", "Active on register"],
        ["Housed", "Cancelled", "Not eligible", CLOSED_MOVED],
        also_opens=(BEDROOM_ASSESSMENT,),
    ),
    _type(
        BEDROOM_ASSESSMENT,
        "Bedroom assessment",
        "BA",
        ONE_OPEN_PER_CASE,
        ["Active"],
        ["Closed", CLOSED_MOVED],
        on_open="domain.assessments.service:first_calculation",
    ),
    _type(
        HOMELESS_APPLICATION,
        "Homeless application",
        "HA",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Initial assessment", "Prevention duty", "Relief duty", "Main duty decision"],
        ["Main duty accepted", "Duty ended", "Withdrawn", CLOSED_MOVED],
    ),
    _type(
        HOMELESS_LEGACY_APPLICATION,
        "Homeless (legacy) application",
        "HL",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Open", "Decision pending"],
        ["Decision made", "Closed", CLOSED_MOVED],
    ),
    _type(
        HEALTH_ASSESSMENT,
        "Health assessment",
        "HE",
        MANY,
        ["Requested", "In progress"],
        ["Completed", "Cancelled", CLOSED_MOVED],
    ),
    _type(
        RISK_ASSESSMENT,
        "Risk assessment",
        "RA",
        MANY,
        ["Requested", "In progress"],
        ["Completed", "Cancelled", CLOSED_MOVED],
    ),
    _type(
        REVIEW,
        "Review",
        "RV",
        MANY,
        ["Requested", "In progress"],
        ["Decision upheld", "Decision changed", "Withdrawn", CLOSED_MOVED],
    ),
    _type(
        HOMELESS_REFERRAL,
        "Homeless referral",
        "RF",
        MANY,
        [
            "01 Referral Entered",
            "02 Contact Client",
            "03 Triage",
            "04 IAG only",
            "05 HNA booked",
            "08 HNA completed",
            "98 Closure",
        ],
        ["Closed", CLOSED_MOVED],
    ),
    _type(
        FINANCIAL_ASSISTANCE,
        "Financial assistance",
        "FA",
        ONE_OPEN_PER_CASE,
        ["Requested", "Approved"],
        ["Paid", "Declined", CLOSED_MOVED],
    ),
    _type(
        ROUGH_SLEEPER,
        "Rough sleeper",
        "RS",
        ONE_OPEN_PER_CASE,
        ["Seen rough sleeping", "Engaged"],
        ["Accommodated", "Lost contact", CLOSED_MOVED],
    ),
)

STRAND_TYPES: dict[str, StrandType] = {strand_type.code: strand_type for strand_type in _BUILT_IN}


def register_strand_type(strand_type: StrandType) -> StrandType:
    """Add a strand type (e.g. a council's generic one built with `StrandType.from_dict`)."""
    if strand_type.code in STRAND_TYPES:
        raise ValueError(f"There is already a strand type {strand_type.code!r}")
    if any(other.prefix == strand_type.prefix for other in STRAND_TYPES.values()):
        raise ValueError(f"The reference prefix {strand_type.prefix!r} is already used")
    unknown = [code for code in strand_type.also_opens if code not in STRAND_TYPES]
    if unknown:
        raise ValueError(f"Strand type {strand_type.code!r} opens unknown types {unknown}")
    STRAND_TYPES[strand_type.code] = strand_type
    return strand_type


def strand_type(code: str) -> StrandType:
    try:
        return STRAND_TYPES[code]
    except KeyError:
        raise RuleBroken(f"{code!r} is not a kind of application or assessment") from None


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


class Strand(Base):
    """An application or assessment on a case. See the module docstring for the rules."""

    __tablename__ = "strand"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    type_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(60))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[json_data] = mapped_column(default=dict)
    created_at: Mapped[created_timestamp]
    created_by_kind: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_strand_case_id", "case_id"),
        Index("ix_strand_type_code_is_open", "type_code", "is_open"),
        Index(
            "uq_strand_one_open_bedroom_assessment_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("type_code = 'bedroom_assessment' AND is_open"),
            postgresql_where=text("type_code = 'bedroom_assessment' AND is_open"),
        ),
        CheckConstraint(
            "(is_open AND closed_at IS NULL) OR (NOT is_open AND closed_at IS NOT NULL)",
            name="open_means_not_closed",
        ),
    )

    @property
    def type(self) -> StrandType:
        return strand_type(self.type_code)

    @property
    def reference(self) -> str:
        return format_strand_reference(self.type.prefix, self.id)

    @property
    def label(self) -> str:
        """E.g. "Bedroom assessment BA-000012"."""
        return f"{self.type.name} {self.reference}"

    def __repr__(self) -> str:
        return f"<Strand {self.reference} {self.status!r}>"


def format_strand_reference(prefix: str, strand_id: int) -> str:
    return f"{prefix}-{strand_id:06d}"


def parse_strand_reference(reference: str) -> tuple[str, int] | None:
    """(prefix, id) for a reference such as 'BA-000012' (case and spaces forgiven), else None."""
    cleaned = reference.strip().upper().replace(" ", "")
    prefix, dash, number = cleaned.partition("-")
    if (
        not dash
        or not _PREFIX.match(prefix)
        or not (number.isascii() and number.isdigit())
        or len(number) > 12
    ):
        return None
    value = int(number)
    return (prefix, value) if value > 0 else None


def find_by_reference(session: Session, reference: str) -> Strand | None:
    parsed = parse_strand_reference(reference)
    if parsed is None:
        return None
    prefix, strand_id = parsed
    strand = session.get(Strand, strand_id)
    if strand is None or STRAND_TYPES.get(strand.type_code) is None:
        return None
    return strand if strand.type.prefix == prefix else None


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def open_strands(session: Session, case_id: int, type_code: str | None = None) -> list[Strand]:
    stmt = select(Strand).where(Strand.case_id == case_id, Strand.is_open)
    if type_code is not None:
        stmt = stmt.where(Strand.type_code == type_code)
    return list(session.scalars(stmt.order_by(Strand.id)))


def strands_of_case(session: Session, case_id: int, *, include_closed: bool = True) -> list[Strand]:
    stmt = select(Strand).where(Strand.case_id == case_id)
    if not include_closed:
        stmt = stmt.where(Strand.is_open)
    return list(session.scalars(stmt.order_by(Strand.created_at, Strand.id)))


def _conflicting(
    session: Session, case: Case, stype: StrandType, *, exclude_id: int | None
) -> Strand | None:
    """An open strand that a new (or reopened) strand of `stype` on `case` would clash with."""
    if stype.cardinality == MANY:
        return None
    stmt = select(Strand).where(Strand.type_code == stype.code, Strand.is_open)
    if exclude_id is not None:
        stmt = stmt.where(Strand.id != exclude_id)
    if stype.cardinality == ONE_OPEN_PER_CASE:
        stmt = stmt.where(Strand.case_id == case.id)
    else:
        primary = case.primary
        if primary is None:
            return None
        stmt = (
            stmt.join(Case, Case.id == Strand.case_id)
            .join(CasePerson, CasePerson.case_id == Strand.case_id)
            .where(
                Case.status == CaseStatus.ACTIVE.value,
                CasePerson.is_primary,
                CasePerson.person_id == primary.person_id,
            )
        )
    return session.scalars(stmt.order_by(Strand.id).limit(1)).first()


def _check_cardinality(
    session: Session, case: Case, stype: StrandType, *, exclude_id: int | None = None
) -> None:
    clash = _conflicting(session, case, stype, exclude_id=exclude_id)
    if clash is None:
        return
    if stype.cardinality == ONE_OPEN_PER_CASE:
        raise RuleBroken(
            f"Case {case.reference} already has an open {stype.name} ({clash.reference}); "
            "close it before opening another"
        )
    primary = case.primary
    who = primary.person.full_name if primary is not None else "the primary applicant"
    where = "this case" if clash.case_id == case.id else f"case {clash.case.reference}"
    raise RuleBroken(
        f"{who} already has a current {stype.name} ({clash.reference}) on {where}; "
        "only one is allowed across their active cases"
    )


# --------------------------------------------------------------------------------------------
# Opening and status changes
# --------------------------------------------------------------------------------------------


def open_strand(
    session: Session,
    actor: Actor,
    case: Case,
    type_code: str,
    data: Mapping[str, Any] | None = None,
    *,
    on: dt.date | None = None,
) -> Strand:
    """Open a strand of `type_code` on `case` at the type's first status.

    Refuses (RuleBroken) an unknown type, a closed case, or a strand the type's cardinality rule
    does not allow. Opens the types listed in `also_opens` when the case has none open, and
    gives a new Bedroom assessment its first calculation, for the household on `on` (default
    today).
    """
    return _open(session, actor, case, strand_type(type_code), data, opened_with=None, on=on)


def _open(
    session: Session,
    actor: Actor,
    case: Case,
    stype: StrandType,
    data: Mapping[str, Any] | None,
    *,
    opened_with: Strand | None,
    on: dt.date | None,
) -> Strand:
    if case.status != CaseStatus.ACTIVE.value:
        raise RuleBroken(f"Case {case.reference} is closed: reopen it before adding a {stype.name}")
    _check_cardinality(session, case, stype)
    strand = Strand(
        case_id=case.id,
        type_code=stype.code,
        status=stype.initial_status,
        is_open=True,
        data=dict(data or {}),
        created_by_kind=actor.kind.value,
        created_by_id=actor.user_id,
    )
    try:
        with session.begin_nested():
            session.add(strand)
    except IntegrityError:
        # Someone opened one at the same moment and the database's index refused ours.
        _check_cardinality(session, case, stype)
        raise
    summary = f"{stype.name} {strand.reference} opened at status {strand.status!r}"
    if opened_with is not None:
        summary += f" with {opened_with.label}"
    history.record(
        session,
        actor,
        HistoryKind.STRAND_OPENED,
        summary,
        case_id=case.id,
        after={"strand": strand.reference, "type": stype.code, "status": strand.status},
    )
    for code in stype.also_opens:
        if not open_strands(session, case.id, code):
            _open(session, actor, case, strand_type(code), None, opened_with=strand, on=on)
    if stype.on_open is not None:
        _hook(stype.on_open)(session, actor, strand, opened_with, on)
    return strand


def _hook(path: str) -> Callable[..., None]:
    module, _, name = path.partition(":")
    hook: Callable[..., None] = getattr(importlib.import_module(module), name)
    return hook


def change_status(session: Session, actor: Actor, strand: Strand, status: str) -> Strand:
    """Move a strand to another status of its type, keeping `is_open`/`closed_at` in step.

    Reopening (closed → open status) checks the cardinality rule again.
    """
    stype = strand.type
    new = stype.status(status)
    if status == strand.status:
        raise RuleBroken(f"{strand.label} is already at status {status!r}")
    before = {"status": strand.status, "is_open": strand.is_open}
    if new.is_open and not strand.is_open:
        _check_cardinality(session, strand.case, stype, exclude_id=strand.id)
    strand.status = status
    strand.is_open = new.is_open
    if new.is_open:
        strand.closed_at = None
    elif strand.closed_at is None:
        strand.closed_at = utcnow()
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.STRAND_STATUS_CHANGED,
        f"{strand.label} moved from {before['status']!r} to {status!r}",
        case_id=strand.case_id,
        before=before,
        after={"status": status, "is_open": new.is_open, "strand": strand.reference},
    )
    return strand


def set_data(session: Session, actor: Actor, strand: Strand, **changes: Any) -> Strand:
    """Change some of a strand's type-specific fields (a None value removes the field)."""
    before = {key: strand.data.get(key) for key in changes}
    if before == changes:
        return strand
    data = dict(strand.data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    strand.data = data  # a new dict, so the JSON column is seen as changed
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.STRAND_UPDATED,
        f"{strand.label}: " + ", ".join(f"{key} changed" for key in changes),
        case_id=strand.case_id,
        before={"strand": strand.reference, **before},
        after={"strand": strand.reference, **changes},
    )
    return strand


__all__ = [
    "BEDROOM_ASSESSMENT",
    "CARDINALITIES",
    "CLOSED_MOVED",
    "HOUSING_REGISTER",
    "MANY",
    "ONE_CURRENT_PER_PRIMARY_APPLICANT",
    "ONE_OPEN_PER_CASE",
    "STRAND_TYPES",
    "Strand",
    "StrandStatus",
    "StrandType",
    "change_status",
    "find_by_reference",
    "format_strand_reference",
    "open_strand",
    "open_strands",
    "parse_strand_reference",
    "register_strand_type",
    "set_data",
    "strand_type",
    "strands_of_case",
]
