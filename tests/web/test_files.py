"""The case's Files tab (SPEC N3), against both stores — the folder and an S3-speaking server
(moto, a separate process): officers upload several files at once (checked by content and
size), list them a page at a time, download them (each download recorded), remove one with a
reason; evidence sent with a portal change shows linked to its change; an officer without the
Cases permission, or outside a restricted case, reaches nothing."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from changes import engine, evidence
from domain.files import DOCX
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, User
from domain.pending import EvidenceFile, FileDownload
from domain.storage import read_all
from domain.vocab import Permission
from hearth.settings import Settings
from tests.conftest import make_settings
from tests.support.database import DatabaseUnderTest
from tests.support.pages import Pages
from tests.web.case_fixtures import TODAY
from web.storage import store_for

PDF = b"%PDF-1.4\n% a tenancy agreement\n" + b"x" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
CASES = (Permission.CASES, Permission.PEOPLE, Permission.QUEUE)


@pytest.fixture
def settings(
    test_database: DatabaseUnderTest, tmp_path: Path, store_env: dict[str, str]
) -> Settings:
    return make_settings(test_database.url, tmp_path, **store_env)


def docx_bytes(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(
    pages: Pages, case_id: int, files: list[tuple[str, bytes]], status: int = 303, **form: str
) -> Any:
    data = {"category": "Proof of address", "person": "", "strand": "", "description": "", **form}
    return pages.post(
        "backoffice:file_upload",
        data,
        files=[
            ("files", (name, io.BytesIO(content), "application/octet-stream"))
            for name, content in files
        ],
        status=status,
        case_id=case_id,
    )


def listed(pages: Pages, case_id: int, **params: str) -> list[str]:
    page = pages.get("backoffice:case_files", case_id=case_id, params=params)
    return [a.get_text(strip=True) for a in page.select("#files-list li > p:first-child a")]


def test_an_officer_uploads_several_files_and_downloads_one_and_each_download_is_recorded(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    settings: Settings,
) -> None:
    case, dad = family["case"], family["dad"]
    officer = sign_in_officer(*CASES, name="Rina Patel")
    tab = pages.get("backoffice:case_files", case_id=case.id)
    assert tab.select_one("#nothing").get_text(strip=True) == "No files on this case yet."
    assert (
        tab.select_one('.moj-sub-navigation__link[aria-current="page"]').get_text(strip=True)
        == "Files"
    )

    page = upload(
        pages,
        case.id,
        [("tenancy.pdf", PDF), ("landlord letter.docx", docx_bytes("Notice to quit"))],
        category="Tenancy agreement",
        person=str(dad.id),
        description="Brought to the office by Tariq",
    )
    assert page.location == pages.url("backoffice:case_files", case_id=case.id)
    after = pages.follow(page)
    assert "2 files have been uploaded." in after.text
    assert listed(pages, case.id) == ["landlord letter.docx", "tenancy.pdf"]
    item = after.select_one("#files-list li")
    words = item.get_text(" ", strip=True)
    assert "Tenancy agreement" in words and "Uploaded by Rina Patel" in words
    assert "about Tariq Khan" in words and "Brought to the office by Tariq" in words
    assert "Word document" in words and "downloaded 0 times" in words

    records = {r.original_name: r for r in db.scalars(select(EvidenceFile))}
    assert records["landlord letter.docx"].content_type == DOCX
    assert records["tenancy.pdf"].source == "officer" and records["tenancy.pdf"].person_id == dad.id
    store = store_for(settings)
    assert read_all(store, records["tenancy.pdf"].storage_key) == PDF  # in the folder or bucket
    (event,) = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.FILE_UPLOADED.value)
    )
    assert event.case_id == case.id and "tenancy.pdf" in event.summary

    href = after.select_one(f'#files-list li[data-id="{records["tenancy.pdf"].id}"] a')["href"]
    download = pages.client.get(href)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="tenancy.pdf"')
    assert download.headers["cache-control"] == "private, no-store"
    (logged,) = db.scalars(select(FileDownload))
    assert (logged.file_id, logged.user_id, logged.case_id) == (
        records["tenancy.pdf"].id,
        officer.id,
        case.id,
    )
    again = pages.get("backoffice:case_files", case_id=case.id)
    assert "downloaded once" in again.select_one(
        f'li[data-id="{records["tenancy.pdf"].id}"]'
    ).get_text(" ")


def test_bad_uploads_are_refused_with_what_is_wrong_and_nothing_is_kept(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    settings: Settings,
) -> None:
    case = family["case"]
    sign_in_officer(*CASES)
    page = pages.post(
        "backoffice:file_upload",
        {"category": "", "person": "", "strand": "", "description": ""},
        status=400,
        case_id=case.id,
    )
    assert page.error_summary == ["Select a file to upload", "Select the type of document"]
    assert (
        page.select_one("#files-error").get_text(" ", strip=True)
        == "Error: Select a file to upload"
    )

    page = upload(
        pages, case.id, [("fine.pdf", PDF), ("payload.pdf", b"MZ\x90\x00 not a pdf")], status=400
    )
    assert page.error_summary == [
        "payload.pdf must be a PDF, JPEG, PNG, HEIC or Word document file"
    ]
    page = upload(pages, case.id, [("empty.png", b"")], status=400)
    assert page.error_summary == ["empty.png is empty"]
    big = PDF + b"0" * (10 * 1024 * 1024)
    page = upload(pages, case.id, [("scan.pdf", big)], status=400)
    assert page.error_summary == ["scan.pdf must be smaller than 10MB"]
    page = upload(pages, case.id, [("fine.pdf", PDF)], status=400, person="999999")
    assert page.error_summary == ["Select someone in this household"]
    page = upload(pages, case.id, [(f"f{n}.png", PNG) for n in range(11)], status=400)
    assert page.error_summary == ["Upload 10 files or fewer at once"]

    assert db.scalar(select(func.count(EvidenceFile.id))) == 0
    assert list(store_for(settings).list_keys()) == []  # not a byte left behind


def test_evidence_sent_with_a_portal_change_is_listed_linked_to_its_change(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    settings: Settings,
) -> None:
    case, account = family["case"], family["account"]
    store = store_for(settings)

    def sent(name: str) -> EvidenceFile:
        return evidence.store(
            db,
            store,
            evidence.Upload.of(name, PDF),
            case_id=case.id,
            max_bytes=10**6,
            account_id=account.id,
        )

    letter, draft_only = sent("council tax bill.pdf"), sent("not sent yet.pdf")
    change = engine.submit(
        db,
        account,
        case,
        "other",
        {"person_id": family["mum"].id, "details": "New address"},
        idempotency_key=uuid.uuid4().hex,
        today=TODAY,
        file_ids=[letter.id],
    )
    db.commit()
    sign_in_officer(*CASES)
    assert listed(pages, case.id) == ["council tax bill.pdf"]  # a draft's file stays private
    page = pages.get("backoffice:case_files", case_id=case.id)
    item = page.select_one(f'li[data-id="{letter.id}"]')
    assert "Sent by the applicant with change" in item.get_text(" ", strip=True)
    assert item.select_one(f'a[href="{pages.url("backoffice:review", change_id=change.id)}"]')
    assert not item.select('a[href$="/remove"]')  # not while its change waits for a decision
    page = pages.post(
        "backoffice:file_remove",
        {"reason": "Wrong case"},
        status=400,
        case_id=case.id,
        file_id=letter.id,
    )
    assert page.error_summary == [
        "This file was sent with a change that is still waiting for review: decide the change first"
    ]
    assert listed(pages, case.id, source="officer") == []
    assert listed(pages, case.id, source="portal") == ["council tax bill.pdf"]
    assert draft_only.change_id is None


def test_a_file_is_removed_with_a_reason_and_can_no_longer_be_downloaded(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    sign_in_officer(*CASES)
    upload(pages, case.id, [("wrong household.pdf", PDF), ("right.png", PNG)])
    record = db.scalars(
        select(EvidenceFile).where(EvidenceFile.original_name == "wrong household.pdf")
    ).one()
    page = pages.post(
        "backoffice:file_remove", {"reason": " "}, status=400, case_id=case.id, file_id=record.id
    )
    assert page.error_summary == ["Enter why the file is being removed"]
    page = pages.post(
        "backoffice:file_remove",
        {"reason": "Uploaded to the wrong case"},
        case_id=case.id,
        file_id=record.id,
    )
    assert "wrong household.pdf has been removed" in pages.follow(page).text
    assert listed(pages, case.id) == ["right.png"]
    pages.get("backoffice:evidence_file", file_id=record.id, status=404)
    pages.get("backoffice:file_remove", case_id=case.id, file_id=record.id, status=404)
    db.refresh(record)
    assert record.removed_reason == "Uploaded to the wrong case" and record.removed_at is not None
    (event,) = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.FILE_REMOVED.value)
    )
    assert event.summary == "wrong household.pdf removed: Uploaded to the wrong case"


def test_the_files_tab_pages_newest_first(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for n in range(30):
        db.add(
            EvidenceFile(
                case_id=case.id,
                original_name=f"scan {n:02d}.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                storage_key=uuid.uuid4().hex,
                source="officer",
                created_at=start + dt.timedelta(minutes=n),
            )
        )
    db.commit()
    sign_in_officer(*CASES)
    first = pages.get("backoffice:case_files", case_id=case.id)
    names = [a.get_text(strip=True) for a in first.select("#files-list li > p:first-child a")]
    assert names == [f"scan {n:02d}.pdf" for n in range(29, 4, -1)]
    older = pages.fetch(
        first.select_one('a[rel="next"]')["href"].replace(
            "?", f"{pages.url('backoffice:case_files', case_id=case.id)}?", 1
        )
    )
    names = [a.get_text(strip=True) for a in older.select("#files-list li > p:first-child a")]
    assert names == [f"scan {n:02d}.pdf" for n in range(4, -1, -1)]
    assert not older.select('a[rel="next"]')


def test_an_officer_without_cases_or_outside_a_restricted_case_reaches_no_file(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    sign_in_officer(*CASES, name="Uploader")
    upload(pages, case.id, [("medical.pdf", PDF)])
    record = db.scalars(select(EvidenceFile)).one()
    pages.post("backoffice:sign_out", {})

    sign_in_officer(Permission.PEOPLE, Permission.QUEUE, name="No Cases")
    for route, params in (
        ("backoffice:case_files", {"case_id": case.id}),
        ("backoffice:file_upload", {"case_id": case.id}),
        ("backoffice:file_remove", {"case_id": case.id, "file_id": record.id}),
        ("backoffice:evidence_file", {"file_id": record.id}),
    ):
        pages.get(route, status=403, **params)
    upload(pages, case.id, [("sneaky.pdf", PDF)], status=403)
    pages.post("backoffice:sign_out", {})

    case.restricted = True
    db.commit()
    sign_in_officer(Permission.CASES, name="Not On The Case")
    pages.get("backoffice:case_files", case_id=case.id, status=403)
    pages.get("backoffice:evidence_file", file_id=record.id, status=403)
    assert db.scalar(select(func.count(FileDownload.id))) == 0
    assert db.scalar(select(func.count(EvidenceFile.id))) == 1
