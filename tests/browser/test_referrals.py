"""A homeless referral in a real browser, end to end: a hospital's discharge coordinator refers
someone from a phone, gets the receipt email (real SMTP server) with the link to the referral's
progress, an officer takes it from 01 Referral Entered through to Closed with the case actions
and the Primary outcome it needs, and the referrer's page then shows the outcome. Every page of
ours is checked by axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page

from domain.vocab import Permission
from tests.browser.conftest import StartLive, visit_at
from tests.support.browser import DESKTOP, PHONE, Visit
from tests.support.factories import TEST_PASSWORD, make_officer, make_team
from tests.support.smtp import smtp_server

REFERRER = "nia.adebayo@nhs.example"
OUTCOME = "HS02 Helped to move to a settled home for 6 months or more"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def choose(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def refer_from_a_phone(visit: Visit) -> str:
    """The referrer's journey; returns the reference shown on the confirmation."""
    page = visit.goto("/")
    visit.click(page.get_by_role("link", name="Refer someone who is homeless"))
    visit.click(page.get_by_role("button", name="Start now"))

    assert page.locator("h1").inner_text() == "The person's consent"
    visit.click(page.get_by_role("button", name="Continue"))  # nothing chosen: errors
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    choose(
        page, "Has the person agreed to be referred to the council's housing options team?", "Yes"
    )
    choose(page, "Have they agreed to you sharing their contact details with the council?", "Yes")
    visit.click(page.get_by_role("button", name="Continue"))

    choose(page, "What type of organisation do you work for?", "Hospital providing inpatient care")
    page.get_by_label("Name of your organisation").fill("Northbridge General Hospital, Ward 7")
    visit.click(page.get_by_role("button", name="Continue"))

    page.get_by_label("Full name").fill("Nia Adebayo")
    page.get_by_label("Job title or role").fill("Discharge coordinator")
    page.get_by_label("Work email address").fill(REFERRER)
    page.get_by_label("Work phone number").fill("01632 960001")
    visit.click(page.get_by_role("button", name="Continue"))

    page.get_by_label("First name").fill("Kieran")
    page.get_by_label("Last name").fill("Doyle")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2999")
    visit.click(page.get_by_role("button", name="Continue"))
    assert "Date of birth must be in the past" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Year").fill("1979")
    visit.click(page.get_by_role("button", name="Continue"))

    page.get_by_label("Phone number").fill("07700 900123")
    choose(page, "How would they like to be contacted?", "Phone")
    visit.click(page.get_by_role("button", name="Continue"))

    choose(page, "Where is the person living now?", "No fixed address")
    visit.click(page.get_by_role("button", name="Continue"))
    choose(page, "Does the person have somewhere safe to stay tonight?", "No")
    visit.click(page.get_by_role("button", name="Continue"))
    assert page.locator("h1").inner_text() == "Get the person help tonight"
    for number in ("020 7946 0000", "020 7946 0999", "0808 2000 247", "999"):  # one tap each
        assert page.locator(f"main a[href='tel:{number.replace(' ', '')}']").is_visible()
    visit.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Why is the person homeless or at risk of homelessness?").fill(
        "Being discharged after surgery; his tenancy ended while he was in hospital."
    )
    visit.click(page.get_by_role("button", name="Continue"))
    assert page.locator("h1").inner_text() == "When do they leave your care or custody?"
    visit.click(page.get_by_role("button", name="Continue"))  # optional: left blank

    choose(page, "Does anyone else need housing with them?", "Yes")
    visit.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Full name").fill("Sadie Doyle")
    page.get_by_label("Their relationship to the person").select_option("Daughter")
    visit.click(page.get_by_role("button", name="Continue"))
    assert page.locator(".govuk-summary-list__key").all_inner_texts() == ["Sadie Doyle"]
    choose(page, "Do you need to add anyone else?", "No")
    visit.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Do they have any support needs?").fill("Uses a wheelchair for now.")
    visit.click(page.get_by_role("button", name="Continue"))

    assert page.locator("h1").inner_text() == "Check your answers before sending the referral"
    visit.click(page.get_by_role("link", name="Change about the person: reason"))
    page.get_by_label("Why is the person homeless or at risk of homelessness?").fill(
        "Being discharged tomorrow after surgery; his tenancy ended while he was in hospital."
    )
    visit.click(page.get_by_role("button", name="Continue"))
    assert page.locator("h1").inner_text() == "Check your answers before sending the referral"
    assert "Being discharged tomorrow" in page.locator("main").inner_text()
    visit.screenshot("referral-check-390")
    page.set_viewport_size({"width": 320, "height": 700})  # the smallest phones: no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(PHONE)
    visit.click(page.get_by_role("button", name="Send referral"))

    assert page.locator("h1").inner_text() == "Referral sent"
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert re.fullmatch(r"RF-\d{6}", reference)
    return reference


def officer_closes_the_referral(visit: Visit, reference: str) -> None:
    page = visit.goto("/backoffice/")
    page.get_by_label("Email address").fill("sam.whitfield@northbridge.example")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    visit.click(page.get_by_role("button", name="Sign in"))
    visit.click(page.get_by_role("link", name="Referrals", exact=True))
    visit.click(page.get_by_role("link", name=reference))
    assert page.locator("h1").inner_text() == f"Homeless referral {reference}"
    assert page.locator("#status").inner_text() == "01 Referral Entered"
    assert "Record the “Update referrer” case action" in page.locator("#blocked-moves").inner_text()

    def record(action: str, notes: str = "") -> None:
        page.get_by_label(action, exact=True).check()
        if notes:
            page.get_by_label("Notes (optional)").fill(notes)
        visit.click(page.get_by_role("button", name="Record case action"))
        assert f"“{action}” recorded." in page.locator(".moj-alert").inner_text()

    def move(button: str, to: str) -> None:
        visit.click(page.get_by_role("button", name=button))
        assert page.locator("#status").inner_text() == to

    record("Update referrer", "Referral acknowledged by phone to the ward")
    move("Move to contact client", "02 Contact Client")
    assert "Contact attempt" in page.locator("#blocked-moves").inner_text()
    record("Contact attempt", "No answer on the ward phone")
    record("Client contacted", "Spoke to Kieran on the ward")
    move("Move to triage", "03 Triage")
    move("To HNA (book an assessment)", "05 HNA booked")
    move("Move to HNA completed", "08 HNA completed")
    move("Move to closure", "98 Closure")

    blocked = page.locator("#blocked-moves").inner_text()
    assert "Confirm closure" in blocked and "Choose the Primary outcome" in blocked
    page.get_by_label("Primary outcome").select_option(OUTCOME)
    visit.click(page.get_by_role("button", name="Save outcome"))
    record("Confirm closure", "Told the ward the outcome")
    move("Close the referral", "Closed")
    assert page.locator("#primary-outcome").inner_text() == OUTCOME
    assert page.locator(".moj-timeline__title").first.inner_text() == "Moved to Closed"
    visit.screenshot("referral-closed-backoffice")


def test_a_hospital_referral_from_a_phone_to_closed_with_the_outcome_shown_to_the_referrer(
    browser, start_live: StartLive
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as mail, start_live(SMTP_HOST=mail.host, SMTP_PORT=str(mail.port)) as live:
        with live.sessions.begin() as session:
            make_team(session, "Housing Options")
            make_officer(
                session,
                Permission.CASES,
                name="Sam Whitfield",
                email="sam.whitfield@northbridge.example",
            )

        for visit in visit_at(browser, live, PHONE):
            reference = refer_from_a_phone(visit)

        receipt = mail.wait_for(lambda m: m.to == [REFERRER])
        assert reference in receipt.subject and reference in receipt.text
        assert "Kieran" not in receipt.text  # the email names no one
        (link,) = [u for u in mail.links(receipt) if "/referral-status?token=" in u]

        for visit in visit_at(browser, live, PHONE):
            page = visit.goto(path_of(link))
            assert page.locator("h1").inner_text() == f"Referral {reference}"
            assert "Received" in page.locator("#referral-status").inner_text()
            assert "Outcome" not in page.locator("main").inner_text()
            # the open page keeps itself up to date (every minute; every second here, once the
            # officer has closed the referral)
            for officer in visit_at(browser, live, DESKTOP):
                officer_closes_the_referral(officer, reference)
            page.evaluate(
                "() => { const el = document.getElementById('referral-progress');"
                " el.setAttribute('hx-trigger', 'every 1s'); htmx.process(el); }"
            )
            page.wait_for_function(
                "() => document.getElementById('referral-status').innerText === 'Closed'"
            )
            assert "now Closed" in page.locator("#referral-news").inner_text()
            assert OUTCOME in page.locator("main").inner_text()
            assert page.locator("#referral-progress[hx-trigger]").count() == 0  # it stops
            visit.check()

        update = mail.wait_for(lambda m: m.to == [REFERRER] and "Update on referral" in m.subject)
        assert reference in update.text
        closed = mail.wait_for(lambda m: m.to == [REFERRER] and "closed" in m.subject)
        assert OUTCOME in closed.text

        for visit in visit_at(browser, live, PHONE):
            page = visit.goto(path_of(link))
            main = page.locator("main").inner_text()
            assert page.locator("#referral-status").inner_text() == "Closed"
            assert OUTCOME in main
            for private in ("Kieran", "Doyle", "wheelchair", "Ward 7", "Sam Whitfield"):
                assert private not in main
            visit.screenshot("referral-status-closed-390")
