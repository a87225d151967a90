"""A change between its pages: answers and evidence kept in a server-side draft until "Send".

:func:`keep` validates a kind's form and the files sent with it — every problem at once — and
keeps the answers (and the stored files) in the applicant's draft. :func:`send` submits the draft
as a pending change (domain.drafts keeps the answers; changes.engine.submit does the rest).
A refresh or a second tap on "Send" finds the change already made, by the draft's idempotency key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import Form

from changes import engine, evidence
from changes.kinds import Kind
from domain import drafts
from domain.drafts import JourneyDraft
from domain.errors import FieldErrors
from domain.models import Case, Person, PortalAccount
from domain.pending import EvidenceFile, PendingChange
from domain.storage import FileStore

JOURNEY = "change"


@dataclass(frozen=True)
class Draft:
    """What the applicant has answered so far for one kind of change."""

    record: JourneyDraft

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def kind(self) -> str:
        return str(self.record.answers.get("kind", ""))

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.record.answers.get("payload") or {})

    @property
    def file_ids(self) -> list[int]:
        return [int(i) for i in self.record.answers.get("files") or []]

    @property
    def key(self) -> str:
        return str(self.record.answers.get("key", ""))


def find(session: Session, draft_id: object, account: PortalAccount) -> Draft | None:
    record = drafts.find(session, draft_id, JOURNEY, account_id=account.id)
    return Draft(record) if record is not None else None


def check(
    session: Session,
    case: Case,
    applicant: Person,
    kind: Kind,
    form: Form,
    *,
    today: dt.date,
    problem: str | None = None,
) -> dict[str, Any]:
    """The change's answers, checked as sending them would check them (the form's rules, then
    the kind's), or FieldErrors with every problem (a problem with the files under
    "evidence"). Keeps nothing: a field left on the form is checked with this."""
    errors: dict[str, str] = {"evidence": problem} if problem else {}
    payload: dict[str, Any] = {}
    valid = form.validate()
    if valid:
        try:
            payload = kind.clean(session, case, applicant, form, today)
        except FieldErrors as exc:
            errors = {**exc.errors, **errors}
    if errors or not valid:
        raise FieldErrors(errors)  # (the form's own errors are already on its fields)
    return payload


def keep(
    session: Session,
    account: PortalAccount,
    case: Case,
    applicant: Person,
    kind: Kind,
    form: Form,
    uploads: list[evidence.Upload],
    *,
    draft: Draft | None,
    today: dt.date,
    files: FileStore,
    max_bytes: int,
) -> Draft:
    """Check the form and the files together and keep them in the draft; FieldErrors lists
    every problem (by field, the files under "evidence")."""
    same_kind = draft is not None and draft.kind == kind.code
    kept = draft.file_ids if draft is not None and same_kind else []
    problem = evidence.problem_with(uploads, already=len(kept), max_bytes=max_bytes)
    payload = check(session, case, applicant, kind, form, today=today, problem=problem)
    stored = [
        evidence.store(
            session, files, upload, case_id=case.id, max_bytes=max_bytes, account_id=account.id
        ).id
        for upload in uploads
    ]
    answers = {
        "kind": kind.code,
        "payload": payload,
        "files": kept + stored,
        "key": draft.key if draft is not None and same_kind else uuid.uuid4().hex,
    }
    if draft is None:
        return Draft(drafts.start(session, JOURNEY, account_id=account.id, answers=answers))
    return Draft(drafts.replace(session, draft.record, answers))


def files_of(session: Session, draft: Draft) -> list[EvidenceFile]:
    if not draft.file_ids:
        return []
    stmt = select(EvidenceFile).where(EvidenceFile.id.in_(draft.file_ids))
    return list(session.scalars(stmt.order_by(EvidenceFile.id)))


def sent_already(session: Session, account: PortalAccount, key: object) -> PendingChange | None:
    """The change a draft with this key became, if the applicant sent it already."""
    if not isinstance(key, str) or not key or len(key) > 64:
        return None
    change = session.scalar(select(PendingChange).where(PendingChange.idempotency_key == key))
    if change is None or change.submitted_by_account_id != account.id:
        return None
    return change


def send(
    session: Session, account: PortalAccount, case: Case, draft: Draft, *, today: dt.date
) -> PendingChange:
    """Submit the draft as a pending change and forget the draft."""
    change = engine.submit(
        session,
        account,
        case,
        draft.kind,
        draft.payload,
        idempotency_key=draft.key,
        today=today,
        file_ids=draft.file_ids,
    )
    drafts.consume(session, draft.id)
    return change


__all__ = ["JOURNEY", "Draft", "files_of", "find", "keep", "send", "sent_already"]
