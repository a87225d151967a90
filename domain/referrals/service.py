"""Officers working a referral: case actions and moves that tell the referrer, and the list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session, joinedload

from domain import paging, workflows
from domain.accounts import Mailer
from domain.history import Actor
from domain.referrals.model import Referral
from domain.referrals.progress import _send_closed, _send_reopened, _send_update
from domain.strands import Strand

# --------------------------------------------------------------------------------------------
# Officers: the workflow, with the referrer kept informed
# --------------------------------------------------------------------------------------------


def referral_of(session: Session, strand: Strand) -> Referral | None:
    return session.scalar(select(Referral).where(Referral.strand_id == strand.id))


def record_action(
    session: Session,
    actor: Actor,
    strand: Strand,
    action: str,
    *,
    notes: str | None,
    mailer: Mailer | None,
) -> workflows.CaseAction:
    """Record a case action; "Update referrer" emails the referrer."""
    row = workflows.record_action(session, actor, strand, action, notes=notes)
    referral = referral_of(session, strand)
    if action == workflows.UPDATE_REFERRER and referral is not None and mailer is not None:
        _send_update(session, referral, mailer)
    return row


def move(
    session: Session,
    actor: Actor,
    strand: Strand,
    to_status: str,
    *,
    reason: str | None = None,
    expected_version: int,
    mailer: Mailer | None,
) -> workflows.StrandMove:
    """Move the referral's strand through the workflow; closing emails the referrer the outcome,
    reopening clears the outcome they were told."""
    record = workflows.move(
        session, actor, strand, to_status, reason=reason, expected_version=expected_version
    )
    referral = referral_of(session, strand)
    if referral is None:
        return record
    if not strand.is_open:
        referral.outcome = strand.data.get(workflows.PRIMARY_OUTCOME)
        session.flush()
        if mailer is not None:
            _send_closed(session, referral, mailer)
    elif record.reopens:
        was_told_closed = referral.outcome is not None
        referral.outcome = None
        session.flush()
        if mailer is not None and was_told_closed:
            _send_reopened(session, referral, mailer)
    return record


def list_referrals(
    session: Session, *, after: str | None = None, size: int = 50
) -> paging.Page[Referral]:
    """Referrals newest first, a page at a time (`after`: the previous page's cursor)."""
    return paging.fetch(
        session,
        select(Referral).options(joinedload(Referral.strand).joinedload(Strand.case)),
        (
            paging.SortKey(Referral.submitted_at, descending=True, kind=dt.datetime),
            paging.SortKey(Referral.id, descending=True),
        ),
        cursor=after,
        size=size,
        values_of=lambda referral: (referral.submitted_at, referral.id),
    )
