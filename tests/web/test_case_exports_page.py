"""The case's Export tab (SPEC X3): an officer with Export asks for a case export, sees it waiting
(htmx polls the list alone, a refresh link without JavaScript), a second while it is being made
is refused on the page, and once the worker has made it, it downloads as a zip of the case; an
activity export needs Admin too; without Export, or on a restricted case they may not open,
nothing of it is reachable."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from domain import case_export, exports
from domain.history import Actor
from domain.models import Case, HistoryEvent, User
from domain.vocab import Permission
from tests.support.factories import make_case, make_officer, make_person
from tests.support.pages import Pages
from tests.web.test_messages import run_jobs


def _case(db: Session) -> Case:
    case = make_case(db, make_person(db, "Amara", "Okafor"))
    db.commit()
    return case


def test_a_case_export_is_asked_for_watched_and_downloaded(
    db: Session,
    pages: Pages,
    connection: Connection,
    settings: Any,
    sign_in_officer: Callable[..., User],
) -> None:
    case = _case(db)
    sign_in_officer(Permission.CASES, Permission.EXPORT)
    tab = pages.get("backoffice:case_exports", case_id=case.id)
    assert (
        tab.select_one('.moj-sub-navigation a[aria-current="page"]').get_text(strip=True)
        == "Export"
    )
    assert tab.select_one("#no-case-exports") and tab.soup.select_one("#request-activity") is None
    assert "Only administrators" in tab.select_one("#activity-exports").get_text()

    asked = pages.post("backoffice:case_export_request", {"kind": "case"}, case_id=case.id)
    waiting = pages.follow(asked)
    assert "Case export asked for" in waiting.text
    exports_div = waiting.select_one("#exports")
    assert exports_div["hx-get"].endswith(f"/cases/{case.id}/exports?poll=1")
    [row] = waiting.select("#case-exports li[data-export]")
    assert row["data-state"] == "queued" and "0% done" in row.get_text()
    assert waiting.select_one("#refresh")  # without JavaScript, a link to look again

    again = pages.post(
        "backoffice:case_export_request", {"kind": "case"}, case_id=case.id, status=400
    )
    assert "already being made" in again.select_one(".govuk-error-summary").get_text()
    assert len(again.select("#case-exports li[data-export]")) == 1  # nothing more asked for

    run_jobs(connection, settings)
    poll = pages.client.get(
        pages.url("backoffice:case_exports", case_id=case.id) + "?poll=1",
        headers={"HX-Request": "true"},
    )
    assert "<html" not in poll.text and 'data-state="done"' in poll.text
    assert "hx-trigger" not in poll.text  # the polling stops
    ready = pages.get("backoffice:case_exports", case_id=case.id)
    link = ready.select_one("#case-exports a[data-download]")
    download = pages.client.get(link["href"])
    assert download.status_code == 200
    assert download.headers["content-type"] == exports.ZIP
    assert f"case-export-of-case-hc-{case.id:06d}" in download.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert f"HC-{case.id:06d}/Case.xlsx" in names and f"HC-{case.id:06d}/Notes.docx" in names
    db.expire_all()
    summaries = db.scalars(
        select(HistoryEvent.summary).where(
            HistoryEvent.case_id == case.id, HistoryEvent.kind.like("export.%")
        )
    ).all()
    assert sorted(summaries) == [
        "Case export of the case requested",
        f"Export of Case export of case HC-{case.id:06d} downloaded",
    ]


def test_an_activity_export_needs_admin_and_downloads(
    db: Session,
    pages: Pages,
    connection: Connection,
    settings: Any,
    sign_in_officer: Callable[..., User],
) -> None:
    case = _case(db)
    sign_in_officer(Permission.CASES, Permission.EXPORT, Permission.ADMIN)
    pages.get("backoffice:case", case_id=case.id)
    asked = pages.post("backoffice:case_export_request", {"kind": "activity"}, case_id=case.id)
    pages.follow(asked)
    run_jobs(connection, settings)
    ready = pages.get("backoffice:case_exports", case_id=case.id)
    link = ready.select_one("#activity-exports a[data-download]")
    download = pages.client.get(link["href"])
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(download.content)).namelist() == [
        f"HC-{case.id:06d} activity.xlsx"
    ]


def test_without_export_or_the_case_nothing_of_its_exports_is_reachable(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    case = _case(db)
    owner = make_officer(db, Permission.CASES, Permission.EXPORT)
    made = case_export.request(db, Actor.officer(owner), owner, case, "case")
    secret = make_case(db, make_person(db, "Secret", "Person"))
    secret.restricted = True
    db.commit()
    sign_in_officer(Permission.CASES)
    tab = pages.get("backoffice:case_exports", case_id=case.id)
    assert tab.select_one("#no-export") and tab.soup.select_one("#request-case") is None
    assert tab.select_one("#case-exports li[data-export]")  # listed, with who asked
    pages.post("backoffice:case_export_request", {"kind": "case"}, case_id=case.id, status=403)
    pages.get("backoffice:case_export_download", case_id=case.id, export_id=made.id, status=403)
    pages.post("backoffice:sign_out", {})
    sign_in_officer(Permission.CASES, Permission.EXPORT)
    pages.get("backoffice:case_exports", case_id=secret.id, status=403)
    pages.post("backoffice:case_export_request", {"kind": "case"}, case_id=secret.id, status=403)
    # not ready yet, and not an export of that case
    pages.get("backoffice:case_export_download", case_id=case.id, export_id=made.id, status=404)
    pages.get("backoffice:case_export_download", case_id=secret.id, export_id=made.id, status=403)
    page = pages.post(
        "backoffice:case_export_request", {"kind": "everything"}, case_id=case.id, status=404
    )
    assert "There is no such kind of export" in page.text
