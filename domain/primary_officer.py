"""The cases list filtered by Primary officer (`domain.case_list`): which cases are an
officer's, and one officer's cases sorted by name, each read from `case_officer`'s indexes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import any_, func, select
from sqlalchemy.orm import Session

from domain import paging
from domain.models import Case, CaseOfficer, User
from domain.vocab import OfficerRole

if TYPE_CHECKING:
    from domain.case_list import Filter, ListSpec

PRIMARY = OfficerRole.PRIMARY.value


def clause(session: Session, name: str) -> Any:
    """The cases whose Primary officer has that name (any case of letters)."""
    theirs = (
        select(CaseOfficer.case_id)
        .join(User, User.id == CaseOfficer.user_id)
        .where(func.lower(User.name) == name.lower(), CaseOfficer.role == PRIMARY)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Their cases read first (case_officer (user_id, role, …)), then those cases by id: as
        # a semi-join, PostgreSQL walked an index in the list's order (by date opened, say)
        # probing every case for the officer — 25,000 probes to find one officer's first 26 of
        # 2,248 cases at a million cases.
        return Case.id == any_(func.array(theirs.scalar_subquery()))
    return Case.id.in_(theirs)


def by_name(
    session: Session, spec: ListSpec, clause_of: Callable[[Filter], Any]
) -> tuple[Any, tuple[paging.SortKey, ...]] | None:
    """One officer's cases sorted by name, as the rows of a page and their keys: their
    assignments as Primary officer read in order from ``case_officer (user_id, role,
    applicant_sort, case_id)`` (each keeps its case's applicant_sort, `domain.kept_copies`),
    each joined to its case for the list's other filters (`clause_of` gives a filter's SQL).
    The keys are the case's own (applicant_sort, id), so a cursor is the same either way. None
    when the list is not that, or the name is not exactly one officer's."""
    if spec.list_kind.root is not Case or spec.sort != "applicant":
        return None
    named = [f for f in spec.filters if f.column == "primary_officer" and f.op == "equals"]
    if len(named) != 1:
        return None
    officers = session.scalars(
        select(User.id).where(func.lower(User.name) == named[0].value.lower()).limit(2)
    ).all()
    if len(officers) != 1:
        return None
    keys = (
        paging.SortKey(CaseOfficer.applicant_sort, descending=spec.descending, kind=str),
        paging.SortKey(CaseOfficer.case_id, descending=spec.descending),
    )
    rows = (
        select(*(k.column.label(f"k{n}") for n, k in enumerate(keys)))
        .select_from(CaseOfficer)
        .join(Case, Case.id == CaseOfficer.case_id)
        .where(
            CaseOfficer.user_id == officers[0],
            CaseOfficer.role == PRIMARY,
            *(clause_of(f) for f in spec.filters if f not in named),
        )
    )
    return rows, keys


__all__ = ["by_name", "clause"]
