"""Applying to join the housing register in a real browser, end to end.

With JavaScript, on a 390 px phone (axe on every page, nothing sideways at 320 px): an applicant
applies with a partner and two children, leaves half way and comes back after signing in again,
and sends; an officer sees the case, the applications and the bedroom need, and asks for
evidence; the applicant uploads it from their case page; the officer accepts it and decides;
the applicant reads the decision in plain words.

Without JavaScript, on a 320 px phone: the same application from start to send, and evidence
sent, with no page scrolling sideways.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page
from sqlalchemy import select

from domain import evidence_requests, register_decisions
from domain.evidence_requests import EvidenceRequest
from domain.history import SYSTEM
from domain.message_templates import Council
from domain.models import Case
from domain.strands import Strand
from domain.vocab import Permission
from tests.browser.conftest import Live, visit_at
from tests.support.browser import DESKTOP, PHONE, Visit
from tests.support.factories import TEST_PASSWORD, make_officer, make_portal_account, make_team
from web.storage import store_for

PDF = b"%PDF-1.4\n% payslips\n%%EOF\n"
THIS_YEAR = dt.date.today().year


class Driver:
    """Clicks that load the next page, with JavaScript (a Visit: axe checks each page) or
    without (the browser's own form posts), and the widest the page has been at 320 px."""

    def __init__(
        self,
        page: Page,
        click: Callable[[Any], Any],
        goto: Callable[[str], Any],
        *,
        narrow: bool,
    ) -> None:
        self.page, self._click, self._goto, self.narrow = page, click, goto, narrow
        self.too_wide: dict[str, int] = {}

    snap: Callable[[str], Any] = staticmethod(lambda name: None)  # a screenshot, when kept

    def goto(self, path: str) -> None:
        self._goto(path)
        self.measure()

    def click(self, locator: Any) -> None:
        self._click(locator)
        self.measure()

    def measure(self) -> None:
        if self.narrow:
            width = self.page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                self.too_wide[self.page.url] = width

    def choose(self, answer: str | re.Pattern[str]) -> None:
        if isinstance(answer, str):
            self.page.get_by_label(answer, exact=True).check()
        else:
            self.page.get_by_label(answer).check()

    def go_on(self) -> None:
        self.click(self.page.get_by_role("button", name="Continue"))

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()


def _date(page: Page, day: int, month: int, year: int) -> None:
    page.get_by_label("Day").fill(str(day))
    page.get_by_label("Month").fill(str(month))
    page.get_by_label("Year").fill(str(year))


def sign_in(d: Driver) -> None:
    d.goto("/sign-in")
    d.page.get_by_label("Email address").fill("grace@example.com")
    d.page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    d.click(d.page.get_by_role("button", name="Sign in"))


def first_half(d: Driver) -> None:
    """From the start page to the address page, left with "Save and come back later"."""
    page = d.page
    d.click(page.get_by_role("link", name="Apply to join the housing register").first)
    assert d.heading() == "Apply to join the housing register"
    d.click(page.get_by_role("button", name="Start now"))
    assert "Not yet started" in page.locator(".govuk-task-list").inner_text()
    d.click(page.get_by_role("link", name="Check you can apply"))
    d.go_on()  # nothing chosen
    assert "Select yes if you are 18 or over" in page.locator(".govuk-error-summary").inner_text()
    d.choose("Yes")
    d.go_on()
    d.choose("I am a British or Irish citizen")
    d.go_on()
    d.choose(re.compile(r"I have lived in \w+ for the last 2 years or more"))
    d.go_on()
    d.choose("No")
    d.go_on()
    assert d.heading() == "Apply to join the housing register"  # back on the task list
    d.snap("apply-task-list")

    d.click(page.get_by_role("link", name="Your details"))
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Adeyemi")
    _date(page, 14, 2, THIS_YEAR - 10)  # too young: said on the page
    d.choose("Female")
    d.go_on()
    assert "You must be 18 or over to apply" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Year").fill("1990")
    d.go_on()

    d.click(page.get_by_role("link", name="People who will live with you"))
    d.choose("Yes")
    d.go_on()
    people = [
        ("Samuel", 3, 8, 1988, "Male", "Partner"),
        ("Tobi", 5, 1, THIS_YEAR - 9, "Male", "Son"),
        ("Kemi", 20, 6, THIS_YEAR - 6, "Female", "Daughter"),
    ]
    for index, (first, day, month, year, sex, relationship) in enumerate(people):
        page.get_by_label("First name").fill(first)
        page.get_by_label("Last name").fill("Adeyemi")
        _date(page, day, month, year)
        d.choose(sex)
        page.get_by_label("Their relationship to you").select_option(relationship)
        d.go_on()
        assert f"{first} Adeyemi" in page.locator(".govuk-summary-list").inner_text()
        d.choose("Yes" if index < len(people) - 1 else "No")
        d.go_on()
    assert d.heading() == "Apply to join the housing register"

    d.click(page.get_by_role("link", name="Where you live and have lived"))
    page.get_by_label("Address line 1").fill("Flat 4, 22 Canal Street")
    page.get_by_label("Town or city").fill("Northbridge")
    page.get_by_label("Postcode").fill("NB1 2AB")
    _date(page, 1, 3, THIS_YEAR - 2)
    d.click(page.get_by_role("button", name="Save and come back later"))
    assert d.heading() == "Your answers have been saved"


def second_half(d: Driver) -> None:
    """Back on the task list after signing in again; to the confirmation."""
    page = d.page
    states = " ".join(page.locator(".govuk-task-list").inner_text().split())
    assert "Where you live and have lived In progress" in states
    d.click(page.get_by_role("link", name="Where you live and have lived"))
    assert d.heading() == "Where you lived before"
    d.choose("Yes")
    d.go_on()
    page.get_by_label("Address line 1").fill("9 Mill Lane")
    page.get_by_label("Town or city").fill("Northbridge")
    page.get_by_label("Postcode").fill("NB3 4CD")
    _date(page, 1, 9, THIS_YEAR - 7)
    d.go_on()
    d.choose("No")
    d.go_on()

    d.click(page.get_by_role("link", name="Contact details and preferences"))
    page.get_by_label("Phone number").fill("07700 900123")
    d.choose("Email")
    d.go_on()
    assert "Enter an email address, or choose" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Email address").fill("grace@example.com")
    d.go_on()
    d.go_on()  # preferences are optional

    d.click(page.get_by_role("link", name="Health and accessibility"))
    d.choose("No")
    d.go_on()
    d.click(page.get_by_role("link", name="Declaration"))
    page.get_by_label(re.compile("I confirm that the information I give is true")).check()
    d.go_on()
    d.click(page.get_by_role("link", name="Check your answers and send"))
    assert d.heading() == "Check your answers before sending your application"
    main = page.locator("main").inner_text()
    assert "Samuel Adeyemi: Partner" in main and "9 Mill Lane" in main
    d.click(page.get_by_role("button", name="Send application"))
    assert d.heading() == "Application sent"
    assert re.fullmatch(r"HR-\d{6}", page.locator(".govuk-panel__body strong").inner_text())


def send_evidence(d: Driver) -> None:
    page = d.page
    d.click(page.get_by_role("link", name="Send proof of income"))
    page.get_by_label("Upload a file").set_input_files(
        {"name": "payslips.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    d.click(page.get_by_role("button", name="Send"))
    assert "We have your file" in page.locator("main").inner_text()


def officer_asks_for_evidence(d: Driver, case: Case, strand: Strand) -> None:
    page = d.page
    d.goto(f"/backoffice/cases/{case.id}")
    main = page.locator("main").inner_text()
    assert "Grace Adeyemi" in main and "Kemi Adeyemi" in main
    d.click(page.get_by_role("link", name="Applications & assessments").first)
    main = page.locator("main").inner_text()
    assert strand.reference in main and "Bedroom assessment" in main
    assert "Bedroom 2" in page.locator("#rooms").inner_text()  # two bedrooms: couple, children
    d.click(page.get_by_role("link", name="Housing Register application"))
    d.click(page.get_by_role("link", name="Ask for evidence"))
    page.get_by_label("What do they need to send?").fill("Proof of income for the last 3 months")
    page.get_by_label("Why do we need it?").fill("To check your income is under the limit.")
    d.click(page.get_by_role("button", name="Ask for evidence"))
    assert "Waiting for the applicant" in page.locator("#evidence-requests").inner_text()


def officer_accepts_and_decides(d: Driver, case: Case, strand: Strand) -> None:
    page = d.page
    d.goto(f"/backoffice/cases/{case.id}/applications/{strand.id}")
    assert "payslips.pdf" in page.locator("#evidence-requests").inner_text()
    d.click(page.get_by_role("button", name="Accept"))
    assert "Accepted" in page.locator("#evidence-requests").inner_text()
    d.click(page.get_by_role("link", name="Decide", exact=True))
    d.snap("register-decide")
    page.get_by_label("Qualifies", exact=True).check()
    page.get_by_label(re.compile("Q2 – ")).check()
    page.get_by_label("Band").select_option("Band B (high)")
    page.get_by_label("Do not tell them now").check()
    d.click(page.get_by_role("button", name="Record the decision"))
    assert page.locator("#strand-status").inner_text() == "Active on register"


def test_apply_leave_come_back_send_evidence_and_read_the_decision_with_javascript(
    browser, live: Live
) -> None:  # type: ignore[no-untyped-def]
    with live.sessions.begin() as db:
        make_team(db, "Housing Register")
        make_officer(db, Permission.CASES, name="Rina Patel", email="rina@northbridge.example")
        make_portal_account(db, None, email="grace@example.com")

    for visit in visit_at(browser, live, PHONE):
        phone = Driver(visit.page, visit.click, visit.goto, narrow=False)
        phone.snap = visit.screenshot
        sign_in(phone)
        assert phone.heading() == "Find your housing case"  # no case yet: offered to apply
        first_half(phone)
        visit.click(visit.page.get_by_role("button", name="Sign out"))
        sign_in(phone)
        visit.goto("/apply")
        assert "You have an application in progress" in visit.page.locator("main").inner_text()
        phone.click(visit.page.get_by_role("button", name="Continue your application"))
        visit.page.set_viewport_size({"width": 320, "height": 700})
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= 320
        visit.page.set_viewport_size(PHONE)
        second_half(phone)
        visit.screenshot("apply-sent-390")

    with live.sessions.begin() as db:
        strand = db.scalars(select(Strand).where(Strand.type_code == "housing_register")).one()
        case = db.get(Case, strand.case_id)
        db.expunge_all()
    assert case is not None

    for visit in visit_at(browser, live, DESKTOP):
        officer = Driver(visit.page, visit.click, visit.goto, narrow=False)
        officer.goto("/backoffice/")
        visit.page.get_by_label("Email address").fill("rina@northbridge.example")
        visit.page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        visit.click(visit.page.get_by_role("button", name="Sign in"))
        officer_asks_for_evidence(officer, case, strand)

    for visit in visit_at(browser, live, PHONE):
        phone = Driver(visit.page, visit.click, visit.goto, narrow=False)
        sign_in(phone)
        assert "Send proof of income" in visit.page.locator("#evidence-asked").inner_text()
        send_evidence(phone)

    for visit in visit_at(browser, live, DESKTOP):
        officer = Driver(visit.page, visit.click, visit.goto, narrow=False)
        officer.snap = visit.screenshot
        officer.goto("/backoffice/")
        visit.page.get_by_label("Email address").fill("rina@northbridge.example")
        visit.page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        visit.click(visit.page.get_by_role("button", name="Sign in"))
        officer_accepts_and_decides(officer, case, strand)

    for visit in visit_at(browser, live, PHONE):
        phone = Driver(visit.page, visit.click, visit.goto, narrow=False)
        sign_in(phone)
        card = visit.page.locator(f'[data-strand="{strand.reference}"]').inner_text()
        assert "You are on the housing register" in card
        assert "Band B (high)" in card and f"BN{strand.id:06d}" in card
        assert "Active on register" not in card
        visit.screenshot("apply-decided-390")


def _no_js_click(page: Page) -> Callable[[Any], None]:
    def click(locator: Any) -> None:
        with page.expect_navigation():
            locator.click()

    return click


def test_apply_and_send_evidence_at_320px_without_javascript(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    with live.sessions.begin() as db:
        make_portal_account(db, None, email="grace@example.com")
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        d = Driver(page, _no_js_click(page), lambda path: page.goto(live.url(path)), narrow=True)
        sign_in(d)
        first_half(d)
        d.click(page.locator("main").get_by_role("button", name="Sign out"))  # leave; come back
        sign_in(d)
        d.goto("/apply")
        d.click(page.get_by_role("button", name="Continue your application"))
        second_half(d)
        with live.sessions.begin() as db:
            strand = db.scalars(select(Strand).where(Strand.type_code == "housing_register")).one()
            officer = make_officer(db, Permission.CASES)
            evidence_requests.ask(
                db,
                SYSTEM,
                officer,
                strand.case,
                what="Proof of income for the last 3 months",
                why="To check your income is under the limit.",
                due_date=dt.date.today() + dt.timedelta(days=14),
                strand=strand,
                person_id=None,
                today=dt.date.today(),
            )
        d.click(page.get_by_role("link", name="See your case and application"))
        send_evidence(d)
        # an officer decides (the back office is tested with JavaScript above): not eligible
        with live.sessions.begin() as db:
            strand = db.scalars(select(Strand).where(Strand.type_code == "housing_register")).one()
            officer = make_officer(db, Permission.CASES)
            evidence_requests.accept(
                db, SYSTEM, officer, db.scalars(select(EvidenceRequest)).one(), expected_version=2
            )
            register_decisions.decide(
                db,
                store_for(live.settings),
                SYSTEM,
                officer,
                strand,
                register_decisions.Decision(
                    outcome="Does not qualify",
                    reason_codes=("N4",),
                    reason="Your household's savings are over the £30,000 limit (scheme 4.1).",
                    tell_by="none",
                ),
                expected_version=strand.version,
                today=dt.date.today(),
                council=Council("Testshire District Council", "020 7946 0000", "Housing options"),
            )
        d.goto("/your-case")
        card = page.locator(f'[data-strand="{strand.reference}"]').inner_text()
        assert "You do not qualify to join the register" in card
        assert "savings are over the £30,000 limit" in card and "ask for a review" in card
        assert d.too_wide == {}, d.too_wide
    finally:
        context.close()


APPLY_FIRST_LOAD_BUDGET = 50 * 1024  # issue 17: the journey's first page, first visit


def test_the_application_starts_light_on_a_phone(phone: Visit) -> None:
    transferred: dict[str, int] = {}

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        sizes = request.sizes()
        transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    phone.page.on("requestfinished", finished)
    page = phone.goto("/apply")
    assert page.locator("h1").inner_text() == "Apply to join the housing register"
    total = sum(transferred.values())
    print(f"\napply start, first load: {len(transferred)} requests, {total / 1024:.1f} KB")
    assert not [u for u in transferred if u.endswith((".woff", ".woff2"))]
    assert total < APPLY_FIRST_LOAD_BUDGET, transferred
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
