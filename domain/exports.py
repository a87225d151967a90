"""Exports (SPEC X2): a list view as a spreadsheet, made in the background.

An officer with Export asks for one from the list; :func:`request_list_export` records it (with the
list as it stood) and queues the job :data:`LIST_JOB`. The worker (`hearth.export_jobs`) reads the
list a page of :data:`BATCH` cases at a time (keyset, each page in a short transaction of its own),
writes each page straight into the .xlsx (:class:`SheetWriter`: openpyxl's write-only workbook,
rows go to disk as they come, so memory stays flat), reports progress after each page, then sends
the file to the file store (:func:`finish`). The officer watches the progress and downloads the
file, until it expires (`EXPORT_KEEP_HOURS`); the daily job :data:`EXPIRE_JOB` deletes expired
files. A list longer than :data:`MAX_ROWS` cases is refused when asked for, with a clear message.
Restricted cases the officer may not open appear as "Restricted record".
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from typing import BinaryIO

from openpyxl import Workbook
from sqlalchemy import ForeignKey, Index, Integer, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import case_list, history, jobs, sheets
from domain.base import Base, created_timestamp, intpk, json_data, timestamp, utcnow
from domain.case_list import ListSpec
from domain.errors import NotFound, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Job, User
from domain.storage import FileStore

LIST_JOB = "exports.list"
EXPIRE_JOB = "exports.expire"
BATCH = 500
MAX_ROWS = 100_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP = "application/zip"
LIST, CASE, ACTIVITY = "list", "case", "activity"  # what an export is of
QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATUS_WORDS = {
    QUEUED: "Waiting to start",
    RUNNING: "Being made",
    DONE: "Ready",
    FAILED: "Failed",
    EXPIRED: "Expired",
}


class Export(Base):
    __tablename__ = "export"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20), default=LIST)
    name: Mapped[str] = mapped_column(String(200))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The case a case or activity export is of (None for a list's spreadsheet).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    spec: Mapped[json_data]
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=QUEUED)
    total: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(300))
    size: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_timestamp]
    finished_at: Mapped[timestamp | None]
    expires_at: Mapped[timestamp | None]

    requested_by: Mapped[User] = relationship()
    job: Mapped[Job | None] = relationship()

    __table_args__ = (
        Index("ix_export_requested_by_id_created_at", "requested_by_id", "created_at"),
        Index("ix_export_status_expires_at", "status", "expires_at"),
        Index("ix_export_case_id_created_at", "case_id", "created_at"),
    )

    @property
    def state(self) -> str:
        """Its state now: the job's while it is being made (the export's row is written once,
        when the file is ready)."""
        if self.status == QUEUED and self.job is not None:
            if self.job.status == "running":
                return RUNNING
            if self.job.status == "failed":
                return FAILED
        return self.status

    @property
    def expired(self) -> bool:
        """Past its time (its file deleted, or about to be by the daily job)."""
        return self.status == EXPIRED or (
            self.expires_at is not None and self.expires_at <= utcnow()
        )

    @property
    def status_words(self) -> str:
        return STATUS_WORDS.get(self.state, self.state)

    @property
    def progress(self) -> int:
        if self.status == DONE:
            return 100
        return self.job.progress if self.job is not None else 0

    @property
    def file_name(self) -> str:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower() or "cases"
        return f"{stem}-{self.created_at:%Y-%m-%d}.{'xlsx' if self.kind == LIST else 'zip'}"

    @property
    def content_type(self) -> str:
        return XLSX if self.kind == LIST else ZIP

    @property
    def what(self) -> str:
        """What it is an export of, in words ("the list “Band A”", "case HC-000012")."""
        return f"the list “{self.name}”" if self.kind == LIST else self.name


def request_list_export(
    session: Session, actor: Actor, officer: User, spec: ListSpec, *, name: str, today: dt.date
) -> Export:
    """Record the request and queue the job; RuleBroken when the list is too long or too broad
    to make."""
    problem = case_list.too_broad(session, spec, today)
    if problem:
        raise RuleBroken(problem)
    total = case_list.count(session, spec, today, MAX_ROWS)
    if total.more:
        raise RuleBroken(
            f"This list has more than {MAX_ROWS:,} {spec.list_kind.plural}: filter it to "
            f"{MAX_ROWS:,} or fewer to export it"
        )
    export = Export(
        name=" ".join(name.split())[:200] or "Cases",
        requested_by_id=officer.id,
        spec=spec.as_json(),
        total=total.n,
    )
    session.add(export)
    session.flush()
    job = jobs.enqueue(session, LIST_JOB, {"export": export.id}, max_attempts=2)
    export.job_id = job.id if job is not None else None
    history.record(
        session,
        actor,
        HistoryKind.EXPORT_REQUESTED,
        f"Export of the list “{export.name}” requested ({total.n:,} {spec.list_kind.plural})",
        after={"export": export.id, "spec": export.spec, "rows": total.n},
    )
    return export


def mine(session: Session, officer: User, limit: int = 10) -> list[Export]:
    """The officer's latest exports of lists, newest first."""
    return list(session.scalars(_MINE, {"officer_id": officer.id, "limit": limit}))


# Built once: every list page shows the officer's latest exports.
_MINE = (
    select(Export)
    .where(Export.requested_by_id == bindparam("officer_id"), Export.kind == LIST)
    .order_by(Export.created_at.desc(), Export.id.desc())
    .limit(bindparam("limit"))
)


def get_own(session: Session, officer: User, export_id: int) -> Export:
    export = session.get(Export, export_id)
    if export is None or export.requested_by_id != officer.id:
        raise NotFound("There is no such export")
    return export


class SheetWriter:
    """A list's rows into an .xlsx as they come: openpyxl's write-only workbook keeps each row
    on disk once written, so memory stays flat however many rows there are."""

    def __init__(self, spec: ListSpec) -> None:
        known = spec.list_kind.columns()
        self.columns = [known[c] for c in spec.columns if c in known and c != "reference"]
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(spec.list_kind.plural.capitalize()[:31])
        headings = ["Reference", *(c.heading for c in self.columns)]
        self.sheet.append(sheets.headings(self.sheet, headings))
        self.rows = 0

    def add(self, rows: Sequence[case_list.Row]) -> None:
        for row in rows:
            if row.hidden:
                self.sheet.append([row.reference, "Restricted record"])
            else:
                self.sheet.append(
                    [row.reference]
                    + [sheets.cell(self.sheet, row.values.get(c.key)) for c in self.columns]
                )
        self.rows += len(rows)

    def save(self, target: BinaryIO) -> int:
        """Write the workbook to `target`; its size in bytes."""
        self.book.save(target)
        return target.tell()


def finish(
    session: Session, export: Export, *, key: str, size: int, rows: int, keep: dt.timedelta
) -> None:
    """The spreadsheet is in the store under `key`: the export is ready until `keep` from now."""
    export.file_key, export.size, export.rows = key, size, rows
    export.status, export.finished_at = DONE, utcnow()
    export.expires_at = export.finished_at + keep


def storage_key(export: Export) -> str:
    return f"export-{export.id}-{secrets.token_hex(8)}"  # a plain key (the folder store's rule)


def fail(session: Session, export_id: int, error: str) -> None:
    export = session.get(Export, export_id)
    if export is not None:
        export.status, export.error, export.finished_at = FAILED, error[:2000], utcnow()


def record_download(session: Session, actor: Actor, export: Export) -> None:
    if export.status != DONE or export.file_key is None:
        raise NotFound("This export is not ready")
    if export.expires_at is not None and export.expires_at <= utcnow():
        raise NotFound("This export has expired")
    history.record(
        session,
        actor,
        HistoryKind.EXPORT_DOWNLOADED,
        f"Export of {export.what} downloaded",
        case_id=export.case_id,
        after={"export": export.id},
    )


def expire(session: Session, store: FileStore, now: dt.datetime | None = None) -> int:
    """Delete the files of exports past their time (the daily job)."""
    now = now or utcnow()
    due = session.scalars(
        select(Export).where(Export.status == DONE, Export.expires_at <= now)
    ).all()
    for export in due:
        if export.file_key:
            store.delete(export.file_key)
        export.status, export.file_key = EXPIRED, None
    return len(due)


__all__ = [
    "ACTIVITY",
    "CASE",
    "EXPIRE_JOB",
    "LIST",
    "LIST_JOB",
    "MAX_ROWS",
    "ZIP",
    "Export",
    "SheetWriter",
    "expire",
    "fail",
    "finish",
    "get_own",
    "mine",
    "record_download",
    "request_list_export",
    "storage_key",
]
