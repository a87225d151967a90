"""The back-office case pages: the cases list and search, and the case's tabs (Dashboard,
People with switching the primary applicant, Portal, History)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from changes import engine
from changes.engine import Notifier
from domain import history, household, strands
from domain.history import SYSTEM
from domain.models import Case, CasePerson, HistoryEvent, User
from domain.vocab import CaseStatus, Permission
from tests.support.factories import (
    link_partners,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    make_team,
    open_housing_register,
)
from tests.support.pages import Pages

TODAY = dt.datetime.now(ZoneInfo("Europe/London")).date()
NOTIFIER = Notifier("Housing options", "Testshire District Council", "http://testserver/changes")
D = dt.date


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    """Amira Khan's household: partner, two children, and a grandmother who has left."""
    team = make_team(db, "Housing Register")
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=D(2014, 1, 20), sex="M")
    daughter = make_person(db, "Noor", "Khan", born=D(2016, 5, 5))
    gran = make_person(db, "Zainab", "Begum", born=D(1950, 2, 14))
    case = make_case(
        db,
        mum,
        [(dad, "Partner"), (son, "Son"), (daughter, "Daughter"), (gran, "Grandparent")],
        team=team,
        joined=D(2024, 1, 1),
    )
    link_partners(db, case, mum, dad)
    household.record_leaving(db, SYSTEM, _link(case, gran.id), D(2025, 6, 1))
    housing_register = open_housing_register(db, case)
    health = strands.open_strand(db, SYSTEM, case, strands.HEALTH_ASSESSMENT)
    strands.change_status(db, SYSTEM, health, "Completed")
    account = make_portal_account(db, mum, email="amira@example.com")
    db.commit()
    return {
        "case": case,
        "team": team,
        "mum": mum,
        "dad": dad,
        "son": son,
        "daughter": daughter,
        "gran": gran,
        "account": account,
        "housing_register": housing_register,
        "health": health,
    }


def _link(case: Case, person_id: int) -> CasePerson:
    return next(cp for cp in case.people if cp.person_id == person_id)


def submit(db: Session, f: dict[str, Any], kind: str, payload: dict[str, Any]) -> Any:
    change = engine.submit(
        db, f["account"], f["case"], kind, payload, idempotency_key=uuid.uuid4().hex, today=TODAY
    )
    db.commit()
    return change


def age(born: dt.date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


@pytest.fixture
def officer(sign_in_officer: Callable[..., User]) -> User:
    return sign_in_officer(Permission.CASES, name="Sam Whitfield")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def queries(connection: Connection) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)


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
    pages.get("backoffice:case_history", status=404, case_id=99999999999999999999)
    pages.get("backoffice:case_people", status=404, case_id=0)


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


def test_cases_list_ignores_a_bad_page_parameter(pages: Pages, officer: User) -> None:
    for after in ("abc", "-1", "99999999999999999999", "0", "²"):
        pages.get("backoffice:cases", params={"after": after})


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
    assert "Show closed applications and assessments (1)" in toggle.get_text()
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
    toggle = page.select_one("#show-past")
    assert toggle.get_text(strip=True) == "Show past applicants (1)"
    shown = pages.fetch(str(toggle["href"]))
    past = shown.select_one("#past-people").get_text(" ", strip=True)
    assert "Zainab Begum" in past and "Grandparent" in past and "1 June 2025" in past
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


# --- history ----------------------------------------------------------------------------------


def _event(db: Session, case: Case, kind: str, summary: str, at: dt.datetime, **kw: Any) -> None:
    history.record(db, SYSTEM, kind, summary, case_id=case.id, at=at, **kw)


def test_history_is_newest_first_with_before_and_after(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    _event(
        db,
        case,
        "household.relationship",
        "Yusuf Khan is now the primary applicant's stepchild (was son)",
        dt.datetime(2099, 1, 5, 12, 0, tzinfo=dt.UTC),
        before={"relationship": "Son"},
        after={"relationship": "Stepchild"},
    )
    db.commit()
    page = pages.get("backoffice:case_history", case_id=case.id)
    assert page.h1 == "History"
    items = page.select(".moj-timeline__item")
    first = items[0]
    assert first.select_one(".moj-timeline__title").get_text(strip=True) == "Relationship changed"
    assert first.select_one(".moj-timeline__byline").get_text(strip=True) == "by Hearth (automatic)"
    assert "5 January 2099" in first.select_one("time").get_text()
    details = first.select_one("details")
    assert [td.get_text(strip=True) for td in details.select("tbody tr > *")] == [
        "Relationship",
        "Son",
        "Stepchild",
    ]
    kinds = [item["data-kind"] for item in items]
    assert kinds[-1] == "case.created"  # the oldest last
    times = [item.select_one("time")["datetime"] for item in items]
    assert times == sorted(times, reverse=True)


def test_history_filters_by_kind_and_jumps_to_a_month(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    _event(
        db,
        case,
        "case.circumstances",
        "A note in March",
        dt.datetime(2030, 3, 10, 9, tzinfo=dt.UTC),
    )
    _event(
        db, case, "case.circumstances", "A note in April", dt.datetime(2030, 4, 2, 9, tzinfo=dt.UTC)
    )
    # 23:30 UTC on 31 May is 00:30 on 1 June in England (BST): it belongs to June.
    _event(
        db,
        case,
        "case.circumstances",
        "Just after midnight",
        dt.datetime(2030, 5, 31, 23, 30, tzinfo=dt.UTC),
    )
    db.commit()
    page = pages.get("backoffice:case_history", case_id=case.id)
    kinds = {o["value"]: o.get_text(strip=True) for o in page.select("#kind option") if o["value"]}
    assert kinds["household.left"] == "Left the household"
    assert kinds["case.circumstances"] == "Change of circumstances noted"
    months = [o["value"] for o in page.select("#month option") if o["value"]]
    assert months[:3] == ["2030-06", "2030-04", "2030-03"]
    assert page.select_one('#month option[value="2030-06"]').get_text(strip=True) == "June 2030"

    left = pages.get("backoffice:case_history", case_id=case.id, params={"kind": "household.left"})
    assert [i["data-kind"] for i in left.select(".moj-timeline__item")] == ["household.left"]
    assert "Zainab Begum left the household on 1 June 2025" in left.text
    assert left.select_one("#kind option[selected]")["value"] == "household.left"

    april = pages.get("backoffice:case_history", case_id=case.id, params={"month": "2030-04"})
    assert april.texts(".moj-timeline__description > p") == ["A note in April"]
    june = pages.get("backoffice:case_history", case_id=case.id, params={"month": "2030-06"})
    assert june.texts(".moj-timeline__description > p") == ["Just after midnight"]
    both = pages.get(
        "backoffice:case_history",
        case_id=case.id,
        params={"month": "2030-04", "kind": "household.left"},
    )
    assert not both.select(".moj-timeline__item")
    assert "No events match this filter" in both.text


def test_history_pages_by_100_with_older_events(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    start = dt.datetime(2090, 1, 1, tzinfo=dt.UTC)
    same_moment = start + dt.timedelta(minutes=50)
    for n in range(120):
        # Several events share one moment: the keyset must still not skip or repeat any.
        at = same_moment if 45 <= n < 55 else start + dt.timedelta(minutes=n)
        _event(db, case, "case.circumstances", f"Note {n}", at)
    db.commit()
    seen: list[str] = []
    page = pages.get(
        "backoffice:case_history", case_id=case.id, params={"kind": "case.circumstances"}
    )
    assert len(page.select(".moj-timeline__item")) == 100
    seen += page.texts(".moj-timeline__description > p")
    older = page.select_one('a[rel="next"]')
    assert "kind=case.circumstances" in older["href"]
    second = pages.fetch(str(older["href"]))
    seen += second.texts(".moj-timeline__description > p")
    assert not second.select('a[rel="next"]')
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen[0] == "Note 119" and seen[-1] == "Note 0"


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "no.such.kind"},
        {"month": "2026-13"},
        {"month": "yesterday"},
        {"before": "garbage"},
        {"before": "2026-01-01T00:00:00~abc"},
        {"before": "2026-01-01T00:00:00~5"},  # no timezone
        {"before": "9999-12-31T23:59:59+00:00~99999999999999"},
    ],
)
def test_history_ignores_bad_parameters(
    pages: Pages, family: dict[str, Any], officer: User, params: dict[str, str]
) -> None:
    page = pages.get("backoffice:case_history", case_id=family["case"].id, params=params)
    assert page.select(".moj-timeline__item")


@pytest.mark.parametrize("name", ["case", "case_people"])
def test_toggles_ignore_odd_values(
    pages: Pages, family: dict[str, Any], officer: User, name: str
) -> None:
    pages.get(f"backoffice:{name}", case_id=family["case"].id, params={"closed": "x", "past": "%"})
