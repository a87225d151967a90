"""Case lists in the back office (SPEC X1, X2): an officer chooses columns (an application's fields
among them), filters and sorts with an ordinary form; a wrong filter is said on the page; the list
is saved, shared with the team and made the default; with Export it becomes a spreadsheet whose
progress the export's page shows (refreshed alone by htmx) and which downloads when ready; without
Export, or as another officer, nothing of it is reachable."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from domain import exports
from domain.models import User
from domain.vocab import Permission
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_team,
    open_housing_register,
)
from tests.support.pages import Pages
from tests.web.test_messages import run_jobs

CHOSEN = {
    "column": ["reference", "applicant", "housing_register.band", "household_size"],
    "filter-1-column": "housing_register.band",
    "filter-1-op": "not_empty",
    "sort": "applicant",
    "order": "ascending",
}


@pytest.fixture
def council(db: Session) -> dict[str, Any]:
    team = make_team(db, "Housing Options")
    cases = {}
    for first, last, band in [
        ("Amira", "Khan", "Band A (urgent)"),
        ("Daniel", "Brennan", "Band C (medium)"),
        ("Zofia", "Nowak", None),
    ]:
        case = make_case(db, make_person(db, first, last), team=team)
        if band:
            open_housing_register(db, case).data = {"band": band}
        cases[last] = case
    db.commit()
    return {"team": team, **cases}


def _sign_in(pages: Pages, officer: User) -> None:
    from tests.support.factories import TEST_PASSWORD

    pages.post("backoffice:sign_in", {"email": officer.email, "password": TEST_PASSWORD})


def test_an_officer_chooses_columns_filters_and_the_order(
    db: Session, pages: Pages, council: dict[str, Any]
) -> None:
    officer = make_officer(db, Permission.CASES, team=council["team"])
    db.commit()
    _sign_in(pages, officer)
    assert pages.get("backoffice:cases").select_one("#case-lists-link a")
    standard = pages.get("backoffice:case_list")
    assert len(standard.select("#case-list-table tbody tr")) == 3

    page = pages.get("backoffice:case_list", params=CHOSEN)
    headings = [th.get_text(" ", strip=True) for th in page.select("#case-list-table thead th")]
    assert headings == [
        "Reference",
        "Primary applicant (sorted ascending) ↑",
        "Housing Register application: Band",
        "Household size",
    ]
    rows = [
        [td.get_text(strip=True) for td in tr.select("th, td")]
        for tr in page.select("#case-list-table tbody tr")
    ]
    assert rows == [
        [council["Brennan"].reference, "Brennan, Daniel", "Band C (medium)", "1"],
        [council["Khan"].reference, "Khan, Amira", "Band A (urgent)", "1"],
    ]
    assert "band is not empty" in page.select_one("#filters-now").get_text()

    wrong = pages.get(
        "backoffice:case_list",
        params={
            **CHOSEN,
            "filter-1-column": "household_size",
            "filter-1-op": "range",
            "filter-1-value": "two",
        },
        status=400,
    )
    summary = wrong.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "Enter a number like 3 for household size" in summary
    assert wrong.soup.select_one("#case-list-table") is None
    assert wrong.select_one("#filter-1-value")["value"] == "two"  # kept as typed


def test_a_list_saved_for_the_team_and_as_the_default(
    db: Session, pages: Pages, council: dict[str, Any]
) -> None:
    rina = make_officer(db, Permission.CASES, name="Rina Patel", team=council["team"])
    sam = make_officer(db, Permission.CASES, name="Sam Whitfield", team=council["team"])
    db.commit()
    _sign_in(pages, rina)
    page = pages.get("backoffice:case_list", params=CHOSEN)
    spec = page.select_one("#save-form input[name=spec]")["value"]
    refused = pages.post("backoffice:case_list_save", {"spec": spec, "name": ""}, status=400)
    assert "Enter a name for the list" in refused.select_one(".govuk-error-summary").get_text()
    saved = pages.post(
        "backoffice:case_list_save",
        {"spec": spec, "name": "Banded cases", "shared": "yes", "default": "yes"},
    )
    page = pages.follow(saved)
    assert page.select_one("h1").get_text(strip=True) == "Banded cases"
    assert "Shared with Housing Options" in page.select_one("#view-about").get_text()
    opened = pages.get("backoffice:case_list")  # the default opens
    assert opened.select_one("h1").get_text(strip=True) == "Banded cases"
    assert opened.soup.select_one("#list-form") is None  # the form only when asked for
    link = opened.select_one("#configure-link a")["href"]  # relative to the page
    form = pages.fetch(pages.url("backoffice:case_list") + link).select_one("#list-form")
    assert {i["value"] for i in form.select("input[name=column][checked]")} == set(CHOSEN["column"])
    assert len(opened.select("#case-list-table tbody tr")) == 2

    pages.post("backoffice:sign_out", {})
    _sign_in(pages, sam)
    standard = pages.get("backoffice:case_list")
    assert standard.select_one("h1").get_text(strip=True) == "Cases list"  # not his default
    link = standard.select_one("#saved-lists a[href$='view=1'], #saved-lists li:nth-of-type(2) a")
    assert link.get_text(strip=True) == "Banded cases"
    view = pages.fetch(link["href"])
    assert "saved by Rina Patel" in view.select_one("#view-about").get_text()
    assert view.soup.select_one("#delete-list") is None  # only Rina deletes it


def test_an_export_shows_its_progress_and_downloads_when_ready(
    db: Session,
    pages: Pages,
    council: dict[str, Any],
    connection: Connection,
    settings: Any,
    sign_in_officer: Callable[..., User],
) -> None:
    sign_in_officer(Permission.CASES, Permission.EXPORT)
    page = pages.get("backoffice:case_list", params=CHOSEN)
    spec = page.select_one("#export-form input[name=spec]")["value"]
    asked = pages.post("backoffice:case_list_export", {"spec": spec, "name": "Banded cases"})
    export_id = int(asked.location.rsplit("/", 1)[1])
    waiting = pages.follow(asked)
    status = waiting.select_one("#export-status")
    assert status["data-state"] == "queued" and "0% done" in status.get_text()
    assert status["hx-get"].endswith(f"/exports/{export_id}?poll=1")
    assert waiting.select_one("#refresh")  # without JavaScript, a link to look again

    run_jobs(connection, settings)
    poll = pages.client.get(
        pages.url("backoffice:export", export_id=export_id) + "?poll=1",
        headers={"HX-Request": "true"},
    )
    assert "<html" not in poll.text and 'data-state="done"' in poll.text
    assert "hx-trigger" not in poll.text  # the polling stops
    ready = pages.get("backoffice:export", export_id=export_id)
    download = pages.client.get(ready.select_one("#download")["href"])
    assert download.status_code == 200
    assert download.headers["content-type"] == exports.XLSX
    assert "banded-cases-" in download.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [r[1] for r in sheet.iter_rows(values_only=True)] == [  # type: ignore[union-attr]
        "Primary applicant",
        "Brennan, Daniel",
        "Khan, Amira",
    ]


def test_without_export_or_as_another_officer_nothing_of_an_export_is_reachable(
    db: Session, pages: Pages, council: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    owner = make_officer(db, Permission.CASES, Permission.EXPORT)
    import datetime as dt

    from domain.case_list import ListSpec
    from domain.history import Actor

    export = exports.request_list_export(
        db, Actor.officer(owner), owner, ListSpec(), name="Mine", today=dt.date.today()
    )
    from domain import lists

    private = lists.save_view(
        db, Actor.officer(owner), owner, ListSpec(), name="Mine", shared=False, make_default=False
    )
    db.commit()
    sign_in_officer(Permission.CASES)
    page = pages.get("backoffice:case_list")
    assert page.soup.select_one("#export-form") is None
    pages.post("backoffice:case_list_export", {"spec": "{}"}, status=403)
    pages.get("backoffice:export", export_id=export.id, status=403)
    pages.post("backoffice:sign_out", {})
    sign_in_officer(Permission.CASES, Permission.EXPORT)
    pages.get("backoffice:export", export_id=export.id, status=404)  # someone else's
    pages.get("backoffice:export_download", export_id=export.id, status=404)
    page = pages.get("backoffice:case_list", params={"view": str(private.id)}, status=404)
    assert "There is no such list view" in page.text  # someone else's private list


def test_the_officers_list_groups_into_the_workload_and_the_people_list_links_people(
    db: Session, pages: Pages, council: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    officer = sign_in_officer(Permission.CASES)
    for case in (council["Khan"], council["Brennan"]):
        from domain import cases
        from domain.history import Actor

        cases.set_officers(
            db, Actor.officer(officer), case, [(officer, "Primary")], expected_version=case.version
        )
    db.commit()
    page = pages.get("backoffice:officer_list")
    tabs = page.soup.select(".moj-sub-navigation a")
    assert [t.get_text(strip=True) for t in tabs] == ["Cases", "Case officers", "Case people"]
    assert page.select_one('.moj-sub-navigation a[aria-current="page"]').get_text() == (
        "Case officers"
    )
    assert len(page.select("#case-list-table tbody tr")) == 2
    grouped = pages.get(
        "backoffice:officer_list",
        params={"column": ["officer:name", "reference"], "group": "officer"},
    )
    [row] = grouped.select("#workload-table tbody tr")
    assert row["data-officer"] == officer.name
    assert row.select_one("[data-count=assignments]").get_text() == "2"
    assert row.select_one("[data-count=Primary]").get_text() == "2"
    drill = pages.client.get("/backoffice/lists/officers" + row.select_one("a")["href"])
    assert drill.status_code == 200 and "workload-table" not in drill.text

    people = pages.get(
        "backoffice:people_list",
        params={
            "column": ["person:name", "reference"],
            "sort": "person:name",
            "order": "ascending",
        },
    )
    names = people.select("#case-list-table td[data-column='person:name'] a")
    assert [a.get_text() for a in names] == ["Brennan, Daniel", "Khan, Amira", "Nowak, Zofia"]
    assert names[0]["href"].startswith("/backoffice/people/")


def test_the_workload_is_paged_by_most_assignments_then_name(
    db: Session, pages: Pages, council: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    """Every list is paged, the workload too: a council's 30 officers come 25 to a page, most
    assignments first, and the next page carries on where the first stopped."""
    from domain import cases
    from domain.history import Actor

    me = sign_in_officer(Permission.CASES)
    khan, brennan = council["Khan"], council["Brennan"]
    officers = [make_officer(db, Permission.CASES, name=f"Officer {n:02d}") for n in range(30)]
    db.flush()
    # Officer 29 has two assignments (most, first); the others one each, by name after.
    cases.set_officers(
        db,
        Actor.officer(me),
        khan,
        [(o, "Secondary") for o in officers],
        expected_version=khan.version,
    )
    cases.set_officers(
        db, Actor.officer(me), brennan, [(officers[29], "Other")], expected_version=brennan.version
    )
    db.commit()
    params = {"column": ["officer:name", "reference"], "group": "officer"}
    first = pages.get("backoffice:officer_list", params=params)
    names = [r["data-officer"] for r in first.select("#workload-table tbody tr")]
    assert names == ["Officer 29"] + [f"Officer {n:02d}" for n in range(24)]
    more = first.select_one("#next-page")["href"]
    second = pages.client.get("/backoffice/lists/officers" + more)
    assert second.status_code == 200
    rest = [
        r["data-officer"]
        for r in BeautifulSoup(second.text, "html.parser").select("#workload-table tbody tr")
    ]
    assert rest == [f"Officer {n:02d}" for n in range(24, 29)]
    assert "next-page" not in second.text and "First page" in second.text


def test_a_saved_view_opens_only_on_its_own_list_and_each_list_has_its_default(
    db: Session, pages: Pages, council: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.CASES)
    page = pages.get("backoffice:people_list", params={"column": ["person:name", "person:born"]})
    spec = page.select_one("#save-form input[name=spec]")["value"]
    saved = pages.post(
        "backoffice:case_list_save",
        {"spec": spec, "name": "Everyone", "default": "yes"},
    )
    assert saved.location.startswith("/backoffice/lists/people?view=")
    view_id = saved.location.rsplit("=", 1)[1]
    pages.get("backoffice:case_list", params={"view": view_id}, status=404)
    default = pages.get("backoffice:people_list")
    assert default.select_one("h1").get_text() == "Everyone"
    assert pages.get("backoffice:case_list").select_one("h1").get_text() == "Cases list"
