"""The three lists an officer configures (SPEC X1): **cases** (a row per case), **case
officers** (a row per officer's assignment to a case; grouped by officer, the workload) and
**case people** (a row per person on a case). The officers' and people lists offer columns of
their own row first, then every column of the row's case (`domain.list_columns`), all filtered,
sorted and paged the same way (`domain.case_list`).

What an index answers on the officers list: the officer (``case_officer (user_id)``) and the
date assigned (``case_officer (assigned_at, id)``), besides the case's own index-backed columns
(its rows are read through the case's primary key). On the people list: the person's reference
(``case_person (person_id)``), besides the case's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from domain import paging
from domain.list_columns import CHOICE, DATE, DEFAULT_COLUMNS, TEXT, Column, case_columns
from domain.models import (
    Address,
    Case,
    CaseOfficer,
    CasePerson,
    Person,
    PortalAccount,
    Team,
    User,
    parse_person_reference,
)
from domain.vocab import RELATIONSHIPS, OfficerRole

CASES, OFFICERS, PEOPLE = "cases", "officers", "people"
LONDON = ZoneInfo("Europe/London")
ASSIGNMENT = "Assignment"
MEMBER = "Person on the case"


@dataclass(frozen=True)
class ListKind:
    code: str
    title: str  # "Case officers list"
    plural: str  # "assignments": what its rows are
    root: Any  # the mapped class of a row: Case, CaseOfficer or CasePerson
    own: tuple[Column, ...]
    default_columns: tuple[str, ...]
    default_sort: str

    def columns(self) -> dict[str, Column]:
        """Every column it offers, by key: its row's own, then its case's."""
        return {**{c.key: c for c in self.own}, **case_columns()}

    def select(self, *columns: Any) -> Any:
        """A select of `columns` from its rows, with each row's case joined."""
        stmt = select(*columns)
        if self.root is Case:
            return stmt.select_from(Case)
        return stmt.select_from(self.root).join(Case, Case.id == self.root.case_id)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), LONDON).astimezone(dt.UTC)


def _day_range(moment: Any) -> Any:
    """A range filter on a moment, by its day in England (index-backed when `moment` is)."""

    def clause(f: Any, _today: dt.date, _session: Session) -> Any:
        from domain.case_list import parse_day  # (the form's rules for a date; imports this)

        if f.op != "range":
            return moment.is_not(None) if f.op == "not_empty" else moment.is_(None)
        clauses = []
        start, end = parse_day(f.value) if f.value else None, parse_day(f.to) if f.to else None
        if start is not None:
            clauses.append(moment >= _midnight(start))
        if end is not None:
            clauses.append(moment < _midnight(end + dt.timedelta(days=1)))
        return and_(*clauses)

    return clause


# --- the officers list ---------------------------------------------------------------------


def _officer_by_name(f: Any, _today: dt.date, session: Session) -> Any:
    """The officer's id looked up first, so their assignments are read from
    ``case_officer (user_id, assigned_at, id)`` in order, not picked out of everyone's."""
    ids = session.scalars(select(User.id).where(func.lower(User.name) == f.value.lower())).all()
    return CaseOfficer.user_id.in_(ids) if ids else CaseOfficer.user_id == 0


OFFICER_COLUMNS = (
    Column(
        "officer:name",
        "Officer",
        ASSIGNMENT,
        CHOICE,
        lambda _t: select(User.name).where(User.id == CaseOfficer.user_id).scalar_subquery(),
        indexed_filter=True,
        ops=("equals",),
        clause=_officer_by_name,
    ),
    Column(
        "officer:role",
        "Role on the case",
        ASSIGNMENT,
        CHOICE,
        lambda _t: CaseOfficer.role,
        choices=tuple(r.value for r in OfficerRole),
    ),
    Column(
        "officer:assigned",
        "Assigned",
        ASSIGNMENT,
        DATE,
        lambda _t: CaseOfficer.assigned_at,
        indexed_sort=True,
        indexed_filter=True,
        clause=_day_range(CaseOfficer.assigned_at),
        sort_by=lambda descending: (
            paging.SortKey(CaseOfficer.assigned_at, descending=descending, kind=dt.datetime),
            paging.SortKey(CaseOfficer.id, descending=descending),
        ),
    ),
    Column(
        "officer:team",
        "Officer's team",
        ASSIGNMENT,
        CHOICE,
        lambda _t: (
            select(Team.name)
            .join(User, User.team_id == Team.id)
            .where(User.id == CaseOfficer.user_id)
            .scalar_subquery()
        ),
    ),
)


# --- the people list -----------------------------------------------------------------------


def _of_member(*columns: Any) -> Any:
    return select(*columns).where(Person.id == CasePerson.person_id)


def _member_reference(f: Any, _today: dt.date, _session: Session) -> Any:
    return CasePerson.person_id == (parse_person_reference(f.value) or 0)


def _yes_no(condition: Any) -> Any:
    return case((condition, "Yes"), else_="No")


PERSON_COLUMNS = (
    Column(
        "person:name",
        "Name",
        MEMBER,
        TEXT,
        lambda _t: _of_member(Person.last_name + ", " + Person.first_name).scalar_subquery(),
    ),
    Column(
        "person:reference",
        "Person reference",
        MEMBER,
        TEXT,
        lambda _t: CasePerson.person_id,
        indexed_filter=True,
        ops=("equals",),
        clause=_member_reference,
    ),
    Column(
        "person:born",
        "Date of birth",
        MEMBER,
        DATE,
        lambda _t: _of_member(Person.date_of_birth).scalar_subquery(),
    ),
    Column(
        "person:relationship",
        "Relationship to the primary applicant",
        MEMBER,
        CHOICE,
        lambda _t: CasePerson.relationship_to_primary,
        choices=("Self", *RELATIONSHIPS),
    ),
    Column(
        "person:primary",
        "Primary applicant",
        MEMBER,
        CHOICE,
        lambda _t: _yes_no(CasePerson.is_primary),
        choices=("Yes", "No"),
    ),
    Column(
        "person:in_household",
        "In the household today",
        MEMBER,
        CHOICE,
        lambda today: _yes_no(CasePerson.member_on(today)),
        choices=("Yes", "No"),
    ),
    Column("person:joined", "Joined", MEMBER, DATE, lambda _t: CasePerson.date_joined),
    Column("person:left", "Left", MEMBER, DATE, lambda _t: CasePerson.date_left),
    Column(
        "person:current_address",
        "Current address",
        MEMBER,
        TEXT,
        lambda _t: (
            select(Address.line_1 + func.coalesce(", " + Address.postcode, ""))
            .where(Address.person_id == CasePerson.person_id, Address.date_to.is_(None))
            .limit(1)
            .scalar_subquery()
        ),
    ),
    Column(
        "person:email",
        "Email",
        MEMBER,
        TEXT,
        lambda _t: _of_member(Person.email).scalar_subquery(),
    ),
    Column(
        "person:phone",
        "Phone",
        MEMBER,
        TEXT,
        lambda _t: _of_member(Person.phone).scalar_subquery(),
    ),
    Column(
        "person:portal_account",
        "Portal account",
        MEMBER,
        TEXT,
        lambda _t: (
            select(PortalAccount.email)
            .where(PortalAccount.person_id == CasePerson.person_id)
            .limit(1)
            .scalar_subquery()
        ),
    ),
)

KINDS = {
    CASES: ListKind(CASES, "Cases list", "cases", Case, (), DEFAULT_COLUMNS, "opened"),
    OFFICERS: ListKind(
        OFFICERS,
        "Case officers list",
        "assignments",
        CaseOfficer,
        OFFICER_COLUMNS,
        ("officer:name", "officer:role", "officer:assigned", "reference", "status", "applicant"),
        "officer:assigned",
    ),
    PEOPLE: ListKind(
        PEOPLE,
        "Case people list",
        "people on cases",
        CasePerson,
        PERSON_COLUMNS,
        (
            "person:name",
            "person:born",
            "person:relationship",
            "person:in_household",
            "reference",
            "status",
        ),
        "opened",
    ),
}


def kind_of(code: str | None) -> ListKind:
    """The list kind a code names (the cases list for anything else)."""
    return KINDS.get(code or CASES, KINDS[CASES])


__all__ = ["CASES", "KINDS", "OFFICERS", "PEOPLE", "ListKind", "kind_of"]
