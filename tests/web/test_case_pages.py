"""The back-office case pages: the cases list and search, and the case's tabs (Dashboard,
People with switching the primary applicant, Portal, History)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from domain.models import Case, HistoryEvent, User
from domain.vocab import CaseStatus, Permission
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
)
from tests.support.pages import Pages
from tests.web.case_fixtures import NOTIFIER, D, QueryCounter, _link, age, submit

# --- permissions and errors -------------------------------------------------------------------


def test_case_pages_need_the_cases_permission(
    pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.PEOPLE)
    case_id = family["case"].id
    assert "You need the “Cases” permission" in pages.get("backoffice:cases", status=403).text
    for name in ("case", "case_people", "case_strands", "case_portal", "case_history"):
        pages.get(f"backoffice:{name}", status=403, case_id=case_id)
    pages.get("backoffice:case_switch_primary", status=403, case_id=case_id)
    pages.post(
        "backoffice:case_switch_primary",
        {"new_primary": str(family["dad"].id)},
        status=403,
        case_id=case_id,
    )
    assert "Cases" not in pages.get("backoffice:home").texts(".moj-primary-navigation__link")


def test_a_case_that_does_not_exist_is_a_404(pages: Pages, officer: User) -> None:
    page = pages.get("backoffice:case", status=404, case_id=999999)
    assert "There is no case with that number" in page.text
    pages.fetch("/backoffice/cases/99999999999999999999/history", status=404)
    pages.fetch("/backoffice/cases/0/people", status=404)


# --- the cases list ---------------------------------------------------------------------------


def test_cases_list_shows_recent_active_cases_newest_first(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    older = make_case(db, make_person(db, "Olive", "Older"))
    older.created_at = family["case"].created_at - dt.timedelta(days=30)
    closed = make_case(db, make_person(db, "Carl", "Closed"))
    closed.status = CaseStatus.CLOSED.value
    closed.closed_at = closed.created_at
    newest = make_case(db, make_person(db, "Nina", "Newest"))
    newest.created_at = family["case"].created_at + dt.timedelta(days=1)
    db.commit()
    page = pages.get("backoffice:cases")
    assert page.h1 == "Cases"
    current = page.select_one('.moj-primary-navigation__link[aria-current="page"]')
    assert current.get_text(strip=True) == "Cases"
    rows = page.select("table tbody tr")
    refs = [row.select_one("td").get_text(strip=True) for row in rows]
    assert refs == [newest.reference, family["case"].reference, older.reference]
    assert closed.reference not in page.text
    khan = rows[1].get_text(" ", strip=True)
    assert "Amira Khan" in khan
    assert "Housing Register" in khan
    assert "Active" in khan
    # Four people live there today (the grandmother left).
    assert rows[1].select_one("td.govuk-table__cell--numeric").get_text(strip=True) == "4"


@pytest.mark.parametrize("typed", ["{ref}", "{ref_lower}", "hc {id}", "{id}", "  HC {id6} "])
def test_search_by_case_reference_is_forgiving(
    pages: Pages, family: dict[str, Any], officer: User, typed: str
) -> None:
    case = family["case"]
    query = typed.format(
        ref=case.reference, ref_lower=case.reference.lower(), id=case.id, id6=f"{case.id:06d}"
    )
    page = pages.get("backoffice:cases", params={"q": query})
    assert page.texts("table tbody tr td:first-child") == [case.reference]


@pytest.mark.parametrize("typed", ["amira", "KHAN", "mir", "yus kha", "Begum", "zainab begum"])
def test_search_by_name_is_partial_and_ignores_case(
    db: Session, pages: Pages, family: dict[str, Any], officer: User, typed: str
) -> None:
    make_case(db, make_person(db, "Someone", "Else"))
    db.commit()
    page = pages.get("backoffice:cases", params={"q": typed})
    assert page.texts("table tbody tr td:first-child") == [family["case"].reference]


def test_search_matches_past_members_and_says_who_matched(
    pages: Pages, family: dict[str, Any], officer: User
) -> None:
    page = pages.get("backoffice:cases", params={"q": "begum"})
    assert "Matched: Zainab Begum" in page.text


def test_search_by_date_of_birth(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    make_case(db, make_person(db, "Other", "Person", born=D(1988, 4, 3)))
    db.commit()
    for typed in ("02/04/1988", "2/4/1988", "02-04-1988"):
        page = pages.get("backoffice:cases", params={"q": typed})
        assert page.texts("table tbody tr td:first-child") == [family["case"].reference]
    son = pages.get("backoffice:cases", params={"q": "20/01/2014"})
    assert son.texts("table tbody tr td:first-child") == [family["case"].reference]


def test_search_that_finds_nothing_says_so(
    pages: Pages, family: dict[str, Any], officer: User
) -> None:
    for typed in ("Nobody-here", "HC-999999", "01/01/1901", "kh_n"):
        page = pages.get("backoffice:cases", params={"q": typed})
        assert not page.select("table"), typed
        assert "No cases match" in page.select_one("#no-results").get_text()


def test_search_that_cannot_be_understood_shows_an_error(pages: Pages, officer: User) -> None:
    page = pages.get("backoffice:cases", status=400, params={"q": "31/02/1990"})
    assert page.error_summary == ["Date of birth must be a real date, for example 27/03/1985"]
    assert page.select_one("title").get_text().startswith("Error: Cases")
    long = pages.get("backoffice:cases", status=400, params={"q": "x" * 201})
    assert long.error_summary == ["Search must be 200 characters or fewer"]
    symbols = pages.get("backoffice:cases", status=400, params={"q": "!!!"})
    assert symbols.error_summary == [
        "Enter a case reference, a name, or a date of birth like 27/03/1985"
    ]


def test_cases_list_pages_with_a_keyset(
    db: Session, pages: Pages, officer: User, queries: QueryCounter
) -> None:
    start = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    made = []
    for n in range(27):
        case = make_case(db, make_person(db, f"Pat{n}", "Paging"))
        case.created_at = start + dt.timedelta(hours=n)
        made.append(case)
    db.commit()
    first = pages.get("backoffice:cases")
    refs = first.texts("table tbody tr td:first-child")
    assert refs == [c.reference for c in reversed(made)][:25]
    older = first.select_one('a[rel="next"]')["href"]
    second = pages.fetch(str(older))
    assert second.texts("table tbody tr td:first-child") == [made[1].reference, made[0].reference]
    assert not second.select('a[rel="next"]')
    assert second.select('a[rel="prev"]')
    # 25 cases with their households and teams, without a query per case.
    queries.count = 0
    pages.get("backoffice:cases")
    assert queries.count < 15


def test_cases_list_ignores_a_bad_page_parameter(db: Session, pages: Pages, officer: User) -> None:
    first = make_case(db, make_person(db, "First", "Made"))
    newest = make_case(db, make_person(db, "Last", "Made"))
    first.created_at = newest.created_at - dt.timedelta(days=1)
    db.commit()
    for after in ("abc", "-1", "99999999999999999999", "0", "²", "eyJ4IjoxfQ"):
        page = pages.get("backoffice:cases", params={"after": after})
        refs = page.texts("tbody tr td:first-child a")
        assert refs[:2] == [newest.reference, first.reference]  # the first page, as if no cursor


# --- the dashboard ----------------------------------------------------------------------------


def test_dashboard_shows_the_household_strands_and_pending_changes(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    page = pages.get("backoffice:case", case_id=case.id)
    assert page.h1 == "Dashboard"
    assert (
        page.select_one("title").get_text().startswith(f"Dashboard – Amira Khan – {case.reference}")
    )
    # The header and the tabs.
    header = page.select_one(".hearth-case-header").get_text(" ", strip=True)
    for fact in ("Amira Khan", case.reference, "Active", "Housing Register", "4 people"):
        assert fact in header
    tab = page.select_one('.moj-sub-navigation__link[aria-current="page"]')
    assert tab.get_text(strip=True) == "Dashboard"
    assert "1 pending" in page.select_one(".moj-sub-navigation").get_text()
    # People, with ages and relationships; the pending change is marked on the partner.
    rows = {row["data-person"]: row for row in page.select("#people tbody tr")}
    assert set(rows) == {str(family[p].id) for p in ("mum", "dad", "son", "daughter")}
    dad = rows[str(family["dad"].id)].get_text(" ", strip=True)
    assert "Tariq Khan" in dad and "Partner" in dad and str(age(D(1986, 9, 9))) in dad
    assert "Change pending" in dad
    assert "Change pending" not in rows[str(family["son"].id)].get_text()
    assert str(age(D(2014, 1, 20))) in rows[str(family["son"].id)].get_text()
    # Pending changes: a count and a link to the Portal tab.
    panel = page.select_one("#pending-changes")
    assert "1 pending" in panel.get_text()
    assert panel.select_one("a")["href"] == pages.url("backoffice:case_portal", case_id=case.id)
    # Open strands with key facts; the closed one only behind the toggle.
    strand_rows = {
        row["data-strand"]: row.get_text(" ", strip=True) for row in page.select("[data-strand]")
    }
    assert family["housing_register"].reference in strand_rows
    bedroom = next(v for k, v in strand_rows.items() if k.startswith("BA-"))
    assert "Bedroom assessment" in bedroom and "Active" in bedroom
    assert "Bedroom need: 3 bedrooms" in bedroom  # couple, boy 12ish and girl 10ish: own rooms
    assert family["health"].reference not in strand_rows
    toggle = page.select_one("#show-closed")
    assert "Show all, including closed and cancelled (1 more)" in toggle.get_text()
    shown = pages.fetch(str(toggle["href"]))
    closed = [row.get_text(" ", strip=True) for row in shown.select("[data-strand]")]
    assert any(family["health"].reference in row and "Completed" in row for row in closed)


def test_dashboard_without_pending_changes_or_strands(
    db: Session, pages: Pages, officer: User
) -> None:
    case = make_case(db, make_person(db, "Lone", "Person"))
    db.commit()
    page = pages.get("backoffice:case", case_id=case.id)
    assert "No changes are waiting for a decision" in page.text
    assert "There are no open applications or assessments" in page.text
    assert not page.select("#show-closed")
    assert "pending" not in page.select_one(".moj-sub-navigation").get_text()


# --- people -----------------------------------------------------------------------------------


def test_people_tab_lists_current_members_and_reveals_past_applicants(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    submit(db, family, "left", {"person_id": family["son"].id, "date_left": "2026-11-01"})
    page = pages.get("backoffice:case_people", case_id=case.id)
    assert page.h1 == "People"
    rows = page.select("#current-people tbody tr")
    names = [row.select_one("th").get_text(" ", strip=True) for row in rows]
    assert names[0].startswith("Amira Khan")
    assert [n.split(" Change")[0] for n in names] == [
        "Amira Khan",
        "Tariq Khan",
        "Yusuf Khan",
        "Noor Khan",
    ]
    mum = rows[0].get_text(" ", strip=True)
    assert "Primary applicant" in mum and "1 January 2024" in mum and "2 April 1988" in mum
    son = rows[2].get_text(" ", strip=True)
    assert "Son" in son and "Change pending" in son and str(age(D(2014, 1, 20))) in son
    assert "Zainab Begum" not in page.text
    assert not page.select("#past-people")
    headers = page.texts("#current-people thead th")
    assert "Date left" not in headers  # nobody current has left: no empty column
    toggle = page.select_one("#show-past")
    assert toggle.get_text(strip=True) == "Show past applicants (1)"
    shown = pages.fetch(str(toggle["href"]))
    past = shown.select_one("#past-people").get_text(" ", strip=True)
    assert "Zainab Begum" in past and "Grandparent" in past and "1 June 2025" in past
    assert "Date left" in shown.texts("#past-people thead th")
    assert "Hide past applicants" in shown.text


def test_switch_primary_applicant(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case, dad = family["case"], family["dad"]
    people = pages.get("backoffice:case_people", case_id=case.id)
    link = next(
        a
        for a in people.select("a")
        if "Make primary applicant" in a.get_text() and f"person={dad.id}" in a["href"]
    )
    page = pages.fetch(str(link["href"]))
    assert page.h1 == "Change the primary applicant"
    selects = {s["name"] for s in page.select("form[method=post] select")}
    others = ("mum", "son", "daughter")
    assert selects == {f"relationship_{family[p].id}" for p in others}
    data = {
        "new_primary": str(dad.id),
        f"relationship_{family['mum'].id}": "Partner",
        f"relationship_{family['son'].id}": "Son",
        f"relationship_{family['daughter'].id}": "Daughter",
    }
    result = pages.post("backoffice:case_switch_primary", data, case_id=case.id)
    assert result.location == pages.url("backoffice:case_people", case_id=case.id)
    after = pages.follow(result)
    assert "Tariq Khan is now the primary applicant." in after.text
    db.expire_all()
    saved = db.get(Case, case.id)
    assert saved is not None and saved.primary is not None
    assert saved.primary.person_id == dad.id
    assert _link(saved, family["mum"].id).relationship_to_primary == "Partner"
    event_row = db.scalars(
        select(HistoryEvent).where(
            HistoryEvent.case_id == case.id, HistoryEvent.kind == "household.primary_switched"
        )
    ).one()
    assert event_row.actor_user_id == officer.id
    assert event_row.before == {
        "primary_applicant": "Amira Khan",
        "relationships": {"Amira Khan": "Self", "Yusuf Khan": "Son", "Noor Khan": "Daughter"},
    }


def test_switch_primary_applicant_needs_every_relationship(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case, dad = family["case"], family["dad"]
    page = pages.post(
        "backoffice:case_switch_primary",
        {"new_primary": str(dad.id), f"relationship_{family['mum'].id}": "Partner"},
        case_id=case.id,
        status=400,
    )
    assert page.error_summary == [
        "Give the relationship to the new primary applicant for: Yusuf Khan, Noor Khan"
    ]
    assert page.select_one("title").get_text().startswith("Error: Change the primary applicant")
    # What was chosen is kept.
    kept = page.select_one(f'select[name="relationship_{family["mum"].id}"] option[selected]')
    assert kept["value"] == "Partner"
    db.expire_all()
    assert db.get(Case, case.id).primary.person_id == family["mum"].id  # type: ignore[union-attr]


def test_switch_primary_applicant_refuses_someone_who_has_left(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    page = pages.post(
        "backoffice:case_switch_primary",
        {"new_primary": str(family["gran"].id)},
        case_id=case.id,
        status=400,
    )
    assert page.error_summary == [
        "The new primary applicant must be a current member of the household"
    ]
    # The page offers the current members to choose from instead.
    choices = {i["value"] for i in page.select('input[name="person"]')}
    assert choices == {str(family[p].id) for p in ("dad", "son", "daughter")}
    for bad in ("", "abc", "²", "1" * 30):
        nobody = pages.post(
            "backoffice:case_switch_primary", {"new_primary": bad}, case_id=case.id, status=400
        )
        assert nobody.error_summary == ["Choose who will be the new primary applicant"]
    same = pages.post(
        "backoffice:case_switch_primary",
        {"new_primary": str(family["mum"].id)},
        case_id=case.id,
        status=400,
    )
    assert same.error_summary == ["Amira Khan is already the primary applicant"]
    forged = pages.post(
        "backoffice:case_switch_primary",
        {"new_primary": str(family["dad"].id), f"relationship_{family['mum'].id}": "Boss"},
        case_id=case.id,
        status=400,
    )
    assert forged.error_summary == ["Not a valid choice."]


def test_switch_primary_page_asks_who_first(
    pages: Pages, family: dict[str, Any], officer: User
) -> None:
    page = pages.get("backoffice:case_switch_primary", case_id=family["case"].id)
    assert page.select_one("main form")["method"] == "get"
    assert {i["value"] for i in page.select('input[name="person"]')} == {
        str(family[p].id) for p in ("dad", "son", "daughter")
    }
    ignored = pages.get(
        "backoffice:case_switch_primary",
        case_id=family["case"].id,
        params={"person": str(family["gran"].id)},
    )
    assert ignored.select('input[name="person"]')
    # "Continue" with nobody chosen says so, by the question
    unchosen = pages.get(
        "backoffice:case_switch_primary",
        case_id=family["case"].id,
        params={"choose": "1"},
        status=400,
    )
    assert unchosen.error_summary == ["Choose who will be the new primary applicant"]
    assert unchosen.select_one(".govuk-error-summary a")["href"] == "#person"
    assert unchosen.select_one("#person-error")


def test_making_a_child_the_primary_applicant_needs_a_confirmation(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case, son = family["case"], family["son"]
    page = pages.get(
        "backoffice:case_switch_primary", case_id=case.id, params={"person": str(son.id)}
    )
    assert f"Yusuf Khan is {age(son.date_of_birth)}. A child is not usually" in page.text
    relationships = {
        f"relationship_{family[p].id}": r
        for p, r in (("mum", "Parent"), ("dad", "Parent"), ("daughter", "Sister"))
    }
    data = {"new_primary": str(son.id), **relationships}
    refused = pages.post("backoffice:case_switch_primary", data, case_id=case.id, status=400)
    assert refused.error_summary[0].startswith("Yusuf Khan is ")
    assert refused.select_one("#confirm_child-error")
    db.expire_all()
    assert db.get(type(case), case.id).primary.person_id == family["mum"].id  # type: ignore[union-attr]
    pages.post("backoffice:case_switch_primary", {**data, "confirm_child": "yes"}, case_id=case.id)
    db.expire_all()
    assert db.get(type(case), case.id).primary.person_id == son.id  # type: ignore[union-attr]


# --- portal -----------------------------------------------------------------------------------


def test_portal_tab_lists_every_change_with_its_status(
    db: Session, pages: Pages, family: dict[str, Any], officer: User, queries: QueryCounter
) -> None:
    case = family["case"]
    reviewer = make_officer(db, Permission.QUEUE, name="Quinn Harper")
    left = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    other = submit(db, family, "other", {"person_id": family["mum"].id, "details": "New job"})
    engine.reject(
        db,
        reviewer,
        other,
        reason="Tell us the employer",
        expected_version=other.version,
        notifier=NOTIFIER,
    )
    withdrawn = submit(
        db, family, "pregnancy", {"person_id": family["mum"].id, "due_date": "2027-03-01"}
    )
    engine.withdraw(db, family["account"], withdrawn)
    db.commit()
    queries.count = 0
    page = pages.get("backoffice:case_portal", case_id=case.id)
    assert queries.count < 20
    assert page.h1 == "Portal"
    rows = {row["data-change"]: row for row in page.select("#portal-changes tbody tr")}
    assert list(rows) == [withdrawn.reference, other.reference, left.reference]  # newest first
    pending = rows[left.reference]
    assert pending.select_one("a")["href"] == f"/backoffice/queue/{left.id}"
    text = pending.get_text(" ", strip=True)
    assert "Member left" in text and "Tariq Khan left on 1 November 2026" in text
    assert pending.select_one(".govuk-tag").get_text(strip=True) == "Pending"
    assert "amira@example.com" in text
    rejected = rows[other.reference].get_text(" ", strip=True)
    assert "Rejected by Quinn Harper" in rejected and "Reason: Tell us the employer" in rejected
    assert "Withdrawn by the applicant" in rows[withdrawn.reference].get_text(" ", strip=True)
    tab = page.select_one('.moj-sub-navigation__link[aria-current="page"]')
    assert tab.get_text(" ", strip=True).startswith("Portal")


def test_portal_tab_when_nothing_was_reported(
    pages: Pages, family: dict[str, Any], officer: User
) -> None:
    page = pages.get("backoffice:case_portal", case_id=family["case"].id)
    assert "Nobody has reported a change through the portal" in page.text


@pytest.mark.parametrize("name", ["case", "case_people"])
def test_toggles_ignore_odd_values(
    pages: Pages, family: dict[str, Any], officer: User, name: str
) -> None:
    page = pages.get(
        f"backoffice:{name}", case_id=family["case"].id, params={"closed": "x", "past": "%"}
    )
    # Neither toggle was taken as "on": no past applicants, no closed strands shown.
    assert "Zainab Begum" not in " ".join(page.texts("main table"))
    assert family["health"].reference not in page.text
