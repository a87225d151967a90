"""Case files in Chromium, axe on every page: an officer uploads two files at once (one refused
first), finds them on the Files tab and downloads one — once with the folder store on a desktop,
once with the S3-speaking server (moto, its own process) on a phone-sized screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.vocab import Permission
from tests.browser.conftest import StartLive, visiting
from tests.browser.test_case_running import _sign_in
from tests.support.factories import make_case, make_officer, make_person
from tests.support.s3 import S3Server

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
