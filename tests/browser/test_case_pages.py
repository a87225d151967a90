"""The back-office case pages in Chromium at desktop width: search, every tab, the bedroom
assessment's override form with an error, and the policy page — each page checked by axe."""

from __future__ import annotations

import datetime as dt
import uuid

from changes import engine
from domain.vocab import Permission
from tests.browser.conftest import Live
from tests.support.browser import Visit
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)


def test_an_officer_finds_a_case_and_works_through_its_tabs(desktop: Visit, live: Live) -> None:
    with live.sessions.begin() as db:
        mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
        dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
        son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
        case = make_case(db, mum, [(dad, "Partner"), (son, "Son")])
        link_partners(db, case, mum, dad)
        open_housing_register(db, case)
        account = make_portal_account(db, mum)
        engine.submit(
            db,
            account,
            case,
            "left",
            {"person_id": dad.id, "date_left": dt.date.today().isoformat()},
            idempotency_key=uuid.uuid4().hex,
            today=dt.date.today(),
        )
        officer = make_officer(
            db, Permission.CASES, Permission.BEDROOM_ASSESSMENTS, name="Bea Lindqvist"
        )
        email, reference = officer.email, case.reference

    page = desktop.goto("/backoffice/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    desktop.click(page.get_by_role("button", name="Sign in"))
    desktop.click(page.get_by_role("link", name="Cases", exact=True))
    page.get_by_label("Search cases").fill("khan")
    desktop.click(page.get_by_role("button", name="Search"))
    desktop.click(page.get_by_role("link", name=reference))
    assert page.locator("h1").inner_text() == "Dashboard"
    assert "Change pending" in page.locator("#people").inner_text()

    for tab, heading in (
        ("People", "People"),
        ("Applications & assessments", "Applications and assessments"),
        ("Portal", "Portal"),
        ("History", "History"),
    ):
        desktop.click(page.locator(".moj-sub-navigation").get_by_role("link", name=tab))
        assert page.locator("h1").inner_text() == heading
        assert (
            page.locator('.moj-sub-navigation [aria-current="page"]').inner_text().startswith(tab)
        )
    # History filters work as a plain GET form.
    page.get_by_label("What happened").select_option(label="Joined the household")
    desktop.click(page.get_by_role("button", name="Show events"))
    assert page.locator(".moj-timeline__item").count() == 2

    desktop.click(page.get_by_role("link", name="Applications & assessments"))
    desktop.click(page.get_by_role("button", name="Save override"))
    assert page.title().startswith("Error: Applications and assessments")
    page.get_by_label("Override the bedroom need").fill("4")
    page.get_by_label("Reason for the override").fill("Medical need for a separate room")
    desktop.click(page.get_by_role("button", name="Save override"))
    assert "4 bedrooms (officer override)" in page.locator("#bedroom-facts").inner_text()
    desktop.screenshot("backoffice-case-strands-override")

    # The council's policy is an administrator's to change: an assessor is not offered it.
    assert page.get_by_role("link", name="Change the council's bedroom policy").count() == 0
