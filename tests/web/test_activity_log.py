"""The activity log (SPEC H3): every page of a case an officer opens and every action they take is
recorded — who, when, which page, which case or record, how it was answered, refusals included —
but not the polls htmx makes to refresh part of a page; entries are written in batches (one
INSERT, in a transaction of their own, when enough wait or the oldest is old enough, and when
the app stops); an administrator reads a case's log from its History tab; old entries are
pruned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from domain import activity
from domain.activity import Activity, Entry
from domain.base import utcnow
from domain.models import User
from domain.vocab import Permission
from hearth.app import create_app
from tests.conftest import _savepoint_sessions, make_settings
from tests.support.factories import make_case, make_person
from tests.support.pages import Pages
from web.activity import BATCH, ActivityBuffer
from web.settings import Settings


@pytest.fixture
def settings(test_database: Any, tmp_path: Path) -> Settings:
    return make_settings(test_database.url, tmp_path, ACTIVITY_BATCH_SECONDS="0")


def _logged(db: Session, case_id: int) -> list[tuple[str, str, int]]:
    db.expire_all()
    return [
        (a.view, a.method, a.status)
        for a in db.scalars(
            select(Activity).where(Activity.case_id == case_id).order_by(Activity.id)
        )
    ]


def test_what_an_officer_opens_and_does_on_a_case_is_logged_and_an_admin_reads_it(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    case = make_case(db, make_person(db, "Amira", "Khan"))
    db.commit()
    rina = sign_in_officer(Permission.CASES, Permission.PEOPLE)
    pages.get("backoffice:case", case_id=case.id)
    pages.get("backoffice:case_people", case_id=case.id)
    # htmx refreshing part of a page is not an officer opening it
    pages.client.get(pages.url("backoffice:case", case_id=case.id), headers={"HX-Request": "true"})
    pages.client.get(  # boosted navigation is
        pages.url("backoffice:case_history", case_id=case.id),
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    pages.get("backoffice:case_activity", case_id=case.id, status=403)  # for administrators
    assert _logged(db, case.id) == [
        ("case", "GET", 200),
        ("case_people", "GET", 200),
        ("case_history", "GET", 200),
        ("case_activity", "GET", 403),
    ]
    entry = db.scalars(select(Activity).where(Activity.case_id == case.id)).first()
    assert entry is not None and entry.user_id == rina.id
    assert entry.path == f"/backoffice/cases/{case.id}"

    pages.post("backoffice:sign_out", {})
    admin = sign_in_officer(Permission.ADMIN, Permission.CASES)
    history = pages.get("backoffice:case_history", case_id=case.id)
    log_page = pages.fetch(history.select_one("#activity-link a")["href"])
    rows = [
        [td.get_text(" ", strip=True) for td in tr.select("td")][1:]
        for tr in log_page.select("#activity tbody tr")
    ]
    assert rows == [  # newest first (the page being read is logged once it has been answered)
        [admin.name, "Opened the case history"],
        [rina.name, "Opened the activity log Refused (403)"],
        [rina.name, "Opened the case history"],
        [rina.name, "Opened the household"],
        [rina.name, "Opened the case"],
    ]


def test_entries_wait_in_a_batch_and_are_written_when_the_app_stops(
    db: Session, connection: Connection, test_database: Any, tmp_path: Path
) -> None:
    from tests.support.factories import TEST_PASSWORD, make_officer

    case = make_case(db, make_person(db, "Zofia", "Nowak"))
    officer = make_officer(db, Permission.CASES)
    db.commit()
    slow = make_settings(test_database.url, tmp_path, ACTIVITY_BATCH_SECONDS="3600")
    app = create_app(slow, run_jobs=False, session_factory=_savepoint_sessions(connection))
    with TestClient(app, base_url="http://testserver") as client:
        pages = Pages(client)
        pages.post("backoffice:sign_in", {"email": officer.email, "password": TEST_PASSWORD})
        for _ in range(3):
            pages.get("backoffice:case", case_id=case.id)
        assert _logged(db, case.id) == []  # waiting in the batch
    assert _logged(db, case.id) == [("case", "GET", 200)] * 3  # written as the app stopped


def test_a_full_batch_is_written_in_one_go_and_old_entries_are_pruned(
    db: Session, connection: Connection
) -> None:
    buffer = ActivityBuffer(_savepoint_sessions(connection), seconds=3600)
    now = utcnow()
    for n in range(BATCH - 1):
        buffer.add(Entry(now - dt.timedelta(days=n), 1, "case", "GET", "/x", 200, case_id=-7))
    assert db.scalar(select(func.count()).select_from(Activity)) == 0
    buffer.add(Entry(now, 1, "case", "GET", "/x", 200, case_id=-7))  # the 200th
    assert db.scalar(select(func.count()).where(Activity.case_id == -7)) == BATCH
    # 0 to 198 days old, and one more of today: those over 30 days old go
    assert activity.prune(db, dt.timedelta(days=30), now=now) == 168
    assert db.scalar(select(func.count()).where(Activity.case_id == -7)) == 32


def test_every_page_put_in_words_is_a_back_office_view() -> None:
    from tests.web.test_route_table import ALL_ROUTES

    views = {
        route.endpoint.__name__ for _, name, route in ALL_ROUTES if name.startswith("backoffice:")
    }
    assert set(activity.WORDS) <= views, sorted(set(activity.WORDS) - views)
