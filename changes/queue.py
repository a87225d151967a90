"""The review queue: pending changes oldest first, with filters, counts and keyset paging.

Paging uses (submitted_at, id) as the key, so a page costs the same however deep it is, and a
change decided while someone pages does not shift the others.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from changes import engine
from domain import clock, paging
from domain.ids import parse_id
from domain.models import CasePerson, Person, User, format_case_reference
from domain.paging import Count, Page, SortKey
from domain.pending import WAITING, PendingChange, format_change_reference
from domain.working_days import subtract_working_days

PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilter:
    kind: str | None = None
    team_id: int | None = None
    assigned: str | None = None  # "me", "unassigned", an officer id as text, or None for anyone
    overdue: bool = False
    case_id: int | None = None
    # Sent more than this many working days ago (the queue offers 5 and 10).
    older_than: int | None = None

    def without_kind(self) -> QueueFilter:
        return replace(self, kind=None)

    @property
    def narrowed(self) -> bool:
        return any(
            (self.kind, self.team_id, self.assigned, self.overdue, self.case_id, self.older_than)
        )


AGES = (5, 10)  # working days

ORDER = (
    SortKey(PendingChange.submitted_at, kind=dt.datetime),
    SortKey(PendingChange.id),
)


# Counts beside the queue are exact up to this many, then "more than 500": each is read from a
# partial index and stops there, so a queue of 60,000 costs what a queue of 500 does. (Each of
# the ten counts reads up to this many index entries on every view: at 1,000 the counts were
# half the database's work for the queue at a million cases.)
COUNT_CAP = 500


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue, read in the one query that lists the page (no records loaded)."""

    id: int
    kind: str
    case_id: int
    submitted_at: dt.datetime
    target_date: dt.date
    applicant: str | None  # the primary applicant's name
    assigned_to: str | None  # the officer's name
    restricted: bool = False  # the primary applicant's record is restricted (domain.restricted)

    @property
    def reference(self) -> str:
        return format_change_reference(self.id)

    @property
    def case_reference(self) -> str:
        return format_case_reference(self.case_id)


@dataclass
class QueuePage:
    changes: list[QueueRow]
    next_cursor: str | None
    total: Count
    overdue: Count
    by_kind: dict[str, Count]  # what choosing each kind would show, with the other filters


# The queue's statements are built once for each shape of filter (which filters are chosen)
# and reused with the chosen values bound: building and keying a statement of ten counts costs
# more than running it, on every view of the queue.
Shape = tuple[bool, bool, str | None, bool, bool, bool]  # kind, team, assigned, overdue, case, age


def _shape(f: QueueFilter) -> Shape:
    assigned = None
    if f.assigned in ("me", "unassigned"):
        assigned = f.assigned
    elif f.assigned and parse_id(f.assigned) is not None:
        assigned = "officer"
    return (
        bool(f.kind),
        bool(f.team_id),
        assigned,
        f.overdue,
        bool(f.case_id),
        bool(f.older_than),
    )


def _values(f: QueueFilter, officer_id: int, today: dt.date) -> dict[str, Any]:
    values: dict[str, Any] = {"today": today}
    if f.kind:
        values["kind"] = f.kind
    if f.team_id:
        values["team_id"] = f.team_id
    if f.assigned == "me":
        values["assignee"] = officer_id
    elif f.assigned and f.assigned != "unassigned":
        values["assignee"] = parse_id(f.assigned)
    if f.case_id:
        values["case_id"] = f.case_id
    if f.older_than:
        day = subtract_working_days(today, f.older_than)
        values["sent_before"] = dt.datetime.combine(day, dt.time(0, 0), clock.COUNCIL_TZ)
    return values


def _criteria(shape: Shape, *, with_kind: bool = True) -> list[ColumnElement[bool]]:
    kind, team, assigned, overdue, case, age = shape
    found: list[ColumnElement[bool]] = [WAITING]
    if kind and with_kind:
        found.append(PendingChange.kind == bindparam("kind"))
    if team:
        found.append(PendingChange.team_id == bindparam("team_id"))
    if assigned == "unassigned":
        found.append(PendingChange.assigned_to_id.is_(None))
    elif assigned:
        found.append(PendingChange.assigned_to_id == bindparam("assignee"))
    if overdue:
        found.append(PendingChange.target_date < bindparam("today"))
    if case:
        found.append(PendingChange.case_id == bindparam("case_id"))
    if age:
        found.append(PendingChange.submitted_at < bindparam("sent_before"))
    return found


def _capped(label: str, criteria: list[ColumnElement[bool]], cap: int) -> Select[str, int]:
    found = (
        select(literal(1).label("one"))
        .select_from(PendingChange)
        .where(*criteria)
        .limit(cap + 1)
        .subquery()
    )
    return select(literal(label).label("what"), func.count().label("n")).select_from(found)


@functools.lru_cache(maxsize=256)
def _counts_statement(shape: Shape, kinds: tuple[str, ...], cap: int) -> CompoundSelect[str, int]:
    chosen = _criteria(shape)
    others = _criteria(shape, with_kind=False)
    overdue = PendingChange.target_date < bindparam("today")
    return union_all(
        _capped("*", chosen, cap),
        _capped("!", [*chosen, overdue], cap),
        *(_capped(kind, [*others, PendingChange.kind == kind], cap) for kind in kinds),
    )


@functools.lru_cache(maxsize=256)
def _rows_statement(shape: Shape) -> Select[*tuple[Any, ...]]:
    return (
        select(
            PendingChange.id,
            PendingChange.kind,
            PendingChange.case_id,
            PendingChange.submitted_at,
            PendingChange.target_date,
            Person.first_name,
            Person.middle_names,
            Person.last_name,
            User.name,
            Person.restricted,
        )
        .select_from(PendingChange)
        .outerjoin(
            CasePerson, (CasePerson.case_id == PendingChange.case_id) & CasePerson.is_primary
        )
        .outerjoin(Person, Person.id == CasePerson.person_id)
        .outerjoin(User, User.id == PendingChange.assigned_to_id)
        .where(*_criteria(shape))
    )


def counts(
    session: Session,
    f: QueueFilter,
    *,
    officer_id: int,
    today: dt.date,
    kinds: Iterable[str],
    cap: int = COUNT_CAP,
) -> tuple[Count, Count, dict[str, Count]]:
    """The total, the overdue and each kind's count for the filters, in one statement."""
    stmt = _counts_statement(_shape(f), tuple(kinds), cap)
    rows = session.execute(stmt, _values(f, officer_id, today))
    found = {what: Count.of(int(n), cap) for what, n in rows}
    return found.pop("*"), found.pop("!"), found


def page(
    session: Session,
    f: QueueFilter,
    *,
    officer_id: int,
    today: dt.date,
    kinds: Iterable[str],
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    paging.plan_for_values(session)
    total, overdue, by_kind = counts(session, f, officer_id=officer_id, today=today, kinds=kinds)
    found: Page[Any] = paging.fetch(
        session,
        _rows_statement(_shape(f)),
        ORDER,
        cursor=after,
        size=size,
        values_of=lambda row: (row.submitted_at, row.id),
        scalars=False,
        params=_values(f, officer_id, today),
    )
    lines = [
        QueueRow(
            row.id,
            row.kind,
            row.case_id,
            row.submitted_at,
            row.target_date,
            " ".join(p for p in (row.first_name, row.middle_names, row.last_name) if p) or None,
            row.name,
            bool(row.restricted),
        )
        for row in found.rows
    ]
    return QueuePage(lines, found.next_cursor, total, overdue, by_kind)


def take_next(session: Session, officer: User) -> PendingChange | None:
    """Assign the oldest unassigned pending change to `officer` (None when there is none).

    Another officer may take the same one at the same moment: the change's row is locked and
    looked at again, and if it has gone, the next one is tried.
    """
    for _ in range(5):
        candidate = next_unassigned(session)
        if candidate is None:
            return None
        change = engine.lock_change(session, candidate.id)
        if change.is_pending and change.assigned_to_id is None:
            engine.assign(session, officer, change, to=officer, expected_version=change.version)
            return change
    return None


def next_unassigned(session: Session) -> PendingChange | None:
    """The oldest pending change nobody has taken."""
    return session.scalars(
        select(PendingChange)
        .where(WAITING, PendingChange.assigned_to_id.is_(None))
        .order_by(PendingChange.submitted_at, PendingChange.id)
        .limit(1)
    ).first()
