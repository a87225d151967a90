"""The portal works on a 320 px wide phone with JavaScript switched off: an applicant signs in,
reports a change with a file, checks their answers, sends it and sees it pending. Nothing on the
way scrolls sideways. (Accessibility is checked by axe in the JavaScript-enabled journeys.)"""

from __future__ import annotations

import datetime as dt

from tests.browser.conftest import Live
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)

PDF = b"%PDF-1.4\n% letter\n%%EOF\n"


def test_report_a_change_at_320px_without_javascript(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    with live.sessions.begin() as db:
        mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
        case = make_case(
            db, mum, [(make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M"), "Son")]
        )
        open_housing_register(db, case)
        make_portal_account(db, mum, email="amira@example.com")
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    try:
        page = context.new_page()
        widths: dict[str, int] = {}

        def note() -> None:
            widths[page.url] = page.evaluate("document.documentElement.scrollWidth")

        page.goto(live.url("/sign-in"))
        note()
        page.get_by_label("Email address").fill("amira@example.com")
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        assert page.locator("h1").inner_text() == "Your case"
        note()
        # (a click that submits a form returns before the next page is there: wait for it)
        with page.expect_navigation():
            page.get_by_role("button", name="Report a change").click()
        note()
        page.get_by_label("Something else has changed").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        note()
        page.get_by_role("button", name="Continue").click()  # nothing filled in
        assert "Tell us what has changed" in page.locator(".govuk-error-summary").inner_text()
        note()
        page.get_by_label("What has changed?").fill("I have a new job, 20 hours a week.")
        page.get_by_label("Evidence (optional)").set_input_files(
            {"name": "payslip.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
        page.get_by_role("button", name="Continue").click()
        assert page.locator("h1").inner_text() == "Check your answers"
        note()
        page.get_by_role("button", name="Send change").click()
        assert page.locator(".govuk-panel__title").inner_text() == "Change sent"
        note()
        page.get_by_role("link", name="See your changes").click()
        assert "Pending" in page.locator("main").inner_text()
        note()
        too_wide = {url: w for url, w in widths.items() if w > 320}
        assert not too_wide, too_wide
        assert len(widths) >= 7
    finally:
        context.close()
