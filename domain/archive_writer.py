"""Writing a case export (`domain.case_archive`) into a zip, a part at a time: spreadsheets through
openpyxl's write-only workbook (spooled to a temporary file, then copied in), files copied from
the store a chunk at a time and stored as they are, the history a batch at a time, so memory
stays flat however large the case."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from docx import Document
from openpyxl import Workbook
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain import sheets
from domain.case_archive import CASE_FOLDER, HISTORY_BATCH, LONDON, MB, Plan, Sheet, local
from domain.models import HistoryEvent
from domain.storage import FileMissing, FileStore


def _book(parts: Sequence[Sheet]) -> tuple[Workbook, dict[str, Any]]:
    book = Workbook(write_only=True)
    made = {}
    for sheet in parts:
        ws = book.create_sheet(sheet.title)
        ws.append(sheets.headings(ws, sheet.headings))
        for row in sheet.rows:
            ws.append([sheets.cell(ws, v) for v in row])
        made[sheet.title] = ws
    return book, made


def _entry(path: str, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=dt.datetime.now(LONDON).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


class ArchiveWriter:
    """Writes a :class:`Plan` into a zip in `target`, a part at a time; each part's method
    yields the units of work it finished (for the progress)."""

    def __init__(self, target: BinaryIO, plan: Plan) -> None:
        self.zip = zipfile.ZipFile(target, "w", allowZip64=True)
        self.plan = plan
        self.root = plan.reference
        self.case_book, made = _book(plan.case.sheets)
        self.history = made["History"]
        self.history_rows = 0
        self.missing = 0

    def _add_document(self, document: Any, path: str) -> None:
        """A workbook or Word document (anything with `save(file)`) into the zip, spooled to a
        temporary file first and copied in a megabyte at a time."""
        with tempfile.TemporaryFile() as spool:
            document.save(spool)
            spool.seek(0)
            with self.zip.open(_entry(f"{self.root}/{path}"), "w") as out:
                while chunk := spool.read(MB):
                    out.write(chunk)

    def add_history(self, session: Session, case_id: int, after: tuple[Any, int] | None) -> Any:
        """The next batch of the case's history into the case spreadsheet; where to go on from
        (None when there is no more)."""
        stmt = select(
            HistoryEvent.occurred_at,
            HistoryEvent.id,
            HistoryEvent.actor_label,
            HistoryEvent.summary,
            HistoryEvent.kind,
        ).where(HistoryEvent.case_id == case_id)
        if after is not None:
            at, last = after
            stmt = stmt.where(
                or_(
                    HistoryEvent.occurred_at > at,
                    (HistoryEvent.occurred_at == at) & (HistoryEvent.id > last),
                )
            )
        rows = session.execute(
            stmt.order_by(HistoryEvent.occurred_at, HistoryEvent.id).limit(HISTORY_BATCH)
        ).all()
        for row in rows:
            self.history.append(
                [
                    sheets.cell(self.history, local(row.occurred_at)),
                    row.actor_label,
                    row.summary,
                    row.kind,
                ]
            )
        self.history_rows += len(rows)
        if len(rows) < HISTORY_BATCH:
            return None
        return (rows[-1].occurred_at, rows[-1].id)

    def write_records(self) -> Iterator[int]:
        """The spreadsheets of the people and strands, the comms and the notes document."""
        for area in self.plan.areas:
            book, _made = _book(area.sheets)
            self._add_document(book, f"{area.folder}.xlsx")
            yield 1
        for path, text in self.plan.messages:
            self.zip.writestr(_entry(f"{self.root}/{path}"), text.encode())
            yield 1
        self._notes_document()
        yield 1

    def write_files(self, store: FileStore) -> Iterator[int]:
        """Each file copied from the store a chunk at a time (stored as it is: PDFs and
        photographs are compressed already); a file the store no longer holds is named in a
        text file in its place."""
        for f in self.plan.files:
            try:
                chunks = store.chunks(f.key)
                with self.zip.open(
                    _entry(f"{self.root}/{f.path}", stored=True),
                    "w",
                    force_zip64=f.size >= 2**31 - MB,
                ) as out:
                    for chunk in chunks:
                        out.write(chunk)
            except FileMissing:
                self.missing += 1
                self.zip.writestr(
                    _entry(f"{self.root}/{f.path} (missing).txt"),
                    "This file is recorded on the case but the file store no longer holds it.\n",
                )
            yield 1 + f.size // MB

    def _notes_document(self) -> None:
        document = Document()
        document.add_heading(f"Notes: case {self.plan.reference}", level=0)
        written = False
        for area in [self.plan.case, *self.plan.areas]:
            if not area.notes:
                continue
            written = True
            document.add_heading(area.heading, level=1)
            for at, author, category, text in area.notes:
                when = local(at)
                heading = document.add_paragraph()
                heading.add_run(
                    f"{when:%d/%m/%Y %H:%M} · {author} · {category}" if when else category
                ).bold = True
                document.add_paragraph(text)
        if not written:
            document.add_paragraph("There are no notes on this case, its people or its strands.")
        self._add_document(document, "Notes.docx")

    def close(self) -> None:
        """The case spreadsheet (now that its history is in) and the zip's directory."""
        self._add_document(self.case_book, f"{CASE_FOLDER}.xlsx")
        self.zip.close()


__all__ = ["ArchiveWriter"]
