"""Applications and assessments in Chromium, axe on every page: an officer adds a Health
assessment from its type's definition (a refused form first), edits it, sees its key facts on
the dashboard, and moves a Homeless referral to another case, where both cases' journals record
it."""

from __future__ import annotations

import pytest

from domain.vocab import Permission
from tests.browser.conftest import Live, visiting
from tests.browser.test_case_running import _sign_in
from tests.support.factories import make_case, make_officer, make_person, make_referral


@pytest.mark.parametrize("width", [1366, 768])
def test_an_officer_adds_edits_and_moves_applications(
    browser: object, live: Live, width: int
) -> None:
    with live.sessions.begin() as db:
        referral = make_referral(db)
        source = referral.strand.case
        mum = make_person(db, "Amira", "Khan")
        son = make_person(db, "Yusuf", "Khan", sex="M")
        target = make_case(db, mum, [(son, "Son")])
        officer = make_officer(db, Permission.CASES, Permission.MOVE_STRANDS, name="Mo Mover")
        email = officer.email
        source_id, target_id, target_ref = source.id, target.id, target.reference
        old_ref = referral.strand.reference

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, email)
        visit.goto(f"/backoffice/cases/{target_id}")
        visit.click(page.locator("#add-strand"))
        page.get_by_label("Health assessment").check()
        visit.click(page.get_by_role("button", name="Continue"))
        # Nothing chosen for the person assessed: refused, by the field.
        visit.click(page.get_by_role("button", name="Add the Health assessment"))
        assert "Select person assessed" in page.locator(".govuk-error-summary").inner_text()
        page.get_by_label("Person assessed").select_option(label="Yusuf Khan")
        page.get_by_label("Mobility needs (optional)").select_option("Cannot manage stairs")
        visit.click(page.get_by_role("button", name="Add the Health assessment"))
        assert (
            "added at “Requested”"
            in page.locator(".moj-alert, .govuk-notification-banner").first.inner_text()
        )
        assert "Yusuf Khan" in page.locator("#strand-facts").inner_text()

        visit.click(page.locator("#edit-strand"))
        page.get_by_label("Medical condition").fill("Asthma, worse in damp rooms")
        page.get_by_label("Mobility needs (optional)").select_option("Needs a level-access home")
        visit.click(page.get_by_role("button", name="Save changes"))
        facts = page.locator("#strand-facts").inner_text()
        assert "Asthma, worse in damp rooms" in facts and "Needs a level-access home" in facts
        assert "→ “Needs a level-access home”" in page.locator("#strand-journal").inner_text()
        visit.click(page.get_by_role("button", name="Move to “In progress”"))
        assert page.locator("#strand-status").inner_text() == "In progress"
        visit.click(page.get_by_role("link", name="Back to the case dashboard"))
        assert "Person assessed: Yusuf Khan" in page.locator("[data-strand^=HE-]").inner_text()

        # The referral moves from its case to this one.
        visit.goto(f"/backoffice/cases/{source_id}")
        visit.click(page.get_by_role("link", name=old_ref))
        visit.click(page.locator("#move-strand"))
        page.get_by_label("Reference of the case to move it to").fill(target_ref)
        visit.click(page.get_by_role("button", name="Move it"))
        journal = page.locator("#strand-journal").inner_text()
        assert f"where it was {old_ref}" in journal
        new_ref = page.locator("#strand-status").get_attribute("data-reference")
        visit.goto(f"/backoffice/cases/{source_id}/history")
        assert (
            f"moved to case {target_ref}, where it is {new_ref}"
            in page.locator("main").inner_text()
        )
        visit.goto(f"/backoffice/cases/{target_id}/history")
        assert f"where it was {old_ref}" in page.locator("main").inner_text()
