"""The review queue: pending changes oldest first, with filters, counts and keyset paging.

Paging uses (submitted_at, id) as the key, so a page costs the same however deep it is, and a
change decided while someone pages does not shift the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from changes import engine
from domain import clock, paging
from domain.ids import parse_id
from domain.models import Case, CasePerson, User
from domain.paging import Page, SortKey
from domain.pending import ChangeStatus, PendingChange
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


@dataclass
class QueuePage:
    changes: list[PendingChange]
    next_cursor: str | None
    total: int
    overdue: int


def _filtered(f: QueueFilter, officer_id: int, today: dt.date) -> Select[PendingChange]:
    stmt = select(PendingChange).where(PendingChange.status == ChangeStatus.PENDING)
    if f.kind:
        stmt = stmt.where(PendingChange.kind == f.kind)
    if f.team_id:
        stmt = stmt.join(Case, Case.id == PendingChange.case_id).where(
            Case.responsible_team_id == f.team_id
        )
    if f.assigned == "me":
        stmt = stmt.where(PendingChange.assigned_to_id == officer_id)
    elif f.assigned == "unassigned":
        stmt = stmt.where(PendingChange.assigned_to_id.is_(None))
    elif f.assigned and parse_id(f.assigned) is not None:
        stmt = stmt.where(PendingChange.assigned_to_id == parse_id(f.assigned))
    if f.overdue:
        stmt = stmt.where(PendingChange.target_date < today)
    if f.case_id:
        stmt = stmt.where(PendingChange.case_id == f.case_id)
    if f.older_than:
        day = subtract_working_days(today, f.older_than)
        start = dt.datetime.combine(day, dt.time(0, 0), clock.COUNCIL_TZ)
        stmt = stmt.where(PendingChange.submitted_at < start)
    return stmt


def page(
    session: Session,
    f: QueueFilter,
    *,
    officer_id: int,
    today: dt.date,
    after: str | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    base = _filtered(f, officer_id, today)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    overdue = (
        session.scalar(
            select(func.count()).select_from(
                base.where(PendingChange.target_date < today).subquery()
            )
        )
        or 0
    )
    found: Page[PendingChange] = paging.fetch(
        session,
        base.options(
            selectinload(PendingChange.case)
            .selectinload(Case.primary_link)
            .selectinload(CasePerson.person),
            selectinload(PendingChange.assigned_to),
        ),
        ORDER,
        cursor=after,
        size=size,
        values_of=lambda change: (change.submitted_at, change.id),
    )
    return QueuePage(found.rows, found.next_cursor, int(total), int(overdue))


def counts_by_kind(
    session: Session, f: QueueFilter, *, officer_id: int, today: dt.date
) -> dict[str, int]:
    """How many changes of each kind match the other filters (what choosing a kind would
    show)."""
    matching = _filtered(f.without_kind(), officer_id, today).subquery()
    rows = session.execute(select(matching.c.kind, func.count()).group_by(matching.c.kind))
    return {kind: int(n) for kind, n in rows}


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
        .where(PendingChange.status == ChangeStatus.PENDING, PendingChange.assigned_to_id.is_(None))
        .order_by(PendingChange.submitted_at, PendingChange.id)
        .limit(1)
    ).first()
