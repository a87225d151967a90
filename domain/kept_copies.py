"""Copies of a record's values that other tables keep, so that a list reads one index instead of
joining for every row it could show — and the events that keep them, in the same write as the
change they copy, however the change is made through the ORM:

- a case's ``applicant_sort``: its primary applicant's name as lists sort by it,
  lower(last_name || ', ' || first_name), '' with no primary applicant (the cases list sorted
  by name; `domain.case_list`). A new primary applicant, or the primary applicant renamed,
  writes it again — on the case and on each of its assignments, which keep a copy too (one
  officer's cases by name).
- an assignment's ``case_team_id``, ``case_active`` and ``applicant_sort``: its case's
  responsible team, whether the case is active, and the case's applicant_sort (the workload
  grouped by officer reads a team's assignments of a period from ``case_officer`` alone,
  `domain.workload_list`; one officer's cases sorted by name are a page of one index,
  `domain.case_list`). A new assignment copies them; a case moved to another team, closed or
  reopened writes them again on each of its assignments.

Each copy is worked out in the database from the rows as written, by statements built once and
run on the flush's connection. They are not history: nothing a person did is recorded twice.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, event, func, inspect, select, update

from domain.models import Case, CaseOfficer, CasePerson, Person
from domain.vocab import CaseStatus

_CASES = cast(Table, Case.__table__)
_ASSIGNMENTS = cast(Table, CaseOfficer.__table__)

# --- the primary applicant's name on the case ------------------------------------------------

_APPLICANT_SORT = func.coalesce(
    select(func.lower(Person.last_name + ", " + Person.first_name))
    .where(Person.id == bindparam("person_id"))
    .scalar_subquery(),
    "",
)
_SORT_BY_CASE = (
    update(_CASES).where(_CASES.c.id == bindparam("case_id")).values(applicant_sort=_APPLICANT_SORT)
)
# The cases whose primary applicant the person is.
_CASES_LED_BY = select(CasePerson.case_id).where(
    CasePerson.person_id == bindparam("person_id"), CasePerson.is_primary
)
_SORT_BY_PERSON = (
    update(_CASES).where(_CASES.c.id.in_(_CASES_LED_BY)).values(applicant_sort=_APPLICANT_SORT)
)


# The case's name, as just written, onto its assignments.
_SORT_TO_ASSIGNMENTS = (
    update(_ASSIGNMENTS)
    .where(_ASSIGNMENTS.c.case_id == bindparam("of_case"))
    .values(
        applicant_sort=select(_CASES.c.applicant_sort)
        .where(_CASES.c.id == bindparam("of_case"))
        .scalar_subquery()
    )
)
_PERSON_SORT_TO_ASSIGNMENTS = (
    update(_ASSIGNMENTS)
    .where(_ASSIGNMENTS.c.case_id.in_(_CASES_LED_BY))
    .values(applicant_sort=_APPLICANT_SORT)
)


def _changed(target: Any, *names: str) -> bool:
    attrs = inspect(target).attrs
    return any(attrs[name].history.has_changes() for name in names)


@event.listens_for(CasePerson, "after_insert")
@event.listens_for(CasePerson, "after_update")
def _keep_applicant_sort(mapper: Any, connection: Any, link: CasePerson) -> None:
    """A new primary applicant (a case made, the primary switched) names the case."""
    if link.is_primary and _changed(link, "is_primary", "person_id"):
        connection.execute(_SORT_BY_CASE, {"case_id": link.case_id, "person_id": link.person_id})
        connection.execute(_SORT_TO_ASSIGNMENTS, {"of_case": link.case_id})


@event.listens_for(Person, "after_update")
def _rename_cases(mapper: Any, connection: Any, person: Person) -> None:
    """A primary applicant's new name follows onto their cases in the same write."""
    if _changed(person, "first_name", "last_name"):
        connection.execute(_SORT_BY_PERSON, {"person_id": person.id})
        connection.execute(_PERSON_SORT_TO_ASSIGNMENTS, {"person_id": person.id})


# --- the case's team and status on its assignments --------------------------------------------

_COPY_CASE = (
    update(_ASSIGNMENTS)
    .where(_ASSIGNMENTS.c.id == bindparam("assignment_id"))
    .values(
        case_team_id=select(_CASES.c.responsible_team_id)
        .where(_CASES.c.id == bindparam("of_case"))
        .scalar_subquery(),
        case_active=select(_CASES.c.status == CaseStatus.ACTIVE.value)
        .where(_CASES.c.id == bindparam("of_case"))
        .scalar_subquery(),
        applicant_sort=select(_CASES.c.applicant_sort)
        .where(_CASES.c.id == bindparam("of_case"))
        .scalar_subquery(),
    )
)
_CASE_TO_ASSIGNMENTS = (
    update(_ASSIGNMENTS)
    .where(_ASSIGNMENTS.c.case_id == bindparam("of_case"))
    .values(case_team_id=bindparam("team_id"), case_active=bindparam("active"))
)


@event.listens_for(CaseOfficer, "after_insert")
def _copy_case(mapper: Any, connection: Any, assignment: CaseOfficer) -> None:
    """A new assignment takes its case's team, status and name (as written: the case comes
    first; a primary applicant added after it writes the name again)."""
    connection.execute(_COPY_CASE, {"assignment_id": assignment.id, "of_case": assignment.case_id})


@event.listens_for(Case, "after_update")
def _case_to_assignments(mapper: Any, connection: Any, case: Case) -> None:
    """A case moved to another team, closed or reopened: its assignments say so too."""
    if _changed(case, "responsible_team_id", "responsible_team", "status"):
        connection.execute(
            _CASE_TO_ASSIGNMENTS,
            {
                "of_case": case.id,
                "team_id": case.responsible_team_id,
                "active": case.status == CaseStatus.ACTIVE.value,
            },
        )


__all__: list[str] = []
