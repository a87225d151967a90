"""The columns a cases list can show (SPEC X1): the case itself, its primary applicant, their
addresses and portal account, its Primary officer, figures worked out from its records, and the
status and fields of each application and assessment type.

Each column is an SQL expression correlated to the case, so one query fills every column of a
page (the page's 25 cases, never a query per row) and the same expression filters and sorts.
A column says which filters it takes (by its `kind`) and whether an index answers a sort or a
filter on it at any size (`indexed_sort`, `indexed_filter`): `domain.case_list` runs a list
whose sort or filters are not index-backed only when the indexed part narrows it to a few
thousand cases, and says so clearly otherwise.

A strand type's column reads the case's most relevant strand of that type: the newest open one,
or the newest closed one when none is open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from domain.assessments.model import BedroomAssessmentVersion
from domain.models import Address, Case, CaseOfficer, CasePerson, Person, PortalAccount, Team, User
from domain.pending import WAITING, PendingChange
from domain.strands import STRAND_TYPES, Strand
from domain.strands.types import StrandType
from domain.task_model import LIVE_NOW, Task
from domain.vocab import OfficerRole

TEXT, NUMBER, DATE, CHOICE = "text", "number", "date", "choice"
OPERATORS = {
    TEXT: ("contains", "equals", "empty", "not_empty"),
    NUMBER: ("range", "empty", "not_empty"),
    DATE: ("range", "empty", "not_empty"),
    CHOICE: ("equals", "empty", "not_empty"),
}
OPERATOR_WORDS = {
    "contains": "contains",
    "equals": "is",
    "range": "is between",
    "empty": "is empty",
    "not_empty": "is not empty",
}
STRAND_FIELD_KINDS = {
    "text": TEXT,
    "long_text": TEXT,
    "yes_no": CHOICE,
    "choice": CHOICE,
    "number": NUMBER,
    "money": NUMBER,
    "date": DATE,
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str
    kind: str
    expr: Callable[[dt.date], Any]  # an SQL expression correlated to Case, for today
    choices: tuple[str, ...] = ()
    indexed_sort: bool = False
    indexed_filter: bool = False
    ops: tuple[str, ...] = ()  # when not the kind's usual operators
    # Index-backed SQL of its own for a filter — (filter, today, session) -> clause — and for
    # a sort — (descending) -> the sort keys, unique together (the row's id last) — where the
    # column's value expression would not use an index.
    clause: Callable[[Any, dt.date, Any], Any] | None = None
    sort_by: Callable[[bool], tuple[Any, ...]] | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        return self.ops or OPERATORS[self.kind]

    @property
    def heading(self) -> str:
        """The label with its application or assessment type ("Housing register: Band")."""
        if self.group == APPLICANT:
            return (
                "Primary applicant"
                if self.key == "applicant"
                else f"Applicant's {self.label.lower()}"
            )
        if self.group in (CASE, FIGURES) or self.own:
            return self.label
        return f"{self.group}: {self.label}"

    @property
    def own(self) -> bool:
        """A column of the row itself (an assignment, a person on a case), not of its case:
        its key is "officer:…" or "person:…" (a colon, which no strand type's code has)."""
        return ":" in self.key


def _once(build: Callable[[dt.date], Any]) -> Callable[[dt.date], Any]:
    """An expression that does not depend on the day, built the first time it is asked for
    and the same object after (building one costs more than running the page's query does,
    and the same object keeps SQLAlchemy's statement cache warm)."""
    made: list[Any] = []

    def expr(today: dt.date) -> Any:
        if not made:
            made.append(build(today))
        return made[0]

    return expr


def _primary_person() -> Any:
    return (
        select(CasePerson.person_id)
        .where(CasePerson.case_id == Case.id, CasePerson.is_primary)
        .limit(1)
        .correlate(Case)  # the case of the list's row, two selects out
        .scalar_subquery()
    )


@_once
def _applicant(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(Person.last_name + ", " + Person.first_name)
        .where(Person.id == _primary_person())
        .scalar_subquery()
    )


@_once
def _born(_today: dt.date) -> ColumnElement[Any]:
    return select(Person.date_of_birth).where(Person.id == _primary_person()).scalar_subquery()


def _address(text: Any) -> Any:
    return text.line_1 + func.coalesce(", " + text.postcode, "")


@_once
def _current_address(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(_address(Address))
        .where(Address.person_id == _primary_person(), Address.date_to.is_(None))
        .limit(1)
        .scalar_subquery()
    )


@_once
def _previous_address(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(_address(Address))
        .where(Address.person_id == _primary_person(), Address.date_to.is_not(None))
        .order_by(Address.date_to.desc(), Address.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@_once
def _portal(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(PortalAccount.email)
        .where(PortalAccount.person_id == _primary_person())
        .limit(1)
        .scalar_subquery()
    )


@_once
def _officer(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(User.name)
        .join(CaseOfficer, CaseOfficer.user_id == User.id)
        .where(CaseOfficer.case_id == Case.id, CaseOfficer.role == OfficerRole.PRIMARY.value)
        .order_by(CaseOfficer.id)
        .limit(1)
        .scalar_subquery()
    )


@_once
def _team(_today: dt.date) -> ColumnElement[Any]:
    return select(Team.name).where(Team.id == Case.responsible_team_id).scalar_subquery()


def _household(today: dt.date) -> ColumnElement[Any]:
    return (
        select(func.count())
        .where(
            CasePerson.case_id == Case.id,
            CasePerson.date_joined <= today,
            or_(CasePerson.date_left.is_(None), CasePerson.date_left > today),
        )
        .scalar_subquery()
    )


def _tasks(today: dt.date, *, overdue: bool) -> ColumnElement[Any]:
    stmt = select(func.count()).where(Task.case_id == Case.id, LIVE_NOW)
    if overdue:
        stmt = stmt.where(Task.target_date < today)
    return stmt.scalar_subquery()


@_once
def _pending(_today: dt.date) -> ColumnElement[Any]:
    return select(func.count()).where(PendingChange.case_id == Case.id, WAITING).scalar_subquery()


def _opened(_today: dt.date) -> Any:
    return Case.created_at  # a moment: shown (and filtered) as its day in England


def _strand_of(code: str) -> Any:
    own = aliased(Strand)  # not correlated to a strand table of the select around it
    return (
        select(own.id)
        .where(own.case_id == Case.id, own.type_code == code)
        .order_by(own.is_open.desc(), own.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _strand_status(code: str) -> Callable[[dt.date], ColumnElement[Any]]:
    return _once(
        lambda _today: select(Strand.status).where(Strand.id == _strand_of(code)).scalar_subquery()
    )


def _strand_field(
    code: str, name: str, kind: str, *, yes_no: bool = False
) -> Callable[[dt.date], ColumnElement[Any]]:
    def expr(_today: dt.date) -> ColumnElement[Any]:
        value: Any = Strand.data[name].as_string()
        if kind == NUMBER:
            value = cast(func.nullif(value, ""), Float)
        elif yes_no:  # JSON true/false reads as 1/0 on SQLite, true/false on PostgreSQL
            value = case(
                (value.in_(("true", "1")), "Yes"), (value.in_(("false", "0")), "No"), else_=None
            )
        return select(value).where(Strand.id == _strand_of(code)).scalar_subquery()

    return _once(expr)


@_once
def _bedroom_need(_today: dt.date) -> ColumnElement[Any]:
    return (
        select(
            func.coalesce(
                BedroomAssessmentVersion.override_bedrooms, BedroomAssessmentVersion.bedrooms
            )
        )
        .where(BedroomAssessmentVersion.strand_id == _strand_of("bedroom_assessment"))
        .order_by(BedroomAssessmentVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )


CASE = "Case"
APPLICANT = "Primary applicant"
FIGURES = "Worked out"

_FIXED: tuple[Column, ...] = (
    Column(
        "reference",
        "Reference",
        CASE,
        TEXT,
        lambda _t: Case.id,
        indexed_sort=True,
        indexed_filter=True,
        ops=("equals",),
    ),
    Column(
        "status",
        "Status",
        CASE,
        CHOICE,
        lambda _t: Case.status,
        choices=("Active", "Closed"),
        indexed_filter=True,
    ),
    Column("opened", "Opened", CASE, DATE, _opened, indexed_sort=True, indexed_filter=True),
    Column("team", "Team", CASE, CHOICE, _team, indexed_filter=True),
    Column("primary_officer", "Primary officer", CASE, CHOICE, _officer, indexed_filter=True),
    Column("summary", "Summary", CASE, TEXT, lambda _t: Case.summary),
    # sorted by the case's own copy of the name (Case.applicant_sort, domain.case_list)
    Column("applicant", "Name", APPLICANT, TEXT, _applicant, indexed_sort=True),
    Column("born", "Date of birth", APPLICANT, DATE, _born),
    Column("current_address", "Current address", APPLICANT, TEXT, _current_address),
    Column("previous_address", "Previous address", APPLICANT, TEXT, _previous_address),
    Column("portal_account", "Portal account", APPLICANT, TEXT, _portal),
    Column("household_size", "Household size", FIGURES, NUMBER, _household),
    Column(
        "days_open",
        "Days open",
        FIGURES,
        NUMBER,
        lambda _t: literal(0),  # worked out from "opened" (domain.case_list)
        indexed_sort=True,
        indexed_filter=True,
    ),
    Column("open_tasks", "Open tasks", FIGURES, NUMBER, lambda t: _tasks(t, overdue=False)),
    Column("overdue_tasks", "Overdue tasks", FIGURES, NUMBER, lambda t: _tasks(t, overdue=True)),
    Column("pending_changes", "Portal changes waiting", FIGURES, NUMBER, _pending),
)


def _strand_columns(stype: StrandType) -> list[Column]:
    found = [
        Column(
            f"{stype.code}.status",
            "Status",
            stype.name,
            CHOICE,
            _strand_status(stype.code),
            choices=tuple(s.label for s in stype.statuses),
        )
    ]
    if stype.code == "bedroom_assessment":
        found.append(
            Column(f"{stype.code}.need", "Bedrooms needed", stype.name, NUMBER, _bedroom_need)
        )
    for f in stype.fields:
        kind = STRAND_FIELD_KINDS.get(f.kind)
        if kind is None:
            continue  # people and officers are named on the strand's own page
        choices = f.choices if f.kind == "choice" else ("Yes", "No") if f.kind == "yes_no" else ()
        found.append(
            Column(
                f"{stype.code}.{f.name}",
                f.label,
                stype.name,
                kind,
                _strand_field(stype.code, f.name, kind, yes_no=f.kind == "yes_no"),
                choices=tuple(choices),
            )
        )
    return found


_made: tuple[tuple[StrandType, ...], dict[str, Column]] = ((), {})


def case_columns() -> dict[str, Column]:
    """Every column a cases list can show, by key, in the order they are offered (the same
    dict until a strand type changes: don't change it)."""
    global _made
    types = tuple(STRAND_TYPES.values())
    made_for, made = _made
    if (
        made
        and len(made_for) == len(types)
        and all(a is b for a, b in zip(made_for, types, strict=True))
    ):
        return made
    columns = {c.key: c for c in _FIXED}
    for stype in sorted(types, key=lambda t: t.name):
        columns.update((c.key, c) for c in _strand_columns(stype))
    _made = (types, columns)
    return columns


# In the order the columns are offered (a list's columns keep that order).
DEFAULT_COLUMNS = (
    "reference",
    "status",
    "opened",
    "applicant",
    "current_address",
    "household_size",
)


__all__ = [
    "CHOICE",
    "DATE",
    "DEFAULT_COLUMNS",
    "NUMBER",
    "OPERATORS",
    "OPERATOR_WORDS",
    "TEXT",
    "Column",
    "case_columns",
]
