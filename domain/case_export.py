"""Case and activity exports (SPEC X3), asked for from the case's Export tab.

A **case export** is a zip of everything on the case (`domain.case_archive`: a spreadsheet for
the case, each person and each application or assessment, their files and comms, a notes
document); an **activity export** is a zip holding a spreadsheet of every page of the case an
officer opened and everything they did on it (`domain.activity`). Both are made in the
background by the jobs :data:`CASE_JOB` and :data:`ACTIVITY_JOB` (`hearth.export_jobs`) with
their progress on the tab, are listed there for every officer with Export who may open the
case, and expire like every export (`EXPORT_KEEP_HOURS`). Asking and downloading write the
case's history.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Sequence
from typing import BinaryIO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import activity, history, jobs, sheets
from domain.case_archive import LONDON, local
from domain.errors import NotFound, PermissionDenied, RuleBroken
from domain.exports import ACTIVITY, CASE, QUEUED, RUNNING, Export
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, User, format_case_reference
from domain.vocab import Permission

CASE_JOB = "exports.case"
ACTIVITY_JOB = "exports.activity"
JOBS = {CASE: CASE_JOB, ACTIVITY: ACTIVITY_JOB}
KIND_WORDS = {CASE: "Case export", ACTIVITY: "Activity export"}
ACTIVITY_BATCH = 1000
LISTED = 20


def request(session: Session, actor: Actor, officer: User, case: Case, kind: str) -> Export:
    """Record the request and queue its job; RuleBroken while one of the same kind for the
    case is still being made."""
    if kind not in JOBS:
        raise NotFound("There is no such kind of export")
    check_may(officer, kind)
    waiting = session.scalars(
        select(Export).where(
            Export.case_id == case.id, Export.kind == kind, Export.status == QUEUED
        )
    ).all()
    if any(e.state in (QUEUED, RUNNING) for e in waiting):
        raise RuleBroken(
            f"A {KIND_WORDS[kind].lower()} of this case is already being made: wait for it to "
            "finish, then download it from the list below"
        )
    reference = format_case_reference(case.id)
    export = Export(
        kind=kind,
        name=f"{KIND_WORDS[kind]} of case {reference}",
        requested_by_id=officer.id,
        case_id=case.id,
        spec={"case": case.id},
        total=0,
    )
    session.add(export)
    session.flush()
    job = jobs.enqueue(session, JOBS[kind], {"export": export.id}, max_attempts=2)
    export.job_id = job.id if job is not None else None
    history.record(
        session,
        actor,
        HistoryKind.EXPORT_REQUESTED,
        f"{KIND_WORDS[kind]} of the case requested",
        case_id=case.id,
        after={"export": export.id, "kind": kind},
    )
    return export


def for_case(session: Session, case_id: int, kind: str, limit: int = LISTED) -> list[Export]:
    """The case's exports of one kind, newest first (with who asked)."""
    return list(
        session.scalars(
            select(Export)
            .where(Export.case_id == case_id, Export.kind == kind)
            .order_by(Export.created_at.desc(), Export.id.desc())
            .limit(limit)
        )
    )


def check_may(officer: User, kind: str) -> None:
    """Exports need Export; an activity export (who looked at what) also Admin, like the
    activity log itself."""
    if not officer.can(Permission.EXPORT):
        raise PermissionDenied("You need the Export permission to export a case")
    if kind == ACTIVITY and not officer.can(Permission.ADMIN):
        raise PermissionDenied("Only administrators can export a case's activity")


def get_for_case(session: Session, officer: User, case_id: int, export_id: int) -> Export:
    """One of the case's exports, for an officer who may download it."""
    export = session.get(Export, export_id)
    if export is None or export.case_id != case_id:
        raise NotFound("There is no such export of this case")
    check_may(officer, export.kind)
    return export


# --- the activity export -------------------------------------------------------------------


class ActivityWriter:
    """The case's activity into a spreadsheet, a batch at a time, newest first (as the case's
    activity page shows it); :meth:`close` puts it in a zip in `target`."""

    HEADINGS = ("When", "Officer", "What", "Record", "Page", "Method", "Answer")

    def __init__(self, reference: str) -> None:
        self.reference = reference
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Activity")
        self.sheet.append(sheets.headings(self.sheet, self.HEADINGS))
        self.rows = 0

    def add(self, session: Session, case_id: int, after: str | None) -> str | None:
        """The next batch; where to go on from (None when there is no more)."""
        page = activity.for_case(session, case_id, after=after, size=ACTIVITY_BATCH)
        names = _names(session, {a.user_id for a in page.rows})
        for a in page.rows:
            self.sheet.append(
                [
                    sheets.cell(self.sheet, local(a.at), moment=sheets.MOMENT_SECONDS),
                    names.get(a.user_id, f"Officer {a.user_id}"),
                    a.words,
                    a.record,
                    a.path,
                    a.method,
                    a.status,
                ]
            )
        self.rows += len(page.rows)
        return page.next_cursor

    def close(self, target: BinaryIO) -> None:
        info = zipfile.ZipInfo(
            f"{self.reference} activity.xlsx", date_time=dt.datetime.now(LONDON).timetuple()[:6]
        )
        info.compress_type = zipfile.ZIP_DEFLATED
        with (
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            tempfile.TemporaryFile() as spool,
        ):
            self.book.save(spool)
            spool.seek(0)
            with archive.open(info, "w") as out:
                while chunk := spool.read(1024 * 1024):
                    out.write(chunk)


def _names(session: Session, user_ids: Sequence[int] | set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


__all__ = [
    "ACTIVITY_JOB",
    "CASE_JOB",
    "KIND_WORDS",
    "ActivityWriter",
    "check_may",
    "for_case",
    "get_for_case",
    "request",
]
