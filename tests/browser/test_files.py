"""Case files and letters in Chromium, axe on every page: an officer uploads two files at once
(one refused first), finds them on the Files tab and downloads one — once with the folder store
on a desktop, once with the S3-speaking server (moto, its own process) on a phone-sized screen;
an admin adds a letter template (one with an unknown merge field refused first) and an officer
generates the letter from the Comms tab and downloads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.vocab import Permission
from tests.browser.conftest import StartLive, visiting
from tests.browser.test_case_running import _sign_in
from tests.support.factories import make_case, make_officer, make_person
from tests.support.s3 import S3Server
from tests.web.test_letters import OFFER, text_of, word

PDF = b"%PDF-1.4\n% tenancy agreement\n" + b"x" * 5000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(("store", "width"), [("folder", 1366), ("s3", 390)])
def test_an_officer_uploads_files_and_downloads_one(
    browser: object,
    start_live: StartLive,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    store: str,
    width: int,
) -> None:
    env: dict[str, str] = {}
    if store == "s3":
        s3: S3Server = request.getfixturevalue("s3")
        env = s3.env(s3.new_bucket())
    (tmp_path / "tenancy.pdf").write_bytes(PDF)
    (tmp_path / "photo of damp.png").write_bytes(PNG)
    (tmp_path / "virus.pdf").write_bytes(b"MZ\x90\x00 a program, not a PDF")
    with start_live(**env) as live:
        with live.sessions.begin() as db:
            mum = make_person(db, "Amira", "Khan")
            case = make_case(db, mum)
            officer = make_officer(db, Permission.CASES, Permission.PEOPLE, name="Rina Patel")
            email, case_id = officer.email, case.id

        with visiting(browser, live, {"width": width, "height": 900}) as visit:
            page = visit.page
            _sign_in(visit, email)
            visit.goto(f"/backoffice/cases/{case_id}/files")
            assert "No files on this case yet" in page.locator("#nothing").inner_text()
            visit.click(page.locator("#upload-files"))
            page.get_by_label("Files").set_input_files(
                [tmp_path / "tenancy.pdf", tmp_path / "virus.pdf"]
            )
            page.get_by_label("Type of document").select_option("Tenancy agreement")
            visit.click(page.get_by_role("button", name="Upload"))
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "virus.pdf must be a PDF, JPEG, PNG, HEIC or Word document file" in summary
            page.get_by_label("Files").set_input_files(
                [tmp_path / "tenancy.pdf", tmp_path / "photo of damp.png"]
            )
            page.get_by_label("Type of document").select_option("Tenancy agreement")
            page.get_by_label("Who is it about?").select_option(label="Amira Khan")
            visit.click(page.get_by_role("button", name="Upload"))
            assert "2 files have been uploaded" in page.locator(".moj-alert").inner_text()
            names = page.locator("#files-list > li > p:first-child a").all_inner_texts()
            assert names == ["photo of damp.png", "tenancy.pdf"]

            with page.expect_download() as info:
                page.get_by_role("link", name="tenancy.pdf", exact=True).click()
            download = info.value
            assert download.suggested_filename == "tenancy.pdf"
            assert Path(download.path()).read_bytes() == PDF
            visit.goto(f"/backoffice/cases/{case_id}/files")
            item = page.locator("#files-list > li", has_text="tenancy.pdf")
            assert "downloaded once" in item.inner_text()  # a boosted link would fetch it twice


def test_an_admin_adds_a_letter_and_an_officer_generates_it_from_the_comms_tab(
    browser: object, start_live: StartLive, tmp_path: Path
) -> None:
    (tmp_path / "offer.docx").write_bytes(OFFER)
    (tmp_path / "broken.docx").write_bytes(word("Dear {{ person.nickname }}"))
    with start_live() as live:
        with live.sessions.begin() as db:
            mum = make_person(db, "Amira", "Khan")
            case = make_case(db, mum)
            officer = make_officer(
                db, Permission.ADMIN, Permission.CASES, Permission.PEOPLE, name="Rina Patel"
            )
            email, case_id = officer.email, case.id

        with visiting(browser, live, {"width": 390, "height": 844}) as visit:
            page = visit.page
            _sign_in(visit, email)
            visit.goto("/backoffice/admin/letter-templates")
            visit.click(page.locator("#add-letter-template"))
            page.get_by_label("Name").fill("Review outcome")
            page.get_by_label("Word document").set_input_files(tmp_path / "broken.docx")
            visit.click(page.get_by_role("button", name="Save the letter"))
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "Unknown merge field: person.nickname" in summary
            page.get_by_label("Word document").set_input_files(tmp_path / "offer.docx")
            visit.click(page.get_by_role("button", name="Save the letter"))
            assert "Review outcome" in page.locator("#letter-templates").inner_text()

            visit.goto(f"/backoffice/cases/{case_id}/messages")
            visit.click(page.locator("#generate-letter"))
            page.get_by_label("Letter", exact=True).select_option(label="Review outcome")
            page.get_by_label("Who is it for?").select_option(label="Amira Khan")
            visit.click(page.get_by_role("button", name="Generate the letter"))
            row = page.locator('#comms-list > li[data-kind="letter"]')
            assert "Letter to Amira Khan" in row.inner_text()
            with page.expect_download() as info:
                row.locator("a[download]").click()
            body, _header = text_of(Path(info.value.path()).read_bytes())
            assert "Dear Amira Khan," in body and "Yours sincerely, Rina Patel" in body
