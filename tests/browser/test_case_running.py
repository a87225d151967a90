"""Running a case from nothing, in Chromium at 1366 and 768 px with axe on every page: an officer
finds no match for a new person and adds them, records a relative, starts a case from the
person's page (the relative comes along), assigns officers and a team, adds a third person,
sets a date left (the bedroom need is recalculated with that cause), closes the case; then a
reception officer finds the person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from domain import assessments
from domain.models import Case
from domain.vocab import Permission
from tests.browser.conftest import Live, visiting
from tests.support.browser import Visit
from tests.support.factories import (
    TEST_PASSWORD,
    make_officer,
    make_person,
    make_team,
    open_housing_register,
)


def _sign_in(visit: Visit, email: str) -> None:
    page = visit.goto("/backoffice/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    visit.click(page.get_by_role("button", name="Sign in"))


def _date(page: object, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)  # type: ignore[attr-defined]
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


@pytest.mark.parametrize("width", [1366, 768])
def test_an_officer_runs_a_case_from_a_new_person_to_closed(
    browser: object, live: Live, width: int
) -> None:
    today = dt.date.today()
    with live.sessions.begin() as db:
        make_team(db, "Housing Options")
        make_team(db, "Housing Register")
        make_person(db, "Daniel", "Obi", born=dt.date(2015, 6, 1), sex="M")
        make_person(db, "Farah", "Mensah", born=dt.date(1995, 2, 3))
        sam = make_officer(db, Permission.PEOPLE, Permission.CASES, name="Sam Whitfield")
        make_officer(db, Permission.CASES, name="Tom Adeyemi")
        rina = make_officer(db, Permission.PEOPLE, name="Rina Patel")
        sam_email, rina_email = sam.email, rina.email

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, sam_email)
        visit.click(page.get_by_role("link", name="People", exact=True))
        page.get_by_label("Find a person").fill("Grace Obi")
        visit.click(page.get_by_role("button", name="Search"))
        # No match (PostgreSQL lists similar names, such as her son's, instead of nothing).
        heading = page.locator("#no-results, #results-heading").inner_text()
        assert heading.startswith(("No one matches", "No exact match"))
        visit.click(page.locator("#add-new"))

        # A new person, checked for duplicates before saving.
        page.get_by_label("First name").fill("Grace")
        page.get_by_label("Last name").fill("Obi")
        _date(page, "Date of birth (optional if not known)", dt.date(1990, 9, 14))
        page.get_by_label("Female").check()
        page.get_by_label("Phone number (optional)").fill("07700 900321")
        page.get_by_label("Text message").check()
        visit.click(page.get_by_role("button", name="Check and add the person"))
        assert page.locator("h1").inner_text() == "Grace Obi"
        assert "Grace Obi has been added" in page.locator(".moj-alert").inner_text()

        # Her son, already recorded, as a relationship.
        visit.click(page.get_by_role("link", name="Add a relationship"))
        page.get_by_label("Find the other person").fill("daniel obi")
        visit.click(page.get_by_role("button", name="Search"))
        visit.click(page.locator("#found").get_by_role("link", name="Choose Daniel Obi"))
        page.get_by_label("Child").check()
        visit.click(page.get_by_role("button", name="Save the relationship"))
        assert "Son" in page.locator("#relationships").inner_text()

        # A case from her page: Daniel comes along as her son.
        visit.click(page.get_by_role("button", name="Start a case for Grace Obi"))
        rows = page.locator("#draft-people tbody tr")
        assert rows.count() == 2
        assert (
            page.get_by_label("Daniel Obi’s relationship to the primary applicant").input_value()
            == "Son"
        )
        page.get_by_label("Responsible team").select_option(label="Housing Options")
        visit.screenshot(f"case-draft-{width}")
        visit.click(page.get_by_role("button", name="Save the case"))
        assert "has been created" in page.locator(".moj-alert").inner_text()
        with live.sessions.begin() as db:
            case = db.scalars(select(Case)).one()
            case_id, reference = case.id, case.reference
            # (Opening applications from the back office is the next issue's work: the housing
            # register is opened here, which opens and calculates the bedroom assessment.)
            open_housing_register(db, case)

        # Officers and team on the Details tab.
        visit.click(page.locator(".moj-sub-navigation").get_by_role("link", name="Details"))
        page.get_by_label("Officer 2", exact=True).select_option(label="Tom Adeyemi")
        page.get_by_label("Role of officer 2").select_option("Supervisor")
        page.get_by_label("Team").select_option(label="Housing Register")
        visit.screenshot(f"case-details-{width}")
        visit.click(page.get_by_role("button", name="Save details"))
        officers = page.locator("#officers").inner_text()
        assert (
            "Sam Whitfield" in officers and "Tom Adeyemi" in officers and "Supervisor" in officers
        )

        # A third person joins the household.
        visit.click(page.locator(".moj-sub-navigation").get_by_role("link", name="People"))
        visit.click(page.get_by_role("button", name="Add someone to the household"))
        page.get_by_label("Find the person").fill("Farah")
        visit.click(page.get_by_role("button", name="Search"))
        visit.click(page.locator("#found").get_by_role("link", name="Choose Farah Mensah"))
        page.get_by_label("Relationship to Grace Obi").select_option("Other relative")
        visit.click(page.get_by_role("button", name="Add to the household"))
        assert "Farah Mensah has been added" in page.locator(".moj-alert").inner_text()
        assert page.locator("#current-people tbody tr").count() == 3

        # She leaves: the bedroom need is worked out again, with that cause.
        visit.click(page.get_by_role("link", name="Change Farah Mensah’s place in the household"))
        _date(page, "Date left (if they have left or are leaving)", today)
        visit.click(page.get_by_role("button", name="Save"))
        assert "left on" in page.locator(".moj-alert").inner_text()
        with live.sessions() as db:
            latest = assessments.current_assessment(db, case_id)
            assert latest is not None and latest.cause == "household_change"
            assert "Farah Mensah's place changed: left on" in latest.cause_detail

        # Closing lists what is open and asks for confirmation.
        visit.click(page.locator(".moj-sub-navigation").get_by_role("link", name="Case"))
        visit.click(page.get_by_role("button", name="Close the case"))
        assert "Housing Register" in page.locator("#open-strands").inner_text()
        page.get_by_label("Why is the case closing?").fill("Moved out of the area")
        visit.click(page.get_by_role("button", name="Close the case"))
        assert page.title().startswith("Error:")
        page.get_by_label("Why is the case closing?").fill("Moved out of the area")
        page.get_by_label("Close the case with these still open").check()
        visit.click(page.get_by_role("button", name="Close the case"))
        assert "Moved out of the area" in page.locator("#closed").inner_text()
        visit.click(page.get_by_role("button", name="Sign out"))

    # Reception finds her, and sees the case she was on without opening it.
    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, rina_email)
        visit.click(page.get_by_role("link", name="People", exact=True))
        page.get_by_label("Find a person").fill("obi grace")
        visit.click(page.get_by_role("button", name="Search"))
        visit.click(page.get_by_role("link", name="Grace Obi"))
        visit.screenshot(f"person-{width}")
        cases = page.locator("#cases").inner_text()
        assert reference in cases and "Closed" in cases
        assert page.locator("#cases").get_by_role("link", name=reference).count() == 0
