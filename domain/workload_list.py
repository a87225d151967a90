"""The case officers list grouped by officer (SPEC X1): the workload — for each officer, how
many of the list's assignments are theirs, by role, and on how many active cases — for the
assignments the list's filters leave (a team's cases, a date range, …).

One query: the filtered assignments, read up to :data:`MAX_GROUPED` + 1 of them (so it stops
early however many there are), grouped by officer, ordered (most assignments, then name) and cut
to a page in the database, keyset-paged: a large team's 30 days at a million cases has 400
officers, and building all of them to show 25 cost more than the grouping. When there were more
assignments than the cap, the page says how to
narrow the list instead: at a million cases the largest team's active cases hold 160,000
assignments, which took 0.45 s to group and left 20 officers asking at once waiting seconds.
(Counts kept up to date as cases change would lift the cap; not built yet.) A filter no index
answers is first held to the list's own limit (`case_list.too_broad`).

When every filter is on the assignment itself or on its case's team, the assignments are read
from `case_officer` alone, with its copies of the case's team and status (`domain.kept_copies`;
``case_officer (case_team_id, assigned_at)`` has what the counts need): a team's last 30 days at
a million cases, 10,143 assignments, took 260 ms joined to their cases.

The officers' active cases are not counted as each officer's distinct cases, which made the
database sort every assignment (3.4 ms of that team's 30 days): an officer holds one role on
nearly every case, so their active assignments are counted as they are hashed, and only those
flagged as one of several roles on a case (`CaseOfficer.several_roles`, a partial index) are
read again to count their cases once each (1.9 ms)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import case_list, paging
from domain.case_list import ListSpec
from domain.models import Case, CaseOfficer, User
from domain.vocab import CaseStatus, OfficerRole

MAX_GROUPED = 20_000  # assignments
PAGE_SIZE = 25  # officers


@dataclass(frozen=True)
class Workload:
    officer_id: int
    officer: str
    assignments: int
    by_role: dict[str, int]
    active_cases: int


@dataclass(frozen=True)
class Grouped:
    """A page of the workload: its officers, the next page's cursor (None on the last), or why
    it cannot be run (`problem`, with no officers)."""

    rows: list[Workload]
    next_cursor: str | None = None
    problem: str | None = None


def workload(
    session: Session,
    spec: ListSpec,
    today: dt.date,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    cap: int = MAX_GROUPED,
) -> Grouped:
    """A page of each officer's share of the list, most assignments first, then by name (or
    why it cannot be run). The database orders the officers and cuts the page: however many
    officers share the list, a page reads and builds `size` of them."""
    kind = spec.list_kind
    known = kind.columns()
    problem = case_list.too_broad(
        session, ListSpec(spec.columns, spec.filters, kind.default_sort, True, kind.code), today
    )
    if problem:
        return Grouped([], problem=problem)
    alone = _on_assignments_alone(session, spec, today)
    if alone is not None:
        assignments = select(
            CaseOfficer.user_id,
            CaseOfficer.role,
            CaseOfficer.case_id,
            CaseOfficer.case_active.label("active"),
        ).where(*alone)
    else:
        clauses = [case_list.clause_for(known[f.column], f, today, session) for f in spec.filters]
        assignments = kind.select(
            CaseOfficer.user_id,
            CaseOfficer.role,
            Case.id.label("case_id"),
            (Case.status == CaseStatus.ACTIVE.value).label("active"),
        ).where(*clauses)
    rows = assignments.limit(cap + 1).subquery()
    # An officer's active cases: their active assignments, less those where they hold several
    # roles on one case, plus the distinct cases of those few (ix_case_officer_several_roles),
    # counted apart — so the grouping is hashed instead of every assignment sorted by case.
    doubled = assignments.where(CaseOfficer.several_roles).limit(cap + 1).subquery()
    several = (
        select(
            doubled.c.user_id,
            func.count().filter(doubled.c.active).label("assignments"),
            func.count(func.distinct(doubled.c.case_id)).filter(doubled.c.active).label("cases"),
        )
        .group_by(doubled.c.user_id)
        .subquery()
    )
    roles = [r.value for r in OfficerRole]
    grouped = (
        select(
            rows.c.user_id,
            func.count().label("assignments"),
            *(func.count().filter(rows.c.role == r).label(f"role{n}") for n, r in enumerate(roles)),
            func.count().filter(rows.c.active).label("active"),
        )
        .group_by(rows.c.user_id)
        .subquery()
    )
    counts = (
        select(
            *(c for c in grouped.c if c.key != "active"),
            (
                grouped.c.active
                - func.coalesce(several.c.assignments, 0)
                + func.coalesce(several.c.cases, 0)
            ).label("active"),
        )
        .outerjoin(several, several.c.user_id == grouped.c.user_id)
        .subquery()
    )
    # Each officer's counts and name, and every officer's assignments together (to tell that
    # the list had more than the cap), in one statement read by position.
    officers = (
        select(
            counts,
            func.coalesce(User.name, "").label("name"),
            func.sum(counts.c.assignments).over().label("total"),
        )
        .outerjoin(User, User.id == counts.c.user_id)
        .subquery()
    )
    keys = (
        paging.SortKey(officers.c.assignments, descending=True),
        paging.SortKey(officers.c.name, kind=str),
        paging.SortKey(officers.c.user_id),
    )
    page: paging.Page[Any] = paging.fetch(
        session,
        select(officers),
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row[1], row[-2], row[0]),
        scalars=False,
    )
    if page.rows and page.rows[0][-1] > cap:
        return Grouped(
            [],
            problem=f"Grouping by officer counts every assignment the list's filters leave, up "
            f"to {cap:,}; this list has more than {cap:,}. Narrow it first with a filter on the "
            "team, the case's status, the officer or the date assigned.",
        )
    found = [
        Workload(
            user_id,
            name or f"Officer {user_id}",
            assignments,
            dict(zip(roles, (n or 0 for n in by_role), strict=True)),
            active,
        )
        for user_id, assignments, *by_role, active, name, _total in page.rows
    ]
    return Grouped(found, page.next_cursor)


def _on_assignments_alone(session: Session, spec: ListSpec, today: dt.date) -> list[Any] | None:
    """The list's filters as conditions on `case_officer` alone — its own columns, and its copy
    of the case's team — or None when a filter needs the case itself."""
    known = spec.list_kind.columns()
    clauses = []
    for f in spec.filters:
        column = known[f.column]
        if column.own:
            clauses.append(case_list.clause_for(column, f, today, session))
        elif f.column == "team" and f.op == "equals":
            clauses.append(CaseOfficer.case_team_id == case_list.team_named(session, f.value))
        elif f.column == "team" and f.op in ("empty", "not_empty"):
            team = CaseOfficer.case_team_id
            clauses.append(team.is_(None) if f.op == "empty" else team.is_not(None))
        else:
            return None
    return clauses


__all__ = ["MAX_GROUPED", "PAGE_SIZE", "Grouped", "Workload", "workload"]
