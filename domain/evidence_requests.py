"""Asking an applicant for evidence (SPEC P9): an officer says what is needed, why and by when;
the request shows on the applicant's portal; what they upload lands in the case's files, linked to
the request; the officer accepts it or asks again. A request not answered by its date is overdue
and shows on the requesting officer's My work.

A request is *waiting* (for the applicant), *sent* (for the officer to check), *accepted* or
*cancelled*. Asking again puts it back to waiting with a new date and the officer's reason, which
the applicant sees. Every function writes history in the caller's transaction and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history
from domain.base import Base, UTCDateTime, created_timestamp, intpk, utcnow
from domain.clock import long_date
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.files import APPLICANT_TYPES, FileRefused, Upload, check, put
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, Person, PortalAccount, User
from domain.outbox import queue_email
from domain.pending import EvidenceFile
from domain.storage import FileStore
from domain.strands import Strand
from domain.vocab import CaseStatus

WHAT_MAX = 200
WHY_MAX = 2000
LONGEST_WAIT = dt.timedelta(days=90)
FILES_MAX = 5


class RequestStatus(StrEnum):
    WAITING = "waiting"
    SENT = "sent"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"

    @property
    def words(self) -> str:
        return {
            "waiting": "Waiting for the applicant",
            "sent": "Sent: to check",
            "accepted": "Accepted",
            "cancelled": "Cancelled",
        }[self.value]


OUTSTANDING = (RequestStatus.WAITING.value, RequestStatus.SENT.value)


class EvidenceRequest(Base):
    """Documents an officer asked an applicant for."""

    __tablename__ = "evidence_request"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(String(WHAT_MAX))
    why: Mapped[str] = mapped_column(Text)
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.WAITING.value)
    times_asked: Mapped[int] = mapped_column(Integer, default=1)
    asked_again_reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[created_timestamp]
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    strand: Mapped[Strand | None] = relationship()
    person: Mapped[Person | None] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_evidence_request_case_id_requested_at_id", "case_id", "requested_at", "id"),
        Index("ix_evidence_request_strand_id_requested_at_id", "strand_id", "requested_at", "id"),
        Index(
            "ix_evidence_request_requested_by_id_status_due_date_id",
            "requested_by_id",
            "status",
            "due_date",
            "id",
        ),
        CheckConstraint(
            "status IN ('waiting', 'sent', 'accepted', 'cancelled')", name="status_known"
        ),
    )

    @property
    def state(self) -> RequestStatus:
        return RequestStatus(self.status)

    def overdue_on(self, today: dt.date) -> bool:
        return self.status == RequestStatus.WAITING.value and self.due_date < today

    @property
    def label(self) -> str:
        return f"evidence request “{self.what}”"


def _text(value: str | None, limit: int, field: str, missing: str, errors: dict[str, str]) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = missing
    elif len(text) > limit:
        errors[field] = (
            f"{missing.removeprefix('Enter ').capitalize()} must be {limit:,} characters or fewer"
        )
    return text


def _due(due_date: dt.date | None, today: dt.date, errors: dict[str, str]) -> None:
    if due_date is None:
        errors["due_date"] = "Enter the date the applicant should send it by"
    elif due_date < today:
        errors["due_date"] = "The date to send it by must be today or in the future"
    elif due_date > today + LONGEST_WAIT:
        errors["due_date"] = "The date to send it by must be within 90 days"


def ask(
    session: Session,
    actor: Actor,
    officer: User,
    case: Case,
    *,
    what: str | None,
    why: str | None,
    due_date: dt.date | None,
    strand: Strand | None,
    person_id: int | None,
    today: dt.date,
    council: tuple[str, str] | None = None,
) -> EvidenceRequest:
    """Ask the applicant for a document; refused, naming each field, when something is missing.
    With `council` (its name and the service's), the applicants with a portal account are emailed
    that something is needed — what and by when, nothing else about them — to sign in for."""
    errors: dict[str, str] = {}
    what_text = _text(what, WHAT_MAX, "what", "Enter what the applicant needs to send", errors)
    why_text = _text(why, WHY_MAX, "why", "Enter why it is needed", errors)
    _due(due_date, today, errors)
    if strand is not None and (strand.case_id != case.id or not strand.is_open):
        errors["strand"] = "Choose an open application or assessment on this case"
    if person_id is not None and not any(cp.person_id == person_id for cp in case.people):
        errors["person_id"] = "Choose someone in the household"
    if errors:
        raise FieldErrors(errors)
    if case.status != CaseStatus.ACTIVE.value:
        raise RuleBroken(f"Case {case.reference} is closed: reopen it before asking for evidence")
    assert due_date is not None
    request = EvidenceRequest(
        case_id=case.id,
        strand_id=strand.id if strand is not None else None,
        person_id=person_id,
        what=what_text,
        why=why_text,
        due_date=due_date,
        requested_by_id=officer.id,
    )
    session.add(request)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.EVIDENCE_REQUESTED,
        f"Asked for {what_text} by {long_date(due_date)}"
        + (f" for {strand.reference}" if strand is not None else ""),
        case_id=case.id,
        person_id=person_id,
        after={
            "request": request.id,
            "strand": strand.reference if strand is not None else None,
            "what": what_text,
            "why": why_text,
            "due_date": due_date,
        },
    )
    if council is not None:
        _tell_applicants(session, case, request, council)
    return request


def _tell_applicants(
    session: Session, case: Case, request: EvidenceRequest, council: tuple[str, str]
) -> None:
    council_name, service = council
    applicants = [cp.person_id for cp in case.people if cp.is_primary or cp.joint_applicant]
    for email in session.scalars(
        select(PortalAccount.email)
        .where(PortalAccount.person_id.in_(applicants), PortalAccount.active)
        .order_by(PortalAccount.id)
    ):
        queue_email(
            session,
            to=email,
            subject=f"We need a document from you – {service}",
            body=(
                f"{council_name} needs a document from you for your housing case "
                f"{case.reference}: {request.what}, by {long_date(request.due_date)}.\n\n"
                f"Sign in to {service} to see why we need it and to send it. You can take a photo "
                "of it with your phone."
            ),
            kind="evidence.requested",
            case_id=case.id,
        )


def _ref(request: EvidenceRequest) -> str | None:
    return request.strand.reference if request.strand is not None else None


def _check_version(request: EvidenceRequest, expected_version: int) -> None:
    if request.version != expected_version:
        raise Conflict(
            "Someone else has changed this evidence request since you opened it. "
            "Check it again below."
        )


def send(
    session: Session,
    store: FileStore,
    account: PortalAccount,
    request: EvidenceRequest,
    uploads: Sequence[Upload],
    *,
    max_bytes: int,
) -> list[EvidenceFile]:
    """The applicant's files for a waiting request: each checked, kept in the case's files linked
    to the request, and the request sent for an officer to check."""
    if request.status != RequestStatus.WAITING.value:
        raise Conflict("You have already sent this. An officer will check it.")
    if not uploads:
        raise FieldErrors({"evidence": "Choose a file to send"})
    if len(uploads) > FILES_MAX:
        raise FieldErrors({"evidence": f"Send {FILES_MAX} files or fewer"})
    for upload in uploads:
        try:
            check(upload, max_bytes, allowed=APPLICANT_TYPES, field="evidence")
        except FileRefused as exc:
            raise FieldErrors({"evidence": str(exc)}) from None
    kept = []
    for upload in uploads:
        record = put(
            session,
            store,
            upload,
            case_id=request.case_id,
            max_bytes=max_bytes,
            source="portal",
            account_id=account.id,
            person_id=request.person_id,
            strand_id=request.strand_id,
            category="Evidence",
        )
        record.request_id = request.id
        record.description = request.what
        kept.append(record)
    request.status = RequestStatus.SENT.value
    request.sent_at = utcnow()
    request.sent_by_account_id = account.id
    session.flush()
    history.record(
        session,
        Actor.applicant(account),
        HistoryKind.EVIDENCE_SENT,
        f"Sent {len(kept)} file{'s' if len(kept) != 1 else ''} for {request.what}: "
        + ", ".join(r.original_name for r in kept),
        case_id=request.case_id,
        person_id=request.person_id,
        after={"request": request.id, "strand": _ref(request), "files": [r.id for r in kept]},
    )
    return kept


def accept(
    session: Session,
    actor: Actor,
    officer: User,
    request: EvidenceRequest,
    *,
    expected_version: int,
) -> EvidenceRequest:
    _check_version(request, expected_version)
    if request.status != RequestStatus.SENT.value:
        raise RuleBroken("Only evidence the applicant has sent can be accepted")
    return _decided(
        session,
        actor,
        officer,
        request,
        RequestStatus.ACCEPTED,
        HistoryKind.EVIDENCE_ACCEPTED,
        f"Accepted the evidence sent for {request.what}",
    )


def _decided(
    session: Session,
    actor: Actor,
    officer: User,
    request: EvidenceRequest,
    status: RequestStatus,
    kind: HistoryKind,
    summary: str,
    **after: object,
) -> EvidenceRequest:
    """The officer's answer to a request: its new status, who and when, and its history."""
    request.status = status.value
    request.decided_by_id = officer.id
    request.decided_at = utcnow()
    session.flush()
    history.record(
        session,
        actor,
        kind,
        summary,
        case_id=request.case_id,
        person_id=request.person_id,
        after={"request": request.id, "strand": _ref(request), **after},
    )
    return request


def ask_again(
    session: Session,
    actor: Actor,
    officer: User,
    request: EvidenceRequest,
    *,
    reason: str | None,
    due_date: dt.date | None,
    expected_version: int,
    today: dt.date,
) -> EvidenceRequest:
    """Back to the applicant with what was wrong and a new date (their files stay on the case)."""
    _check_version(request, expected_version)
    if request.status not in OUTSTANDING:
        raise RuleBroken(f"This request is {request.state.words.lower()}: ask for evidence anew")
    errors: dict[str, str] = {}
    text = _text(reason, WHY_MAX, "reason", "Enter what is wrong or still missing", errors)
    _due(due_date, today, errors)
    if errors:
        raise FieldErrors(errors)
    assert due_date is not None
    request.asked_again_reason = text
    request.due_date = due_date
    request.times_asked += 1
    return _decided(
        session,
        actor,
        officer,
        request,
        RequestStatus.WAITING,
        HistoryKind.EVIDENCE_ASKED_AGAIN,
        f"Asked again for {request.what} by {long_date(due_date)}: {text}",
        reason=text,
        due_date=due_date,
    )


def cancel(
    session: Session,
    actor: Actor,
    officer: User,
    request: EvidenceRequest,
    *,
    expected_version: int,
) -> EvidenceRequest:
    _check_version(request, expected_version)
    if request.status not in OUTSTANDING:
        raise RuleBroken(f"This request is {request.state.words.lower()} already")
    return _decided(
        session,
        actor,
        officer,
        request,
        RequestStatus.CANCELLED,
        HistoryKind.EVIDENCE_CANCELLED,
        f"Cancelled the request for {request.what}",
    )


_FOR_CASE = (
    select(EvidenceRequest)
    .where(EvidenceRequest.case_id == bindparam("case_id"))
    .order_by(EvidenceRequest.requested_at.desc(), EvidenceRequest.id.desc())
    .limit(200)
)


def for_case(session: Session, case_id: int) -> list[EvidenceRequest]:
    """The case's requests, newest first (the latest 200)."""
    return list(session.scalars(_FOR_CASE, {"case_id": case_id}))


def for_strand(session: Session, strand_id: int) -> list[EvidenceRequest]:
    """The application's requests, newest first (the latest 100)."""
    return list(session.scalars(_FOR_STRAND, {"strand_id": strand_id}))


def outstanding_for_case(session: Session, case_id: int) -> list[EvidenceRequest]:
    """What the applicant is asked for and has not had accepted yet, soonest due first."""
    return list(session.scalars(_OUTSTANDING_FOR_CASE, {"case_id": case_id}))


# Built once: the strand page and the applicant's "Your case" read them on every load.
_FOR_STRAND = (
    select(EvidenceRequest)
    .where(EvidenceRequest.strand_id == bindparam("strand_id"))
    .order_by(EvidenceRequest.requested_at.desc(), EvidenceRequest.id.desc())
    .limit(100)
)
_OUTSTANDING_FOR_CASE = (
    select(EvidenceRequest)
    .where(EvidenceRequest.case_id == bindparam("case_id"), EvidenceRequest.status.in_(OUTSTANDING))
    .order_by(EvidenceRequest.due_date, EvidenceRequest.id)
    .limit(50)
)


def outstanding_for_strand(session: Session, strand_id: int) -> list[EvidenceRequest]:
    """Requests on an application not yet accepted or cancelled (the evidence rule)."""
    return list(
        session.scalars(
            select(EvidenceRequest)
            .where(
                EvidenceRequest.strand_id == strand_id,
                EvidenceRequest.status.in_(OUTSTANDING),
            )
            .order_by(EvidenceRequest.id)
        )
    )


def files_of(session: Session, request_ids: Sequence[int]) -> dict[int, list[EvidenceFile]]:
    """The files sent for each request (one query)."""
    found: dict[int, list[EvidenceFile]] = {i: [] for i in request_ids}
    if not request_ids:
        return found
    for record in session.scalars(_FILES_OF, {"ids": list(request_ids)}):
        found[record.request_id or 0].append(record)
    return found


_FILES_OF = (
    select(EvidenceFile)
    .where(
        EvidenceFile.request_id.in_(bindparam("ids", expanding=True)),
        EvidenceFile.removed_at.is_(None),
    )
    .order_by(EvidenceFile.id)
)


def overdue_for(
    session: Session, officer_id: int, today: dt.date, *, limit: int = 50
) -> list[EvidenceRequest]:
    """The officer's requests still waiting past their date, longest overdue first."""
    return list(
        session.scalars(_OVERDUE_FOR, {"officer_id": officer_id, "today": today, "limit": limit})
    )


# Built once: My work shows it on every load.
_OVERDUE_FOR = (
    select(EvidenceRequest)
    .where(
        EvidenceRequest.requested_by_id == bindparam("officer_id"),
        EvidenceRequest.status == RequestStatus.WAITING.value,
        EvidenceRequest.due_date < bindparam("today"),
    )
    .order_by(EvidenceRequest.due_date, EvidenceRequest.id)
    .limit(bindparam("limit"))
)


__all__ = [
    "OUTSTANDING",
    "EvidenceRequest",
    "RequestStatus",
    "accept",
    "ask",
    "ask_again",
    "cancel",
    "files_of",
    "for_case",
    "outstanding_for_case",
    "outstanding_for_strand",
    "overdue_for",
    "send",
]
