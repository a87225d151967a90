"""The case officers list grouped by officer (SPEC X1): the workload — for each officer, how
many of the list's assignments are theirs, by role, and on how many active cases — for the
assignments the list's filters leave (a team's cases, a date range, …).

One query: the filtered assignments, read up to :data:`MAX_GROUPED` + 1 of them (so it stops
early however many there are), grouped by officer. When there were more, the page says how to
narrow the list instead: at a million cases the largest team's active cases hold 160,000
assignments, which took 0.45 s to group and left 20 officers asking at once waiting seconds.
(Counts kept up to date as cases change would lift the cap; not built yet.) A filter no index
answers is first held to the list's own limit (`case_list.too_broad`).

When every filter is on the assignment itself or on its case's team, the assignments are read
from `case_officer` alone, with its copies of the case's team and status (`domain.kept_copies`;
``case_officer (case_team_id, assigned_at)`` has what the counts need): a team's last 30 days at
a million cases, 10,143 assignments, took 260 ms joined to their cases."""

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
# What a page's cursor holds: the last officer's assignments, name and id (the page's order).
_CURSOR = (
    paging.SortKey(None, descending=True),
    paging.SortKey(None, kind=str),
    paging.SortKey(None),
)


@dataclass(frozen=True)
class Workload:
    officer_id: int
    officer: str
    assignments: int
    by_role: dict[str, int]
    active_cases: int


def workload(
    session: Session, spec: ListSpec, today: dt.date, *, cap: int = MAX_GROUPED
) -> tuple[list[Workload], str | None]:
    """Each officer's share of the list, most assignments first (or why it cannot be run)."""
    kind = spec.list_kind
    known = kind.columns()
    problem = case_list.too_broad(
        session, ListSpec(spec.columns, spec.filters, kind.default_sort, True, kind.code), today
    )
    if problem:
        return [], problem
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
    roles = [r.value for r in OfficerRole]
    counts = (
        select(
            rows.c.user_id,
            func.count().label("assignments"),
            *(func.count().filter(rows.c.role == r).label(f"role{n}") for n, r in enumerate(roles)),
            func.count(func.distinct(rows.c.case_id)).filter(rows.c.active).label("active"),
        )
        .group_by(rows.c.user_id)
        .subquery()
    )
    # Each officer's counts and name in one statement; read by position (a row's mapping,
    # made for each of a few hundred officers, cost more than the query).
    grouped = session.execute(
        select(counts, User.name).outerjoin(User, User.id == counts.c.user_id)
    ).all()
    if sum(row[1] for row in grouped) > cap:
        return [], (
            f"Grouping by officer counts every assignment the list's filters leave, up to "
            f"{cap:,}; this list has more than {cap:,}. Narrow it first with a filter on the "
            "team, the case's status, the officer or the date assigned."
        )
    found = []
    for user_id, assignments, *by_role, active, name in grouped:
        found.append(
            Workload(
                user_id,
                name or f"Officer {user_id}",
                assignments,
                dict(zip(roles, (n or 0 for n in by_role), strict=True)),
                active,
            )
        )
    found.sort(key=_place)
    return found, None


def _place(w: Workload) -> tuple[int, str, int]:
    return (-w.assignments, w.officer, w.officer_id)


def page_of(
    found: list[Workload], after: str | None, size: int = PAGE_SIZE
) -> tuple[list[Workload], str | None]:
    """The officers after the cursor (most assignments first, then by name), and the cursor of
    the next page (None on the last). Grouping reads every officer's counts at once — a few
    hundred rows — so a page is cut from them here; a page shows a few, however many there are."""
    start = paging.decode(after, _CURSOR)
    rest = found
    if start is not None:
        assignments, name, officer_id = start
        mark = (-assignments, name, officer_id)
        rest = [w for w in found if _place(w) > mark]
    page = rest[:size]
    more = len(rest) > size
    last = page[-1] if page else None
    cursor = (
        paging.encode((last.assignments, last.officer, last.officer_id)) if more and last else None
    )
    return page, cursor


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


__all__ = ["MAX_GROUPED", "PAGE_SIZE", "Workload", "page_of", "workload"]
