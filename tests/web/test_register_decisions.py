"""Deciding a Housing Register application and asking for evidence: the officer asks (what, why,
by when), the applicant sees it on their case page and uploads; the files land in the case's
files linked to the request; the officer accepts or asks again; overdue requests show on My
work; the decision (reason codes, band, effective date, bidding number, email or letter from a
template) needs the evidence rule met or overridden, and the applicant reads it in plain
words."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from docx import Document
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from domain import clock, files, letters, strands
from domain import evidence_requests as er
from domain import message_templates as mt
from domain.history import SYSTEM, Actor
from domain.messages import Message
from domain.models import HistoryEvent, User
from domain.pending import EvidenceFile
from domain.security import OutboxEmail
from domain.storage import read_all
from domain.strands import Strand
from domain.task_model import Task
from domain.vocab import Permission
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Pages
from web.storage import store_for

PDF = b"%PDF-1.4\n% three payslips\n" + b"x" * 2000
OFFICER = (Permission.CASES, Permission.PEOPLE)


def _day(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def _setup(db: Session) -> tuple[Any, Strand]:
    grace = make_person(db, "Grace", "Adeyemi", email="grace@example.com")
    case = make_case(db, grace)
    register = open_housing_register(db, case)
    make_portal_account(db, grace, email="grace@example.com")
    db.commit()
    return case, register


def _applicant(app: Any) -> tuple[TestClient, Pages]:
    client = TestClient(app, base_url="http://testserver", raise_server_exceptions=False)
    applicant = Pages(client)
    applicant.post("sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD})
    return client, applicant


def _ask(pages: Pages, case: Any, register: Strand, **data: str) -> Any:
    form = {
        "what": "Proof of income for the last 3 months",
        "why": "To check your income is under the limit for the register.",
        "person_id": "",
        **_day("due_date", dt.date.today() + dt.timedelta(days=14)),
        **data,
    }
    return pages.post(
        "backoffice:evidence_ask", form, case_id=case.id, strand_id=register.id, status=None
    )


def test_evidence_is_asked_for_sent_from_the_portal_checked_and_asked_for_again(
    db: Session, pages: Pages, app: Any, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    officer = sign_in_officer(*OFFICER, name="Rina Patel")

    # bad input: each field named, nothing saved
    page = _ask(
        pages,
        case,
        register,
        what="",
        why="",
        **_day("due_date", dt.date.today() - dt.timedelta(days=1)),
    )
    assert page.status == 400
    assert page.error_summary == [
        "Enter what the applicant needs to send",
        "Enter why it is needed",
        "The date to send it by must be today or in the future",
    ]
    page = _ask(pages, case, register, **_day("due_date", dt.date.today() + dt.timedelta(days=120)))
    assert page.error_summary == ["The date to send it by must be within 90 days"]
    assert db.scalars(select(er.EvidenceRequest)).first() is None

    page = _ask(pages, case, register)
    assert page.location == pages.url("backoffice:strand", case_id=case.id, strand_id=register.id)
    request = db.scalars(select(er.EvidenceRequest)).one()
    assert (request.status, request.requested_by_id) == ("waiting", officer.id)
    strand_page = pages.follow(page)
    item = strand_page.select_one(f'[data-request="{request.id}"]')
    assert "Waiting for the applicant" in item.get_text()
    assert "Evidence asked for" in strand_page.select_one("#strand-journal").get_text()
    # the applicant is told by email that something is needed (what and by when, no more)
    told = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "evidence.requested")).one()
    assert told.to_address == "grace@example.com"
    assert "Proof of income for the last 3 months" in told.body_text
    assert "under the limit" not in told.body_text

    client, applicant = _applicant(app)
    with client:
        your_case = applicant.get("your_case")
        asked = your_case.select_one("#evidence-asked").get_text(" ")
        assert "Send proof of income for the last 3 months" in asked
        send_page = applicant.get("send_evidence", request_id=request.id)
        assert "To check your income is under the limit" in send_page.text
        # no file, then a file that is not a document: refused on the page
        refused = applicant.post("send_evidence", {}, request_id=request.id, status=400)
        assert refused.error_summary == ["Choose a file to send"]
        refused = applicant.post(
            "send_evidence",
            {},
            files=[("evidence", ("notes.txt", b"just some text", "text/plain"))],
            request_id=request.id,
            status=400,
        )
        assert "PDF, JPEG, PNG or HEIC" in refused.error_summary[0]
        sent = applicant.post(
            "send_evidence",
            {},
            files=[("evidence", ("payslips.pdf", PDF, "application/pdf"))],
            request_id=request.id,
        )
        assert sent.location == applicant.url("your_case")
        assert "An officer will check it" in applicant.follow(sent).text

    db.expire_all()
    kept = db.scalars(select(EvidenceFile).where(EvidenceFile.request_id == request.id)).one()
    assert (kept.case_id, kept.strand_id, kept.original_name) == (
        case.id,
        register.id,
        "payslips.pdf",
    )
    assert db.get(er.EvidenceRequest, request.id).status == "sent"  # type: ignore[union-attr]

    # the officer sees the file, and asks again (refused without a reason)
    strand_page = pages.get("backoffice:strand", case_id=case.id, strand_id=register.id)
    item = strand_page.select_one(f'[data-request="{request.id}"]')
    assert "payslips.pdf" in item.get_text()
    request = db.get(er.EvidenceRequest, request.id)  # type: ignore[assignment]
    again = {"reason": "", **_day("due_date", dt.date.today() + dt.timedelta(days=7))}
    page = pages.post(
        "backoffice:evidence_again",
        {**again, "version": str(request.version)},
        case_id=case.id,
        request_id=request.id,
        status=400,
    )
    assert page.error_summary == ["Enter what is wrong or still missing"]
    page = pages.post(
        "backoffice:evidence_again",
        {
            **again,
            "reason": "Only one month's payslip was in the file.",
            "version": str(request.version),
        },
        case_id=case.id,
        request_id=request.id,
    )
    db.expire_all()
    request = db.get(er.EvidenceRequest, request.id)  # type: ignore[assignment]
    assert (request.status, request.times_asked) == ("waiting", 2)

    client, applicant = _applicant(app)
    with client:
        asked = applicant.get("your_case").select_one("#evidence-asked").get_text(" ")
        assert "We asked again: Only one month's payslip was in the file." in asked
        applicant.post(
            "send_evidence",
            {},
            files=[("evidence", ("all-payslips.pdf", PDF, "application/pdf"))],
            request_id=request.id,
        )
    db.expire_all()
    request = db.get(er.EvidenceRequest, request.id)  # type: ignore[assignment]
    # a stale Accept (from before the applicant's second send) is refused; then it is accepted
    pages.post(
        "backoffice:evidence_decide",
        {"action": "accept", "version": str(request.version - 1)},
        case_id=case.id,
        request_id=request.id,
    )
    db.expire_all()
    assert db.get(er.EvidenceRequest, request.id).status == "sent"  # type: ignore[union-attr]
    pages.post(
        "backoffice:evidence_decide",
        {"action": "accept", "version": str(request.version)},
        case_id=case.id,
        request_id=request.id,
    )
    db.expire_all()
    assert db.get(er.EvidenceRequest, request.id).status == "accepted"  # type: ignore[union-attr]
    kinds = list(
        db.scalars(
            select(HistoryEvent.kind)
            .where(HistoryEvent.kind.like("evidence.%"))
            .order_by(HistoryEvent.id)
        )
    )
    assert kinds == [
        "evidence.requested",
        "evidence.sent",
        "evidence.asked_again",
        "evidence.sent",
        "evidence.accepted",
    ]


def test_an_applicant_cannot_see_or_answer_another_households_request(
    db: Session, pages: Pages, app: Any
) -> None:
    _setup(db)
    other = make_case(db, make_person(db, "Omar", "Farah"))
    asker = make_officer(db, Permission.CASES)
    request = er.ask(
        db,
        SYSTEM,
        asker,
        other,
        what="Passport",
        why="Identity",
        due_date=dt.date.today() + dt.timedelta(days=3),
        strand=None,
        person_id=None,
        today=dt.date.today(),
    )
    db.commit()
    client, applicant = _applicant(app)
    with client:
        applicant.get("send_evidence", request_id=request.id, status=404)
        applicant.post(
            "send_evidence",
            {},
            files=[("evidence", ("passport.pdf", PDF, "application/pdf"))],
            request_id=request.id,
            status=404,
        )
        assert applicant.get("your_case").soup.select_one("#evidence-asked") is None
    assert db.scalars(select(EvidenceFile)).first() is None


def test_overdue_requests_show_on_the_requesting_officers_my_work(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    officer = sign_in_officer(*OFFICER, name="Rina Patel")
    _ask(pages, case, register)
    request = db.scalars(select(er.EvidenceRequest)).one()
    assert pages.get("backoffice:my_work").soup.select_one("#overdue-evidence") is None
    request.due_date = dt.date.today() - dt.timedelta(days=3)
    db.commit()
    listed = pages.get("backoffice:my_work").select_one("#overdue-evidence").get_text(" ")
    assert "Proof of income for the last 3 months" in listed
    assert "3 days ago" in listed and register.reference in listed
    assert [r.id for r in er.overdue_for(db, officer.id, dt.date.today())] == [request.id]
    pages.post("backoffice:sign_out", {})
    sign_in_officer(*OFFICER, name="Someone Else")
    assert pages.get("backoffice:my_work").soup.select_one("#overdue-evidence") is None


def _email_template(db: Session, officer: User) -> mt.MessageTemplate:
    template = mt.save_template(
        db,
        Actor.officer(officer),
        template=None,
        channel="email",
        name="Register decision",
        subject="Your housing register application {{ strand.reference }}",
        body="Dear {{ person.full_name }},\n\nDecision: {{ strand.decision }}. "
        "{% if strand.band %}You are in {{ strand.band }} from {{ strand.effective_date }}. "
        "Your bidding number is {{ strand.bidding_number }}.{% endif %}",
    )
    db.commit()
    return template


def _decide(
    pages: Pages, case: Any, register: Strand, status: int | None = 303, **data: Any
) -> Any:
    form: dict[str, Any] = {
        "version": str(register.version),
        "outcome": "Qualifies",
        "reason_codes": ["Q1", "Q2"],
        "reason": "",
        "band": "Band B (high)",
        **_day("effective_date", dt.date.today()),
        "bidding_number": "BN123456",
        "tell_by": "none",
        "email_template": "",
        "letter_template": "",
        **data,
    }
    return pages.post(
        "backoffice:strand_decide", form, case_id=case.id, strand_id=register.id, status=status
    )


def test_a_decision_needs_the_evidence_rule_met_or_overridden_and_the_applicant_reads_it(
    db: Session, pages: Pages, app: Any, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    officer = sign_in_officer(*OFFICER, name="Rina Patel")
    template = _email_template(db, officer)
    _ask(pages, case, register)
    register = db.get(Strand, register.id)  # type: ignore[assignment]

    form = pages.get("backoffice:strand_decide", case_id=case.id, strand_id=register.id)
    assert form.select_one("#bidding_number")["value"] == f"BN{register.id:06d}"
    assert "Proof of income" in form.select_one("#outstanding-evidence").get_text()

    page = _decide(
        pages, case, register, status=400, tell_by="email", email_template=str(template.id)
    )
    assert page.error_summary == [
        "Evidence asked for is not accepted yet: Proof of income for the last 3 months "
        "(waiting for the applicant). Accept or cancel it first, or give a reason to decide "
        "without it"
    ]
    db.expire_all()
    assert db.get(Strand, register.id).status == "Application received"  # type: ignore[union-attr]

    page = _decide(
        pages,
        case,
        register,
        tell_by="email",
        email_template=str(template.id),
        override_reason="Income already verified by the benefits team.",
    )
    db.expire_all()
    register = db.get(Strand, register.id)  # type: ignore[assignment]
    assert register.status == "Active on register"
    assert register.data["band"] == "Band B (high)"
    assert register.data["bidding_number"] == "BN123456"
    assert register.data["effective_date"] == dt.date.today().isoformat()
    assert register.data["reason_codes"].startswith("Q1 – ")
    assert register.data["evidence_override"] == "Income already verified by the benefits team."
    message = db.scalars(select(Message)).one()
    assert message.to_address == "grace@example.com"
    assert "You are in Band B (high)" in message.body and "BN123456" in message.body
    assert db.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.contains(register.reference))
    ).one()
    statuses = [
        (e.before or {}).get("status")
        for e in db.scalars(
            select(HistoryEvent)
            .where(HistoryEvent.kind == "strand.status_changed")
            .order_by(HistoryEvent.id)
        )
    ]
    assert statuses == ["Application received", "Assessment"]
    # the decision did the application's work: its check and decide tasks are done
    work = db.scalars(select(Task).where(Task.strand_id == register.id)).all()
    assert {(t.template_key, t.status, t.outcome) for t in work} == {
        ("check", "done", "Decided: Qualifies"),
        ("decide", "done", "Decided: Qualifies"),
    }

    client, applicant = _applicant(app)
    with client:
        card = applicant.get("your_case").select_one(f'[data-strand="{register.reference}"]')
        text = " ".join(card.get_text(" ").split())
        assert "You are on the housing register" in text
        assert "Band B (high)" in text and "BN123456" in text
        assert f"Decision date {clock.long_date(clock.today())}" in text
        assert "Active on register" not in text
    # decided now: the page says so instead of offering the form
    refused = pages.get("backoffice:strand_decide", case_id=case.id, strand_id=register.id)
    assert "has been decided or closed" in refused.select_one("#decide-refusal").get_text()


def test_does_not_qualify_needs_a_reason_and_the_applicant_reads_it(
    db: Session, pages: Pages, app: Any, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    sign_in_officer(*OFFICER)
    page = _decide(
        pages, case, register, status=400, outcome="Does not qualify", reason_codes=[], band=""
    )
    assert page.error_summary == [
        "Select at least one reason for the decision",
        "Explain why the applicant does not qualify: they will read this",
    ]
    _decide(
        pages,
        case,
        register,
        outcome="Does not qualify",
        reason_codes=["N2"],
        reason="You have not lived in the district for 2 years (scheme section 3.2).",
        band="",
    )
    db.expire_all()
    register = db.get(Strand, register.id)  # type: ignore[assignment]
    assert register.status == "Not eligible" and "band" not in register.data
    client, applicant = _applicant(app)
    with client:
        card = applicant.get("your_case").select_one(f'[data-strand="{register.reference}"]')
        text = " ".join(card.get_text(" ").split())
        assert "You do not qualify to join the register" in text
        assert "You have not lived in the district for 2 years" in text
        assert "ask for a review" in text


def test_every_decision_error_is_named_and_a_stale_form_is_refused(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    sign_in_officer(*OFFICER)
    future = dt.date.today() + dt.timedelta(days=2)
    page = _decide(
        pages,
        case,
        register,
        status=400,
        outcome="",
        reason_codes=["ZZ"],
        tell_by="email",
    )
    assert page.error_summary == [
        "Select whether the applicant qualifies to join the register",
        "Select reasons from the council's list",
        "Select the email to send",
    ]
    page = _decide(
        pages,
        case,
        register,
        status=400,
        band="Band Z",
        bidding_number="no spaces allowed",
        **_day("effective_date", future),
    )
    assert page.error_summary == [
        "Select the band",
        "The date the band counts from must be today or earlier",
        "Enter the bidding number: up to 20 letters, numbers and hyphens",
    ]
    page = _decide(pages, case, register, status=400, tell_by="letter")
    assert page.error_summary == ["Select the letter to send"]
    page = _decide(pages, case, register, status=409, version=str(register.version - 1))
    assert "Someone else has changed" in page.error_summary[0]
    db.expire_all()
    assert db.get(Strand, register.id).status == "Application received"  # type: ignore[union-attr]


def test_a_decision_letter_is_made_from_a_template_with_the_band(
    db: Session, pages: Pages, settings: Any, sign_in_officer: Callable[..., User]
) -> None:
    case, register = _setup(db)
    officer = sign_in_officer(*OFFICER)
    document = Document()
    document.add_paragraph("Dear {{ person.full_name }}, {{ strand.decision }}: {{ strand.band }}.")
    out = io.BytesIO()
    document.save(out)
    template = letters.save_template(
        db,
        store_for(settings),
        Actor.officer(officer),
        officer,
        template=None,
        name="Register decision letter",
        description="",
        upload=files.Upload.of("decision.docx", out.getvalue()),
    )
    db.commit()
    _decide(pages, case, register, tell_by="letter", letter_template=str(template.id))
    db.expire_all()
    letter = db.scalars(select(EvidenceFile).where(EvidenceFile.source == "letter")).one()
    assert letter.strand_id == register.id
    made = Document(io.BytesIO(read_all(store_for(settings), letter.storage_key)))
    assert "Dear Grace Adeyemi, Qualifies: Band B (high)." in "\n".join(
        p.text for p in made.paragraphs
    )
    assert strands.strand_type("housing_register").status("Active on register")
