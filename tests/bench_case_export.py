"""A case export at size (SPEC X3), for `make bench`: a case of 50 people with 10,000 history
events, 300 notes, 100 comms and 200 MB of files (100 of 2 MB, on the case, its people and its
applications) in a folder store; then the worker's job makes its zip in a process of its own,
which prints how long it took and its peak memory (the process's maximum resident set, the
interpreter and the app's imports included). Prints figures; asserts nothing.

    python -m tests.bench_case_export            # seeds a temporary SQLite database
    BENCH_DATABASE_URL=postgresql+psycopg://... python -m tests.bench_case_export
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import insert, select

PEOPLE = 50
EVENTS = 10_000
FILES = 100
FILE_BYTES = 2 * 1024 * 1024
NOTES = 300
MESSAGES = 100


def _settings(url: str, folder: Path):  # type: ignore[no-untyped-def]
    from hearth.settings import load_settings

    return load_settings(
        {
            "HEARTH_MODE": "embedded",
            "DATABASE_URL": url,
            "HEARTH_DATA_DIR": str(folder),
            "SECRET_KEY": "bench-" + "x" * 40,
            "COUNCIL_NAME": "Benchshire",
        }
    )


def seed(url: str, folder: Path) -> int:
    """The case; the id of its export, queued."""
    from domain import case_export, notes
    from domain import files as file_rules
    from domain.base import utcnow
    from domain.history import Actor
    from domain.history_kinds import HistoryKind
    from domain.messages import Message
    from domain.models import Case, HistoryEvent, User
    from domain.strands import HOUSING_REGISTER, Strand, open_strand
    from domain.vocab import Permission
    from hearth.db import make_engine, make_session_factory, upgrade
    from tests.support.factories import make_case, make_officer, make_person
    from web.storage import store_for

    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    store = store_for(_settings(url, folder))
    with sessions.begin() as db:
        officer = make_officer(db, *Permission, name="Bench Officer")
        actor = Actor.officer(officer)
        people = [make_person(db, f"Person{n}", "Benchmark") for n in range(PEOPLE)]
        case = make_case(
            db, people[0], [(p, "Other relative") for p in people[1:]], officer=officer
        )
        open_strand(db, actor, case, HOUSING_REGISTER)
        strands = db.scalars(select(Strand).where(Strand.case_id == case.id)).all()
        for n in range(NOTES):
            about = (
                notes.About(case=case)
                if n % 3 == 0
                else notes.About(person=people[n % PEOPLE])
                if n % 3 == 1
                else notes.About(strand=strands[n % len(strands)])
            )
            notes.add_note(
                db, actor, officer, about, category="General", text=f"Note {n}: " + "words " * 40
            )
        for n in range(MESSAGES):
            db.add(
                Message(
                    case_id=case.id,
                    person_id=people[n % PEOPLE].id,
                    channel="email",
                    to_address="someone@example.com",
                    subject=f"Letter {n}",
                    body="Dear applicant,\n\n" + "A line of the letter. " * 30,
                    status="sent",
                    sent_by_id=officer.id,
                )
            )
        case_id, officer_id = case.id, officer.id
        now = utcnow()
        before = db.scalar(select(HistoryEvent.id).where(HistoryEvent.case_id == case_id))
        assert before is not None
        rows = [
            {
                "occurred_at": now - dt.timedelta(minutes=EVENTS - n),
                "actor_kind": "officer",
                "actor_user_id": officer_id,
                "actor_label": "Bench Officer",
                "kind": HistoryKind.NOTE_ADDED.value,
                "summary": f"Event {n}: something recorded on the case",
                "case_id": case_id,
            }
            for n in range(EVENTS)
        ]
        db.execute(insert(HistoryEvent), rows)
    for batch in range(FILES // 10):
        with sessions.begin() as db:
            case = db.get_one(Case, case_id)
            officer = db.get_one(User, officer_id)
            links = case.people
            uploads = [
                file_rules.Upload.of(f"evidence {batch * 10 + n}.pdf", _pdf(batch * 10 + n))
                for n in range(10)
            ]
            for n, upload in enumerate(uploads):
                target = (batch * 10 + n) % 3
                file_rules.upload_to_case(
                    db,
                    store,
                    Actor.officer(officer),
                    officer,
                    case,
                    [upload],
                    category="Other",
                    description="",
                    person_id=links[n % len(links)].person_id if target == 1 else None,
                    strand_id=strands[n % len(strands)].id if target == 2 else None,
                    max_bytes=FILE_BYTES * 2,
                )
    with sessions.begin() as db:
        officer = db.get_one(User, officer_id)
        export = case_export.request(
            db, Actor.officer(officer), officer, db.get_one(Case, case_id), "case"
        )
        return export.id


def _rss() -> float:
    """The process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pdf(_n: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(FILE_BYTES - 20) + b"\n%%EOF\n"


def run_export(url: str, folder: Path, export_id: int, *, trace: bool) -> None:
    """Run in a process of its own: the job, its time and the process's peak memory; with
    `trace`, the peak of the Python objects it allocated instead (tracing slows it down)."""
    from domain import exports
    from hearth.db import make_engine, make_session_factory
    from hearth.worker import Worker

    sessions = make_session_factory(make_engine(url))
    with sessions() as db:
        db.get(exports.Export, export_id)  # connected, every model loaded
    ready = _rss()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    Worker(sessions, _settings(url, folder), name="bench").run_until_idle()
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with sessions() as db:
        export = db.get_one(exports.Export, export_id)
        if trace:
            print(
                "case export, again with tracemalloc: the Python objects the job allocated "
                f"peaked at {tracemalloc.get_traced_memory()[1] / 1024 / 1024:.1f} MB"
            )
            return
        print(
            f"case export: {PEOPLE} people, {EVENTS:,} history events, {NOTES} notes, "
            f"{MESSAGES} comms, {FILES} files of {FILE_BYTES // 1024 // 1024} MB: "
            f"{export.state} in {took:.1f} s, zip {export.size / 1024 / 1024:.0f} MB; "
            f"peak memory of the whole worker process {peak:.0f} MB ({ready:.0f} MB before "
            "the job began)"
        )


def request_again(url: str, export_id: int) -> int:
    from domain import case_export, exports
    from domain.history import Actor
    from domain.models import Case
    from hearth.db import make_engine, make_session_factory

    with make_session_factory(make_engine(url)).begin() as db:
        first = db.get_one(exports.Export, export_id)
        officer, case = first.requested_by, db.get_one(Case, first.case_id)
        return case_export.request(db, Actor.officer(officer), officer, case, "case").id


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "run":
        run_export(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), trace=sys.argv[5] == "trace")
        return
    folder = Path(tempfile.mkdtemp(prefix="hearth-bench-export-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    start = time.perf_counter()
    export_id = seed(url, folder)
    print(f"case export: seeded in {time.perf_counter() - start:.1f} s ({url.split(':')[0]})")
    for mode in ("time", "trace"):
        if mode == "trace":
            export_id = request_again(url, export_id)
        command = ["run", url, str(folder), str(export_id), mode]
        subprocess.run([sys.executable, "-m", "tests.bench_case_export", *command], check=True)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
