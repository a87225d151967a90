"""Letters from Word templates (SPEC N2/N3), against the folder and the S3-speaking server: an
admin uploads a .docx whose merge fields are checked (an unknown one refused by name), an
officer generates a letter for someone in the household, and it is kept as a case file, listed
on the Comms and Files tabs, and downloads as a Word document with the fields filled in."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.history_kinds import HistoryKind
from domain.letters import LetterTemplate
from domain.models import HistoryEvent, User
from domain.pending import EvidenceFile
from domain.vocab import Permission
from hearth.settings import Settings
from tests.conftest import make_settings
from tests.support.database import DatabaseUnderTest
from tests.support.pages import Pages
from web.storage import store_for

OFFICER = (Permission.CASES, Permission.PEOPLE)


@pytest.fixture
def settings(
    test_database: DatabaseUnderTest, tmp_path: Path, store_env: dict[str, str]
) -> Settings:
    return make_settings(test_database.url, tmp_path, **store_env)


def word(*paragraphs: str, header: str | None = None) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_of(content: bytes) -> tuple[str, str]:
    """The body's text and the first header's text of a Word document."""
    document = Document(io.BytesIO(content))
    body = "\n".join(p.text for p in document.paragraphs)
    return body, "\n".join(p.text for p in document.sections[0].header.paragraphs)


OFFER = word(
    "Dear {{ person.full_name }},",
    "Your case {{ case.reference }} has been reviewed.",
    "{% if strand %}About {{ strand.type }} {{ strand.reference }}.{% endif %}",
    "Yours sincerely, {{ officer.name }}",
    header="{{ council.name }} · {{ council.service }}",
)


def save(pages: Pages, content: bytes | None, status: int = 303, **form: str) -> Any:
    data = {"name": "Review outcome", "description": "", **form}
    files = [("file", ("letter.docx", io.BytesIO(content), "application/octet-stream"))]
    route = "backoffice:admin_letter_template_new"
    params: dict[str, Any] = {}
    if "template_id" in form:
        route, params = "backoffice:admin_letter_template", {"template_id": data.pop("template_id")}
    return pages.post(
        route, data, files=files if content is not None else None, status=status, **params
    )


def test_an_admin_uploads_a_letter_template_and_unknown_fields_are_refused_by_name(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.ADMIN, name="Admin Ada")
    page = save(pages, None, status=400, name="")
    assert page.error_summary == ["Enter a name for the letter", "Select the Word document to use"]
    page = save(pages, word("Dear {{ person.shoe_size }}, {{ case.reference }}"), status=400)
    assert page.error_summary == ["Unknown merge field: person.shoe_size"]
    assert "Unknown merge field: person.shoe_size" in page.select_one("#file-error").get_text()
    page = save(pages, word("Dear {{ person.full_name "), status=400)
    (problem,) = page.error_summary
    assert problem.startswith("letter.docx cannot be read")
    page = save(pages, b"%PDF-1.4 not a letter", status=400)
    assert page.error_summary == ["letter.docx must be a Word document (.docx)"]
    assert db.scalars(select(LetterTemplate)).all() == []

    page = save(pages, OFFER)
    assert page.location == pages.url("backoffice:admin_letter_templates")
    listing = pages.follow(page)
    assert "Review outcome" in listing.select_one("#letter-templates").get_text()
    template = db.scalars(select(LetterTemplate)).one()
    assert template.fields == [  # the body's, then the header's
        "person.full_name",
        "case.reference",
        "strand",
        "strand.type",
        "strand.reference",
        "officer.name",
        "council.name",
        "council.service",
    ]
    document = pages.client.get(
        pages.url("backoffice:admin_letter_template_file", template_id=template.id)
    )
    assert document.status_code == 200 and document.content == OFFER
    opened = template.version
    save(pages, None, name="Review outcome", template_id=str(template.id), version=str(opened))
    stale = save(
        pages, None, status=409, name="Renamed", template_id=str(template.id), version=str(opened)
    )
    assert stale.error_summary == ["Another officer has changed this letter since you opened it"]
    db.refresh(template)
    assert template.name == "Review outcome"
    saves = db.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.kind == HistoryKind.LETTER_TEMPLATE_SAVED.value)
        .order_by(HistoryEvent.id)
    ).all()
    assert [e.summary for e in saves] == [
        "Letter template “Review outcome” added",
        "Letter template “Review outcome” changed",
    ]


def test_an_officer_generates_a_letter_kept_with_the_case_files(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
) -> None:
    case, dad = family["case"], family["dad"]
    dad.last_name = "Khan & <Sons>"  # the document's XML must survive any name
    db.commit()
    sign_in_officer(Permission.ADMIN, name="Admin Ada")
    save(pages, OFFER)
    template = db.scalars(select(LetterTemplate)).one()
    pages.post("backoffice:sign_out", {})
    sign_in_officer(*OFFICER, name="Rina Patel")

    page = pages.post(
        "backoffice:letter_new",
        {"template": "", "person": "", "strand": ""},
        status=400,
        case_id=case.id,
    )
    assert page.error_summary == ["Select a letter", "Select who the letter is for"]
    page = pages.post(
        "backoffice:letter_new",
        {"template": str(template.id), "person": str(dad.id), "strand": ""},
        case_id=case.id,
    )
    assert page.location == pages.url("backoffice:case_messages", case_id=case.id)
    comms = pages.follow(page)
    letter = db.scalars(select(EvidenceFile).where(EvidenceFile.source == "letter")).one()
    assert letter.original_name == f"Review outcome - Tariq Khan & Sons - {case.reference}.docx"
    row = comms.select_one('#comms-list li[data-kind="letter"]')
    words = row.get_text(" ", strip=True)
    assert "Letter to Tariq Khan & <Sons>" in words and "Review outcome" in words
    assert "by Rina Patel" in words
    href = row.select_one("a[download]")["href"]
    download = pages.client.get(href)
    assert download.status_code == 200
    body, header = text_of(download.content)
    assert "Dear Tariq Khan & <Sons>," in body
    assert f"Your case {case.reference} has been reviewed." in body
    assert "Yours sincerely, Rina Patel" in body and "About" not in body
    assert header == "Testshire District Council · Housing options"

    files_tab = pages.get("backoffice:case_files", case_id=case.id, params={"source": "letter"})
    assert "Letter generated by Rina Patel" in files_tab.select_one("#files-list").get_text(" ")
    (event,) = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.LETTER_GENERATED.value)
    )
    assert event.case_id == case.id and event.person_id == dad.id

    # About an application: its details are merged in.
    register = family["housing_register"]
    pages.post(
        "backoffice:letter_new",
        {"template": str(template.id), "person": str(dad.id), "strand": str(register.id)},
        case_id=case.id,
    )
    newest = db.scalars(
        select(EvidenceFile).where(EvidenceFile.source == "letter").order_by(EvidenceFile.id.desc())
    ).first()
    assert newest is not None
    body, _ = text_of(
        pages.client.get(pages.url("backoffice:evidence_file", file_id=newest.id)).content
    )
    assert f"About Housing Register application {register.reference}." in body


def test_a_letter_needing_an_application_says_so(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    sign_in_officer(Permission.ADMIN, *OFFICER)
    save(pages, word("{{ strand.reference }} for {{ person.first_name }}"), name="Band letter")
    template = db.scalars(select(LetterTemplate)).one()
    page = pages.post(
        "backoffice:letter_new",
        {"template": str(template.id), "person": str(family["mum"].id), "strand": ""},
        status=400,
        case_id=family["case"].id,
    )
    assert page.error_summary == [
        "This letter uses details of an application or assessment: choose one"
    ]
    assert db.scalars(select(EvidenceFile)).all() == []


def test_letters_need_the_right_permissions(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    sign_in_officer(Permission.CASES, Permission.PEOPLE)
    for route in ("backoffice:admin_letter_templates", "backoffice:admin_letter_template_new"):
        pages.get(route, status=403)
    pages.post("backoffice:sign_out", {})
    sign_in_officer(Permission.ADMIN, Permission.PEOPLE)
    pages.get("backoffice:letter_new", case_id=family["case"].id, status=403)


def test_a_letters_pdf_is_offered_with_it_on_the_comms_tab(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    settings: Settings,
) -> None:
    from domain import files, letters

    sign_in_officer(Permission.ADMIN, *OFFICER)
    save(pages, OFFER)
    template = db.scalars(select(LetterTemplate)).one()
    pages.post(
        "backoffice:letter_new",
        {"template": str(template.id), "person": str(family["mum"].id), "strand": ""},
        case_id=family["case"].id,
    )
    letter = db.scalars(select(EvidenceFile)).one()
    store = store_for(settings)
    pdf = letters.attach_pdf(db, store, letter, files.Upload.of("x.pdf", b"%PDF-1.4 letter"))
    db.commit()
    comms = pages.get("backoffice:case_messages", case_id=family["case"].id)
    (row,) = comms.select('#comms-list li[data-kind="letter"]')  # the PDF is not a second row
    link = row.select_one("a[data-pdf]")
    assert link["href"] == pages.url("backoffice:evidence_file", file_id=pdf.id)
    assert pages.client.get(link["href"]).content == b"%PDF-1.4 letter"
    assert pdf.original_name == letter.original_name.removesuffix(".docx") + ".pdf"
