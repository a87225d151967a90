"""The case officers list and the case people list (SPEC X1), configured like the cases list: a
row per assignment (grouped by officer: the workload, with counts by role and of active cases)
and a row per person on a case, each with its own columns and its case's; filters (the officer
and the date assigned, a person's reference: index-backed), sorts with keyset paging that loses
and repeats nothing, restricted cases and people hidden, saved views of their kind, an export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from domain import case_list, cases, clock, lists
from domain.case_list import Filter, ListSpec
from domain.errors import RuleBroken
from domain.exports import SheetWriter
from domain.history import Actor
from domain.models import CaseOfficer, User
from domain.vocab import Permission
from domain.workload_list import workload
from tests.support.factories import make_case, make_officer, make_person, make_team
from tests.web.test_query_counts import Statements


@pytest.fixture
def council(db: Session) -> dict[str, Any]:
    options = make_team(db, "Housing Options")
    rina = make_officer(db, Permission.CASES, name="Rina Patel", team=options)
    sam = make_officer(db, Permission.CASES, name="Sam Whitfield", team=options)
    made = {}
    for first, last, child in [
        ("Amira", "Khan", "Yusuf"),
        ("Daniel", "Brennan", None),
        ("Zofia", "Nowak", "Ola"),
        ("Leah", "Mensah", None),
    ]:
        members = [(make_person(db, child, last, born=dt.date(2016, 1, 5)), "Son")] if child else []
        made[last] = make_case(
            db, make_person(db, first, last), members, team=options, officer=rina
        )
    # Sam is Secondary on two of Rina's cases and Primary on Mensah's with her; Nowak's closed.
    for last, extra in [("Khan", "Secondary"), ("Brennan", "Secondary"), ("Mensah", "Primary")]:
        case = made[last]
        cases.set_officers(
            db,
            Actor.officer(rina),
            case,
            [(rina, "Primary"), (sam, extra)],
            expected_version=case.version,
        )
    made["Nowak"].status = "Closed"
    # Assignment dates a day apart, oldest first, so the date-assigned order is known.
    for n, link in enumerate(db.query(CaseOfficer).order_by(CaseOfficer.id)):
        link.assigned_at = dt.datetime(2026, 3, 1 + n, 10, tzinfo=dt.UTC)
    made["Nowak"].people[1].date_left = dt.date(2025, 6, 1)  # Ola left
    db.flush()
    return {"rina": rina, "sam": sam, **made}


def _run(db: Session, officer: User, spec: ListSpec, **kw: Any) -> case_list.Result:
    return case_list.run(db, spec, clock.today(), officer, **kw)


def test_the_officers_list_has_a_row_per_assignment_newest_first(
    db: Session, council: dict[str, Any]
) -> None:
    spec = ListSpec.standard("officers")
    assert spec.sort == "officer:assigned" and spec.columns[0] == "officer:name"
    result = _run(db, council["rina"], spec)
    rows = [(r.values["officer:name"], r.values["officer:role"], r.reference) for r in result.rows]
    assert len(rows) == 7  # Rina on 4, Sam on 3
    assert rows[0] == ("Sam Whitfield", "Primary", council["Mensah"].reference)
    assert [r.values["officer:assigned"] for r in result.rows] == sorted(
        (r.values["officer:assigned"] for r in result.rows), reverse=True
    )
    assert all(isinstance(r.values["officer:assigned"], dt.date) for r in result.rows)

    sams = ListSpec(
        ("officer:role", "reference", "applicant", "status"),
        (Filter("officer:name", "equals", "sam whitfield"),),
        "applicant",
        False,
        "officers",
    )
    assert case_list.too_broad(db, sams, clock.today()) is None  # narrowed by the officer
    found = _run(db, council["rina"], sams)
    assert [(r.values["applicant"], r.values["officer:role"]) for r in found.rows] == [
        ("Brennan, Daniel", "Secondary"),
        ("Khan, Amira", "Secondary"),
        ("Mensah, Leah", "Primary"),
    ]
    march = ListSpec(
        ("officer:name",),
        (Filter("officer:assigned", "range", "2/3/2026", "3/3/2026"),),
        "officer:assigned",
        False,
        "officers",
    )
    assert len(_run(db, council["rina"], march).rows) == 2


def test_paging_the_officers_list_loses_and_repeats_nothing(
    db: Session, council: dict[str, Any]
) -> None:
    for sort in ("officer:assigned", "applicant", "officer:role", "reference"):
        spec = ListSpec(("officer:name", "reference"), (), sort, True, "officers")
        seen, cursor = [], None
        while True:
            page = _run(db, council["rina"], spec, after=cursor, size=2)
            seen += [r.row_id for r in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == sorted(set(seen)) and len(seen) == 7, sort


def test_grouped_by_officer_the_list_is_the_workload(db: Session, council: dict[str, Any]) -> None:
    spec = ListSpec(("officer:name",), (), "officer:assigned", True, "officers", grouped=True)
    assert spec.as_json()["grouped"] is True
    assert ListSpec.from_json(spec.as_json()).grouped
    found = workload(db, spec, clock.today())
    rows = found.rows
    assert found.problem is None and found.next_cursor is None
    by_name = {w.officer: w for w in rows}
    assert [w.officer for w in rows] == ["Rina Patel", "Sam Whitfield"]  # most first
    assert by_name["Rina Patel"].assignments == 4 and by_name["Rina Patel"].active_cases == 3
    assert by_name["Rina Patel"].by_role["Primary"] == 4
    assert by_name["Sam Whitfield"].by_role == {
        "Primary": 1,
        "Secondary": 2,
        "Supervisor": 0,
        "Other": 0,
    }
    active = ListSpec(
        ("officer:name",),
        (Filter("status", "equals", "Active"),),
        "reference",
        True,
        "officers",
        grouped=True,
    )
    rows = workload(db, active, clock.today()).rows
    assert {w.officer: w.assignments for w in rows} == {"Rina Patel": 3, "Sam Whitfield": 3}
    problem = workload(db, spec, clock.today(), cap=6).problem  # 7 assignments
    assert problem is not None and "up to 6" in problem and "more than 6" in problem
    assert workload(db, spec, clock.today(), cap=7).problem is None
    # a page of one officer: the second page has the other, and the cap still holds on it
    first = workload(db, spec, clock.today(), size=1)
    assert [w.officer for w in first.rows] == ["Rina Patel"] and first.next_cursor
    second = workload(db, spec, clock.today(), size=1, after=first.next_cursor)
    assert [w.officer for w in second.rows] == ["Sam Whitfield"] and second.next_cursor is None
    assert workload(db, spec, clock.today(), size=1, after=first.next_cursor, cap=6).problem
    sams = ListSpec(
        ("officer:name",),
        (Filter("officer:name", "equals", "Sam Whitfield"),),
        "reference",
        True,
        "officers",
        grouped=True,
    )
    found = workload(db, sams, clock.today(), cap=3)  # his 3 assignments
    assert found.problem is None
    assert [(w.officer, w.assignments) for w in found.rows] == [("Sam Whitfield", 3)]
    problem = workload(db, sams, clock.today(), cap=2).problem
    assert problem is not None and "up to 2" in problem
    # grouping is for the officers list only
    assert not ListSpec.from_json({**spec.as_json(), "kind": "cases"}).grouped


def test_the_workload_by_team_follows_cases_moved_closed_and_reopened(
    db: Session, council: dict[str, Any]
) -> None:
    """A team's workload reads each assignment's own copy of its case's team and status, kept
    by the writes that move, close and reopen the case, and by a new assignment."""
    from domain import workload_list

    register = make_team(db, "Housing Register")
    today = clock.today()

    def by_team(name: str) -> dict[str, tuple[int, int]]:
        spec = ListSpec(
            ("officer:name",),
            (Filter("team", "equals", name), Filter("officer:assigned", "range", "01/03/2026")),
            "officer:assigned",
            True,
            "officers",
            grouped=True,
        )
        assert workload_list._on_assignments_alone(db, spec, today) is not None
        found = workload(db, spec, today)
        assert found.problem is None
        return {w.officer: (w.assignments, w.active_cases) for w in found.rows}

    assert by_team("housing options") == {"Rina Patel": (4, 3), "Sam Whitfield": (3, 3)}
    assert by_team("Housing Register") == {}
    council["Khan"].responsible_team = register  # moved, through the relationship
    council["Nowak"].status = "Active"  # reopened
    council["Brennan"].status = "Closed"
    db.flush()
    assert by_team("Housing Register") == {"Rina Patel": (1, 1), "Sam Whitfield": (1, 1)}
    assert by_team("Housing Options") == {"Rina Patel": (3, 2), "Sam Whitfield": (2, 1)}
    cases.set_officers(
        db,
        Actor.officer(council["rina"]),
        council["Nowak"],
        [(council["rina"], "Primary"), (council["sam"], "Other")],
        expected_version=council["Nowak"].version,
    )
    db.flush()
    assert by_team("Housing Options") == {"Rina Patel": (3, 2), "Sam Whitfield": (3, 2)}
    by_status = ListSpec(
        ("officer:name",), (Filter("status", "equals", "Active"),), "reference", True, "officers"
    )
    assert workload_list._on_assignments_alone(db, by_status, today) is None  # needs the case


def test_an_officer_in_two_roles_on_a_case_counts_it_once(
    db: Session, council: dict[str, Any]
) -> None:
    """Sam made Supervisor of Khan's case as well as Secondary: two more of his assignments
    (Supervisor of Khan's and Other on Nowak's), but one more active case — counted the same
    whichever way the workload reads the assignments, and the flag that says so follows the
    roles as they are given and taken away."""
    from domain import workload_list

    rina, sam, khan = council["rina"], council["sam"], council["Khan"]
    today = clock.today()

    def flags() -> dict[tuple[str, str], bool]:
        return {
            (link.user.name, link.role): link.several_roles
            for link in db.query(CaseOfficer).filter_by(case_id=khan.id)
        }

    def sams(filters: tuple[Filter, ...]) -> tuple[int, int]:
        spec = ListSpec(("officer:name",), filters, "reference", True, "officers", grouped=True)
        found = {w.officer: w for w in workload(db, spec, today).rows}
        return found["Sam Whitfield"].assignments, found["Sam Whitfield"].active_cases

    by_team = (Filter("team", "equals", "Housing Options"),)
    by_status = (Filter("status", "equals", "Active"),)
    team_spec = ListSpec(("officer:name",), by_team, "reference", True, "officers")
    assert workload_list._on_assignments_alone(db, team_spec, today) is not None
    assert sams(()) == sams(by_team) == (3, 3)
    cases.set_officers(
        db,
        Actor.officer(rina),
        khan,
        [(rina, "Primary"), (sam, "Secondary"), (sam, "Supervisor")],
        expected_version=khan.version,
    )
    db.flush()
    assert flags() == {
        ("Rina Patel", "Primary"): False,
        ("Sam Whitfield", "Secondary"): True,
        ("Sam Whitfield", "Supervisor"): True,
    }
    assert sams(()) == sams(by_team) == (4, 3)
    assert sams(by_status) == (4, 3)  # read joined to the cases
    cases.set_officers(
        db,
        Actor.officer(rina),
        khan,
        [(rina, "Primary"), (sam, "Supervisor")],
        expected_version=khan.version,
    )
    db.flush()
    assert flags() == {("Rina Patel", "Primary"): False, ("Sam Whitfield", "Supervisor"): False}
    assert sams(()) == sams(by_team) == (3, 3)


def test_the_people_list_has_a_row_per_person_on_a_case(
    db: Session, council: dict[str, Any]
) -> None:
    spec = ListSpec.standard("people")
    result = _run(db, council["rina"], spec)
    assert len(result.rows) == 6
    everyone = ListSpec(
        ("person:name", "person:in_household", "person:relationship", "reference"),
        (),
        "person:name",
        False,
        "people",
    )
    rows = _run(db, council["rina"], everyone).rows
    assert [r.values["person:name"] for r in rows] == [
        "Brennan, Daniel",
        "Khan, Amira",
        "Khan, Yusuf",
        "Mensah, Leah",
        "Nowak, Ola",
        "Nowak, Zofia",
    ]
    assert {r.values["person:name"]: r.values["person:in_household"] for r in rows}[
        "Nowak, Ola"
    ] == "No"
    ola = next(r for r in rows if r.values["person:name"] == "Nowak, Ola")
    assert ola.values["person:relationship"] == "Son" and ola.person_id is not None

    leavers = ListSpec(
        ("person:name", "person:left", "applicant"),
        (Filter("person:in_household", "equals", "no"),),
        "opened",
        True,
        "people",
    )
    [left] = _run(db, council["rina"], leavers).rows
    assert left.values == {
        "person:name": "Nowak, Ola",
        "person:left": dt.date(2025, 6, 1),
        "applicant": "Nowak, Zofia",
        "days_open": left.values["days_open"],
    }
    one = ListSpec(
        ("person:name", "person:reference"),
        (Filter("person:reference", "equals", f"PN-{ola.person_id:07d}"),),
        "opened",
        True,
        "people",
    )
    assert [r.values["person:reference"] for r in _run(db, council["rina"], one).rows] == [
        f"PN-{ola.person_id:07d}"
    ]
    children = ListSpec(
        ("person:name",),
        (Filter("person:born", "range", "1/1/2016", "31/12/2016"),),
        "person:name",
        False,
        "people",
    )
    assert [r.values["person:name"] for r in _run(db, council["rina"], children).rows] == [
        "Khan, Yusuf",
        "Nowak, Ola",
    ]
    _, errors = case_list.spec_from_form(
        {"filter-1-column": "person:reference", "filter-1-op": "equals", "filter-1-value": "x"},
        lambda name: [],
        "people",
    )
    assert errors == {"filter-1-value": "Enter a person reference like PN-0000123"}


def test_restricted_cases_and_people_are_hidden_on_the_people_list(
    db: Session, council: dict[str, Any]
) -> None:
    stranger = make_officer(db, Permission.CASES, name="Bea Lindqvist")
    council["Mensah"].restricted = True
    yusuf = next(p for p in council["Khan"].people if not p.is_primary).person
    yusuf.restricted = True
    db.flush()
    spec = ListSpec(("person:name",), (), "person:name", False, "people")
    rows = _run(db, stranger, spec).rows
    hidden = {r.reference for r in rows if r.hidden}
    assert council["Mensah"].reference in hidden
    shown = [r.values.get("person:name") for r in rows if not r.hidden]
    assert "Khan, Yusuf" not in shown and "Khan, Amira" in shown
    assert sum(1 for r in rows if r.hidden) == 2
    assert "Khan, Yusuf" in [
        r.values.get("person:name") for r in _run(db, council["rina"], spec).rows
    ]


def test_saved_views_keep_their_kind_and_exports_their_columns(
    db: Session, council: dict[str, Any]
) -> None:
    rina = council["rina"]
    spec = ListSpec(
        ("officer:name", "officer:role", "reference"), (), "reference", True, "officers"
    )
    view = lists.save_view(
        db, Actor.officer(rina), rina, spec, name="Who has what", shared=True, make_default=True
    )
    assert view.kind == "officers" and view.list_spec == spec
    assert lists.views_for(db, rina, "officers") == [view]
    assert lists.views_for(db, rina, "cases") == []
    assert lists.default_for(db, rina, "officers") == view
    assert lists.default_for(db, rina, "cases") is None
    with pytest.raises(RuleBroken, match="is a case officers list"):
        lists.save_view(
            db,
            Actor.officer(rina),
            rina,
            ListSpec.standard("people"),
            name="Who has what",
            shared=False,
            make_default=False,
            list_id=view.id,
        )
    writer = SheetWriter(spec)
    writer.add(_run(db, rina, spec).rows)
    writer.save(saved := io.BytesIO())
    sheet = load_workbook(saved)["Assignments"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Reference", "Officer", "Role on the case") and len(rows) == 8
    assert ("Sam Whitfield", "Secondary") in {r[1:] for r in rows}


def test_one_query_fills_a_page_of_either_list(db: Session, council: dict[str, Any]) -> None:
    statements = Statements(db.connection())
    specs = (
        ListSpec(
            ("officer:name", "officer:team", "reference", "applicant", "household_size"),
            (),
            "officer:assigned",
            True,
            "officers",
        ),
        ListSpec(
            ("person:name", "person:current_address", "person:portal_account", "applicant"),
            (),
            "opened",
            True,
            "people",
        ),
    )
    few = [statements.count(lambda s=s: _run(db, council["rina"], s, size=3)) for s in specs]
    for n in range(6):  # more cases, more people, more assignments
        make_case(
            db,
            make_person(db, f"More{n}", "Person"),
            [(make_person(db, f"Child{n}", "Person"), "Son")],
            officer=council["sam"],
        )
    db.flush()
    many = [statements.count(lambda s=s: _run(db, council["rina"], s, size=3)) for s in specs]
    assert many == few
