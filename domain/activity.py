"""The activity log (SPEC H3): every back-office page an officer opens and every action they
take — who, when, which page (the view's name), on which case, person or record, and how it was
answered — kept for `ACTIVITY_KEEP_DAYS`, so an authority can answer "who looked at this case?".

History (`domain.history`) says what changed; this says who looked. Entries are written in
batches (`web.activity`), never one INSERT in each page's own transaction, so recording costs a
page next to nothing; :func:`prune` (the daily job :data:`PRUNE_JOB`) deletes old entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, SmallInteger, String, delete, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain import paging
from domain.base import Base, UTCDateTime, utcnow

PRUNE_JOB = "activity.prune"
PAGE_SIZE = 50
PATH_MAX = 500
PRUNE_BATCH = 10_000

# What each page or action is, in words (by the view's name); others show the view's name.
WORDS = {
    "case": "Opened the case",
    "case_people": "Opened the household",
    "case_history": "Opened the case history",
    "case_notes": "Opened notes and actions",
    "case_files": "Opened the files",
    "case_messages": "Opened the comms",
    "case_portal": "Opened the portal changes",
    "strand_page": "Opened an application or assessment",
    "person_page": "Opened a person",
    "evidence_file": "Downloaded a file",
    "review": "Opened a portal change",
    "case_activity": "Opened the activity log",
    "cases": "Searched cases",
    "people_search": "Searched people",
    "case_list_page": "Opened a cases list",
    "officer_list_page": "Opened a case officers list",
    "people_list_page": "Opened a case people list",
    "export_download": "Downloaded an export",
    "case_exports": "Opened the exports",
    "request_export": "Asked for an export of the case",
    "download_export": "Downloaded an export of the case",
    "decide": "Opened or recorded a housing register decision",
    "ask": "Asked for evidence",
    "evidence_again": "Asked again for evidence",
    "evidence_decide": "Accepted or cancelled an evidence request",
}


class Activity(Base):
    __tablename__ = "activity_log"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    user_id: Mapped[int] = mapped_column(Integer)  # no foreign key: the log outlives nothing
    view: Mapped[str] = mapped_column(String(60))
    method: Mapped[str] = mapped_column(String(7))
    path: Mapped[str] = mapped_column(String(PATH_MAX))
    status: Mapped[int] = mapped_column(SmallInteger)
    case_id: Mapped[int | None] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(Integer)
    record: Mapped[str | None] = mapped_column(String(40))  # "strand 12", "file 3", …

    __table_args__ = (
        Index("ix_activity_log_case_id_at", "case_id", "at"),
        Index("ix_activity_log_person_id_at", "person_id", "at"),
        Index("ix_activity_log_user_id_at", "user_id", "at"),
        Index("ix_activity_log_at", "at"),
    )

    @property
    def words(self) -> str:
        verb = WORDS.get(self.view)
        if verb is None:
            verb = self.view.replace("_", " ").capitalize()
            if self.method == "POST":
                verb = f"Did: {verb.lower()}"
        return verb


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    user_id: int
    view: str
    method: str
    path: str
    status: int
    case_id: int | None = None
    person_id: int | None = None
    record: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "user_id": self.user_id,
            "view": self.view[:60],
            "method": self.method[:7],
            "path": self.path[:PATH_MAX],
            "status": self.status,
            "case_id": self.case_id,
            "person_id": self.person_id,
            "record": self.record,
        }


def write(session: Session, entries: Sequence[Entry]) -> int:
    """Write a batch (one INSERT for them all)."""
    if entries:
        session.execute(insert(Activity), [e.row() for e in entries])
    return len(entries)


def for_case(
    session: Session, case_id: int, *, after: str | None, size: int = PAGE_SIZE
) -> paging.Page[Activity]:
    """The case's activity, newest first, a page at a time (keyset on at, id)."""
    keys = (
        paging.SortKey(Activity.at, descending=True, kind=dt.datetime),
        paging.SortKey(Activity.id, descending=True),
    )
    return paging.fetch(
        session,
        select(Activity).where(Activity.case_id == case_id),
        keys,
        cursor=after,
        size=size,
        values_of=lambda a: (a.at, a.id),
    )


def prune(session: Session, keep: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete entries older than `keep`, in batches (the daily job)."""
    before = (now or utcnow()) - keep
    deleted = 0
    while True:
        ids = session.scalars(
            select(Activity.id).where(Activity.at < before).limit(PRUNE_BATCH)
        ).all()
        if not ids:
            return deleted
        session.execute(delete(Activity).where(Activity.id.in_(ids)))
        deleted += len(ids)


__all__ = ["PRUNE_JOB", "WORDS", "Activity", "Entry", "for_case", "prune", "write"]
