"""The pending-change engine: submit, withdraw, assign, accept, reject; preview and staleness.

Every function works in the caller's transaction and writes history there; none commits.
Acceptance applies the change's effects through domain functions, recalculates the bedroom
assessment citing the change, records the decision and queues the applicant's email — all in
the one transaction, so either everything happens or nothing does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from changes.kinds import Kind, Row, kind_of
from changes.kinds.base import Stale
from domain import assessments, history, household, household_rules
from domain.bedrooms import BedroomNeed
from domain.clock import date_time, long_date
from domain.contact import call_the_council
from domain.errors import Conflict, NotFound, PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, Person, PortalAccount, User, utcnow
from domain.outbox import queue_email
from domain.pending import WAITING, ChangeStatus, EvidenceFile, PendingChange
from domain.vocab import CaseStatus, Permission
from domain.working_days import add_working_days

DEFAULT_TARGET_WORKING_DAYS = 10


class ChangeConflict(RuleBroken):
    """Another change about the same thing is already waiting for a decision."""


class AlreadyDecided(Conflict):
    """Someone else decided (or the applicant withdrew) the change first."""


@dataclass(frozen=True)
class Notifier:
    """How decision emails are worded and where they point."""

    service_name: str
    council_name: str
    changes_url: str  # the applicant's "Your changes" page, absolute
    council_phone: str  # the housing options team's number (settings.council_phone)


def decided_message(change: PendingChange) -> str:
    if change.status == ChangeStatus.WITHDRAWN:
        when = date_time(change.withdrawn_at) if change.withdrawn_at else "earlier"
        return f"Change {change.reference} was withdrawn by the applicant at {when}."
    who = change.decided_by.name if change.decided_by else "another officer"
    when = date_time(change.decided_at) if change.decided_at else "earlier"
    return f"Change {change.reference} was already {change.status} by {who} at {when}."


def _household_loaded() -> tuple[Any, ...]:
    """Load with a change what reviewing it reads: its case's household (people, their
    addresses) and who sent, holds and decided it — two queries, the change's evidence files
    in the second. A household is a handful of people with an address or two each, so they come
    joined in the first: each selectin load cost more Python than the rows it read."""
    return (
        joinedload(PendingChange.case)
        .joinedload(Case.people)
        .joinedload(CasePerson.person)
        .joinedload(Person.addresses),
        joinedload(PendingChange.case).joinedload(Case.responsible_team),
        selectinload(PendingChange.files),
        joinedload(PendingChange.submitted_by),
        joinedload(PendingChange.assigned_to),
        joinedload(PendingChange.decided_by),
    )


# Built once: a review page and a decision each run one of these.
_FOR_REVIEW = (
    select(PendingChange)
    .where(PendingChange.id == bindparam("change_id"))
    .options(*_household_loaded())
)
# Deciding locks the change and its case in one statement (deciders on one case take turns),
# then reads the household (people with their addresses) in a query of its own, after the
# locks are granted. The change's evidence files, which a decision does not read, are loaded
# only if a refused decision shows the review page again. Rows merely joined to a row that
# FOR UPDATE waited for are the ones seen before the wait (PostgreSQL re-reads only the rows
# it locks), so a joined `decided_by` would still be empty when another officer has just
# decided the change: who holds and who decided it are loaded when asked for (a pending change
# has nobody to load; the deciding officer is already in the session). The applicant who sent
# it, whom the decision is told to, does not change, so it comes joined.
_FOR_DECIDING = (
    select(PendingChange)
    .join(Case, Case.id == PendingChange.case_id)
    .where(PendingChange.id == bindparam("change_id"))
    .with_for_update(of=[PendingChange.__table__, Case.__table__])
    .execution_options(populate_existing=True)
    .options(
        contains_eager(PendingChange.case)
        .selectinload(Case.people)
        .joinedload(CasePerson.person)
        .joinedload(Person.addresses),
        joinedload(PendingChange.submitted_by),
    )
)


def change_for_review(session: Session, change_id: int) -> PendingChange | None:
    """A change with everything its review page shows."""
    return session.scalars(_FOR_REVIEW, {"change_id": change_id}).unique().first()


def lock_change(session: Session, change_id: int) -> PendingChange:
    """Load a change for deciding, locking its row and its case's (PostgreSQL), so deciders
    take turns and an accepted change works from the household as it is now."""
    change = session.scalars(_FOR_DECIDING, {"change_id": change_id}).first()
    if change is None:
        raise NotFound("There is no such change")
    household.note_locked(session, change.case)
    return change


def _describe(change: PendingChange) -> str:
    return kind_of(change.kind).describe(change.case, change.payload)


def _tell_applicant(change: PendingChange) -> str:
    return kind_of(change.kind).to_applicant(change.case, change.payload)


def submit(
    session: Session,
    account: PortalAccount,
    case: Case,
    kind_code: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str,
    today: dt.date,
    file_ids: list[int] | None = None,
    target_working_days: int = DEFAULT_TARGET_WORKING_DAYS,
) -> PendingChange:
    """Record a change the applicant reported. Submitting the same form twice (same key)
    returns the first change instead of making a second."""
    existing = session.scalar(
        select(PendingChange).where(PendingChange.idempotency_key == idempotency_key)
    )
    if existing is not None:
        if existing.submitted_by_account_id != account.id:
            raise PermissionDenied("That change belongs to someone else")
        return existing
    if case.status != CaseStatus.ACTIVE.value:
        raise RuleBroken(
            f"Case {case.reference} is closed, so changes cannot be reported on it. "
            "Contact the council if your circumstances have changed."
        )
    kind = kind_of(kind_code)
    key = kind.conflict_key(case, payload)
    if key is not None:
        clash = session.scalar(
            select(PendingChange).where(PendingChange.conflict_key == key, WAITING)
        )
        if clash is not None:
            raise ChangeConflict(_conflict_message(clash))
    change = PendingChange(
        case_id=case.id,
        case=case,
        team_id=case.responsible_team_id,
        kind=kind.code,
        payload=payload,
        basis=kind.basis(session, case, payload),
        target_person_id=kind.target_person_id(payload),
        conflict_key=key,
        status=ChangeStatus.PENDING,
        submitted_by_account_id=account.id,
        submitted_at=utcnow(),
        target_date=add_working_days(today, target_working_days),
        idempotency_key=idempotency_key,
    )
    try:
        with session.begin_nested():
            session.add(change)
    except IntegrityError:
        # Two requests at the same moment: the database let only one through.
        session.expire_all()
        again = session.scalar(
            select(PendingChange).where(PendingChange.idempotency_key == idempotency_key)
        )
        if again is not None:
            return again
        clash = session.scalar(
            select(PendingChange).where(PendingChange.conflict_key == key, WAITING)
        )
        raise ChangeConflict(
            _conflict_message(clash) if clash else "That change clashes with another"
        ) from None
    for file_id in file_ids or []:
        evidence = session.get(EvidenceFile, file_id)
        if (
            evidence is None
            or evidence.uploaded_by_account_id != account.id
            or evidence.case_id != case.id
            or evidence.change_id is not None
        ):
            raise PermissionDenied("That file belongs to someone else")
        evidence.change_id = change.id
    history.record(
        session,
        Actor.applicant(account),
        HistoryKind.CHANGE_SUBMITTED,
        f"{kind.label} reported through the portal ({change.reference}): {_describe(change)}",
        case_id=case.id,
        person_id=change.target_person_id,
        after={"reference": change.reference, "kind": kind.code, **payload},
    )
    return change


def _conflict_message(clash: PendingChange) -> str:
    return (
        f"You already told us about this in change {clash.reference} on "
        f"{long_date(clash.submitted_at)}, and an officer has not decided it yet. Wait for "
        "their decision, or withdraw that change and report it again."
    )


def withdraw(session: Session, account: PortalAccount, change: PendingChange) -> None:
    if change.submitted_by_account_id != account.id:
        raise NotFound("There is no such change")
    if not change.is_pending:
        raise AlreadyDecided(decided_message(change))
    change.status = ChangeStatus.WITHDRAWN
    change.withdrawn_at = utcnow()
    change.conflict_key = None
    history.record(
        session,
        Actor.applicant(account),
        HistoryKind.CHANGE_WITHDRAWN,
        f"Change {change.reference} withdrawn by the applicant",
        case_id=change.case_id,
        person_id=change.target_person_id,
        before={"status": ChangeStatus.PENDING},
        after={"status": ChangeStatus.WITHDRAWN},
    )


def _check_decidable(change: PendingChange, expected_version: int) -> None:
    if not change.is_pending:
        raise AlreadyDecided(decided_message(change))
    if change.version != expected_version:
        raise Conflict(
            f"Change {change.reference} was updated (assigned or edited) since you opened it. "
            "Reload the page, check it again, then decide."
        )


def assign(
    session: Session,
    officer: User,
    change: PendingChange,
    *,
    to: User | None,
    expected_version: int,
) -> None:
    _check_decidable(change, expected_version)
    if to is not None and not to.can(Permission.QUEUE):
        raise RuleBroken(f"{to.name} cannot review changes (they do not have Queue)", field="to")
    before = change.assigned_to.name if change.assigned_to else None
    change.assigned_to = to
    change.assigned_at = utcnow() if to else None
    history.record(
        session,
        Actor.officer(officer),
        HistoryKind.CHANGE_ASSIGNED,
        f"Change {change.reference} " + (f"assigned to {to.name}" if to else "no longer assigned"),
        case_id=change.case_id,
        before={"assigned_to": before},
        after={"assigned_to": to.name if to else None},
    )


def accept(
    session: Session,
    officer: User,
    change: PendingChange,
    *,
    expected_version: int,
    today: dt.date,
    notifier: Notifier,
    confirm_stale: bool = False,
) -> list[str]:
    """Apply the change and record the decision. Returns a summary of the effects.

    A change to the household takes the case's lock first (household.lock_case), so decisions
    on one household take turns and each recalculates the bedroom need from the household as
    the one before left it. A change the record has moved on from is refused when it no longer
    applies (its person has left), and otherwise needs the officer's `confirm_stale`. What it
    changed, before and after, is kept with the decision (PendingChange.decision_record)."""
    _check_decidable(change, expected_version)
    actor = Actor.officer(officer)
    kind = kind_of(change.kind)
    if kind.affects_household:
        household.lock_case(session, change.case_id)
    stale = kind.staleness(session, change.case, change, today)
    if stale.blocking:
        raise RuleBroken(stale.blocking)
    if stale and not confirm_stale:
        raise RuleBroken(
            "The record has moved on since this change was sent. Check what has changed, "
            "then confirm you still want to accept it",
            field="confirm_stale",
        )
    rows = kind.rows(session, change.case, change.payload)
    need_before = assessments.current_assessment(session, change.case_id)
    before_text = need_before.summary() if need_before is not None else None
    effects = kind.apply(session, actor, change, today)
    if kind.affects_household:
        version = assessments.recalculate(
            session,
            actor,
            change.case,
            cause=assessments.HOUSEHOLD_CHANGE,
            cause_detail=f"Change {change.reference} accepted: {_describe(change)}",
            cause_ref=change.reference,
            on=today,
            current=need_before,
        )
        if version is not None:
            effects.append(f"Bedroom need recalculated: {version.summary()}")
        after = version or need_before
        need = {"before": before_text, "after": after.summary() if after else None}
    else:
        need = None
    change.decision_record = _record(rows, need, stale)
    change.status = ChangeStatus.ACCEPTED
    change.decided_by = officer
    change.decided_at = utcnow()
    change.conflict_key = None
    history.record(
        session,
        actor,
        HistoryKind.CHANGE_ACCEPTED,
        f"Change {change.reference} accepted: {_describe(change)}",
        case_id=change.case_id,
        person_id=change.target_person_id,
        before={"status": ChangeStatus.PENDING},
        after={"status": ChangeStatus.ACCEPTED, "effects": effects},
    )
    _notify(session, change, notifier)
    return effects


def reject(
    session: Session,
    officer: User,
    change: PendingChange,
    *,
    reason: str,
    expected_version: int,
    notifier: Notifier,
) -> None:
    """Refuse the change; nothing but the change and its history is touched."""
    _check_decidable(change, expected_version)
    reason = reason.strip()
    if not reason:
        raise RuleBroken("Enter the reason the applicant will read", field="reason")
    change.decision_record = _record(
        kind_of(change.kind).rows(session, change.case, change.payload), None, None
    )
    change.status = ChangeStatus.REJECTED
    change.decided_by = officer
    change.decided_at = utcnow()
    change.decision_reason = reason
    change.conflict_key = None
    history.record(
        session,
        Actor.officer(officer),
        HistoryKind.CHANGE_REJECTED,
        f"Change {change.reference} rejected: {reason}",
        case_id=change.case_id,
        person_id=change.target_person_id,
        before={"status": ChangeStatus.PENDING},
        after={"status": ChangeStatus.REJECTED, "reason": reason},
    )
    _notify(session, change, notifier)


def _record(rows: list[Row], need: dict[str, Any] | None, stale: Stale | None) -> dict[str, Any]:
    """What a decision changed, as it stood at the moment of deciding."""
    return {
        "rows": [{"label": r.label, "before": r.before, "after": r.after} for r in rows],
        "need": need,
        "stale": list(stale.reasons) if stale else [],
    }


def decision_rows(change: PendingChange) -> list[Row]:
    """The before → after of a decided change, as it was when it was decided."""
    record = change.decision_record or {}
    return [Row(r["label"], r["before"], r["after"]) for r in record.get("rows", [])]


def _notify(session: Session, change: PendingChange, notifier: Notifier) -> None:
    account = change.submitted_by
    if account is None:
        return
    kind = kind_of(change.kind)
    if change.status == ChangeStatus.ACCEPTED:
        subject = f"Your change {change.reference} has been accepted"
        body = (
            f"An officer at {notifier.council_name} has accepted the change you reported:\n\n"
            f"{kind.title}: {_tell_applicant(change)}\n\nYour case now shows it."
        )
    else:
        subject = f"Your change {change.reference} was not accepted"
        body = (
            f"An officer at {notifier.council_name} did not accept the change you reported:\n\n"
            f"{kind.title}: {_tell_applicant(change)}\n\nThe reason they gave:\n\n"
            f"{change.decision_reason}\n\nIf you think this is wrong, "
            f"{call_the_council(notifier.council_phone)}, or report the change again with more "
            "evidence."
        )
    body += f"\n\nSee all your changes: {notifier.changes_url}"
    queue_email(
        session,
        to=account.email,
        subject=f"{subject} – {notifier.service_name}",
        body=body,
        kind=f"change.{change.status}",
        case_id=change.case_id,
    )


# --- reviewing ---------------------------------------------------------------------------


@dataclass
class Preview:
    rows: list[Row]
    need_before: str | None  # the bedroom need, in words
    need_after: str | None
    stale: Stale = field(default_factory=Stale)
    problem: str | None = None
    decided: bool = False  # rows and need as they were when the change was decided

    @property
    def need_changes(self) -> bool:
        return (
            self.need_before is not None
            and self.need_after is not None
            and self.need_before != self.need_after
        )


def staleness(session: Session, change: PendingChange, today: dt.date) -> Stale:
    """How the record has moved on since the change was sent (see Kind.staleness)."""
    return kind_of(change.kind).staleness(session, change.case, change, today)


def preview(session: Session, change: PendingChange, today: dt.date) -> Preview:
    """What accepting would do, against the record as it is now — including the bedroom need,
    worked out on an in-memory copy of the household changed by the same rules acceptance uses
    (`Kind.project`): a GET writes and locks nothing. For a decided change, what it did (or
    would have done), as it stood at the decision."""
    kind: Kind = kind_of(change.kind)
    case = change.case
    if not change.is_pending:
        record = change.decision_record or {}
        need = record.get("need") or {}
        return Preview(
            decision_rows(change) or kind.rows(session, case, change.payload),
            need.get("before"),
            need.get("after"),
            Stale(tuple(record.get("stale", ()))),
            decided=bool(record),
        )
    rows = kind.rows(session, case, change.payload)
    stale = kind.staleness(session, case, change, today)
    strand = assessments.open_bedroom_assessment(session, case.id)
    before = assessments.preview_need(session, case, today, strand=strand) if strand else None
    need_after: BedroomNeed | None = None
    problem = stale.blocking
    if kind.affects_household and problem is None:
        links = household_rules.views_of(case)
        try:
            kind.project(links, change.payload, today)
        except RuleBroken as exc:
            problem = str(exc)
        else:
            if strand is not None:
                need_after = assessments.preview_need(
                    session, case, today, links=links, strand=strand
                )
    return Preview(
        rows,
        before.summary() if before else None,
        need_after.summary() if need_after else None,
        stale,
        problem,
    )


def pending_for_case(session: Session, case_id: int) -> list[PendingChange]:
    return list(
        session.scalars(
            select(PendingChange)
            .where(PendingChange.case_id == case_id, WAITING)
            .order_by(PendingChange.submitted_at)
        )
    )


def changes_for_case(session: Session, case_id: int) -> list[PendingChange]:
    """Every change made through the portal for the case, newest first (any status)."""
    return list(
        session.scalars(
            select(PendingChange)
            .where(PendingChange.case_id == case_id)
            .order_by(PendingChange.submitted_at.desc(), PendingChange.id.desc())
            .options(
                selectinload(PendingChange.submitted_by),
                selectinload(PendingChange.assigned_to),
                selectinload(PendingChange.decided_by),
            )
        )
    )


def changes_by_account(session: Session, account_id: int) -> list[PendingChange]:
    return list(session.scalars(_BY_ACCOUNT, {"account_id": account_id}))


_BY_ACCOUNT = (
    select(PendingChange)
    .where(PendingChange.submitted_by_account_id == bindparam("account_id"))
    .order_by(PendingChange.submitted_at.desc(), PendingChange.id.desc())
)


_PENDING_LINES = select(PendingChange.kind, PendingChange.target_person_id).where(
    PendingChange.case_id == bindparam("case_id"),
    WAITING,
)


@dataclass(frozen=True)
class PendingLine:
    kind: str
    target_person_id: int | None  # None: about the case as a whole


def pending_lines(session: Session, case_id: int) -> list[PendingLine]:
    """What each change waiting on the case is and whom it is about, read from the index on
    (case, status) without loading the changes."""
    rows = session.execute(_PENDING_LINES, {"case_id": case_id})
    return [PendingLine(kind, target) for kind, target in rows]


def pending_targets(session: Session, case_id: int) -> list[int | None]:
    """Whom each change waiting on the case is about (None: the case as a whole)."""
    return [line.target_person_id for line in pending_lines(session, case_id)]
