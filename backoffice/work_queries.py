"""What "My work" reads (SPEC T3): an officer's — or a team's — work to do as one list, earliest
target first (so overdue work leads), a page at a time: tasks, portal changes waiting for a
decision and actions; and, for an officer, the active cases where they are Primary officer that
need action — something on the case (a portal change to decide, a task — a referral's contact task,
say — to claim) waits with nobody on it; such a case's target is the earliest of theirs. Each kind
is read by its own partial index on (assignee or team, target); the list is a keyset over the three
together, then the page's records are loaded (one query per kind). Counts by kind and by state come
from the same indexes, bounded by the work there is."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Date, Integer, bindparam, case, func, literal, select, union_all
from sqlalchemy.orm import Session, joinedload

from domain import paging
from domain.models import Case, CaseOfficer, CasePerson, Team, User
from domain.notes import Action
from domain.pending import WAITING, PendingChange
from domain.task_model import LIVE_NOW
from domain.tasks import OPEN, Task
from domain.vocab import CaseStatus, OfficerRole
from domain.working_days import add_working_days

PAGE_SIZE = 25
KINDS = {
    "task": "Tasks",
    "change": "Portal changes",
    "action": "Actions",
    "case": "Your cases needing action",
}
TEAM_KINDS = ("task", "change", "action")
DUE_SOON_DAYS = 2
_ME = bindparam("me", type_=Integer)  # the officer whose work it is (a statement's parameter)
_TEAM = bindparam("team", type_=Integer)  # or the team


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
    ).where(LIVE_NOW)
    if scope.user_id is not None:
        stmt = stmt.where(Task.assignee_id == _ME)
    else:
        stmt = stmt.where(Task.team_id == _TEAM)
        if scope.unclaimed:
            stmt = stmt.where(Task.assignee_id.is_(None))
    return stmt


def _changes(scope: Scope) -> Any:
    stmt = select(
        literal("change").label("kind"),
        PendingChange.id.label("id"),
        PendingChange.target_date.label("target"),
    ).where(WAITING)
    if scope.user_id is not None:
        return stmt.where(PendingChange.assigned_to_id == _ME)
    stmt = stmt.where(PendingChange.team_id == _TEAM)
    if scope.unclaimed:
        stmt = stmt.where(PendingChange.assigned_to_id.is_(None))
    return stmt


def _actions(scope: Scope) -> Any:
    stmt = select(
        literal("action").label("kind"),
        Action.id.label("id"),
        Action.due_date.label("target"),
    ).where(Action.done_at.is_(None))
    if scope.user_id is not None:
        return stmt.where(Action.assignee_id == _ME)
    stmt = stmt.where(Action.team_id == _TEAM)
    if scope.unclaimed:
        stmt = stmt.where(Action.assignee_id.is_(None))
    return stmt


def _primary_cases() -> Any:
    return (
        select(CaseOfficer.case_id)
        .join(Case, Case.id == CaseOfficer.case_id)
        .where(
            CaseOfficer.user_id == _ME,
            CaseOfficer.role == OfficerRole.PRIMARY.value,
            Case.status == CaseStatus.ACTIVE.value,
        )
    )


def _waiting() -> Any:
    """What waits with nobody on it on the officer's Primary cases: (case, target)."""
    mine = _primary_cases()
    return union_all(
        select(
            PendingChange.case_id.label("case_id"), PendingChange.target_date.label("target")
        ).where(
            PendingChange.case_id.in_(mine),
            WAITING,
            PendingChange.assigned_to_id.is_(None),
        ),
        select(Task.case_id, Task.target_date).where(
            Task.case_id.in_(mine), LIVE_NOW, Task.assignee_id.is_(None)
        ),
    ).subquery()


def _cases(scope: Scope) -> Any:
    assert scope.user_id is not None
    waiting = _waiting()
    return select(
        literal("case").label("kind"),
        waiting.c.case_id.label("id"),
        func.min(waiting.c.target).label("target"),
    ).group_by(waiting.c.case_id)


PARTS = {"task": _tasks, "change": _changes, "action": _actions, "case": _cases}


def _parts(scope: Scope) -> list[Any]:
    kinds = KINDS if scope.user_id is not None else TEAM_KINDS
    return [PARTS[kind](scope) for kind in kinds if scope.kind in (None, kind)]


@functools.cache
def _united_for(mine: bool, unclaimed: bool, kind: str | None) -> Any:
    """The work of a scope of this shape, as one subquery whose officer or team is a bound
    parameter: built once, not on every request (building it cost more than running it)."""
    shape = Scope(user_id=0 if mine else None, team_id=None if mine else 0, unclaimed=unclaimed)
    return union_all(*_parts(replace(shape, kind=kind))).subquery()


@functools.cache
def _page_of(mine: bool, unclaimed: bool, kind: str | None) -> tuple[Any, tuple[Any, ...]]:
    """A page's statement over the work of a shape and its sort keys, built once (so the
    page's ordered form is built once too: see `paging.fetch`)."""
    united = _united_for(mine, unclaimed, kind)
    keys = (
        paging.SortKey(united.c.target, kind=dt.date),
        paging.SortKey(united.c.kind, kind=str),
        paging.SortKey(united.c.id),
    )
    return select(united.c.target, united.c.kind, united.c.id), keys


def _united(scope: Scope, *, kind: str | None) -> tuple[Any, dict[str, Any]]:
    mine = scope.user_id is not None
    params = {"me": scope.user_id} if mine else {"team": scope.team_id}
    return _united_for(mine, scope.unclaimed, kind), params


def work(
    session: Session, scope: Scope, today: dt.date, *, after: str | None, size: int = PAGE_SIZE
) -> paging.Page[Item]:
    """A page of the work, earliest target first."""
    _, params = _united(scope, kind=scope.kind)
    stmt, keys = _page_of(scope.user_id is not None, scope.unclaimed, scope.kind)
    page: paging.Page[Any] = paging.fetch(
        session,
        stmt,
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row.target, row.kind, row.id),
        scalars=False,
        params=params,
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


# A page's records, each kind with its case and who has it (built once).
_IDS: Any = bindparam("ids", expanding=True)
_TASKS = (
    select(Task)
    .where(Task.id.in_(_IDS))
    .options(joinedload(Task.case), joinedload(Task.assignee), joinedload(Task.strand))
)
_CHANGES = (
    select(PendingChange)
    .where(PendingChange.id.in_(_IDS))
    .options(joinedload(PendingChange.case), joinedload(PendingChange.assigned_to))
)
_ACTIONS = (
    select(Action)
    .where(Action.id.in_(_IDS))
    .options(joinedload(Action.case), joinedload(Action.assignee))
)
_CASES = (
    select(Case)
    .where(Case.id.in_(_IDS))
    .options(joinedload(Case.primary_link).joinedload(CasePerson.person))
)
_CASES_WAITING: Any = union_all(
    select(
        PendingChange.case_id.label("case_id"),
        PendingChange.target_date.label("target"),
        literal("change").label("what"),
        literal(None).label("name"),
    ).where(
        PendingChange.case_id.in_(_IDS),
        WAITING,
        PendingChange.assigned_to_id.is_(None),
    ),
    select(Task.case_id, Task.target_date, literal("task"), Task.name).where(
        Task.case_id.in_(_IDS), LIVE_NOW, Task.assignee_id.is_(None)
    ),
)


def _load(session: Session, wanted: dict[str, list[int]], today: dt.date) -> dict[Any, Item]:
    found: dict[Any, Item] = {}
    if wanted.get("task"):
        for task in session.scalars(_TASKS, {"ids": wanted["task"]}):
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
        for change in session.scalars(_CHANGES, {"ids": wanted["change"]}):
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
        for action in session.scalars(_ACTIONS, {"ids": wanted["action"]}):
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
    if wanted.get("case"):
        found.update(_load_cases(session, wanted["case"], today))
    return found


def _load_cases(session: Session, ids: list[int], today: dt.date) -> dict[Any, Item]:
    """The cases of the page with what waits on each (one query for the cases, one for the
    waiting work)."""
    cases = {c.id: c for c in session.scalars(_CASES, {"ids": ids})}
    waiting: dict[int, list[Any]] = {}
    rows: Sequence[Any] = session.execute(_CASES_WAITING, {"ids": ids}).all()
    for row in rows:
        waiting.setdefault(row.case_id, []).append(row)
    found: dict[Any, Item] = {}
    for case_id, on_case in waiting.items():
        case_ = cases.get(case_id)
        if case_ is None:
            continue
        n_changes = sum(1 for r in on_case if r.what == "change")
        names = sorted(r.name for r in on_case if r.what == "task")
        parts = []
        if n_changes:
            parts.append(f"{n_changes} portal change{'s' if n_changes != 1 else ''} to decide")
        if names:
            parts.append("“" + "”, “".join(names[:2]) + "”" + (" and more" if names[2:] else ""))
        target = min(r.target for r in on_case)
        found[("case", case_id)] = Item(
            "case",
            case_id,
            target,
            "Nobody has picked up " + " and ".join(parts),
            case_,
            None,
            _state(target, today),
            case_,
        )
    return found


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int
    due_soon: int
    by_kind: dict[str, int]


@functools.cache
def _counts_for(mine: bool, unclaimed: bool) -> Any:
    united = _united_for(mine, unclaimed, None)
    today, soon = bindparam("today", type_=Date), bindparam("soon", type_=Date)
    return select(
        united.c.kind,
        func.count(),
        func.sum(case((united.c.target < today, 1), else_=0)),
        func.sum(case(((united.c.target >= today) & (united.c.target <= soon), 1), else_=0)),
    ).group_by(united.c.kind)


def counts(session: Session, scope: Scope, today: dt.date) -> Counts:
    """How much work there is, overdue and due soon, by kind (one query)."""
    _, params = _united(scope, kind=None)
    soon = add_working_days(today, DUE_SOON_DAYS)
    rows = session.execute(
        _counts_for(scope.user_id is not None, scope.unclaimed),
        {**params, "today": today, "soon": soon},
    ).all()
    by_kind = {kind: int(n) for kind, n, _, _ in rows}
    return Counts(
        total=sum(by_kind.values()),
        overdue=sum(int(o or 0) for _, _, o, _ in rows),
        due_soon=sum(int(s or 0) for _, _, _, s in rows),
        by_kind=by_kind,
    )


TEAM_UNCLAIMED_CAP = 500


def unclaimed_total(session: Session, team_id: int, *, cap: int = TEAM_UNCLAIMED_CAP) -> int:
    """How much of the team's work nobody has claimed, counted up to `cap` + 1 (the page says
    "more than" past the cap): a large team's pile is read only as far as the cap, so the cost
    does not grow with the council (one query)."""
    _, params = _united(Scope(team_id=team_id, unclaimed=True), kind=None)
    return int(session.scalar(_UNCLAIMED, {**params, "cap": cap + 1}) or 0)


# A team's unclaimed work, counted up to a limit (built once).
_UNCLAIMED = select(func.count()).select_from(
    select(_united_for(False, True, None).c.id).limit(bindparam("cap")).subquery()
)


def other_teams(session: Session, team_id: int | None) -> list[Team]:
    """The active teams but the officer's own, by name (a supervisor may look at any)."""
    return list(session.scalars(_OTHER_TEAMS, {"team_id": team_id}))


_OTHER_TEAMS = (
    select(Team)
    .where(Team.active, Team.id != func.coalesce(bindparam("team_id", type_=Integer), 0))
    .order_by(Team.name)
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
            LIVE_NOW, Task.assignee_id.in_(ids)
        ),
        select(
            PendingChange.assigned_to_id.label("who"), PendingChange.target_date.label("target")
        ).where(WAITING, PendingChange.assigned_to_id.in_(ids)),
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


__all__ = [
    "KINDS",
    "TEAM_KINDS",
    "Counts",
    "Item",
    "Load",
    "Scope",
    "counts",
    "other_teams",
    "unclaimed_total",
    "work",
    "workload",
]
