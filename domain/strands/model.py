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
    bindparam,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import clock, history
from domain.base import Base, created_timestamp, intpk, json_data, timestamp, utcnow
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.ids import MAX_ID
from domain.models import Case, User
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
    # What the type's cardinality rule keys an open strand by ("c<case id>" for one open per
    # case, "p<person id>" for one current per primary applicant while the case is active),
    # unique per type: the database refuses a second one even when two requests race. NULL when
    # the rule does not apply (closed strand, "many", case closed, no primary applicant).
    current_key: Mapped[str | None] = mapped_column(String(40))

    case: Mapped[Case] = relationship()
    created_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_strand_case_id", "case_id"),
        Index("ix_strand_type_code_is_open", "type_code", "is_open"),
        Index(
            "uq_strand_type_code_current_key",
            "type_code",
            "current_key",
            unique=True,
            sqlite_where=text("current_key IS NOT NULL"),
            postgresql_where=text("current_key IS NOT NULL"),
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


# Built once: the case's tabs read it on every load.
_CASE_STRANDS = select(Strand).where(Strand.case_id == bindparam("case_id")).order_by(Strand.id)


def open_strands(session: Session, case_id: int, type_code: str | None = None) -> list[Strand]:
    stmt = select(Strand).where(Strand.case_id == case_id, Strand.is_open)
    if type_code is not None:
        stmt = stmt.where(Strand.type_code == type_code)
    return list(session.scalars(stmt.order_by(Strand.id)))


def case_strands(session: Session, case_id: int) -> list[Strand]:
    """The case's strands of the types the council has, open or closed, in the order they were
    opened (by id): what a case's tabs offer to file a note, a letter or a file against."""
    found = session.scalars(_CASE_STRANDS, {"case_id": case_id})
    return [strand for strand in found if strand.type_code in STRAND_TYPES]


def strands_of_case(session: Session, case_id: int, *, include_closed: bool = True) -> list[Strand]:
    stmt = select(Strand).where(Strand.case_id == case_id)
    if not include_closed:
        stmt = stmt.where(Strand.is_open)
    return list(session.scalars(stmt.order_by(Strand.created_at, Strand.id)))


def current_key(strand: Strand, case: Case) -> str | None:
    """The key the type's cardinality rule gives the strand on `case` (see the column)."""
    return key_for(strand.type, case) if strand.is_open else None


def key_for(stype: StrandType, case: Case) -> str | None:
    """The key an open strand of `stype` on `case` holds, or None when the rule does not apply."""
    if stype.cardinality == MANY:
        return None
    if stype.cardinality == ONE_OPEN_PER_CASE:
        return f"c{case.id}"
    primary = case.primary
    if case.status != CaseStatus.ACTIVE.value or primary is None:
        return None
    return f"p{primary.person_id}"


def _holder(session: Session, type_code: str, key: str, exclude_id: int | None) -> Strand | None:
    stmt = select(Strand).where(Strand.type_code == type_code, Strand.current_key == key)
    if exclude_id is not None:
        stmt = stmt.where(Strand.id != exclude_id)
    return session.scalars(stmt.limit(1)).first()


def _refusal(case: Case, stype: StrandType, clash: Strand) -> RuleBroken:
    if stype.cardinality == ONE_OPEN_PER_CASE:
        return RuleBroken(
            f"Case {case.reference} already has an open {stype.name} ({clash.reference}); "
            "close it before opening another"
        )
    primary = case.primary
    who = primary.person.full_name if primary is not None else "the primary applicant"
    where = "this case" if clash.case_id == case.id else f"case {clash.case.reference}"
    return RuleBroken(
        f"{who} already has a current {stype.name} ({clash.reference}) on {where}; "
        "only one is allowed across their active cases"
    )


def blocking_strand(session: Session, case: Case, stype: StrandType) -> Strand | None:
    """The open strand that stops a new strand of `stype` opening on `case`, if any."""
    key = key_for(stype, case)
    return None if key is None else _holder(session, stype.code, key, None)


def availability(session: Session, case: Case) -> list[tuple[StrandType, str | None]]:
    """Every type, each with why a new one cannot open on `case` now (None when it can): one
    query for the strands holding this case's keys, whatever the number of types."""
    keys = {k for k in (f"c{case.id}", key_for_primary(case)) if k is not None}
    holders = {
        (s.type_code, s.current_key): s
        for s in session.scalars(select(Strand).where(Strand.current_key.in_(keys)))
    }
    found: list[tuple[StrandType, str | None]] = []
    for stype in sorted(STRAND_TYPES.values(), key=lambda t: t.name):
        if case.status != CaseStatus.ACTIVE.value:
            found.append((stype, "The case is closed"))
            continue
        key = key_for(stype, case)
        clash = holders.get((stype.code, key)) if key is not None else None
        found.append((stype, None if clash is None else _refusal(case, stype, clash).message))
    return found


def lock(session: Session, strand: Strand) -> Strand:
    """Take the strand's row lock (PostgreSQL) and reload it, so a concurrent change waits here
    and then sees the winner's version (SQLite serialises writers by itself)."""
    return session.scalars(
        select(Strand)
        .where(Strand.id == strand.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def key_for_primary(case: Case) -> str | None:
    primary = case.primary
    return None if primary is None else f"p{primary.person_id}"


def set_current_key(session: Session, strand: Strand, case: Case) -> None:
    """Give the strand its cardinality key, in a savepoint: when the database refuses it (a
    strand holding the key, perhaps committed a moment ago by another request), the refusal
    names that strand."""
    key = current_key(strand, case)
    if key == strand.current_key and strand.id is not None:
        return
    if key is not None:
        clash = _holder(session, strand.type_code, key, strand.id)
        if clash is not None:
            raise _refusal(case, strand.type, clash)
    try:
        with session.begin_nested():
            strand.current_key = key
            session.add(strand)
            session.flush()
    except IntegrityError:
        strand.current_key = None
        clash = _holder(session, strand.type_code, key, strand.id) if key else None
        if clash is not None:
            raise _refusal(case, strand.type, clash) from None
        raise


def rekey_case(session: Session, case: Case) -> None:
    """Keep the cardinality keys of the case's open strands in step after its primary applicant
    changed or it closed or reopened: refuses (RuleBroken, naming the strand) when the change
    would give someone two current strands of a type."""
    for strand in session.scalars(
        select(Strand).where(Strand.case_id == case.id, Strand.is_open).order_by(Strand.id)
    ):
        if STRAND_TYPES.get(strand.type_code) is not None:
            set_current_key(session, strand, case)


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
    strand = Strand(
        case_id=case.id,
        type_code=stype.code,
        status=stype.initial_status,
        is_open=True,
        data=dict(data or {}),
        created_by_kind=actor.kind.value,
        created_by_id=actor.user_id,
    )
    set_current_key(session, strand, case)
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
    if stype.tasks:
        session.flush()
        _hook(TASKS_OPENED)(session, actor, strand, on or clock.today())
    return strand


# The tasks a type's template sets going (named, as `on_open` is: domain.tasks builds on this).
TASKS_OPENED = "domain.tasks:on_strand_opened"
TASKS_STATUS = "domain.tasks:on_status_reached"
TASKS_FIELDS = "domain.tasks:on_fields_changed"


def fields_changed(
    session: Session, actor: Actor, strand: Strand, names: list[str], today: dt.date
) -> None:
    """Some of the strand's fields changed: tasks counted from a date field follow it."""
    if any(t.on_field in names for t in strand.type.tasks):
        _hook(TASKS_FIELDS)(session, actor, strand, names, today)


def _hook(path: str) -> Callable[..., None]:
    module, _, name = path.partition(":")
    hook: Callable[..., None] = getattr(importlib.import_module(module), name)
    return hook


def change_status(
    session: Session,
    actor: Actor,
    strand: Strand,
    status: str,
    *,
    workflow: dict[str, Any] | None = None,
) -> Strand:
    """Move a strand to another status of its type, keeping `is_open`/`closed_at` in step.

    Reopening (closed → open status) checks the cardinality rule again. A move made by a
    workflow passes `workflow` (its reason), which the history event keeps: one move, one event.
    """
    stype = strand.type
    new = stype.status(status)
    if status == strand.status:
        raise RuleBroken(f"{strand.label} is already at status {status!r}")
    before = {"status": strand.status, "is_open": strand.is_open}
    strand.status = status
    strand.is_open = new.is_open
    if new.is_open:
        strand.closed_at = None
    elif strand.closed_at is None:
        strand.closed_at = utcnow()
    set_current_key(session, strand, strand.case)  # reopening checks the cardinality rule again
    session.flush()
    summary = f"{strand.label} moved from {before['status']!r} to {status!r}"
    after: dict[str, Any] = {"status": status, "is_open": new.is_open, "strand": strand.reference}
    if workflow is not None:
        reason = workflow.get("reason")
        after |= {"reason": reason, "workflow": True}
        if reason:
            summary = f"{summary} — reason: {reason}"[:500]
    history.record(
        session,
        actor,
        HistoryKind.STRAND_STATUS_CHANGED,
        summary,
        case_id=strand.case_id,
        before=before,
        after=after,
    )
    _hook(TASKS_STATUS)(session, actor, strand, status, clock.today())
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
