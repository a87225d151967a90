"""A cases list an officer configures (SPEC X1) on a real database: every column reads its case's
own records (primary applicant, addresses, portal account, officer, figures, an application's
fields, the bedroom need), filters of every kind, sorts on any column with keyset paging that
neither repeats nor loses a case, restricted cases hidden, a sort or filter no index answers
refused clearly when the list is too broad, and one query fills a page however many rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from domain import case_list, clock
from domain.case_list import Filter, ListSpec
from domain.models import Address, User
from domain.vocab import Permission
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    make_team,
    open_housing_register,
)
from tests.web.test_query_counts import Statements

COLUMNS = (
    "reference",
    "applicant",
    "born",
    "current_address",
    "previous_address",
    "portal_account",
    "team",
    "primary_officer",
    "household_size",
    "open_tasks",
    "housing_register.band",
    "housing_register.application_date",
    "bedroom_assessment.need",
)


@pytest.fixture
def council(db: Session) -> dict[str, Any]:
    options, register = make_team(db, "Housing Options"), make_team(db, "Housing Register")
    sam = make_officer(db, Permission.CASES, name="Sam Whitfield", team=options)
    amira = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
    amira.addresses[0].date_to = dt.date(2025, 1, 31)
    amira.addresses.append(
        Address(line_1="4 Mill Lane", postcode="NB2 2BB", date_from=dt.date(2025, 2, 1))
    )
    make_portal_account(db, amira, email="amira@example.com")
    khan = make_case(
        db,
        amira,
        [(make_person(db, "Yusuf", "Khan", born=dt.date(2016, 1, 5)), "Son")],
        team=options,
        officer=sam,
    )
    register_strand = open_housing_register(db, khan)
    register_strand.data = {"band": "Band A (urgent)", "application_date": "2025-03-01"}
    nowak = make_case(db, make_person(db, "Zofia", "Nowak"), team=register)
    brennan = make_case(db, make_person(db, "Daniel", "Brennan"), team=options)
    open_housing_register(db, brennan).data = {"band": "Band C (medium)"}
    hidden = make_case(db, make_person(db, "Leah", "Mensah"), team=options)
    hidden.restricted = True
    db.flush()
    return {"sam": sam, "khan": khan, "nowak": nowak, "brennan": brennan, "hidden": hidden}


def _run(db: Session, officer: User, spec: ListSpec, **kw: Any) -> case_list.Result:
    return case_list.run(db, spec, clock.today(), officer, **kw)


def _refs(result: case_list.Result) -> list[str]:
    return [r.reference for r in result.rows]


def test_every_column_reads_the_cases_own_records(db: Session, council: dict[str, Any]) -> None:
    spec = ListSpec(columns=COLUMNS, sort="reference", descending=False)
    result = _run(db, council["sam"], spec)
    assert [c.key for c in result.columns] == list(COLUMNS)
    rows = {r.reference: r for r in result.rows}
    khan = rows[council["khan"].reference].values
    assert khan == {
        "applicant": "Khan, Amira",
        "born": dt.date(1988, 4, 2),
        "current_address": "4 Mill Lane, NB2 2BB",
        "previous_address": "1 Test Street, NB1 1AA",
        "portal_account": "amira@example.com",
        "team": "Housing Options",
        "primary_officer": "Sam Whitfield",
        "household_size": 2,
        "open_tasks": 1,  # the register application's "check" (its "decide" waits for it)
        "housing_register.band": "Band A (urgent)",
        "housing_register.application_date": dt.date(2025, 3, 1),
        "bedroom_assessment.need": 2,
        "days_open": 0,
    }
    nowak = rows[council["nowak"].reference].values
    assert nowak["housing_register.band"] is None and nowak["previous_address"] is None
    assert nowak["team"] == "Housing Register" and nowak["primary_officer"] is None
    hidden = rows[council["hidden"].reference]
    assert hidden.hidden and hidden.values == {}  # Sam is not on the restricted case

    lead = make_officer(db, Permission.CASES, Permission.RESTRICTED, name="Tom Adeyemi")
    rows = {r.reference: r for r in _run(db, lead, spec).rows}
    assert rows[council["hidden"].reference].values["applicant"] == "Mensah, Leah"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([Filter("applicant", "contains", "KHA")], ["khan"]),
        ([Filter("team", "equals", "housing options")], ["khan", "brennan", "hidden"]),
        ([Filter("housing_register.band", "equals", "band c (medium)")], ["brennan"]),
        ([Filter("housing_register.band", "empty")], ["nowak", "hidden"]),
        ([Filter("housing_register.band", "not_empty")], ["khan", "brennan"]),
        ([Filter("household_size", "range", "2")], ["khan"]),
        ([Filter("household_size", "range", "", "1")], ["nowak", "brennan", "hidden"]),
        (
            [Filter("housing_register.application_date", "range", "1/2/2025", "31/3/2025")],
            ["khan"],
        ),
        ([Filter("born", "range", "", "1/1/1989")], ["khan"]),
        ([Filter("primary_officer", "equals", "Sam Whitfield")], ["khan"]),
        ([Filter("portal_account", "not_empty")], ["khan"]),
        (
            [Filter("team", "equals", "Housing Options"), Filter("applicant", "contains", "n")],
            ["khan", "brennan", "hidden"],
        ),
        ([Filter("status", "equals", "Closed")], []),
        ([Filter("days_open", "range", "0", "0")], ["khan", "nowak", "brennan", "hidden"]),
        ([Filter("days_open", "range", "1")], []),
    ],
)
def test_filters_of_every_kind(
    db: Session, council: dict[str, Any], filters: list[Filter], expected: list[str]
) -> None:
    spec = ListSpec(
        columns=("reference",), filters=tuple(filters), sort="reference", descending=False
    )
    assert _refs(_run(db, council["sam"], spec)) == [council[k].reference for k in expected]


def test_the_opened_date_filter_and_the_reference(db: Session, council: dict[str, Any]) -> None:
    today = clock.today().strftime("%d/%m/%Y")
    spec = ListSpec(filters=(Filter("opened", "range", today, today),), sort="reference")
    assert len(_run(db, council["sam"], spec).rows) == 4
    spec = ListSpec(filters=(Filter("reference", "equals", council["brennan"].reference),))
    assert _refs(_run(db, council["sam"], spec)) == [council["brennan"].reference]


@pytest.mark.parametrize("descending", [False, True])
def test_any_column_sorts_and_pages_without_repeating_or_losing_a_case(
    db: Session, council: dict[str, Any], descending: bool
) -> None:
    spec = ListSpec(columns=("applicant",), sort="applicant", descending=descending)
    seen: list[str] = []
    cursor = None
    while True:
        page = _run(db, council["sam"], spec, after=cursor, size=1)
        seen += _refs(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    by_name = ["brennan", "khan", "hidden", "nowak"]  # Brennan, Khan, Mensah, Nowak
    expected = [council[k].reference for k in by_name]
    assert seen == (expected[::-1] if descending else expected)

    by_band = ListSpec(sort="housing_register.band", descending=False)
    first = _refs(_run(db, council["sam"], by_band, size=3))
    assert first == [council[k].reference for k in ("nowak", "hidden", "khan")]  # none, Band A


def test_a_sort_or_filter_no_index_answers_is_refused_when_the_list_is_too_broad(
    db: Session, council: dict[str, Any]
) -> None:
    today = clock.today()
    broad = ListSpec(sort="applicant", filters=(Filter("household_size", "range", "2"),))
    said = case_list.too_broad(db, broad, today, cap=3)
    assert said is not None
    assert "filtering on household size works out" in said  # a name sorts by an index
    assert "up to 3 cases" in said and "more than 3" in said
    narrowed = ListSpec(
        sort="applicant",
        filters=(
            Filter("team", "equals", "Housing Register"),
            Filter("applicant", "contains", "o"),
        ),
    )
    assert case_list.too_broad(db, narrowed, today, cap=3) is None
    indexed = ListSpec(sort="opened", filters=(Filter("status", "equals", "Active"),))
    assert case_list.too_broad(db, indexed, today, cap=1) is None


def _son_made_primary(db: Session, officer: User, khan: Any, renamed: str | None = None) -> None:
    """Yusuf Khan (renamed first, if asked) becomes the Khans' primary applicant."""
    from domain import household
    from domain.history import Actor

    yusuf = next(cp for cp in khan.people if not cp.is_primary)
    if renamed:
        yusuf.person.first_name = renamed
    household.switch_primary_applicant(
        db,
        Actor.officer(officer),
        khan,
        yusuf.person_id,
        relationships={khan.primary.person_id: "Parent"},
        on=clock.today(),
        confirm_child=True,
    )
    db.flush()
    db.expire_all()


def test_a_list_sorted_by_name_follows_renaming_and_a_new_primary_applicant(
    db: Session, council: dict[str, Any]
) -> None:
    """The case's own copy of its applicant's name, which the sort reads, is kept by the
    write that changes it: a primary applicant renamed, another member made primary."""

    spec = ListSpec(columns=("applicant",), sort="applicant", descending=False)
    khan, brennan = council["khan"], council["brennan"]
    brennan.primary.person.last_name = "Zimmer"  # Daniel Brennan is now Daniel Zimmer
    db.flush()
    order = ["khan", "hidden", "nowak", "brennan"]  # Khan, Mensah, Nowak, Zimmer
    assert _refs(_run(db, council["sam"], spec)) == [council[k].reference for k in order]
    _son_made_primary(db, council["sam"], khan)
    assert khan.applicant_sort == "khan, yusuf" and brennan.applicant_sort == "zimmer, daniel"
    rows = _run(db, council["sam"], spec).rows
    assert _refs(_run(db, council["sam"], spec)) == [council[k].reference for k in order]
    names = [r.values["applicant"] for r in rows if not r.hidden]  # Mensah's is restricted
    assert names == ["Khan, Yusuf", "Nowak, Zofia", "Zimmer, Daniel"]
    assert case_list.too_broad(db, ListSpec(sort="applicant"), clock.today(), cap=1) is None


@pytest.mark.parametrize("descending", [False, True])
def test_one_officers_cases_by_name_read_their_assignments_in_order_and_follow_each_write(
    db: Session, council: dict[str, Any], descending: bool
) -> None:
    """One officer's cases sorted by name are read from their assignments, each with its own
    copy of the case's name: a new assignment takes it, a renamed applicant and a new primary
    applicant write it again, the other filters still hold, and pages neither repeat nor lose
    a case."""
    from domain.models import CaseOfficer

    sam, khan, nowak, brennan = (council[k] for k in ("sam", "khan", "nowak", "brennan"))
    ola = make_officer(db, Permission.CASES, name="Ola Bright")
    brennan.officers.append(CaseOfficer(user=sam, role="Primary"))
    nowak.officers.append(CaseOfficer(user=sam, role="Primary"))
    council["hidden"].officers.append(CaseOfficer(user=ola, role="Primary"))
    khan.officers.append(CaseOfficer(user=ola, role="Supervisor"))
    db.flush()
    mine = Filter("primary_officer", "equals", "SAM WHITFIELD")
    spec = ListSpec(
        columns=("applicant",), filters=(mine,), sort="applicant", descending=descending
    )

    def every_page() -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = _run(db, sam, spec, after=cursor, size=1)
            seen += _refs(page)
            if page.next_cursor is None:
                return seen[::-1] if descending else seen
            cursor = page.next_cursor

    def expect(*keys: str) -> list[str]:
        return [council[k].reference for k in keys]

    assert every_page() == expect("brennan", "khan", "nowak")  # Brennan, Khan, Nowak
    brennan.primary.person.last_name = "Zimmer"
    nowak.primary.person.last_name = "Adams"
    db.flush()
    assert every_page() == expect("nowak", "khan", "brennan")  # Adams, Khan, Zimmer
    _son_made_primary(db, sam, khan, renamed="Aaron")  # sorts before Amira Khan once primary
    copies = {(o.user.name, o.role): o.applicant_sort for o in khan.officers}
    assert copies == {
        ("Sam Whitfield", "Primary"): "khan, aaron",
        ("Ola Bright", "Supervisor"): "khan, aaron",
    }
    assert every_page() == expect("nowak", "khan", "brennan")
    in_options = ListSpec(
        columns=("applicant",),
        filters=(mine, Filter("team", "equals", "Housing Options")),
        sort="applicant",
        descending=descending,
    )
    found = _refs(_run(db, sam, in_options))
    assert found == (expect("brennan", "khan") if descending else expect("khan", "brennan"))
    theirs = ListSpec(
        filters=(Filter("primary_officer", "equals", "Ola Bright"),), sort="applicant"
    )
    assert _refs(_run(db, sam, theirs)) == expect("hidden")  # listed, its values hidden


def test_one_officers_cases_by_name_are_read_from_the_assignments_index(
    db: Session, council: dict[str, Any]
) -> None:
    """The page's statement walks case_officer (user_id, role, applicant_sort, case_id) in
    order and stops at the page, whatever the officer's caseload."""
    from sqlalchemy import text

    from domain import primary_officer

    spec = ListSpec(
        filters=(Filter("primary_officer", "equals", "Sam Whitfield"),), sort="applicant"
    )
    found = primary_officer.by_name(db, spec, lambda f: None)
    assert found is not None
    rows, keys = found
    page = rows.order_by(*(k.column for k in keys)).limit(26)
    sql = page.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    if db.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r[-1]) for r in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
    else:
        db.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.scalars(text(f"EXPLAIN {sql}")))
        assert "Sort" not in plan.replace("Sort Key", ""), plan
    assert "ix_case_officer_user_id_role_applicant_sort" in plan, plan


def test_one_query_fills_a_page_however_many_rows(db: Session, council: dict[str, Any]) -> None:
    statements = Statements(db.connection())
    spec = ListSpec(columns=COLUMNS, sort="opened")
    officer = make_officer(db, Permission.CASES, Permission.RESTRICTED)
    db.flush()
    few = statements.count(lambda: _run(db, officer, spec, size=2))
    for n in range(6):
        make_case(db, make_person(db, f"Extra{n}", "Person"))
    db.flush()
    db.expire_all()
    assert officer.can(Permission.RESTRICTED)  # the officer as a request has them, loaded
    many = statements.count(lambda: _run(db, officer, spec, size=10))
    # the page's cases, then every column of them at once (and on PostgreSQL, first, the
    # setting that plans them for their values)
    assert many == few == (3 if db.get_bind().dialect.name == "postgresql" else 2)


def test_the_statement_filling_a_page_is_built_once_for_its_columns_and_day(
    db: Session, council: dict[str, Any]
) -> None:
    """Building it and working out its cache key cost a list page more than running it."""
    officer = make_officer(db, Permission.CASES)
    db.flush()
    spec = ListSpec(columns=COLUMNS, sort="opened")
    first = _run(db, officer, spec, size=2)
    built = case_list._fill_statement.cache_info()
    second = _run(db, officer, spec, size=2, after=first.next_cursor)
    assert case_list._fill_statement.cache_info().hits == built.hits + 1
    assert case_list._fill_statement.cache_info().misses == built.misses
    assert not {r.reference for r in first.rows} & {r.reference for r in second.rows}
    fewer = _run(db, officer, ListSpec(columns=COLUMNS[:3], sort="opened"), size=2)
    assert [r.reference for r in fewer.rows] == [r.reference for r in first.rows]
    shown = [r for r in fewer.rows if not r.hidden]
    assert shown and all(set(r.values) == {*COLUMNS[1:3], "days_open"} for r in shown)


def test_what_an_officer_asks_for_is_checked_with_clear_messages() -> None:
    form = {
        "filter-1-column": "household_size",
        "filter-1-op": "contains",
        "filter-2-column": "opened",
        "filter-2-op": "range",
        "filter-2-value": "31/2/2026",
        "filter-3-column": "household_size",
        "filter-3-op": "range",
        "filter-3-value": "5",
        "filter-3-to": "2",
        "sort": "nonsense",
    }
    wrong_band = {
        "filter-1-column": "housing_register.band",
        "filter-1-op": "equals",
        "filter-1-value": "Band E",
    }
    _, said = case_list.spec_from_form(wrong_band, lambda name: [])
    assert said == {
        "filter-1-value": "Band must be one of: Band A (urgent), Band B (high), "
        "Band C (medium), Band D (low)"
    }
    columns = ["reference", "applicant", "no_such_column"]
    spec, errors = case_list.spec_from_form(form, lambda name: columns if name == "column" else [])
    assert errors == {
        "filter-1-op": "Choose how to filter on household size",
        "filter-2-value": "Enter a date like 27/3/2026 for opened",
        "filter-3-value": "The lowest household size must not be after the highest",
    }
    assert spec.columns == ("reference", "applicant") and spec.sort == "opened"
    valid = ListSpec(
        columns=("reference", "housing_register.band"),
        filters=(Filter("opened", "range", "1/3/2026", "31/3/2026"),),
        sort="housing_register.band",
        descending=False,
    )
    assert ListSpec.from_json(valid.as_json()) == valid
    assert ListSpec.from_json({"columns": ["gone.field"], "sort": "gone"}) == ListSpec()
    posted = {  # a spec posted back is checked as the form is
        "filters": [
            {"column": "applicant", "op": "range", "value": "1"},
            {"column": "household_size", "op": "range", "value": "x"},
            {"column": "status", "op": "equals", "value": "Active"},
        ]
    }
    assert ListSpec.from_json(posted).filters == (Filter("status", "equals", "Active"),)
