"""Reporting changes on the portal: each journey, its validation errors (nothing saved), evidence
files checked by content, double submits, conflicts, withdrawing, and access to files."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.pending import EvidenceFile, PendingChange
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Page, Pages

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


def d(prefix: str, value: dt.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(value.day),
        f"{prefix}-month": str(value.month),
        f"{prefix}-year": str(value.year),
    }


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2), email="amira@example.com")
    dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
    case = make_case(db, mum, [(dad, "Partner"), (son, "Son")], joined=dt.date(2024, 1, 1))
    link_partners(db, case, mum, dad)
    open_housing_register(db, case)
    make_portal_account(db, mum, email="amira@example.com")
    db.commit()
    return {"case": case, "mum": mum, "dad": dad, "son": son}


@pytest.fixture
def signed_in(pages: Pages, family: dict[str, Any]) -> Pages:
    pages.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
    return pages


def count_changes(db: Session) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(PendingChange)) or 0)


def report(
    pages: Pages, kind: str, data: dict[str, Any], files: Any = None, status: int = 303
) -> Page:
    return pages.post("report_change_form", data, kind=kind, files=files, status=status)


def test_your_case_shows_household_applications_and_bedroom_need(
    signed_in: Pages, family: dict[str, Any]
) -> None:
    page = signed_in.get("your_case")
    assert "needs 2 bedrooms" in page.text  # a couple, and a boy of 12 alone
    assert page.texts(".govuk-summary-list__key")[:3] == ["Amira Khan", "Tariq Khan", "Yusuf Khan"]
    assert "Housing Register" in page.text and "Bedroom assessment" in page.text
    assert not page.select(".govuk-tag--yellow")


def test_member_left_journey_end_to_end(
    db: Session, signed_in: Pages, family: dict[str, Any]
) -> None:
    page = signed_in.post("report_change", {"kind": "left"})
    assert page.location == "/report-a-change/left"
    form = signed_in.follow(page)
    assert form.texts(".govuk-radios__label") == ["Tariq Khan", "Yusuf Khan"]  # not the applicant
    page = report(
        signed_in,
        "left",
        {
            "person_id": str(family["dad"].id),
            **d("date_left", dt.date.today() - dt.timedelta(days=3)),
        },
        files=[("evidence", ("tenancy.pdf", io.BytesIO(PDF), "application/pdf"))],
    )
    assert page.location == "/report-a-change/left/check"
    check = signed_in.follow(page)
    assert check.h1 == "Check your answers"
    assert check.texts(".govuk-summary-list__key") == ["Who has left", "Date they left", "Evidence"]
    assert "tenancy.pdf" in check.text
    key = check.select_one('input[name="key"]')["value"]
    assert count_changes(db) == 0

    sent = signed_in.post("report_change_check", {"key": key}, kind="left")
    again = signed_in.post("report_change_check", {"key": key}, kind="left")  # a double tap
    assert sent.location == again.location
    assert count_changes(db) == 1
    confirmation = signed_in.follow(sent)
    change = db.scalars(select(PendingChange)).one()
    assert confirmation.h1 == "Change sent" and change.reference in confirmation.text
    assert [f.original_name for f in change.files] == ["tenancy.pdf"]

    case_page = signed_in.get("your_case")
    assert "Change pending" in case_page.text
    changes = signed_in.get("your_changes")
    assert "Tariq Khan left on" in changes.text and "Pending" in changes.text
    download = signed_in.client.get(
        signed_in.url("change_file", change_id=change.id, file_id=change.files[0].id)
    )
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("kind", "data", "errors"),
    [
        ("left", {}, ["Choose who has left", "Enter the date they left"]),
        (
            "left",
            {"person_id": "999999", **d("date_left", dt.date(2026, 1, 1))},
            ["Choose someone from the list"],
        ),
        (
            "left",
            {"person_id": "PRIMARY", **d("date_left", dt.date(2026, 1, 1))},
            ["Choose someone from the list"],
        ),
        (
            "left",
            {"person_id": "DAD", **d("date_left", dt.date.today() + dt.timedelta(days=60))},
            ["Date they left must be no more than 31 days from today"],
        ),
        (
            "left",
            {"person_id": "DAD", **d("date_left", dt.date(2023, 6, 1))},
            ["Date they left must be on or after the date they joined, 1 January 2024"],
        ),
        (
            "left",
            {
                "person_id": "DAD",
                "date_left-day": "30",
                "date_left-month": "2",
                "date_left-year": "2026",
            },
            ["Date they left must be a real date"],
        ),
        (
            "joined",
            {
                "first_name": "",
                "last_name": "x" * 101,
                **d("date_of_birth", dt.date(2000, 1, 1)),
                "sex": "F",
                "relationship": "Sister",
                **d("date_joined", dt.date(2026, 1, 1)),
            },
            ["Enter their first name", "Last name must be 100 characters or fewer"],
        ),
        (
            "joined",
            {
                "first_name": "Ada",
                "last_name": "K",
                **d("date_of_birth", dt.date(2030, 1, 1)),
                "sex": "F",
                "relationship": "Sister",
                **d("date_joined", dt.date(2026, 1, 1)),
            },
            [  # every problem at once
                "Date of birth must be today or in the past",
                "Date they joined must be on or after their date of birth",
            ],
        ),
        (
            "joined",
            {
                "first_name": "Ada",
                "last_name": "K",
                **d("date_of_birth", dt.date(2020, 1, 1)),
                "sex": "F",
                "relationship": "Sister",
                **d("date_joined", dt.date(2019, 1, 1)),
            },
            ["Date they joined must be on or after their date of birth"],
        ),
        (
            "joined",
            {
                "first_name": "Ada",
                "last_name": "K",
                **d("date_of_birth", dt.date(2020, 1, 1)),
                "sex": "Q",
                "relationship": "Boss",
                **d("date_joined", dt.date(2026, 1, 1)),
            },
            ["Not a valid choice.", "Not a valid choice."],
        ),
        (
            "relationship",
            {},
            ["Choose whose relationship has changed", "Choose their relationship to you"],
        ),
        (
            "relationship",
            {"person_id": "DAD", "relationship": "Partner"},
            ["The council already has Tariq Khan as your partner"],
        ),
        (
            "relationship",
            {"person_id": "OTHER", "relationship": "Spouse"},
            ["Choose someone from the list"],
        ),
        ("relationship", {"person_id": "DAD", "relationship": "Overlord"}, ["Not a valid choice."]),
        (
            "birth",
            {
                "person_id": "PRIMARY",
                "first_name": "Zara",
                "last_name": "Khan",
                **d("date_of_birth", dt.date.today() - dt.timedelta(days=800)),
                "sex": "F",
                "relationship": "Daughter",
            },
            [
                (
                    "Date of birth must be in the last year. For an older child, "
                    "tell us someone has joined your household"
                )
            ],
        ),
        (
            "birth",
            {
                "person_id": "PRIMARY",
                "first_name": "Zara",
                "last_name": "Khan",
                **d("date_of_birth", dt.date.today() + dt.timedelta(days=5)),
                "sex": "F",
                "relationship": "Daughter",
            },
            ["Date of birth must be today or in the past"],
        ),
        (
            "birth",
            {
                "person_id": "OTHER",
                "first_name": "Zara",
                "last_name": "Khan",
                **d("date_of_birth", dt.date.today()),
                "sex": "F",
                "relationship": "Daughter",
            },
            ["Choose someone from the list"],
        ),
        (
            "pregnancy",
            {"person_id": "OTHER", **d("due_date", dt.date.today() + dt.timedelta(days=60))},
            ["Choose someone from the list"],
        ),
        (
            "pregnancy",
            {"person_id": "PRIMARY", **d("due_date", dt.date(2020, 1, 1))},
            [
                (
                    "Due date must be today or in the future. If the baby has "
                    "been born, tell us about the birth instead"
                )
            ],
        ),
        (
            "contact",
            {"email": "not an email", "phone": "", "preferred_contact": "Email"},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            "contact",
            {"email": "", "phone": "12", "preferred_contact": "Phone"},
            ["Enter a phone number, like 07700 900 982 or +44 808 157 0192"],
        ),
        (
            "address",
            {
                "line_1": "",
                "town": "",
                "postcode": "NOTAPOSTCODE",
                **d("moved_on", dt.date(2026, 1, 1)),
            },
            [
                "Enter the first line of the address",
                "Enter the town or city",
                "Enter a real postcode, like SW1A 1AA",
            ],
        ),
        ("other", {"details": ""}, ["Tell us what has changed"]),
        ("other", {"details": "x" * 3001}, ["What has changed must be 3,000 characters or fewer"]),
    ],
)
def test_bad_input_gets_clear_errors_and_nothing_is_saved(
    db: Session,
    signed_in: Pages,
    family: dict[str, Any],
    kind: str,
    data: dict[str, Any],
    errors: list[str],
) -> None:
    stranger = make_person(db, "Grace", "Mensah", born=dt.date(1990, 1, 1))  # on another case
    make_case(db, stranger)
    db.commit()
    ids = {
        "PRIMARY": str(family["mum"].id),
        "DAD": str(family["dad"].id),
        "OTHER": str(stranger.id),
    }
    data = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    page = report(signed_in, kind, data, status=400)
    assert page.error_summary == errors
    assert page.select_one("title").get_text().startswith("Error: ")
    assert count_changes(db) == 0
    assert db.scalar(select(func.count()).select_from(EvidenceFile)) == 0


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "report.pdf",
            b"MZ\x90\x00 this is really a program",
            "report.pdf must be a PDF, JPEG, PNG or HEIC file",
        ),
        ("photo.png", b"", "photo.png is empty"),
        ("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "big.pdf must be smaller than 10MB"),
    ],
)
def test_evidence_is_checked_by_content_and_size(
    db: Session, signed_in: Pages, family: dict[str, Any], name: str, content: bytes, error: str
) -> None:
    page = report(
        signed_in,
        "other",
        {"details": "New job"},
        files=[("evidence", (name, io.BytesIO(content), "application/pdf"))],
        status=400,
    )
    assert page.error_summary == [error]
    assert db.scalar(select(func.count()).select_from(EvidenceFile)) == 0


def test_evidence_types_accepted_whatever_their_names(
    db: Session, signed_in: Pages, family: dict[str, Any]
) -> None:
    files = [
        ("evidence", ("scan.heic", io.BytesIO(HEIC), "application/octet-stream")),
        ("evidence", ("letter.jpeg", io.BytesIO(PNG), "image/jpeg")),  # really a PNG
    ]
    report(signed_in, "other", {"details": "New job"}, files=files)
    stored = db.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [(f.original_name, f.content_type) for f in stored] == [
        ("scan.heic", "image/heic"),
        ("letter.jpeg", "image/png"),
    ]


def test_conflicting_change_is_refused_with_a_clear_message(
    db: Session, signed_in: Pages, family: dict[str, Any]
) -> None:
    for _ in range(2):
        page = report(
            signed_in,
            "left",
            {"person_id": str(family["dad"].id), **d("date_left", dt.date.today())},
        )
        check = signed_in.follow(page)
        result = signed_in.post(
            "report_change_check",
            {"key": check.select_one('input[name="key"]')["value"]},
            kind="left",
            status=None,
        )
    assert result.status == 400
    assert "You already told us about this in change PC-" in result.text
    assert count_changes(db) == 1


def test_withdraw_a_pending_change(db: Session, signed_in: Pages, family: dict[str, Any]) -> None:
    page = report(signed_in, "other", {"details": "New job"})
    check = signed_in.follow(page)
    signed_in.post(
        "report_change_check", {"key": check.select_one('input[name="key"]')["value"]}, kind="other"
    )
    change = db.scalars(select(PendingChange)).one()
    confirm = signed_in.get("change_withdraw", change_id=change.id)
    assert confirm.h1 == "Are you sure you want to withdraw this change?"
    result = signed_in.post("change_withdraw", {}, change_id=change.id)
    assert "You have withdrawn change" in signed_in.follow(result).text
    db.expire_all()
    assert db.get(PendingChange, change.id).status == "withdrawn"  # type: ignore[union-attr]
    again = signed_in.post("change_withdraw", {}, change_id=change.id, status=409)
    assert "was withdrawn by the applicant" in again.text
    # Coming back to the withdraw page says it is done, and offers no button to do it again.
    revisit = signed_in.get("change_withdraw", change_id=change.id)
    assert revisit.h1 == "You have already withdrawn this change"
    assert not revisit.select("form[action$='/withdraw']")


def test_a_pending_contact_change_is_marked_on_every_detail_it_touches(
    db: Session, signed_in: Pages, family: dict[str, Any]
) -> None:
    report(
        signed_in,
        "contact",
        {"email": "amira@example.com", "phone": "07700 900982", "preferred_contact": "Phone"},
    )
    signed_in.post("report_change_check", {}, kind="contact")
    page = signed_in.get("your_case")
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in page.select(".govuk-summary-list__row")
    }
    for detail in ("Email", "Phone", "How we contact you"):
        assert rows[detail].endswith("Change pending"), detail
    assert not rows["Address"].endswith("Change pending")


def test_unlinked_applicant_cannot_report_changes(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="new@example.com")
    db.commit()
    pages.post("sign_in", {"email": "new@example.com", "password": TEST_PASSWORD})
    # They are sent to link their account to their case, not to a dead end.
    for page in (
        pages.get("report_change", status=303),
        pages.get("report_change_form", kind="left", status=303),
        pages.get("report_change_check", kind="left", status=303),
    ):
        assert page.location == pages.url("link_case")


def test_unknown_kind_is_404(signed_in: Pages) -> None:
    signed_in.get("report_change_form", kind="wizardry", status=404)
