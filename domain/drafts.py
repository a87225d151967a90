"""Answers of a multi-page journey kept between pages, server-side.

A journey (a referral, a change of circumstances, an application) asks its questions over several
pages. Its answers are kept here, not in the cookie — a long answer would push a cookie past what
browsers keep, and the answers would be lost without a word. The session names the draft by a
random id; a signed-in applicant's drafts also name their account, so they can come back to it.
Drafts expire after their journey's time (:data:`MAX_AGE`) without use.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ForeignKey, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain import clock
from domain.base import Base, created_timestamp, json_data, timestamp
from domain.history import jsonable

MAX_AGE: dict[str, dt.timedelta] = {
    "referrer": dt.timedelta(days=1),
    "self": dt.timedelta(days=1),
    "change": dt.timedelta(days=2),  # as long as evidence uploaded for a change not yet sent
    "apply": dt.timedelta(days=30),
}
DEFAULT_MAX_AGE = dt.timedelta(days=1)


class JourneyDraft(Base):
    """A journey's answers so far, named by a random id kept in the session."""

    __tablename__ = "journey_draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    journey: Mapped[str] = mapped_column(String(20))
    answers: Mapped[json_data] = mapped_column(default=dict)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE")
    )
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[timestamp] = mapped_column(default=clock.now)

    __table_args__ = (
        Index("ix_journey_draft_updated_at", "updated_at"),
        Index("ix_journey_draft_account_id_journey", "account_id", "journey"),
    )


def max_age(journey: str) -> dt.timedelta:
    return MAX_AGE.get(journey, DEFAULT_MAX_AGE)


def start(
    session: Session,
    journey: str,
    *,
    account_id: int | None = None,
    answers: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> JourneyDraft:
    """A new draft; drafts left unused past their time are removed on the way."""
    now = now or clock.now()
    prune(session, now)
    draft = JourneyDraft(
        id=secrets.token_urlsafe(32),
        journey=journey,
        answers=jsonable(dict(answers or {})),
        account_id=account_id,
        created_at=now,
        updated_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def find(
    session: Session,
    draft_id: object,
    journey: str,
    *,
    account_id: int | None = None,
    now: dt.datetime | None = None,
) -> JourneyDraft | None:
    """The live draft named `draft_id`, if it belongs to this journey (and account)."""
    if not isinstance(draft_id, str) or not draft_id or len(draft_id) > 64:
        return None
    draft = session.get(JourneyDraft, draft_id)
    if draft is None or draft.journey != journey or draft.account_id != account_id:
        return None
    if draft.updated_at < (now or clock.now()) - max_age(journey):
        return None
    return draft


def latest(
    session: Session, journey: str, account_id: int, *, now: dt.datetime | None = None
) -> JourneyDraft | None:
    """The account's newest live draft of `journey` (coming back in a new session)."""
    since = (now or clock.now()) - max_age(journey)
    return session.scalars(
        select(JourneyDraft)
        .where(
            JourneyDraft.account_id == account_id,
            JourneyDraft.journey == journey,
            JourneyDraft.updated_at >= since,
        )
        .order_by(JourneyDraft.updated_at.desc())
        .limit(1)
    ).first()


def expires_on(draft: JourneyDraft) -> dt.datetime:
    """When the draft is removed if it is not used before."""
    return draft.updated_at + max_age(draft.journey)


def save(session: Session, draft: JourneyDraft, answers: Mapping[str, Any]) -> JourneyDraft:
    """Add or replace answers (JSON-safe: dates become ISO strings)."""
    draft.answers = {**draft.answers, **jsonable(dict(answers))}
    draft.updated_at = clock.now()
    session.flush()
    return draft


def replace(session: Session, draft: JourneyDraft, answers: Mapping[str, Any]) -> JourneyDraft:
    """Replace every answer (e.g. the draft now holds a different kind of change)."""
    draft.answers = jsonable(dict(answers))
    draft.updated_at = clock.now()
    session.flush()
    return draft


def consume(session: Session, draft_id: str) -> bool:
    """Delete the draft; False if it was already gone (a second click on "Send")."""
    result = session.execute(delete(JourneyDraft).where(JourneyDraft.id == draft_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def prune(session: Session, now: dt.datetime | None = None) -> int:
    """Remove drafts of every journey left unused past their time."""
    now = now or clock.now()
    removed = 0
    for journey in {*MAX_AGE, ""}:
        stmt = delete(JourneyDraft).where(
            JourneyDraft.updated_at < now - max_age(journey),
            JourneyDraft.journey == journey if journey else JourneyDraft.journey.not_in(MAX_AGE),
        )
        removed += int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
    return removed


__all__ = [
    "MAX_AGE",
    "JourneyDraft",
    "consume",
    "expires_on",
    "find",
    "latest",
    "max_age",
    "prune",
    "replace",
    "save",
    "start",
]
