"""Case lists in Chromium, axe on every page: an officer chooses columns (an application's band
among them), filters on it, sorts by name, saves the list for the team, exports it — the export's
page follows the app's own worker to 100% by itself (htmx) — and downloads the spreadsheet, whose
headings and rows are read back; a teammate finds the shared list. An officer exports a case
from its Export tab, follows it to ready and opens the zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain import notes
from domain.history import Actor
from domain.vocab import Permission
from tests.browser.conftest import Live, visiting
from tests.browser.test_case_running import _sign_in
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_team,
    open_housing_register,
)


@pytest.mark.parametrize("width", [1366, 390])
def test_an_officer_configures_saves_and_exports_a_cases_list(
    browser: object, live: Live, width: int
) -> None:
    with live.sessions.begin() as db:
        team = make_team(db, "Housing Options")
        rina = make_officer(db, Permission.CASES, Permission.EXPORT, name="Rina Patel", team=team)
        sam = make_officer(db, Permission.CASES, name="Sam Whitfield", team=team)
        for first, last, band in [
            ("Amira", "Khan", "Band A (urgent)"),
            ("Daniel", "Brennan", "Band A (urgent)"),
            ("Zofia", "Nowak", "Band C (medium)"),
        ]:
            case = make_case(db, make_person(db, first, last), team=team)
            open_housing_register(db, case).data = {"band": band}
        rina_email, sam_email = rina.email, sam.email

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, rina_email)
        visit.goto("/backoffice/cases")
        visit.click(page.locator("#case-lists-link a"))
        configure = page.locator("#configure")
        if configure.get_attribute("open") is None:
            configure.locator("summary").click()
        page.locator("summary", has_text="Housing Register application").click()
        page.get_by_label("Band", exact=True).check()
        page.get_by_label("Current address").check()
        filter_1 = page.get_by_role("group", name="Filter 1")
        filter_1.get_by_label("Column").select_option(label="Band")
        filter_1.get_by_label("How").select_option("equals")
        filter_1.get_by_label("Value (or lowest)").fill("Band A (urgent)")
        page.get_by_label("Sort by").select_option("applicant")
        page.get_by_label("A to Z, lowest, earliest first").check()
        visit.click(page.locator("#show-list"))
        names = page.locator("#case-list-table tbody tr td[data-column=applicant]")
        assert names.all_inner_texts() == ["Brennan, Daniel", "Khan, Amira"]
        bands = page.locator("#case-list-table tbody td[data-column='housing_register.band']")
        assert bands.all_inner_texts() == ["Band A (urgent)", "Band A (urgent)"]

        page.get_by_label("Name of the list").fill("Band A cases")
        page.get_by_label("Share with Housing Options").check()
        visit.click(page.locator("#save-list"))
        assert "List “Band A cases” saved." in page.locator(".moj-alert").inner_text()
        assert page.locator("h1").inner_text() == "Band A cases"

        visit.click(page.locator("#export-list"))
        status = page.locator("#export-status")
        page.wait_for_selector("#export-status[data-state=done]", timeout=30_000)
        assert "Ready" in status.inner_text() and "2 rows" in status.inner_text()
        visit.check()  # the page as htmx left it
        with page.expect_download() as info:
            page.locator("#download").click()
        download = info.value
        assert download.suggested_filename.startswith("band-a-cases-")
        sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
        rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[0] == (  # in the order the columns are offered
            "Reference",
            "Status",
            "Opened",
            "Primary applicant",
            "Applicant's current address",
            "Household size",
            "Housing Register application: Band",
        )
        assert [(r[3], r[6]) for r in rows[1:]] == [
            ("Brennan, Daniel", "Band A (urgent)"),
            ("Khan, Amira", "Band A (urgent)"),
        ]

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, sam_email)
        visit.goto("/backoffice/lists/cases")
        visit.click(page.locator("#saved-lists").get_by_role("link", name="Band A cases"))
        assert "saved by Rina Patel" in page.locator("#view-about").inner_text()
        assert page.locator("#case-list-table tbody tr").count() == 2
        assert page.locator("#export-form").count() == 0  # Sam has no Export


def test_an_officer_exports_a_case_and_opens_the_zip(browser: object, live: Live) -> None:
    with live.sessions.begin() as db:
        rina = make_officer(db, Permission.CASES, Permission.EXPORT, name="Rina Patel")
        amara = make_person(db, "Amara", "Okafor")
        case = make_case(db, amara, [(make_person(db, "Kofi", "Okafor"), "Son")])
        open_housing_register(db, case)
        notes.add_note(
            db,
            Actor.officer(rina),
            rina,
            notes.About(case=case),
            category="Visit",
            text="Visited the flat: damp in both bedrooms.",
        )
        rina_email, case_id = rina.email, case.id
    reference = f"HC-{case_id:06d}"

    with visiting(browser, live, {"width": 390, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, rina_email)
        visit.goto(f"/backoffice/cases/{case_id}")
        visit.click(page.locator(".moj-sub-navigation").get_by_role("link", name="Export"))
        visit.click(page.locator("#request-case"))
        assert "Case export asked for" in page.locator(".moj-alert").inner_text()
        visit.check()  # the tab while the export is being made
        page.wait_for_selector("#case-exports li[data-state=done]", timeout=30_000)
        visit.check()  # the tab as htmx left it
        with page.expect_download() as info:
            page.locator("#case-exports a[data-download]").click()
        download = info.value
        assert download.suggested_filename.startswith(f"case-export-of-case-{reference.lower()}")
        archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
        names = archive.namelist()
        people = sorted(n.split("/")[-1] for n in names if "/People/" in n)
        assert [p.split(" (")[0] for p in people] == ["01 Amara Okafor", "02 Kofi Okafor"]
        assert any("/Applications and assessments/Housing Register application" in n for n in names)
        book = load_workbook(io.BytesIO(archive.read(f"{reference}/Case.xlsx")), read_only=True)
        assert [r[3] for r in book["Notes"].iter_rows(min_row=2, values_only=True)] == [
            "Visited the flat: damp in both bedrooms."
        ]
        history = list(book["History"].iter_rows(min_row=2, values_only=True))
        assert any(str(r[2]).startswith(f"Case {reference} opened") for r in history)


def test_a_supervisor_pages_through_the_workload_at_320px(browser: object, live: Live) -> None:
    """The case officers list grouped by officer, on a phone-sized screen: 25 officers a page,
    most assignments first, the next page after, axe on each; the page itself never scrolls
    sideways (the table scrolls in its own box)."""
    from domain import cases

    with live.sessions.begin() as db:
        team = make_team(db, "Housing Options")
        lead = make_officer(db, Permission.CASES, name="Rina Patel", team=team)
        crew = [make_officer(db, Permission.CASES, name=f"Officer {n:02d}") for n in range(27)]
        case = make_case(db, make_person(db, "Amira", "Khan"), team=team)
        db.flush()
        cases.set_officers(
            db,
            Actor.officer(lead),
            case,
            [(lead, "Primary"), *((o, "Secondary") for o in crew)],
            expected_version=case.version,
        )
        lead_email = lead.email

    with visiting(browser, live, {"width": 320, "height": 800}) as visit:
        page = visit.page
        _sign_in(visit, lead_email)
        visit.goto("/backoffice/lists/officers?column=officer:name&group=officer")
        rows = page.locator("#workload-table tbody tr")
        assert rows.count() == 25
        assert rows.first.get_attribute("data-officer") == "Officer 00"  # one each: by name
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        visit.click(page.locator("#next-page"))
        assert [r.get_attribute("data-officer") for r in rows.all()] == [
            "Officer 25",
            "Officer 26",
            "Rina Patel",
        ]
        assert page.locator("#next-page").count() == 0
        visit.click(page.get_by_role("link", name="First page"))
        assert rows.count() == 25
