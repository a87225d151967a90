"""Case and activity exports (SPEC X3) made by the worker against the folder store and the
S3-speaking server: the zip holds a spreadsheet for the case (with its notes and every history
event), one per person and one per application or assessment (fields in words, notes), a
folder beside each with its files (the bytes as uploaded) and the comms sent, and one notes
document; a restricted person the officer may not open is only "Restricted record", their
files left out; a file the store lost is named, not fatal. The activity export holds every
entry of the case's activity log. Who may ask, one at a time, history, expiry."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain import activity, case_export, exports, history, notes
from domain import files as file_rules
from domain.base import utcnow
from domain.errors import NotFound, PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.messages import Message
from domain.models import Case, HistoryEvent, User
from domain.storage import read_all
from domain.strands import Strand
from domain.vocab import Permission
from hearth.worker import Worker
from tests.conftest import make_settings
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_team,
    open_housing_register,
)
from web.storage import store_for

STRANDS = "Applications and assessments"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000


def _settings(committed: sessionmaker[Session], tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    return make_settings(url, tmp_path, **env)


def _book(archive: zipfile.ZipFile, name: str) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(archive.read(name)), read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def _household(committed: sessionmaker[Session], settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A case of three (one restricted, on another case of theirs too), a housing register
    application, notes on each, files on the case, a person and the application, a text
    message, 30 history events of its own."""
    store = store_for(settings)
    with committed.begin() as db:
        team = make_team(db, "Housing Options")
        officer = make_officer(db, Permission.CASES, Permission.EXPORT, team=team)
        actor = Actor.officer(officer)
        amara = make_person(db, "Amara", "Okafor", email="amara@example.com")
        kofi = make_person(db, "Kofi", "Okafor", born=dt.date(2012, 2, 3))
        hidden = make_person(db, "Secret", "Okafor")
        hidden.restricted = True
        case = make_case(db, amara, [(kofi, "Son"), (hidden, "Partner")], team=team)
        make_case(db, make_person(db, "Somebody", "Else"))  # nothing of it in the export
        register = open_housing_register(db, case, officer)
        notes.add_note(
            db,
            actor,
            officer,
            notes.About(case=case),
            category="Visit",
            text="Visited the flat: damp in both bedrooms.",
        )
        notes.add_note(
            db,
            actor,
            officer,
            notes.About(person=kofi),
            category="Phone call",
            text="Kofi's school called about transport.",
        )
        notes.add_note(
            db,
            actor,
            officer,
            notes.About(person=hidden),
            category="Safeguarding",
            text="Where Secret lives now must not be shared.",
        )
        notes.add_note(
            db,
            actor,
            officer,
            notes.About(strand=register),
            category="General",
            text="Band to be reviewed after the medical assessment.",
        )
        for upload, person_id, strand_id in (
            (file_rules.Upload.of("tenancy agreement.pdf", PDF), None, None),
            (file_rules.Upload.of("kofi/photo.png", PNG), kofi.id, None),
            (file_rules.Upload.of("medical.pdf", PDF[:-10] + b"x\n%%EOF\n"), None, register.id),
            (file_rules.Upload.of("new address.pdf", PDF), hidden.id, None),
        ):
            file_rules.upload_to_case(
                db,
                store,
                actor,
                officer,
                case,
                [upload],
                category="Other",
                description="",
                person_id=person_id,
                strand_id=strand_id,
                max_bytes=10 * 1024 * 1024,
            )
        db.add(
            Message(
                case_id=case.id,
                person_id=amara.id,
                channel="sms",
                to_address="07700 900123",
                body="Your appointment is on Tuesday at 10am.",
                status="delivered",
                sent_by_id=officer.id,
            )
        )
        for n in range(30):
            history.record(db, actor, HistoryKind.NOTE_ADDED, f"Event number {n}", case_id=case.id)
        return {
            "officer": officer.id,
            "case": case.id,
            "amara": amara.id,
            "kofi": kofi.id,
            "hidden": hidden.id,
            "register": register.id,
        }


def test_a_case_export_holds_every_record_file_and_note_of_the_case(
    committed: sessionmaker[Session], tmp_path: Path, store_env: dict[str, str]
) -> None:
    settings = _settings(committed, tmp_path, **store_env)
    ids = _household(committed, settings)
    with committed.begin() as db:
        officer, case = db.get(User, ids["officer"]), db.get(Case, ids["case"])
        assert officer is not None and case is not None
        export = case_export.request(db, Actor.officer(officer), officer, case, exports.CASE)
        export_id = export.id
        events = db.scalar(
            select(func.count()).select_from(HistoryEvent).where(HistoryEvent.case_id == case.id)
        )
        register = db.get(Strand, ids["register"])
        assert register is not None
        register_ref = register.reference
    Worker(committed, settings, name="test").run_until_idle()

    store = store_for(settings)
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        assert (export.state, export.progress) == ("done", 100), export.error
        assert export.file_name.endswith(".zip") and export.content_type == exports.ZIP
        assert export.file_key is not None
        data = read_all(store, export.file_key)
    assert export.size == len(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    ref = f"HC-{ids['case']:06d}"
    people = sorted(n for n in names if n.startswith(f"{ref}/People/") and n.endswith(".xlsx"))
    assert [n.split("/")[2] for n in people] == [
        f"01 Amara Okafor (PN-{ids['amara']:07d}).xlsx",
        f"02 Kofi Okafor (PN-{ids['kofi']:07d}).xlsx",
        f"03 Restricted record (PN-{ids['hidden']:07d}).xlsx",
    ]
    strands = [n for n in names if n.startswith(f"{ref}/Applications and assessments/")]
    assert (
        f"{ref}/Applications and assessments/Housing Register application {register_ref}.xlsx"
        in strands
    )

    case_book = _book(archive, f"{ref}/Case.xlsx")
    assert ("Reference", ref) in case_book["Case"] and ("Team", "Housing Options") in case_book[
        "Case"
    ]
    assert [r[0] for r in case_book["Household"][1:]] == [
        "Amara Okafor",
        "Kofi Okafor",
        "Restricted record",
    ]
    assert [r[3] for r in case_book["Notes"][1:]] == ["Visited the flat: damp in both bedrooms."]
    assert len(case_book["History"]) - 1 == events and events >= 30
    assert "Event number 29" in {r[2] for r in case_book["History"]}

    kofi = _book(archive, next(n for n in people if "Kofi" in n))
    assert ("Date of birth", dt.datetime(2012, 2, 3)) in kofi["Person"]
    assert ("Relationship to the primary applicant", "Son") in kofi["Person"]
    assert [r[3] for r in kofi["Notes"][1:]] == ["Kofi's school called about transport."]
    secret = _book(archive, people[2])
    assert secret == {"Person": [("Field", "Value"), ("Person", "Restricted record")]}

    strand = _book(
        archive,
        f"{ref}/Applications and assessments/Housing Register application {register_ref}.xlsx",
    )
    assert ("Reference", register_ref) in strand["Details"]
    assert [r[3] for r in strand["Notes"][1:]] == [
        "Band to be reviewed after the medical assessment."
    ]

    files = sorted(n for n in names if "/Files/" in n)
    assert len(files) == 3  # the restricted person's file is left out
    assert any(
        n.startswith(f"{ref}/Case/Files/") and n.endswith("tenancy agreement.pdf") for n in files
    )
    photo = next(n for n in files if "/People/02 Kofi" in n)
    assert archive.read(photo) == PNG
    assert archive.read(next(n for n in files if "tenancy" in n)) == PDF
    assert any(n.startswith(f"{ref}/Applications and assessments/") for n in files)
    comms = [n for n in names if "/Comms/" in n]
    assert len(comms) == 1 and "/People/01 Amara" in comms[0]
    assert "Your appointment is on Tuesday at 10am." in archive.read(comms[0]).decode()

    document = Document(io.BytesIO(archive.read(f"{ref}/Notes.docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    for written in ("damp in both bedrooms", "school called", "medical assessment"):
        assert written in text
    assert "must not be shared" not in text and "Secret" not in text

    with committed.begin() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None
        exports.record_download(db, Actor.officer(export.requested_by), export)
        kinds = db.scalars(
            select(HistoryEvent.kind).where(
                HistoryEvent.case_id == ids["case"], HistoryEvent.kind.like("export.%")
            )
        ).all()
        assert sorted(kinds) == ["export.downloaded", "export.requested"]
    with committed.begin() as db:
        assert exports.expire(db, store, now=utcnow() + dt.timedelta(hours=49)) == 1


def test_a_file_the_store_lost_is_named_and_the_export_still_made(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(committed, tmp_path)
    ids = _household(committed, settings)
    store = store_for(settings)
    with committed.begin() as db:
        from domain.pending import EvidenceFile

        lost = db.scalars(
            select(EvidenceFile).where(EvidenceFile.original_name == "tenancy agreement.pdf")
        ).one()
        store.delete(lost.storage_key)
        officer, case = db.get(User, ids["officer"]), db.get(Case, ids["case"])
        assert officer is not None and case is not None
        export_id = case_export.request(db, Actor.officer(officer), officer, case, "case").id
    Worker(committed, settings, name="test").run_until_idle()
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None and export.state == "done" and export.file_key
        archive = zipfile.ZipFile(io.BytesIO(read_all(store, export.file_key)))
    missing = [n for n in archive.namelist() if n.endswith("(missing).txt")]
    assert len(missing) == 1 and "tenancy agreement.pdf" in missing[0]


def test_who_may_ask_and_only_one_of_a_kind_at_a_time(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(committed, tmp_path)
    ids = _household(committed, settings)
    with committed.begin() as db:
        officer, case = db.get(User, ids["officer"]), db.get(Case, ids["case"])
        assert officer is not None and case is not None
        reader = make_officer(db, Permission.CASES)
        with pytest.raises(PermissionDenied, match="Export permission"):
            case_export.request(db, Actor.officer(reader), reader, case, "case")
        with pytest.raises(PermissionDenied, match="administrators"):
            case_export.request(db, Actor.officer(officer), officer, case, "activity")
        with pytest.raises(NotFound):
            case_export.request(db, Actor.officer(officer), officer, case, "everything")
        first = case_export.request(db, Actor.officer(officer), officer, case, "case")
        with pytest.raises(RuleBroken, match="already being made"):
            case_export.request(db, Actor.officer(officer), officer, case, "case")
        first_id = first.id
    Worker(committed, settings, name="test").run_until_idle()
    with committed.begin() as db:
        officer, case = db.get(User, ids["officer"]), db.get(Case, ids["case"])
        assert officer is not None and case is not None
        again = case_export.request(db, Actor.officer(officer), officer, case, "case")
        listed = case_export.for_case(db, case.id, "case")
        assert [e.id for e in listed] == [again.id, first_id]
        reader = db.scalars(select(User).where(User.id != officer.id)).first()
        assert reader is not None
        with pytest.raises(NotFound):
            case_export.get_for_case(db, officer, case.id + 1, first_id)


def test_an_activity_export_lists_every_entry_of_the_case(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    settings = _settings(committed, tmp_path)
    with committed.begin() as db:
        admin = make_officer(
            db, Permission.CASES, Permission.EXPORT, Permission.ADMIN, name="Ada Admin"
        )
        case = make_case(db, make_person(db, "Amara", "Okafor"))
        other = make_case(db, make_person(db, "Other", "Case"))
        start = utcnow() - dt.timedelta(hours=3)
        entries = [
            activity.Entry(
                start + dt.timedelta(seconds=n),
                admin.id,
                "case",
                "GET",
                f"/backoffice/cases/{case.id}",
                200,
                case_id=case.id,
            )
            for n in range(2500)
        ] + [activity.Entry(start, admin.id, "case", "GET", "/x", 200, case_id=other.id)]
        activity.write(db, entries)
        export_id = case_export.request(db, Actor.officer(admin), admin, case, "activity").id
        case_id = case.id
    Worker(committed, settings, name="test").run_until_idle()
    with committed() as db:
        export = db.get(exports.Export, export_id)
        assert export is not None and export.state == "done", export.error
        assert export.rows == 2500
        archive = zipfile.ZipFile(io.BytesIO(read_all(store_for(settings), export.file_key or "")))
    [name] = archive.namelist()
    assert name == f"HC-{case_id:06d} activity.xlsx"
    rows = _book(archive, name)["Activity"]
    assert rows[0] == ("When", "Officer", "What", "Record", "Page", "Method", "Answer")
    assert len(rows) == 2501
    assert {r[1] for r in rows[1:]} == {"Ada Admin"} and rows[1][2] == "Opened the case"
    assert rows[1][0] > rows[-1][0]  # newest first
