"""The heart of the product, end to end in a real browser: an applicant on a phone reports that
a member left (with evidence); an officer finds it in the queue and accepts it; the case shows
the date left and a new bedroom assessment; the applicant sees the outcome; history shows every
step. Every page of ours is checked by axe."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from domain.vocab import Permission
from tests.browser.conftest import StartLive, visiting
from tests.support.browser import DESKTOP, PHONE
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.smtp import smtp_server

PDF = b"%PDF-1.7\n% a scanned letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_member_left_reported_reviewed_accepted_and_seen(browser, start_live: StartLive) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as mail, start_live(SMTP_HOST=mail.host, SMTP_PORT=str(mail.port)) as live:
        with live.sessions.begin() as db:
            mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
            dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
            son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
            girl = make_person(db, "Noor", "Khan", born=dt.date(2012, 5, 5), sex="F")
            case = make_case(db, mum, [(dad, "Partner"), (son, "Son"), (girl, "Daughter")])
            link_partners(db, case, mum, dad)
            open_housing_register(db, case)
            make_portal_account(db, mum, email="amira@example.com")
            make_officer(
                db,
                Permission.QUEUE,
                Permission.CASES,
                name="Quinn Harper",
                email="quinn@council.example",
            )
            case_id = case.id
        left_on = dt.date.today() - dt.timedelta(days=3)

        with visiting(browser, live, PHONE) as phone, visiting(browser, live, DESKTOP) as desk:
            # --- the applicant, on a phone ---------------------------------------------------
            page = phone.goto("/sign-in")
            page.get_by_label("Email address").fill("amira@example.com")
            page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
            phone.click(page.get_by_role("button", name="Sign in"))
            assert page.locator("h1").inner_text() == "Your case"
            assert "needs 3 bedrooms" in page.locator("main").inner_text()
            phone.click(page.get_by_role("button", name="Report a change"))
            page.get_by_label("Someone has left your household").check()
            phone.click(page.get_by_role("button", name="Continue"))
            page.get_by_label("Noor Khan").check()
            page.get_by_label("Day").fill(str(left_on.day))
            page.get_by_label("Month").fill(str(left_on.month))
            page.get_by_label("Year").fill(str(left_on.year))
            page.get_by_label("Evidence (optional)").set_input_files(
                {"name": "new-tenancy.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
            phone.click(page.get_by_role("button", name="Continue"))
            assert page.locator("h1").inner_text() == "Check your answers"
            assert "new-tenancy.pdf" in page.locator(".govuk-summary-list").inner_text()
            phone.click(page.get_by_role("button", name="Send change"))
            assert page.locator(".govuk-panel__title").inner_text() == "Change sent"
            reference = re.search(
                r"PC-\d{6}", page.locator(".govuk-panel__body").inner_text()
            ).group(0)  # type: ignore[union-attr]
            phone.screenshot("portal-change-sent-390")
            phone.click(page.get_by_role("link", name="See your changes"))
            assert "Pending" in page.locator(".govuk-summary-card").inner_text()
            phone.goto("/your-case")
            assert "Change pending" in page.locator("main").inner_text()

            # --- the officer, at a desk -------------------------------------------------------
            office = desk.goto("/backoffice/sign-in")
            office.get_by_label("Email address").fill("quinn@council.example")
            office.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
            desk.click(office.get_by_role("button", name="Sign in"))
            desk.click(office.get_by_role("link", name="Review queue"))
            desk.click(office.get_by_role("link", name=re.compile(f"Member left {reference}")))
            review = office.locator("main").inner_text()
            assert "Bedroom need" in review and "3 bedrooms" in review and "2 bedrooms" in review
            assert "new-tenancy.pdf" in review
            desk.screenshot("backoffice-review")
            desk.click(office.get_by_role("button", name="Accept change"))
            assert f"Change {reference} accepted" in office.locator(".moj-alert").inner_text()

            desk.goto(f"/backoffice/cases/{case_id}/people?past=1")
            people = office.locator("main").inner_text()
            assert "Noor Khan" in people and f"{left_on:%-d %B %Y}" in people
            desk.goto(f"/backoffice/cases/{case_id}/applications")
            strands = office.locator("main").inner_text()
            assert reference in strands and "2 bedrooms" in strands
            desk.goto(f"/backoffice/cases/{case_id}/history")
            history = office.locator("main").inner_text()
            for step in (
                f"reported through the portal ({reference})",
                "left the household",
                "Bedroom need recalculated",
                f"Change {reference} accepted",
            ):
                assert step in history, step

            # --- the applicant sees the outcome ------------------------------------------------
            phone.goto("/your-changes")
            assert "Accepted" in page.locator(".govuk-summary-card").inner_text()
            phone.goto("/your-case")
            main = page.locator("main").inner_text()
            assert "needs 2 bedrooms" in main
            assert f"Noor Khan\nLeft on {left_on:%-d %B %Y}" in main
            phone.screenshot("portal-your-case-after-390")

        email = mail.wait_for(lambda m: m.to == ["amira@example.com"] and "accepted" in m.subject)
        assert reference in email.subject

        from domain.models import HistoryEvent

        with live.sessions() as db:
            kinds = db.scalars(
                select(HistoryEvent.kind)
                .where(HistoryEvent.case_id == case_id)
                .order_by(HistoryEvent.id)
            ).all()
            assert kinds[-4:] == [
                "change.submitted",
                "household.left",
                "bedroom.recalculated",
                "change.accepted",
            ]
