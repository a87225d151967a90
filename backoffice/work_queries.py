"""What "My work" reads (SPEC T3): an officer's — or a team's — work to do as one list, earliest
target first (so overdue work leads), a page at a time: tasks, portal changes waiting for a
decision and actions. Each kind is read by its own partial index on (assignee or team, target);
the list is a keyset over the three together, then the page's records are loaded (one query per
kind). Counts by kind and by state come from the same indexes, bounded by the work there is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session, joinedload

from domain import paging
from domain.models import Case, User
from domain.notes import Action
from domain.pending import ChangeStatus, PendingChange
from domain.tasks import LIVE, OPEN, Task
from domain.working_days import add_working_days

PAGE_SIZE = 25
KINDS = {"task": "Tasks", "change": "Portal changes", "action": "Actions"}
DUE_SOON_DAYS = 2


@dataclass(frozen=True)
class Scope:
    """Whose work: an officer's (assigned to them) or a team's (and, with `unclaimed`, only
    what nobody in the team has yet)."""

    user_id: int | None = None
    team_id: int | None = None
    unclaimed: bool = False
    kind: str | None = None


@dataclass(frozen=True)
class Item:
    kind: str  # task, change, action
    id: int
    target: dt.date
    what: str
    case: Case | None
    who: str | None  # the officer it is with (team view), or None
    state: str  # Overdue, Due soon, On hold, Open
    record: Any
    version: int | None = None


def _tasks(scope: Scope) -> Any:
    stmt = select(
        literal("task").label("kind"), Task.id.label("id"), Task.target_date.label("target")
    ).where(Task.status.in_(LIVE))
    if scope.user_id is not None:
        stmt = stmt.where(Task.assignee_id == scope.user_id)
    else:
        stmt = stmt.where(Task.team_id == scope.team_id)
        if scope.unclaimed:
            stmt = stmt.where(Task.assignee_id.is_(None))
    return stmt


def _changes(scope: Scope) -> Any:
    stmt = select(
        literal("change").label("kind"),
        PendingChange.id.label("id"),
        PendingChange.target_date.label("target"),
    ).where(PendingChange.status == ChangeStatus.PENDING)
    if scope.user_id is not None:
        return stmt.where(PendingChange.assigned_to_id == scope.user_id)
    stmt = stmt.where(PendingChange.team_id == scope.team_id)
    if scope.unclaimed:
        stmt = stmt.where(PendingChange.assigned_to_id.is_(None))
    return stmt


def _actions(scope: Scope) -> Any:
    stmt = select(
        literal("action").label("kind"),
        Action.id.label("id"),
        cast(Action.due_date, Date).label("target"),
    ).where(Action.done_at.is_(None))
    if scope.user_id is not None:
        return stmt.where(Action.assignee_id == scope.user_id)
    stmt = stmt.where(Action.team_id == scope.team_id)
    if scope.unclaimed:
        stmt = stmt.where(Action.assignee_id.is_(None))
    return stmt


PARTS = {"task": _tasks, "change": _changes, "action": _actions}


def _parts(scope: Scope) -> list[Any]:
    return [make(scope) for kind, make in PARTS.items() if scope.kind in (None, kind)]


def work(
    session: Session, scope: Scope, today: dt.date, *, after: str | None, size: int = PAGE_SIZE
) -> paging.Page[Item]:
    """A page of the work, earliest target first."""
    united = union_all(*_parts(scope)).subquery()
    keys = (
        paging.SortKey(united.c.target, kind=dt.date),
        paging.SortKey(united.c.kind, kind=str),
        paging.SortKey(united.c.id),
    )
    page: paging.Page[Any] = paging.fetch(
        session,
        select(united.c.target, united.c.kind, united.c.id),
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row.target, row.kind, row.id),
        scalars=False,
    )
    wanted: dict[str, list[int]] = {}
    for row in page.rows:
        wanted.setdefault(row.kind, []).append(row.id)
    loaded = _load(session, wanted, today)
    items = [loaded[(r.kind, r.id)] for r in page.rows if (r.kind, r.id) in loaded]
    return paging.Page(items, page.next_cursor)


def _state(target: dt.date, today: dt.date, *, on_hold: bool = False) -> str:
    if on_hold:
        return "On hold"
    if target < today:
        return "Overdue"
    if target <= add_working_days(today, DUE_SOON_DAYS):
        return "Due soon"
    return "Open"


def _load(session: Session, wanted: dict[str, list[int]], today: dt.date) -> dict[Any, Item]:
    found: dict[Any, Item] = {}
    if wanted.get("task"):
        for task in session.scalars(
            select(Task)
            .where(Task.id.in_(wanted["task"]))
            .options(joinedload(Task.case), joinedload(Task.assignee), joinedload(Task.strand))
        ):
            assert task.target_date is not None
            found[("task", task.id)] = Item(
                "task",
                task.id,
                task.target_date,
                task.name,
                task.case,
                task.assignee.name if task.assignee else None,
                _state(task.target_date, today, on_hold=task.status != OPEN),
                task,
                task.version,
            )
    if wanted.get("change"):
        for change in session.scalars(
            select(PendingChange)
            .where(PendingChange.id.in_(wanted["change"]))
            .options(joinedload(PendingChange.case), joinedload(PendingChange.assigned_to))
        ):
            found[("change", change.id)] = Item(
                "change",
                change.id,
                change.target_date,
                f"Decide change {change.reference}",
                change.case,
                change.assigned_to.name if change.assigned_to else None,
                _state(change.target_date, today),
                change,
            )
    if wanted.get("action"):
        for action in session.scalars(
            select(Action)
            .where(Action.id.in_(wanted["action"]))
            .options(joinedload(Action.case), joinedload(Action.assignee))
        ):
            found[("action", action.id)] = Item(
                "action",
                action.id,
                action.due_date,
                action.what,
                action.case,
                action.assignee.name if action.assignee else None,
                _state(action.due_date, today),
                action,
                action.version,
            )
    return found


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int
    due_soon: int
    by_kind: dict[str, int]


def counts(session: Session, scope: Scope, today: dt.date) -> Counts:
    """How much work there is, overdue and due soon, by kind (one query)."""
    soon = add_working_days(today, DUE_SOON_DAYS)
    united = union_all(*_parts(Scope(scope.user_id, scope.team_id, scope.unclaimed))).subquery()
    rows = session.execute(
        select(
            united.c.kind,
            func.count(),
            func.sum(case((united.c.target < today, 1), else_=0)),
            func.sum(case(((united.c.target >= today) & (united.c.target <= soon), 1), else_=0)),
        ).group_by(united.c.kind)
    ).all()
    by_kind = {kind: int(n) for kind, n, _, _ in rows}
    return Counts(
        total=sum(by_kind.values()),
        overdue=sum(int(o or 0) for _, _, o, _ in rows),
        due_soon=sum(int(s or 0) for _, _, _, s in rows),
        by_kind=by_kind,
    )


@dataclass(frozen=True)
class Load:
    officer: User
    open: int
    overdue: int


def workload(session: Session, team_id: int, today: dt.date) -> list[Load]:
    """Each active officer of the team: their open and overdue work (tasks, changes, actions
    assigned to them), busiest first (one query for the counts)."""
    officers: Sequence[User] = session.scalars(
        select(User).where(User.team_id == team_id, User.active).order_by(User.name)
    ).all()
    if not officers:
        return []
    ids = [o.id for o in officers]
    parts = [
        select(Task.assignee_id.label("who"), Task.target_date.label("target")).where(
            Task.status.in_(LIVE), Task.assignee_id.in_(ids)
        ),
        select(
            PendingChange.assigned_to_id.label("who"), PendingChange.target_date.label("target")
        ).where(
            PendingChange.status == ChangeStatus.PENDING, PendingChange.assigned_to_id.in_(ids)
        ),
        select(Action.assignee_id.label("who"), Action.due_date.label("target")).where(
            Action.done_at.is_(None), Action.assignee_id.in_(ids)
        ),
    ]
    united = union_all(*parts).subquery()
    rows = session.execute(
        select(
            united.c.who,
            func.count(),
            func.sum(case((united.c.target < today, 1), else_=0)),
        ).group_by(united.c.who)
    ).all()
    by_officer = {who: (int(n), int(o or 0)) for who, n, o in rows}
    loads = [Load(o, *by_officer.get(o.id, (0, 0))) for o in officers]
    return sorted(loads, key=lambda load: (-load.open, load.officer.name))


__all__ = ["KINDS", "Counts", "Item", "Load", "Scope", "counts", "work", "workload"]
