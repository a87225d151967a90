"""The applicant's own case page speaks plainly: where each application stands in words, never
an officer's status code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain import strands
from domain.history import SYSTEM
from domain.workflows import CONTACT_CLIENT
from tests.support.factories import (
    TEST_PASSWORD,
    make_portal_account,
    make_referral,
    open_housing_register,
)
from tests.support.pages import Pages


def test_applications_are_described_in_plain_words(db: Session, pages: Pages) -> None:
    referral = make_referral(db, self_referral=True, email="kieran@example.com")
    case = referral.strand.case
    strands.change_status(db, SYSTEM, referral.strand, CONTACT_CLIENT)
    register = open_housing_register(db, case)
    strands.change_status(db, SYSTEM, register, "Awaiting information")
    make_portal_account(db, referral.person, email="kieran@example.com")
    db.commit()
    pages.post("sign_in", {"email": "kieran@example.com", "password": TEST_PASSWORD})
    page = pages.get("your_case")
    text = page.text
    assert "We are getting in touch with you" in text
    assert "We are waiting for information from you" in text
    for code in ("02 Contact Client", "01 Referral Entered", "Awaiting information"):
        assert code not in text


def test_each_application_says_what_happens_next_what_we_need_and_its_decision(
    db: Session, pages: Pages
) -> None:
    from domain.strands import open_strand
    from tests.support.factories import make_case, make_person

    person = make_person(db, "Amara", "Okafor")
    case = make_case(db, person)
    register = open_housing_register(db, case)
    strands.change_status(db, SYSTEM, register, "Awaiting information")
    homeless = open_strand(db, SYSTEM, case, "homeless_application")
    make_portal_account(db, person, email="amara@example.com")
    db.commit()
    pages.post("sign_in", {"email": "amara@example.com", "password": TEST_PASSWORD})
    page = pages.get("your_case")
    card = page.select_one(f'[data-strand="{register.reference}"]')
    text = " ".join(card.get_text(" ").split())
    assert "An application to join the council's housing register." in text
    assert "Where it stands We are waiting for information from you" in text
    assert "What happens next We will carry on with your application" in text
    needed = card.select_one("[data-needed]").get_text(" ")
    assert "Send us the documents or information we asked for" in needed
    assert page.select_one(f'[data-strand="{homeless.reference}"] [data-needed]')

    # the officer decides: not eligible, with a reason; the decision stays in view, closed
    register.data = {
        **register.data,
        "qualification_decision": "Does not qualify",
        "qualification_reason": "You have lived in the borough for less than two years.",
    }
    strands.change_status(db, SYSTEM, register, "Not eligible")
    db.commit()
    page = pages.get("your_case")
    card = page.select_one(f'[data-strand="{register.reference}"]')
    assert card["data-open"] == "no"
    text = " ".join(card.get_text(" ").split())
    assert "You do not qualify to join the register" in text
    assert "Qualification decision Does not qualify" in text
    assert "Reason for the decision You have lived in the borough for less than two years." in text
    assert "You can ask for a review of the decision within 21 days" in text
    assert "Closed" in text and card.select("[data-needed]") == []  # nothing more to send
    assert "Not eligible" not in text  # the officers' status, never shown
