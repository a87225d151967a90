"""The portal with htmx, in Chromium on a phone: after the first page, moving through the change
journey swaps only the page's content (title, focus, history and axe right after each swap),
and each step transfers little; the same journey without JavaScript is in
test_portal_without_javascript.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from changes import engine
from domain.models import Case, PortalAccount, User
from domain.pending import PendingChange
from domain.vocab import Permission
from tests.browser.conftest import Live
from tests.support.browser import Visit
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.web.case_fixtures import NOTIFIER

STEP_BUDGET = 8 * 1024


def here(page: Any) -> str:
    """The document's address as the page has it now (Playwright's page.url may not yet have
    heard of an address htmx has just pushed)."""
    return str(
        page.evaluate("() => location.href")
    )  # bytes over the wire for each step after the first page


class Wire:
    """What the page transfers (compressed bodies and headers), request by request."""

    def __init__(self, visit: Visit) -> None:
        self.sizes: list[tuple[str, int]] = []
        visit.page.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        sizes = request.sizes()
        self.sizes.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    def during(self, act: Callable[[], Any]) -> tuple[int, list[str]]:
        start = len(self.sizes)
        act()
        new = self.sizes[start:]
        return sum(n for _, n in new), [u for u, _ in new]


def _family(live: Live) -> None:
    with live.sessions.begin() as db:
        mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
        son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
        case = make_case(db, mum, [(son, "Son")])
        open_housing_register(db, case)
        make_portal_account(db, mum, email="amira@example.com")


def test_the_change_journey_swaps_only_the_content_and_stays_light(
    phone: Visit, live: Live
) -> None:
    _family(live)
    wire = Wire(phone)
    page = phone.goto("/sign-in")
    page.get_by_label("Email address").fill("amira@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    phone.click(page.get_by_role("button", name="Sign in"))
    assert page.locator("h1").inner_text() == "Your case"
    assert page.evaluate("typeof window.htmx") == "object"
    steps: list[tuple[str, int]] = []

    def step(name: str, act: Callable[[], Any]) -> None:
        size, urls = wire.during(act)
        steps.append((name, size))
        print(f"{name}: {size / 1024:.1f} KB in {len(urls)} requests")
        # only the page itself came over (a POST may be followed by its redirect's GET): no
        # stylesheet or script was fetched or parsed again
        assert len(urls) <= 2 and not [u for u in urls if "/static/" in u], urls
        assert size <= STEP_BUDGET, (name, size)
        # the new page is announced as a new page: its title, and focus at its start
        h1 = page.locator("h1").first.inner_text()
        title = page.title()
        assert title.startswith(h1) or title.startswith("Error: " + h1), (title, h1)
        focused = page.evaluate(
            "() => document.activeElement.matches('h1, .govuk-error-summary') "
            "? document.activeElement.tagName : null"
        )
        assert focused is not None, name

    step("Report a change", lambda: phone.click(page.get_by_role("button", name="Report a change")))
    assert page.locator("h1").inner_text() == "What has changed?"
    page.get_by_label("Something else has changed").check()
    step("choose a kind", lambda: phone.click(page.get_by_role("button", name="Continue")))
    form_url = here(page)
    step("an error", lambda: phone.click(page.get_by_role("button", name="Continue")))
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert here(page) == form_url  # a form shown again keeps its address
    page.locator("textarea").fill("I have started a new job at the library.")
    step("the answers", lambda: phone.click(page.get_by_role("button", name="Continue")))
    assert page.locator("h1").inner_text() == "Check your answers"
    # Back returns to the step before, loaded afresh (no personal pages kept in browser storage)
    phone.back()
    assert here(page) == form_url
    assert "What has changed" in page.locator("main").inner_text()
    assert page.evaluate("localStorage.length") == 0
    with page.expect_event("load"):
        page.go_forward()
    assert page.locator("h1").inner_text() == "Check your answers"
    phone.check()
    step("send", lambda: phone.click(page.get_by_role("button", name="Send change")))
    assert page.locator(".govuk-panel__title").inner_text() == "Change sent"
    print("steps:", steps)
    assert phone.swaps == 5
    phone.screenshot("portal-change-sent-htmx-390")


def test_your_changes_shows_a_decision_without_a_reload(phone: Visit, live: Live) -> None:
    """While a change waits, "Your changes" asks every few seconds (here 1) and shows a decision
    as it is made, telling a screen reader; with nothing waiting it stops asking."""
    _family(live)
    page = phone.goto("/sign-in")
    page.get_by_label("Email address").fill("amira@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    phone.click(page.get_by_role("button", name="Sign in"))
    with live.sessions.begin() as db:
        account = db.scalars(select(PortalAccount)).one()
        case = db.get(Case, 1)
        change = engine.submit(
            db,
            account,
            case,
            "other",
            {"person_id": account.person_id, "details": "A new job"},
            idempotency_key="live-status",
            today=dt.date.today(),
        )
        officer = make_officer(db, Permission.QUEUE, name="Quinn Harper")
        change_id, officer_id = change.id, officer.id
    page = phone.goto("/your-changes")
    card = page.locator(".govuk-summary-card")
    assert "Pending" in card.inner_text()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "watching=" in r.url else None)
    with live.sessions.begin() as db:
        change = db.get(PendingChange, change_id)
        engine.accept(
            db,
            db.get(User, officer_id),
            change,
            expected_version=change.version,
            today=dt.date.today(),
            notifier=NOTIFIER,
        )
    # the page polls (every 20 s in the service; every second here, from now)
    page.evaluate(
        "() => { const el = document.getElementById('changes-list');"
        " el.setAttribute('hx-trigger', 'every 1s'); htmx.process(el); }"
    )
    page.wait_for_function(
        "() => document.querySelector('.govuk-summary-card').innerText.includes('Accepted')"
    )
    assert "Accepted" in page.locator("#changes-news").inner_text()
    assert here(page).endswith("/your-changes")  # the address did not change
    phone.check()
    polls = len(asked)
    assert polls >= 1
    # nothing waits now: the list no longer asks
    assert page.locator("#changes-list[hx-trigger]").count() == 0
    page.wait_for_timeout(2500)
    assert len(asked) == polls


def test_an_officer_filters_the_queue_and_accepts_in_place(desktop: Visit, live: Live) -> None:
    """Signed in, the back office swaps pages in place: the queue's filters keep a shareable
    address, a review opens and an accept answers with the queue and its outcome, each step
    fetching only the page (no stylesheet or script again), announced, and checked by axe."""
    _family(live)
    with live.sessions.begin() as db:
        account = db.scalars(select(PortalAccount)).one()
        case = db.get(Case, 1)
        for n, kind in enumerate(("other", "other")):
            engine.submit(
                db,
                account,
                case,
                kind,
                {"person_id": account.person_id, "details": f"Change {n}"},
                idempotency_key=f"queue-{n}",
                today=dt.date.today(),
            )
        make_officer(db, Permission.QUEUE, name="Quinn Harper", email="quinn@council.example")
    wire = Wire(desktop)
    page = desktop.goto("/backoffice/sign-in")
    page.get_by_label("Email address").fill("quinn@council.example")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    desktop.click(page.get_by_role("button", name="Sign in"))

    def step(act: Callable[[], Any]) -> None:
        size, urls = wire.during(act)
        print(f"{here(page)}: {size / 1024:.1f} KB in {len(urls)} requests")
        assert len(urls) <= 2 and not [u for u in urls if "/static/" in u], urls
        assert (
            page.title().split(" – ")[0].removeprefix("Error: ")
            in page.locator("h1").first.inner_text()
        )

    step(lambda: desktop.click(page.get_by_role("link", name="Review queue")))
    assert page.locator("h1").inner_text().startswith("Review queue")
    assert page.locator("[aria-current=page]").inner_text() == "Review queue"
    page.get_by_label("Kind of change").select_option("other")
    step(lambda: desktop.click(page.get_by_role("button", name="Apply filters")))
    assert "kind=other" in here(page)  # the filtered queue has an address to share
    assert page.locator("tbody tr").count() == 2
    step(lambda: desktop.click(page.locator("tbody tr a").first))
    assert "/backoffice/queue/" in here(page)
    step(lambda: desktop.click(page.get_by_role("button", name="Accept change")))
    assert "accepted" in page.locator(".moj-alert").inner_text()
    assert here(page).endswith("/backoffice/queue")
    assert page.locator("tbody tr").count() == 1
    assert desktop.swaps == 4
    # back returns to the review, reloaded (now decided)
    desktop.back()
    assert "/backoffice/queue/" in here(page)
    assert "Accepted" in page.locator("main").inner_text()


def test_a_field_is_checked_when_it_is_left(phone: Visit, live: Live) -> None:
    """Leaving an email address or a date asks the server, with the rules the form has on
    submit; the field's error appears (or goes) in place, with no error summary until submit."""
    _family(live)
    page = phone.goto("/sign-in")
    page.get_by_label("Email address").fill("amira@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    phone.click(page.get_by_role("button", name="Sign in"))
    phone.goto("/report-a-change")
    page.get_by_label("Your contact details have changed").check()
    phone.click(page.get_by_role("button", name="Continue"))
    group = page.locator("#email-group")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.method) if r.headers.get("hearth-check") else None)

    def leave(locator: Any) -> None:
        with page.expect_response(lambda r: r.request.headers.get("hearth-check") is not None):
            locator.press("Tab")
        page.wait_for_timeout(100)  # the swap settles

    email = page.get_by_label("Email address")
    email.fill("amira@example")
    leave(email)
    assert "Enter an email address in the correct format" in group.inner_text()
    assert page.locator(".govuk-error-summary").count() == 0
    phone.check()
    email = page.get_by_label("Email address")  # the field was swapped in again
    email.fill("amira@example.com")
    leave(email)
    assert group.locator(".govuk-error-message").count() == 0
    assert asked == ["POST", "POST"]
    # a date is checked once its year is left
    phone.goto("/report-a-change")
    page.get_by_label("Someone has left your household").check()
    phone.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    year = page.get_by_label("Year")
    year.fill("2026")
    leave(year)
    assert page.locator("#date_left-group .govuk-error-message").count() == 1
    phone.check()
    # nothing was kept: the journey still starts from an empty form
    assert page.locator(".govuk-error-summary").count() == 0


def test_a_link_to_the_back_office_is_a_whole_page(phone: Visit, live: Live) -> None:
    """From a boosted portal page, the back office opens as its own page, not inside the
    portal's (its links are real navigations, and anything answered from another part of the
    service is loaded whole)."""
    _family(live)
    page = phone.goto("/sign-in")
    page.get_by_label("Email address").fill("amira@example.com")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    phone.click(page.get_by_role("button", name="Sign in"))
    assert page.evaluate("typeof window.htmx") == "object"
    phone.click(page.get_by_role("link", name="Staff sign in"))
    assert "/backoffice/sign-in" in here(page)
    assert page.locator(".moj-header").count() == 1
    assert page.locator(".govuk-service-navigation").count() == 0
    # a page of the other area asked for by htmx is loaded whole, not swapped in
    phone.goto("/your-case")
    page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '/backoffice/sign-in';"
        " a.textContent = 'Elsewhere'; document.querySelector('main').append(a); htmx.process(a); }"
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Elsewhere").click()
    assert page.locator(".moj-header").count() == 1
    phone.check()
