"""Strands on cases: the record, references, queries, opening and status changes."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping
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
from domain.ids import MAX_ID
from domain.models import Case, CasePerson, User
from domain.strands.types import (
    _PREFIX,
    MANY,
    ONE_OPEN_PER_CASE,
    STRAND_TYPES,
    StrandType,
    strand_type,
)
from domain.vocab import CaseStatus

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
    return (prefix, value) if 0 < value <= MAX_ID else None


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
