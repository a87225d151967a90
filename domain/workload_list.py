"""The case officers list grouped by officer (SPEC X1): the workload — for each officer, how
many of the list's assignments are theirs, by role, and on how many active cases — for the
assignments the list's filters leave (a team's cases, a date range, …). It works through every
one of those assignments, so it runs on up to :data:`MAX_GROUPED` of them (a capped count,
index-backed as the list's is) and otherwise says how to narrow the list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.orm import Session

from domain import case_list
from domain.case_list import ListSpec
from domain.models import Case, CaseOfficer, User
from domain.vocab import CaseStatus, OfficerRole

MAX_GROUPED = 200_000
MAX_OFFICERS = 500


@dataclass(frozen=True)
class Workload:
    officer_id: int
    officer: str
    assignments: int
    by_role: dict[str, int]
    active_cases: int


def _count_when(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def workload(
    session: Session, spec: ListSpec, today: dt.date, *, cap: int = MAX_GROUPED
) -> tuple[list[Workload], str | None]:
    """Each officer's share of the list, most assignments first (or why it cannot be run)."""
    kind = spec.list_kind
    known = kind.columns()
    slow = [f for f in spec.filters if not known[f.column].indexed_filter]
    problem = case_list.too_broad(
        session, ListSpec(spec.columns, spec.filters, kind.default_sort, True, kind.code), today
    )
    if problem is None and not slow:
        found = case_list.count(session, spec, today, cap)
        if found.more:
            problem = (
                f"Grouping by officer counts every one of the list's assignments, up to "
                f"{cap:,}; this list has {found}. Narrow it first with a filter on the "
                "team, the case's status or the date assigned."
            )
    if problem:
        return [], problem
    clauses = [case_list.clause_for(known[f.column], f, today, session) for f in spec.filters]
    roles = [r.value for r in OfficerRole]
    stmt = (
        kind.select(
            User.id,
            User.name,
            func.count().label("assignments"),
            *(_count_when(CaseOfficer.role == r).label(f"role{n}") for n, r in enumerate(roles)),
            func.count(
                func.distinct(case((Case.status == CaseStatus.ACTIVE.value, Case.id)))
            ).label("active"),
        )
        .join(User, User.id == CaseOfficer.user_id)
        .where(*clauses)
        .group_by(User.id, User.name)
        .order_by(func.count().desc(), User.name)
        .limit(MAX_OFFICERS)
    )
    return [
        Workload(
            row.id,
            row.name,
            row.assignments,
            {r: int(row._mapping[f"role{n}"] or 0) for n, r in enumerate(roles)},
            row.active,
        )
        for row in session.execute(stmt)
    ], None


__all__ = ["MAX_GROUPED", "Workload", "workload"]
