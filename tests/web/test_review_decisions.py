"""Deciding changes the record has moved on from, and reading decided changes later.

- A change about someone who has since left no longer applies: the review page says so and
  accepting is refused with the reason (issue: "Theo → Stepchild" after "Theo left").
- A change whose basis moved needs the officer's confirmation, with what moved shown.
- A decided change keeps the before → after it had when it was decided.
- Officers read changes in the third person; applicants read them in their own words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from domain import clock
from domain.models import CasePerson, HistoryEvent, User
from domain.pending import PendingChange
from domain.security import OutboxEmail
from domain.vocab import Permission
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Pages

TODAY = clock.today()


@pytest.fixture
def mensah(db: Session) -> dict[str, Any]:
    leah = make_person(db, "Leah", "Mensah", born=dt.date(1991, 2, 3))
    theo = make_person(db, "Theo", "Mensah", born=dt.date(2012, 5, 6), sex="M")
    case = make_case(db, leah, [(theo, "Son")], joined=dt.date(2024, 1, 1))
    open_housing_register(db, case)
    account = make_portal_account(db, leah, email="leah.mensah@example.com")
    db.commit()
    return {"case": case, "leah": leah, "theo": theo, "account": account}


def submit(db: Session, f: dict[str, Any], kind: str, payload: dict[str, Any]) -> PendingChange:
    change = engine.submit(
        db, f["account"], f["case"], kind, payload, idempotency_key=uuid.uuid4().hex, today=TODAY
    )
    db.commit()
    return change


def accept(pages: Pages, change: PendingChange, **extra: str) -> Any:
    db_version = {"version": str(change.version), **extra}
    return pages.post("backoffice:review_accept", db_version, change_id=change.id, status=None)


def test_a_change_about_someone_who_has_left_says_so_and_cannot_be_accepted(
    db: Session, pages: Pages, mensah: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    theo = mensah["theo"]
    relationship = submit(
        db, mensah, "relationship", {"person_id": theo.id, "relationship": "Stepchild"}
    )
    left_on = TODAY - dt.timedelta(days=3)
    left = submit(db, mensah, "left", {"person_id": theo.id, "date_left": left_on.isoformat()})
    sign_in_officer(Permission.QUEUE)
    assert accept(pages, left).status == 303

    review = pages.get("backoffice:review", change_id=relationship.id)
    assert "The record has moved on since this change was sent." in review.text
    assert f"Theo Mensah left the household on {clock.long_date(left_on)}" in review.text
    assert "this change no longer applies" in review.text
    assert not review.select(f'form[action$="/queue/{relationship.id}/accept"]')

    refused = accept(pages, relationship)
    assert refused.status == 400
    assert refused.error_summary == [
        f"Theo Mensah left the household on {clock.long_date(left_on)}, so this change no "
        "longer applies. Reject it, and tell the applicant why."
    ]
    db.expire_all()
    assert db.get(PendingChange, relationship.id).status == "pending"  # type: ignore[union-attr]
    link = db.scalar(select(CasePerson).where(CasePerson.person_id == theo.id))
    assert link is not None and link.relationship_to_primary == "Son"


def test_a_change_whose_record_moved_on_needs_the_officers_confirmation(
    db: Session, pages: Pages, mensah: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    theo = mensah["theo"]
    change = submit(db, mensah, "relationship", {"person_id": theo.id, "relationship": "Stepchild"})
    link = db.scalar(select(CasePerson).where(CasePerson.person_id == theo.id))
    assert link is not None
    link.relationship_to_primary = "Foster child"  # an officer corrected the record meanwhile
    db.commit()
    sign_in_officer(Permission.QUEUE)
    review = pages.get("backoffice:review", change_id=change.id)
    assert "Relationship was Son when this was sent, and is now Foster child" in review.text
    assert review.select('input[name="confirm_stale"]')

    unconfirmed = accept(pages, change)
    assert unconfirmed.status == 400
    assert unconfirmed.error_summary == [
        "The record has moved on since this change was sent. Check what has changed, then "
        "confirm you still want to accept it"
    ]
    assert unconfirmed.select_one("#confirm_stale-error")  # the message is by the checkbox
    assert accept(pages, change, confirm_stale="yes").status == 303
    db.expire_all()
    assert db.get(CasePerson, link.id).relationship_to_primary == "Stepchild"  # type: ignore[union-attr]


def test_a_decided_change_still_shows_what_it_changed(
    db: Session, pages: Pages, mensah: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    left_on = TODAY - dt.timedelta(days=2)
    change = submit(
        db, mensah, "left", {"person_id": mensah["theo"].id, "date_left": left_on.isoformat()}
    )
    sign_in_officer(Permission.QUEUE)
    before = pages.get("backoffice:review", change_id=change.id)
    assert "Still in the household" in before.text
    accept(pages, change)
    after = pages.get("backoffice:review", change_id=change.id)
    assert after.h1.endswith(change.reference)
    assert "What accepting changed" in after.text
    cells = after.texts("table tbody tr td")
    assert cells[:2] == ["Still in the household", clock.long_date(left_on)]  # as decided
    assert "As the record stood when it was decided." in after.text
    # GOV.UK date and time: "Decided by … at 10:06pm on 29 November 2026."
    assert f"on {clock.long_date(TODAY)}." in after.text


def test_officers_and_applicants_each_read_the_change_in_their_own_words(
    db: Session, pages: Pages, mensah: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(
        db, mensah, "relationship", {"person_id": mensah["theo"].id, "relationship": "Stepchild"}
    )
    sign_in_officer(Permission.QUEUE)
    done = accept(pages, change)
    banner = pages.follow(done).text
    assert "Theo Mensah is now the primary applicant's stepchild" in banner
    assert "your stepchild" not in banner
    db.expire_all()
    summaries = db.scalars(
        select(HistoryEvent.summary).where(HistoryEvent.case_id == mensah["case"].id)
    )
    assert not [s for s in summaries if "your" in s]
    email = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "change.accepted")).one()
    assert "Theo Mensah is now your stepchild" in email.body_text
    # and on the applicant's own pages
    pages.post("sign_in", {"email": "leah.mensah@example.com", "password": TEST_PASSWORD})
    assert "Theo Mensah is now your stepchild" in pages.get("your_changes").text
