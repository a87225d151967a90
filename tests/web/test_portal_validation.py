"""What an applicant can and cannot tell us, and how refusals are explained: names made only of
spaces, who can be pregnant or a baby's mother, and every error shown at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import household
from domain.clock import today
from domain.history import SYSTEM
from domain.pending import PendingChange
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Pages


def d(prefix: str, value: dt.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(value.day),
        f"{prefix}-month": str(value.month),
        f"{prefix}-year": str(value.year),
    }


@pytest.fixture
def household_of(db: Session, pages: Pages) -> dict[str, Any]:
    now = today()
    mum = make_person(db, "Ruth", "Evans", born=dt.date(1990, 3, 3))
    dad = make_person(db, "Joel", "Evans", born=dt.date(1988, 6, 6), sex="M")
    girl = make_person(
        db, "Isla", "Evans", born=now.replace(year=now.year - 9) - dt.timedelta(days=30)
    )
    unrecorded = make_person(db, "Sam", "Evans", born=dt.date(1994, 1, 1), sex="X")
    case = make_case(db, mum, [(dad, "Partner"), (girl, "Daughter"), (unrecorded, "Sister")])
    open_housing_register(db, case)
    make_portal_account(db, mum, email="ruth@example.com")
    db.commit()
    pages.post("sign_in", {"email": "ruth@example.com", "password": TEST_PASSWORD})
    return {"case": case, "mum": mum, "dad": dad, "girl": girl, "unrecorded": unrecorded}


def due() -> dict[str, str]:
    return d("due_date", today() + dt.timedelta(weeks=20))


def changes(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(PendingChange)) or 0)


def test_a_name_of_only_spaces_is_no_name(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    page = pages.post(
        "report_change_form",
        {
            "first_name": "   ",
            "last_name": " ",
            "sex": "F",
            "relationship": "Sister",
            **d("date_of_birth", dt.date(2000, 1, 1)),
            **d("date_joined", today()),
        },
        kind="joined",
        status=400,
    )
    assert page.error_summary == ["Enter their first name", "Enter their last name"]
    assert changes(db) == 0


def test_names_are_kept_as_people_write_them(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    pages.post(
        "report_change_form",
        {
            "first_name": "  Zoë-Anne ",
            "last_name": "O’Brien  Ní Dhuibhir",
            "sex": "F",
            "relationship": "Friend or lodger",
            **d("date_of_birth", dt.date(2000, 1, 1)),
            **d("date_joined", today()),
        },
        kind="joined",
    )
    check = pages.get("report_change_check", kind="joined")
    assert "Zoë-Anne O’Brien Ní Dhuibhir" in check.text


def test_a_man_cannot_be_pregnant(db: Session, pages: Pages, household_of: dict[str, Any]) -> None:
    page = pages.post(
        "report_change_form",
        {"person_id": str(household_of["dad"].id), **due()},
        kind="pregnancy",
        status=400,
    )
    assert page.error_summary == [
        "Joel Evans is recorded as male. Choose the person who is pregnant. If our record is "
        "wrong, contact the housing options team"
    ]
    assert changes(db) == 0


def test_a_nine_year_old_cannot_be_pregnant(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    page = pages.post(
        "report_change_form",
        {"person_id": str(household_of["girl"].id), **due()},
        kind="pregnancy",
        status=400,
    )
    assert page.error_summary[0].startswith(
        "Isla Evans would be 9. Choose the person who is pregnant"
    )
    assert changes(db) == 0


def test_someone_whose_sex_is_not_recorded_needs_a_confirmation(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    data = {"person_id": str(household_of["unrecorded"].id), **due()}
    page = pages.post("report_change_form", data, kind="pregnancy", status=400)
    assert page.error_summary == [
        "We have not recorded Sam Evans's sex. Confirm that Sam Evans is pregnant"
    ]
    assert page.select_one('input[name="confirm"]')  # the checkbox is there to tick
    assert page.select_one('input[name="person_id"][checked]')["value"] == data["person_id"]
    pages.post("report_change_form", {**data, "confirm": "y"}, kind="pregnancy")
    assert pages.get("report_change_check", kind="pregnancy").h1 == "Check your answers"


def test_a_man_cannot_be_a_babys_mother(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    page = pages.post(
        "report_change_form",
        {
            "person_id": str(household_of["dad"].id),
            "first_name": "Cy",
            "last_name": "Evans",
            "sex": "M",
            "relationship": "Son",
            **d("date_of_birth", today() - dt.timedelta(days=3)),
        },
        kind="birth",
        status=400,
    )
    assert page.error_summary[0].startswith("Joel Evans is recorded as male. Choose the person who")
    assert "the baby's mother" in page.error_summary[0]


def test_the_contact_form_shows_every_error_at_once(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    page = pages.post(
        "report_change_form",
        {"email": "not an email", "phone": "call me", "preferred_contact": "Email"},
        kind="contact",
        status=400,
    )
    assert page.error_summary == [
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 07700 900 982 or +44 808 157 0192",
    ]
    assert page.select_one("#email-error") and page.select_one("#phone-error")


def test_a_member_who_left_is_not_offered(
    db: Session, pages: Pages, household_of: dict[str, Any]
) -> None:
    link = next(cp for cp in household_of["case"].people if cp.person_id == household_of["girl"].id)
    household.record_leaving(db, SYSTEM, link, today() - dt.timedelta(days=1))
    db.commit()
    page = pages.get("report_change_form", kind="left")
    offered = [i["value"] for i in page.select('input[name="person_id"]')]
    assert str(household_of["girl"].id) not in offered
