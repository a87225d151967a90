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
