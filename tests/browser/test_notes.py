"""Notes, alerts and actions in Chromium, axe on every page: an officer adds an alert about a
household member (refused once), sees it on the case header, the person's page and the review
page of the case's pending change, adds a note and an action, marks the action done, and finds
all three on the Notes & actions tab."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from changes import engine
from domain.vocab import Permission
from tests.browser.conftest import Live, visiting
from tests.browser.test_case_running import _date, _sign_in
from tests.support.factories import make_case, make_officer, make_person, make_portal_account


@pytest.mark.parametrize("width", [1366, 768])
def test_an_officer_records_an_alert_a_note_and_an_action(
    browser: object, live: Live, width: int
) -> None:
    with live.sessions.begin() as db:
        mum = make_person(db, "Amira", "Khan")
        dad = make_person(db, "Tariq", "Khan", sex="M")
        case = make_case(db, mum, [(dad, "Partner")])
        account = make_portal_account(db, mum, email="amira@example.com")
        change = engine.submit(
            db,
            account,
            case,
            "other",
            {"person_id": mum.id, "details": "New phone number"},
            idempotency_key=uuid.uuid4().hex,
            today=dt.date.today(),
        )
        officer = make_officer(
            db, Permission.CASES, Permission.PEOPLE, Permission.QUEUE, name="Rina Patel"
        )
        email, case_id, change_id, dad_id = officer.email, case.id, change.id, dad.id

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, email)
        visit.goto(f"/backoffice/cases/{case_id}/notes")
        assert "No notes, alerts or actions yet" in page.locator("#nothing").inner_text()
        visit.click(page.locator("#add-alert"))
        page.get_by_label("Who or what is it about?").select_option(label="Tariq Khan")
        visit.click(page.get_by_role("button", name="Add the alert"))
        assert "Select the type of alert" in page.locator(".govuk-error-summary").inner_text()
        page.get_by_label("Type of alert").select_option("Violent or aggressive")
        page.get_by_label("What officers need to know").fill("Meet at the civic centre, in pairs")
        visit.click(page.get_by_role("button", name="Add the alert"))
        assert "Violent or aggressive" in page.locator("#case-alerts").inner_text()
        visit.goto(f"/backoffice/people/{dad_id}")
        assert "Meet at the civic centre" in page.locator("#person-alerts").inner_text()
        visit.goto(f"/backoffice/queue/{change_id}")
        assert "Violent or aggressive" in page.locator("#review-alerts").inner_text()

        visit.goto(f"/backoffice/cases/{case_id}/notes")
        visit.click(page.locator("#add-note"))
        page.get_by_label("Kind of note").select_option("Phone call")
        page.get_by_label("Note", exact=True).fill("Rang about the band; will send the GP letter")
        visit.click(page.get_by_role("button", name="Add the note"))
        visit.click(page.locator("#add-action"))
        page.get_by_label("What needs doing").fill("Chase the GP letter")
        page.get_by_label("Officer").select_option(label="Rina Patel")
        _date(page, "Due", dt.date.today() + dt.timedelta(days=7))
        visit.click(page.get_by_role("button", name="Add the action"))
        kinds = page.locator("#notes-list > li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds == ["action", "note", "alert"]
        visit.click(page.get_by_role("button", name="Mark as done"))
        assert "Done" in page.locator('[data-kind="action"]').inner_text()
