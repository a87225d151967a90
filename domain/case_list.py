"""A cases list an officer configures (SPEC X1): the columns they chose (`domain.list_columns`),
filters on any of them, a sort on any of them, keyset paging — and what it costs at a million
cases.

**What an index answers.** Sorting by reference, date opened, days open or name, and
filtering on reference, status, team, Primary officer, date opened or days open, are answered
by indexes (the primary key, ``housing_case (created_at, id)``, ``(status, created_at)``,
``(responsible_team_id, id)``, ``(applicant_sort, id)`` and ``case_officer (user_id, role,
applicant_sort, case_id)``, `domain.primary_officer`), so such a page costs the same at
any size. Any other sort or filter needs every candidate case's value worked out: the list runs
it only when the index-backed filters narrow the list to :data:`MAX_WORKED_OUT` cases or fewer
(a capped count, itself index-backed), and otherwise says which filter or sort is the reason
and how to narrow the list — never a page that takes half a minute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, bindparam, cast, func, literal, select
from sqlalchemy.orm import Session

from domain import paging, primary_officer, restricted
from domain.list_columns import CHOICE, DATE, DEFAULT_COLUMNS, NUMBER, TEXT, Column, case_columns
from domain.list_kinds import CASES, OFFICERS, ListKind, kind_of
from domain.models import (
    Case,
    CasePerson,
    Person,
    Team,
    User,
    format_case_reference,
    format_person_reference,
    parse_case_reference,
    parse_person_reference,
)

PAGE_SIZE = 25
MAX_COLUMNS = 12
MAX_FILTERS = 3
MAX_WORKED_OUT = 20_000
VALUE_MAX = 100
LONDON = ZoneInfo("Europe/London")
_DAY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


@dataclass(frozen=True)
class Filter:
    column: str
    op: str
    value: str = ""
    to: str = ""


@dataclass(frozen=True)
class ListSpec:
    """What a list shows: which list (its kind: cases, officers or people), columns in order,
    filters (all must hold) and the sort."""

    columns: tuple[str, ...] = DEFAULT_COLUMNS
    filters: tuple[Filter, ...] = ()
    sort: str = "opened"
    descending: bool = True
    kind: str = CASES
    grouped: bool = False  # the officers list by officer: the workload, with counts

    @classmethod
    def standard(cls, kind: str = CASES) -> ListSpec:
        """A list of the kind with its standard columns and order."""
        list_kind = kind_of(kind)
        return cls(list_kind.default_columns, (), list_kind.default_sort, True, list_kind.code)

    @property
    def list_kind(self) -> ListKind:
        return kind_of(self.kind)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "columns": list(self.columns),
            "filters": [
                {"column": f.column, "op": f.op, "value": f.value, "to": f.to} for f in self.filters
            ],
            "sort": self.sort,
            "descending": self.descending,
            "grouped": self.grouped,
        }

    @classmethod
    def from_json(cls, data: Any, kind: str | None = None) -> ListSpec:
        """A saved spec; what no longer exists (a strand type's field removed) is left out."""
        if not isinstance(data, Mapping):
            return cls.standard(kind or CASES)
        list_kind = kind_of(kind or str(data.get("kind") or CASES))
        known = list_kind.columns()
        columns = tuple(c for c in data.get("columns") or () if c in known)[:MAX_COLUMNS]
        given = (
            Filter(
                str(f.get("column")),
                str(f.get("op")),
                str(f.get("value", ""))[:VALUE_MAX],
                str(f.get("to", ""))[:VALUE_MAX],
            )
            for f in data.get("filters") or ()
            if isinstance(f, Mapping) and f.get("column") in known
        )
        # only filters the form would have let through (a posted spec is not to be trusted)
        filters = tuple(
            f
            for f in given
            if f.op in known[f.column].operators
            and _check_value(known[f.column], f.op, f.value, f.to) is None
        )[:MAX_FILTERS]
        sort = str(data.get("sort") or list_kind.default_sort)
        return cls(
            columns=columns or list_kind.default_columns,
            filters=filters,
            sort=sort if sort in known else list_kind.default_sort,
            descending=bool(data.get("descending", True)),
            kind=list_kind.code,
            grouped=bool(data.get("grouped")) and list_kind.code == OFFICERS,
        )


def spec_from_form(
    form: Mapping[str, Any], getlist: Any, kind: str = CASES
) -> tuple[ListSpec, dict[str, str]]:
    """The spec an officer chose on the list's form, and what is wrong with it, by field."""
    list_kind = kind_of(kind)
    known = list_kind.columns()
    errors: dict[str, str] = {}
    columns = tuple(dict.fromkeys(c for c in getlist("column") if c in known))
    if not columns:
        columns = list_kind.default_columns
    if len(columns) > MAX_COLUMNS:
        errors["column"] = f"Choose {MAX_COLUMNS} columns or fewer"
        columns = columns[:MAX_COLUMNS]
    filters: list[Filter] = []
    for n in range(1, MAX_FILTERS + 1):
        key = str(form.get(f"filter-{n}-column") or "")
        if not key:
            continue
        column = known.get(key)
        op = str(form.get(f"filter-{n}-op") or "")
        value = " ".join(str(form.get(f"filter-{n}-value") or "").split())
        to = " ".join(str(form.get(f"filter-{n}-to") or "").split())
        if column is None:
            errors[f"filter-{n}-column"] = "Choose a column to filter on"
            continue
        if op not in column.operators:
            errors[f"filter-{n}-op"] = f"Choose how to filter on {column.label.lower()}"
            continue
        problem = _check_value(column, op, value, to)
        if problem:
            errors[f"filter-{n}-value"] = problem
        filters.append(Filter(key, op, value, to))
    sort = str(form.get("sort") or list_kind.default_sort)
    if sort not in known:
        sort = list_kind.default_sort
    descending = form.get("order") != "ascending"
    grouped = form.get("group") == "officer" and list_kind.code == OFFICERS
    return ListSpec(columns, tuple(filters), sort, descending, list_kind.code, grouped), errors


def parse_day(text: str) -> dt.date | None:
    """A date as typed (27/3/2026 or 2026-03-27), else None."""
    return _day(text)


def _day(text: str) -> dt.date | None:
    match = _DAY.match(text)
    try:
        if match:
            day, month, year = (int(p) for p in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "").replace("£", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _check_value(column: Column, op: str, value: str, to: str) -> str | None:
    name = column.label.lower()
    if op in ("empty", "not_empty"):
        return None
    if len(value) > VALUE_MAX or len(to) > VALUE_MAX:
        return f"The value for {name} must be {VALUE_MAX} characters or fewer"
    if op == "range":
        if not value and not to:
            return f"Enter a lowest or highest {name}, or both"
        parse = _day if column.kind == DATE else _number
        example = "a date like 27/3/2026" if parse is _day else "a number like 3"
        for given in (value, to):
            if given and parse(given) is None:
                return f"Enter {example} for {name}"
        low, high = (parse(v) if v else None for v in (value, to))
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            return f"The lowest {name} must not be after the highest"
        return None
    if not value:
        return f"Enter what {name} should {'contain' if op == 'contains' else 'be'}"
    if column.key == "reference" and parse_case_reference(value) is None:
        return "Enter a case reference like HC-000123"
    if column.key == "person:reference" and parse_person_reference(value) is None:
        return "Enter a person reference like PN-0000123"
    if (
        op == "equals"
        and column.choices
        and value.lower() not in {c.lower() for c in column.choices}
    ):
        return f"{column.label} must be one of: {', '.join(column.choices)}"
    return None


# --- running a list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case_id: int
    reference: str
    hidden: bool
    values: dict[str, Any]
    row_id: int = 0  # the case's, the assignment's or the membership's id
    person_id: int | None = None  # on the people list


@dataclass(frozen=True)
class Result:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    next_cursor: str | None = None
    problem: str | None = None  # why the list was not run (too broad for what it asks)


def _london_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), LONDON).astimezone(dt.UTC)


def _clause(column: Column, f: Filter, today: dt.date, session: Session) -> Any:
    """The filter as SQL; index-backed for the columns that say so."""
    if column.clause is not None:
        return column.clause(f, today, session)
    key = column.key
    if key == "reference":
        return Case.id == (parse_case_reference(f.value) or 0)
    if key == "days_open":  # n days open = opened n days before today
        expr: Any = Case.created_at
        if f.op == "range":
            low, high = _number(f.value) if f.value else None, _number(f.to) if f.to else None
            clauses = []
            if low is not None:
                clauses.append(expr < _london_midnight(today - dt.timedelta(days=int(low) - 1)))
            if high is not None:
                clauses.append(expr >= _london_midnight(today - dt.timedelta(days=int(high))))
            return and_(*clauses)
        return literal(f.op == "not_empty")
    if key == "opened" and f.op == "range":
        clauses = []
        start, end = _day(f.value), _day(f.to)
        if start is not None:
            clauses.append(Case.created_at >= _london_midnight(start))
        if end is not None:
            clauses.append(Case.created_at < _london_midnight(end + dt.timedelta(days=1)))
        return and_(*clauses)
    if key == "team" and f.op == "equals":
        return Case.responsible_team_id == team_named(session, f.value)
    if key == "primary_officer" and f.op == "equals":
        return primary_officer.clause(session, f.value)
    value_expr = column.expr(today)
    if f.op == "empty":
        return value_expr.is_(None) if column.kind != TEXT else func.coalesce(value_expr, "") == ""
    if f.op == "not_empty":
        return (
            value_expr.is_not(None) if column.kind != TEXT else func.coalesce(value_expr, "") != ""
        )
    if f.op == "contains":
        escaped = f.value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return func.lower(value_expr).like(f"%{escaped}%", escape="\\")
    if f.op == "equals":
        return func.lower(value_expr) == f.value.lower()
    # a range of numbers or dates (dates of strand fields are ISO text, which sorts as dates)
    clauses = []
    if column.kind == DATE:
        low_d, high_d = (_day(v) if v else None for v in (f.value, f.to))
        real = column.key in REAL_DATES  # a date column; a strand's dates are ISO text
        if low_d is not None:
            clauses.append(value_expr >= (low_d if real else low_d.isoformat()))
        if high_d is not None:
            clauses.append(value_expr <= (high_d if real else high_d.isoformat()))
    else:
        low_n, high_n = (_number(v) if v else None for v in (f.value, f.to))
        if low_n is not None:
            clauses.append(value_expr >= float(low_n))
        if high_n is not None:
            clauses.append(value_expr <= float(high_n))
    return and_(*clauses)


def team_named(session: Session, name: str) -> int:
    """The id of the team of that name, in any case (0, which no team has, when none is)."""
    return session.scalar(select(Team.id).where(func.lower(Team.name) == name.lower())) or 0


def clause_for(column: Column, f: Filter, today: dt.date, session: Session) -> Any:
    """A filter as SQL, for a query over the list's rows of its own."""
    return _clause(column, f, today, session)


def _sort_keys(
    column: Column, today: dt.date, descending: bool, kind: ListKind
) -> tuple[paging.SortKey, ...]:
    """The column's order, then the row's id (so the keys are unique together)."""
    if column.sort_by is not None:
        return tuple(column.sort_by(descending))
    return (
        _sort_key(column, today, descending),
        paging.SortKey(kind.root.id, descending=descending),
    )


def _sort_key(column: Column, today: dt.date, descending: bool) -> paging.SortKey:
    if column.key in ("opened", "days_open"):
        # more days open = opened earlier
        flip = descending if column.key == "opened" else not descending
        return paging.SortKey(Case.created_at, descending=flip, kind=dt.datetime)
    if column.key == "reference":
        return paging.SortKey(Case.id, descending=descending)
    if column.key == "applicant":  # coalesce(lower(the name), ''), kept on the case, indexed
        return paging.SortKey(Case.applicant_sort, descending=descending, kind=str)
    expr = column.expr(today)
    if column.kind == NUMBER:
        return paging.SortKey(
            func.coalesce(cast(expr, Float), -1.0e15), descending=descending, kind=float
        )
    if column.kind == DATE:
        if column.key in REAL_DATES:
            return paging.SortKey(
                func.coalesce(expr, dt.date(1, 1, 1)), descending=descending, kind=dt.date
            )
        return paging.SortKey(func.coalesce(expr, ""), descending=descending, kind=str)
    return paging.SortKey(func.coalesce(func.lower(expr), ""), descending=descending, kind=str)


def too_broad(
    session: Session, spec: ListSpec, today: dt.date, *, cap: int = MAX_WORKED_OUT
) -> str | None:
    """Why the list cannot be run as asked (None when it can): its sort or a filter is not
    index-backed and its index-backed filters leave more than `cap` rows."""
    kind = spec.list_kind
    known = kind.columns()
    slow = [known[f.column] for f in spec.filters if not known[f.column].indexed_filter]
    sort = known[spec.sort]
    if not sort.indexed_sort:
        slow.append(sort)
    if not slow:
        return None
    quick = [
        _clause(known[f.column], f, today, session)
        for f in spec.filters
        if known[f.column].indexed_filter
    ]
    found = paging.count_up_to(session, kind.select(kind.root.id).where(*quick), cap)
    if not found.more:
        return None
    what = ", ".join(dict.fromkeys(c.label.lower() for c in slow))
    narrow = _words(c.label.lower() for c in known.values() if c.indexed_filter)
    order = _words(c.label.lower() for c in known.values() if c.indexed_sort)
    return (
        f"Sorting or filtering on {what} works out the value for each of the {kind.plural}, so "
        f"it runs on up to {cap:,} {kind.plural}; this list has {found}. Narrow it first with a "
        f"filter on {narrow}, or sort by {order}."
    )


def _words(items: Any) -> str:
    found = list(dict.fromkeys(items))
    return ", ".join(found[:-1]) + " or " + found[-1] if len(found) > 1 else "".join(found)


def count(session: Session, spec: ListSpec, today: dt.date, cap: int) -> paging.Count:
    """How many rows the list has, up to `cap`."""
    kind = spec.list_kind
    known = kind.columns()
    clauses = [_clause(known[f.column], f, today, session) for f in spec.filters]
    return paging.count_up_to(session, kind.select(kind.root.id).where(*clauses), cap)


def run(
    session: Session,
    spec: ListSpec,
    today: dt.date,
    user: User,
    *,
    after: str | None = None,
    size: int = PAGE_SIZE,
    check_breadth: bool = True,
) -> Result:
    """A page of the list (the rows' values filled by one query)."""
    paging.plan_for_values(session)
    kind = spec.list_kind
    known = kind.columns()
    columns = [known[c] for c in spec.columns if c in known]
    if check_breadth:
        problem = too_broad(session, spec, today)
        if problem:
            return Result(columns, problem=problem)
    by_officer = primary_officer.by_name(
        session, spec, lambda f: _clause(known[f.column], f, today, session)
    )
    if by_officer is not None:
        rows, keys = by_officer
    else:
        clauses = [_clause(known[f.column], f, today, session) for f in spec.filters]
        keys = _sort_keys(known[spec.sort], today, spec.descending, kind)
        rows = kind.select(*(k.column.label(f"k{n}") for n, k in enumerate(keys))).where(*clauses)
    page: paging.Page[Any] = paging.fetch(
        session,
        rows,
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: tuple(row),
        scalars=False,
    )
    ids = [row[-1] for row in page.rows]  # the row's id is the last key
    return Result(columns, fill(session, kind, ids, columns, today, user), page.next_cursor)


REAL_DATES = frozenset({"born", "person:born", "person:joined", "person:left"})


def fill(
    session: Session,
    kind: ListKind,
    ids: Sequence[int],
    columns: Sequence[Column],
    today: dt.date,
    user: User,
) -> list[Row]:
    """The rows `ids` name (of the list's kind), in that order, with every column's value."""
    if not ids:
        return []
    wanted = tuple(c for c in columns if c.key not in ("reference", "days_open"))
    values = {
        row.row_id: row
        for row in session.execute(_fill_statement(kind, wanted, today), {"ids": list(ids)})
    }
    known_opened = _opened_column()
    hidden = restricted.hidden_cases(
        session, user, {(v.case_id, v.restricted) for v in values.values()}
    )
    hidden_people: set[int] = set()
    if kind.root is CasePerson:
        hidden_people = _hidden_people(session, user, values.values())
    rows = []
    for row_id in ids:
        got = values.get(row_id)
        if got is None:
            continue
        shut = got.case_id in hidden or (kind.root is CasePerson and got.person_id in hidden_people)
        shown: dict[str, Any] = {}
        if not shut:
            for n, c in enumerate(wanted):
                shown[c.key] = _shown(c, got._mapping[f"c{n}"])
            shown["days_open"] = (today - _shown(known_opened, got.created_at)).days
        rows.append(
            Row(
                got.case_id,
                format_case_reference(got.case_id),
                shut,
                shown,
                row_id=row_id,
                person_id=got.person_id,
            )
        )
    return rows


@lru_cache(maxsize=256)
def _fill_statement(kind: ListKind, wanted: tuple[Column, ...], today: dt.date) -> Any:
    """The statement filling a page's rows, built once for the list's kind, columns and day:
    building it (every column's correlated expression) and working out its cache key cost a
    list page more than running it. The rows' ids are its one parameter."""
    person = kind.root.person_id if kind.root is CasePerson else literal(None)
    return kind.select(
        kind.root.id.label("row_id"),
        Case.id.label("case_id"),
        Case.restricted,
        Case.created_at,
        person.label("person_id"),
        *(c.expr(today).label(f"c{n}") for n, c in enumerate(wanted)),
    ).where(kind.root.id.in_(bindparam("ids", expanding=True)))


def _hidden_people(session: Session, user: User, rows: Iterable[Any]) -> set[int]:
    """The restricted people among the rows this officer may not open (one query)."""
    found = list(rows)
    flags = dict(
        session.execute(
            select(Person.id, Person.restricted).where(
                Person.id.in_({r.person_id for r in found}), Person.restricted
            )
        ).all()
    )
    if not flags:
        return set()
    cases: dict[int, list[int]] = {}
    for person_id, case_id in session.execute(
        select(CasePerson.person_id, CasePerson.case_id).where(CasePerson.person_id.in_(flags))
    ):
        cases.setdefault(person_id, []).append(case_id)
    return restricted.hidden_people(session, user, [(p, True, cases.get(p, [])) for p in flags])


def _opened_column() -> Column:
    return case_columns()["opened"]


def _shown(column: Column, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(LONDON).date()
    if column.kind == DATE and isinstance(value, str):
        return _day(value) or value
    if column.key == "person:reference" and isinstance(value, int):
        return format_person_reference(value)
    if column.kind == NUMBER and isinstance(value, float) and value.is_integer():
        return int(value)
    if column.kind == CHOICE and isinstance(value, bool):
        return "Yes" if value else "No"
    return value


__all__ = [
    "MAX_FILTERS",
    "MAX_WORKED_OUT",
    "PAGE_SIZE",
    "Filter",
    "ListSpec",
    "Result",
    "Row",
    "clause_for",
    "count",
    "fill",
    "parse_day",
    "run",
    "spec_from_form",
    "too_broad",
]
