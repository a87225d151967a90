"""A list exported as a spreadsheet by the worker (SPEC X2), against the folder store and the
S3-speaking server: the job reads the list in short transactions of its own (its progress is
written between pages — on SQLite an open write transaction would lock that out and the export
would fail), the .xlsx has the list's headings and rows with restricted cases blanked, the export
expires and the daily job deletes its file; a store that refuses the file leaves the export
failed with a message, never stuck. Saved views: private, shared with a team, a default; only
their owner changes them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain import exports, lists
from domain.base import utcnow
from domain.case_list import Filter, ListSpec
from domain.errors import Conflict, FieldErrors, NotFound, PermissionDenied
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, Job, User
from domain.storage import FileMissing, read_all
from domain.vocab import Permission
from hearth.worker import Worker
from tests.conftest import make_settings
from tests.support.factories import make_case, make_officer, make_person, make_team
from tests.support.s3 import S3Server
from web.storage import store_for

SPEC = ListSpec(
    columns=("reference", "applicant", "household_size", "opened"),
    filters=(Filter("team", "equals", "Housing Options"),),
    sort="applicant",
    descending=False,
)


def _council(committed: sessionmaker[Session]) -> tuple[int, list[str]]:
    with committed.begin() as db:
        options, other = make_team(db, "Housing Options"), make_team(db, "Elsewhere")
        officer = make_officer(db, Permission.CASES, Permission.EXPORT, team=options)
        names = ["Nowak", "Khan", "Brennan", "Osei", "Mensah"]
        for name in names:
            make_case(db, make_person(db, "Alex", name), team=options)
        make_case(db, make_person(db, "Not", "Listed"), team=other)
        secret = make_case(db, make_person(db, "Secret", "Person"), team=options)
        secret.restricted = True
        return officer.id, sorted(names)


def _settings(committed: sessionmaker[Session], tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    return make_settings(url, tmp_path, **env)


def test_the_worker_makes_the_spreadsheet_and_it_expires(
    committed: sessionmaker[Session], tmp_path: Path, store_env: dict[str, str]
) -> None:
    settings = _settings(committed, tmp_path, **store_env)
    officer_id, names = _council(committed)
    with committed.begin() as db:
        officer = db.get(User, officer_id)
        assert officer is not None
        export = exports.request_list_export(
            db, Actor.officer(officer), officer, SPEC, name="Options cases", today=dt.date.today()
        )
        export_id = export.id
        assert export.total == 6 and export.state == "queued"
    Worker(committed, settings, name="test").run_until_idle()

    store = store_for(settings)
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        assert (export.state, export.rows, export.progress) == ("done", 6, 100)
        assert export.file_name == f"options-cases-{export.created_at:%Y-%m-%d}.xlsx"
        assert export.expires_at is not None and export.finished_at is not None
        assert export.expires_at - export.finished_at == dt.timedelta(hours=48)
        job = db.get(Job, export.job_id)
        assert job is not None and job.status == "done"
        key = export.file_key
        assert key is not None
        book = load_workbook(io.BytesIO(read_all(store, key)))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == ("Reference", "Primary applicant", "Household size", "Opened")
    assert [r[1] for r in rows[1:] if r[1] != "Restricted record"] == [f"{n}, Alex" for n in names]
    assert sum(1 for r in rows if r[1] == "Restricted record") == 1  # Secret Person's case
    assert all(r[2] == 1 for r in rows[1:] if r[1] != "Restricted record")

    with committed.begin() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        officer = export.requested_by
        exports.record_download(db, Actor.officer(officer), export)
        assert db.scalars(
            select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.EXPORT_DOWNLOADED)
        ).one()
    with committed.begin() as db:
        later = utcnow() + dt.timedelta(hours=49)
        assert exports.expire(db, store, now=later) == 1
        export = db.get(exports.Export, export_id)
        assert export is not None and export.state == "expired" and export.file_key is None
    with pytest.raises(FileMissing):
        read_all(store, key)
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        with pytest.raises(NotFound):
            exports.record_download(db, Actor.officer(export.requested_by), export)


def test_a_store_that_refuses_the_file_leaves_the_export_failed_not_stuck(
    committed: sessionmaker[Session], tmp_path: Path, s3: S3Server
) -> None:
    settings = _settings(committed, tmp_path, **s3.env("no-such-bucket-here"))
    officer_id, _ = _council(committed)
    with committed.begin() as db:
        officer = db.get(User, officer_id)
        assert officer is not None
        export_id = exports.request_list_export(
            db, Actor.officer(officer), officer, SPEC, name="Cases", today=dt.date.today()
        ).id
    Worker(committed, settings, name="test").run_until_idle()
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        assert export.state == "failed" and export.file_key is None
        assert export.error is not None and "could not be made" in export.error


def test_saved_views_private_shared_and_default(db: Session) -> None:
    team = make_team(db, "Housing Options")
    rina = make_officer(db, Permission.CASES, name="Rina Patel", team=team)
    sam = make_officer(db, Permission.CASES, name="Sam Whitfield", team=team)
    stranger = make_officer(db, Permission.CASES, name="Bea Lindqvist")
    mine = lists.save_view(
        db, Actor.officer(rina), rina, SPEC, name="  My  cases ", shared=False, make_default=True
    )
    shared = lists.save_view(
        db, Actor.officer(rina), rina, ListSpec(), name="Team list", shared=True, make_default=False
    )
    assert mine.name == "My cases" and mine.list_spec == SPEC
    assert lists.default_for(db, rina) == mine
    assert [v.name for v in lists.views_for(db, rina)] == ["My cases", "Team list"]
    assert [v.name for v in lists.views_for(db, sam)] == ["Team list"]
    assert lists.views_for(db, stranger) == []
    with pytest.raises(NotFound):
        lists.view_for(db, stranger, shared.id)
    with pytest.raises(PermissionDenied):
        lists.delete_view(db, Actor.officer(sam), sam, shared.id)  # Rina's to change
    lists.set_default(db, Actor.officer(sam), sam, shared)
    assert lists.default_for(db, sam) == shared

    with pytest.raises(FieldErrors) as refused:
        lists.save_view(
            db, Actor.officer(rina), rina, SPEC, name=" ", shared=False, make_default=False
        )
    assert refused.value.errors == {"name": "Enter a name for the list"}
    with pytest.raises(FieldErrors) as refused:
        lists.save_view(
            db, Actor.officer(stranger), stranger, SPEC, name="x", shared=True, make_default=False
        )
    assert refused.value.errors == {"shared": "You are in no team to share the list with"}
    with pytest.raises(Conflict):
        lists.save_view(
            db,
            Actor.officer(rina),
            rina,
            SPEC,
            name="Again",
            shared=False,
            make_default=False,
            list_id=mine.id,
            expected_version=mine.version - 1,
        )

    assert lists.delete_view(db, Actor.officer(rina), rina, shared.id) == "Team list"
    db.flush()
    assert lists.default_for(db, sam) is None  # the view it opened with is gone
    kinds = db.scalars(
        select(HistoryEvent.kind).where(HistoryEvent.kind.in_(("list.saved", "list.deleted")))
    ).all()
    assert sorted(kinds) == ["list.deleted", "list.saved", "list.saved", "list.saved", "list.saved"]


def test_a_people_list_exports_a_row_per_person(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(committed, tmp_path)
    officer_id, names = _council(committed)
    people = ListSpec(
        ("person:name", "person:relationship", "reference"),
        (Filter("team", "equals", "Housing Options"),),
        "person:name",
        False,
        "people",
    )
    with committed.begin() as db:
        officer = db.get(User, officer_id)
        assert officer is not None
        export_id = exports.request_list_export(
            db, Actor.officer(officer), officer, people, name="Everyone", today=dt.date.today()
        ).id
    Worker(committed, settings, name="test").run_until_idle()
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None and export.state == "done" and export.file_key
        book = load_workbook(io.BytesIO(read_all(store_for(settings), export.file_key)))
    sheet = book["People on cases"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Reference", "Name", "Relationship to the primary applicant")
    shown = [r[1] for r in rows[1:] if r[1] != "Restricted record"]
    assert shown == [f"{n}, Alex" for n in names]  # one person on each case, by name
    assert [r[2] for r in rows[1:] if r[1] != "Restricted record"] == ["Self"] * len(names)
