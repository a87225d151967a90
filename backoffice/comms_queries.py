"""What the Comms tab reads: everything sent to the household of a case, newest first, a page at
a time — the messages officers sent (`message`) and the service's own emails about the case
(`outbox_email`: decisions, referral updates…), as one keyset-paged list over both tables, each
read by its index on (case, created_at, id); then the page's records (one query per kind).

Each kind is a `Part`: a SELECT of (kind, id, at) for a case, and a loader that turns ids into
`CommsRow`s. Letters generated from Word templates are the third kind: case files of source
"letter", read by the files' (case, created_at, id) index.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, literal, select, union_all
from sqlalchemy.orm import Session, aliased, joinedload

from domain import paging
from domain.files import DOCX
from domain.messages import OUTBOX_KIND, STATUSES, Message
from domain.models import Person, User
from domain.pending import EvidenceFile
from domain.security import OutboxEmail

PAGE_SIZE = 25


@dataclass(frozen=True)
class CommsRow:
    """One thing sent, in the words the tab shows."""

    kind: str  # "message" (an officer's), "email" (the service's own), "letter" (generated)
    id: int
    at: dt.datetime
    channel: str  # "Email", "Text message"
    to: str
    to_name: str | None
    subject: str | None
    body: str
    status: str  # queued, sent, delivered, failed
    error: str | None
    sent_by: str  # an officer's name, or "Hearth (automatic)"
    version: int | None = None  # for a retry (officers' messages only)
    file_id: int | None = None  # a letter: the generated document, kept with the case's files
    pdf_id: int | None = None  # … and its PDF, once made

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status.capitalize())

    @property
    def may_retry(self) -> bool:
        return self.kind == "message" and self.status == "failed"


@dataclass(frozen=True)
class Part:
    kind: str
    select: Callable[[], Any]  # its (kind, id, at) on the case of the parameter `case_id`
    load: Callable[[Session, Sequence[int]], list[CommsRow]]


# Built once, as the loaders' statements are: the tab's values are parameters.
_CASE: Any = bindparam("case_id")
_IDS: Any = bindparam("ids", expanding=True)


def _messages() -> Any:
    return select(
        literal("message").label("kind"),
        Message.id.label("id"),
        Message.created_at.label("at"),
    ).where(Message.case_id == _CASE)


_MESSAGES = (
    select(Message)
    .where(Message.id.in_(_IDS))
    .options(joinedload(Message.sent_by), joinedload(Message.person))
)


def _load_messages(session: Session, ids: Sequence[int]) -> list[CommsRow]:
    found = session.scalars(_MESSAGES, {"ids": list(ids)})
    return [
        CommsRow(
            kind="message",
            id=m.id,
            at=m.created_at,
            channel=m.channel_label,
            to=m.to_address,
            to_name=m.person.full_name if m.person else None,
            subject=m.subject,
            body=m.body,
            status=m.status,
            error=m.error,
            sent_by=m.sent_by.name,
            version=m.version,
        )
        for m in found
    ]


def _emails() -> Any:
    return select(
        literal("email").label("kind"),
        OutboxEmail.id.label("id"),
        OutboxEmail.created_at.label("at"),
    ).where(OutboxEmail.case_id == _CASE, OutboxEmail.kind != OUTBOX_KIND)


_EMAILS = select(OutboxEmail).where(OutboxEmail.id.in_(_IDS))


def _load_emails(session: Session, ids: Sequence[int]) -> list[CommsRow]:
    found = session.scalars(_EMAILS, {"ids": list(ids)})
    return [
        CommsRow(
            kind="email",
            id=e.id,
            at=e.created_at,
            channel="Email",
            to=e.to_address,
            to_name=None,
            subject=e.subject,
            body=e.body_text,
            status=e.status if e.status in STATUSES else "queued",
            error=e.last_error,
            sent_by="Hearth (automatic)",
        )
        for e in found
    ]


def _letters() -> Any:
    return select(
        literal("letter").label("kind"),
        EvidenceFile.id.label("id"),
        EvidenceFile.created_at.label("at"),
    ).where(
        EvidenceFile.case_id == _CASE,
        EvidenceFile.source == "letter",
        EvidenceFile.content_type == DOCX,  # a letter's PDF is shown with it
        EvidenceFile.removed_at.is_(None),
    )


_UPLOADER = aliased(User)
_LETTERS = (
    select(EvidenceFile, Person, _UPLOADER.name)
    .outerjoin(Person, Person.id == EvidenceFile.person_id)
    .outerjoin(_UPLOADER, _UPLOADER.id == EvidenceFile.uploaded_by_user_id)
    .where(EvidenceFile.id.in_(_IDS))
)


def _load_letters(session: Session, ids: Sequence[int]) -> list[CommsRow]:
    found = session.execute(_LETTERS, {"ids": list(ids)})
    return [
        CommsRow(
            kind="letter",
            id=f.id,
            at=f.created_at,
            channel="Letter",
            to=person.full_name if person is not None else "the household",
            to_name=None,
            subject=f.description,
            body=f.original_name,
            status="generated",
            error=None,
            sent_by=officer or "Hearth (automatic)",
            file_id=f.id,
            pdf_id=f.pdf_id,
        )
        for f, person, officer in found
    ]


PARTS: tuple[Part, ...] = (
    Part("message", _messages, _load_messages),
    Part("email", _emails, _load_emails),
    Part("letter", _letters, _load_letters),
)


@functools.cache
def _sent() -> tuple[Any, tuple[paging.SortKey, ...]]:
    """Every kind's (kind, id, at) on the case, as one statement with its sort keys."""
    united = union_all(*(part.select() for part in PARTS)).subquery()
    keys = (
        paging.SortKey(united.c.at, descending=True, kind=dt.datetime),
        paging.SortKey(united.c.kind, descending=True, kind=str),
        paging.SortKey(united.c.id, descending=True),
    )
    return select(united.c.at, united.c.kind, united.c.id), keys


def sent_on_case(
    session: Session, case_id: int, *, after: str | None, size: int = PAGE_SIZE
) -> paging.Page[CommsRow]:
    """A page of what was sent on the case, newest first."""
    stmt, keys = _sent()
    page: paging.Page[Any] = paging.fetch(
        session,
        stmt,
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row.at, row.kind, row.id),
        scalars=False,
        params={"case_id": case_id},
    )
    wanted: dict[str, list[int]] = {}
    for row in page.rows:
        wanted.setdefault(row.kind, []).append(row.id)
    loaded: dict[tuple[str, int], CommsRow] = {}
    for part in PARTS:
        if wanted.get(part.kind):
            for record in part.load(session, wanted[part.kind]):
                loaded[(record.kind, record.id)] = record
    rows = [loaded[(r.kind, r.id)] for r in page.rows if (r.kind, r.id) in loaded]
    return paging.Page(rows, page.next_cursor)


__all__ = ["PARTS", "CommsRow", "Part", "sent_on_case"]
