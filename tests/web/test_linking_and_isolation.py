"""Linking an applicant account to a case, and what each applicant can reach afterwards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import evidence_requests
from domain.history import SYSTEM
from domain.models import HistoryEvent, PortalAccount
from domain.security import AuthAttempt
from domain.vocab import CaseStatus, Permission
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
)
from tests.support.pages import Pages
from tests.web.test_route_table import walk

BORN = dt.date(1987, 6, 14)


def dob(d: dt.date) -> dict[str, str]:
    return {
        "date_of_birth-day": str(d.day),
        "date_of_birth-month": str(d.month),
        "date_of_birth-year": str(d.year),
    }


@pytest.fixture
def household(db: Session) -> dict[str, Any]:
    amira = make_person(db, "Amira", "Khan", born=BORN)
    tariq = make_person(db, "Tariq", "Khan", born=dt.date(1985, 2, 2), sex="M")
    yusuf = make_person(db, "Yusuf", "Khan", born=dt.date(2010, 3, 3), sex="M")
    case = make_case(db, amira, [(tariq, "Partner"), (yusuf, "Son")])
    next(cp for cp in case.people if cp.person_id == tariq.id).joint_applicant = True
    account = make_portal_account(db, email="amira@example.com")
    db.commit()
    return {"case": case, "amira": amira, "tariq": tariq, "yusuf": yusuf, "account": account}


def sign_in(pages: Pages, email: str) -> None:
    pages.post("sign_in", {"email": email, "password": TEST_PASSWORD})


def test_link_with_reference_and_date_of_birth(
    db: Session, pages: Pages, household: dict[str, Any]
) -> None:
    sign_in(pages, "amira@example.com")
    reference = household["case"].reference.lower().replace("-", " ")  # forgiving about format
    page = pages.post("link_case", {"reference": reference, **dob(BORN)})
    assert page.location == "/your-case"
    case_page = pages.follow(page)
    assert case_page.h1 == "Your case"
    assert household["case"].reference in case_page.text
    assert case_page.texts(".govuk-summary-list__key")[:3] == [
        "Amira Khan",
        "Tariq Khan",
        "Yusuf Khan",
    ]
    db.expire_all()
    assert db.get(PortalAccount, household["account"].id).person_id == household["amira"].id  # type: ignore[union-attr]
    event = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "portal.linked")).one()
    assert event.case_id == household["case"].id and event.actor_kind == "applicant"


def test_a_joint_applicant_can_link_but_a_child_cannot(
    db: Session, pages: Pages, household: dict[str, Any]
) -> None:
    make_portal_account(db, email="tariq@example.com")
    make_portal_account(db, email="yusuf@example.com")
    db.commit()
    ref = household["case"].reference
    sign_in(pages, "yusuf@example.com")
    page = pages.post("link_case", {"reference": ref, **dob(dt.date(2010, 3, 3))}, status=400)
    assert page.error_summary[0].startswith("We could not find a case with those details")
    pages.post("sign_out", {})
    sign_in(pages, "tariq@example.com")
    assert (
        pages.post("link_case", {"reference": ref, **dob(dt.date(1985, 2, 2))}).location
        == "/your-case"
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reference": "", **dob(BORN)}, "Enter your case reference"),
        (
            {
                "reference": "HC-000001",
                "date_of_birth-day": "",
                "date_of_birth-month": "",
                "date_of_birth-year": "",
            },
            "Enter your date of birth",
        ),
        (
            {
                "reference": "HC-000001",
                "date_of_birth-day": "14",
                "date_of_birth-month": "",
                "date_of_birth-year": "1987",
            },
            "Date of birth must include a month",
        ),
        (
            {
                "reference": "HC-000001",
                "date_of_birth-day": "31",
                "date_of_birth-month": "2",
                "date_of_birth-year": "1987",
            },
            "Date of birth must be a real date",
        ),
        (
            {
                "reference": "HC-000001",
                "date_of_birth-day": "1",
                "date_of_birth-month": "1",
                "date_of_birth-year": "87",
            },
            "Year must include 4 numbers",
        ),
        (
            {"reference": "HC-000001", **dob(dt.date.today() + dt.timedelta(days=1))},
            "Date of birth must be in the past",
        ),
        ({"reference": "x" * 50, **dob(BORN)}, "Case reference must be 20 characters or fewer"),
        (
            {
                "reference": "HC-000001",
                "date_of_birth-day": "²",
                "date_of_birth-month": "1",
                "date_of_birth-year": "1987",
            },
            "Date of birth must be a real date",
        ),
    ],
)
def test_link_form_errors(
    pages: Pages, household: dict[str, Any], data: dict[str, str], error: str
) -> None:
    sign_in(pages, "amira@example.com")
    page = pages.post("link_case", data, status=400)
    assert page.error_summary == [error]


def test_wrong_details_get_one_message_and_are_throttled(
    db: Session, pages: Pages, household: dict[str, Any]
) -> None:
    sign_in(pages, "amira@example.com")
    ref = household["case"].reference
    wrong = [
        {"reference": "HC-999999", **dob(BORN)},  # no such case
        {"reference": ref, **dob(dt.date(1987, 6, 15))},  # wrong date of birth
        {"reference": "HC-12x", **dob(BORN)},  # not a reference at all
    ]
    messages = {tuple(pages.post("link_case", data, status=400).error_summary) for data in wrong}
    assert len(messages) == 1
    pages.post("link_case", wrong[0], status=400)
    pages.post("link_case", wrong[1], status=400)
    page = pages.post(
        "link_case", {"reference": ref, **dob(BORN)}, status=429
    )  # right, but too late
    assert page.error_summary == ["Too many attempts. Wait 60 minutes and try again."]
    assert db.query(AuthAttempt).filter_by(action="link_case", succeeded=False).count() == 5


def test_closed_case_cannot_be_linked(db: Session, pages: Pages, household: dict[str, Any]) -> None:
    household["case"].status = CaseStatus.CLOSED.value
    db.commit()
    sign_in(pages, "amira@example.com")
    page = pages.post(
        "link_case", {"reference": household["case"].reference, **dob(BORN)}, status=400
    )
    assert page.error_summary[0].startswith("We could not find a case")


def test_each_applicant_sees_only_their_own_case(
    db: Session, pages: Pages, household: dict[str, Any]
) -> None:
    other = make_person(db, "Grace", "Mensah", born=dt.date(1990, 1, 1))
    other_case = make_case(db, other)
    make_portal_account(db, other, email="grace@example.com")
    household["account"].person_id = household["amira"].id
    db.commit()
    sign_in(pages, "grace@example.com")
    page = pages.get("your_case")
    assert other_case.reference in page.text
    assert household["case"].reference not in page.text and "Khan" not in page.text


# Every portal route that takes a record's identifier must be listed here with how to build a URL
# for *another* applicant's record; the test below proves each answers 404. A new route with a
# path parameter fails the test until it is added. ({kind} names a journey, not a record.)
PROBES: dict[str, Any] = {
    "change_detail": lambda ids: f"/your-changes/{ids['change']}",
    "change_confirmation": lambda ids: f"/your-changes/{ids['change']}/sent",
    "change_withdraw": lambda ids: f"/your-changes/{ids['change']}/withdraw",
    "change_file": lambda ids: f"/your-changes/{ids['change']}/files/{ids['file']}",
    "send_evidence": lambda ids: f"/your-case/evidence/{ids['request']}",
}
NOT_RECORDS = {
    "report_change_form",
    "report_change_check",
    "referral_step",  # {step} names a page of the referral journey
    "self_referral_step",
    "apply_step",  # {step} names a page of the application
    "apply_exit",  # {reason} names why someone cannot apply
}


def test_portal_routes_with_ids_refuse_another_applicants_records(
    db: Session, pages: Pages, household: dict[str, Any], settings: Any
) -> None:
    from changes import engine, evidence
    from hearth.app import build_routes
    from web.storage import FolderStore

    with_ids = {
        name
        for path, name, _ in walk(build_routes())
        if "{" in path and not path.startswith("/backoffice") and name != "brand_css"
    }
    assert with_ids - NOT_RECORDS == set(PROBES), "add the new route to PROBES"

    # Amira reports a change with a file ...
    household["account"].person_id = household["amira"].id
    record = evidence.store(
        db,
        FolderStore(settings.files_dir),
        evidence.Upload.of("letter.pdf", b"%PDF-1.4 private"),
        case_id=household["case"].id,
        max_bytes=10_000,
        account_id=household["account"].id,
    )
    change = engine.submit(
        db,
        household["account"],
        household["case"],
        "other",
        {"person_id": household["amira"].id, "details": "private"},
        idempotency_key="amira-1",
        today=dt.date.today(),
        file_ids=[record.id],
    )
    # ... and Grace, with her own case and account, tries every route with Amira's ids.
    other = make_person(db, "Grace", "Mensah", born=dt.date(1990, 1, 1))
    make_case(db, other)
    make_portal_account(db, other, email="grace@example.com")
    db.commit()
    sign_in(pages, "grace@example.com")
    asked = evidence_requests.ask(
        db,
        SYSTEM,
        make_officer(db, Permission.CASES),
        household["case"],
        what="Bank statements",
        why="private",
        due_date=dt.date.today(),
        strand=None,
        person_id=None,
        today=dt.date.today(),
    )
    db.commit()
    ids = {"change": change.id, "file": record.id, "request": asked.id}
    for name, url_for_other in PROBES.items():
        page = pages.fetch(url_for_other(ids), status=None)
        assert page.status == 404, f"{name} let another applicant in"
        assert "private" not in page.text
    withdraw = pages.submit(PROBES["change_withdraw"](ids), {}, status=None)
    assert withdraw.status == 404
    db.expire_all()
    assert change.status == "pending"
