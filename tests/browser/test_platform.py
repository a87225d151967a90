"""The portal on a phone and the back-office sign-in, in Debian's Chromium, checked by axe."""

from __future__ import annotations

from domain.vocab import Permission
from tests.browser.conftest import Live
from tests.support.browser import Visit
from tests.support.factories import TEST_PASSWORD, make_officer

# The portal's front page, first visit: HTML, styles and scripts together (issue 18: 35 KB).
PAGE_WEIGHT_BUDGET = 35 * 1024


def test_portal_home_on_a_phone_is_accessible_and_light(phone: Visit) -> None:
    transferred: dict[str, int] = {}

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        sizes = request.sizes()
        transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    phone.page.on("requestfinished", finished)
    page = phone.goto("/")
    assert page.locator("h1").inner_text() == "Housing help from Testshire District Council"
    # nothing overflows sideways at phone width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the council's colour reaches the header
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.govuk-generic-header')).backgroundColor"
    )
    assert background == "rgb(29, 79, 145)"
    # JavaScript enhancement is on, from an external module (no inline script under the CSP)
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    # htmx is loaded only by pages that use it (a signed-in applicant's, the referral journey)
    assert page.evaluate("typeof window.htmx") == "undefined"
    assert not [u for u in transferred if "htmx" in u]
    total = sum(transferred.values())
    print(
        f"\nportal home first load: {len(transferred)} requests, {total / 1024:.1f} KB transferred"
    )
    assert not [u for u in transferred if "fonts" in u or u.endswith((".woff", ".woff2"))]
    assert total < PAGE_WEIGHT_BUDGET, transferred
    phone.screenshot("portal-home-390")


def test_a_referral_starts_light_and_its_journey_loads_htmx(phone: Visit) -> None:
    """Someone's first page is often a journey's start: it does not load htmx; the journey's
    question pages do (each step then fetches only the page's content)."""
    transferred: dict[str, int] = {}

    def finished(request) -> None:  # type: ignore[no-untyped-def]
        sizes = request.sizes()
        transferred[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    phone.page.on("requestfinished", finished)
    page = phone.goto("/refer")
    assert page.evaluate("typeof window.htmx") == "undefined"
    total = sum(transferred.values())
    print(f"\nreferral start, first load: {len(transferred)} requests, {total / 1024:.1f} KB")
    assert total < PAGE_WEIGHT_BUDGET, transferred
    page = phone.goto("/refer-yourself")
    assert page.evaluate("typeof window.htmx") == "undefined"
    phone.click(page.get_by_role("button", name="Start now"))
    assert page.evaluate("typeof window.htmx") == "object"


def test_portal_home_at_320px_without_javascript(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live.url("/"))
        assert page.locator("h1").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()


def test_officer_signs_in_with_a_local_account(desktop: Visit, live: Live) -> None:
    with live.sessions.begin() as session:
        officer = make_officer(session, Permission.CASES, name="Bea Lindqvist")
        email = officer.email
    page = desktop.goto("/backoffice/")
    assert page.url.endswith("/backoffice/sign-in?next=%2Fbackoffice%2F")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill("wrong password")
    desktop.click(page.get_by_role("button", name="Sign in"))
    assert (
        page.locator(".govuk-error-summary")
        .inner_text()
        .count("Enter a correct email address and password")
        == 1
    )
    assert page.title().startswith("Error: Sign in")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    desktop.click(page.get_by_role("button", name="Sign in"))
    assert page.locator("h1").inner_text() == "Home"
    assert page.locator(".hearth-officer-name").inner_text() == "Bea Lindqvist"
    desktop.screenshot("backoffice-home")
    desktop.click(page.get_by_role("button", name="Sign out"))
    assert page.locator("h1").inner_text() == "You have signed out"
