"""History: who did what, when, with before and after, in the transaction that did it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, PortalAccount, User, utcnow
from domain.vocab import ActorKind


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    user_id: int | None = None
    portal_account_id: int | None = None

    @classmethod
    def officer(cls, user: User) -> Actor:
        return cls(ActorKind.OFFICER, user.name, user_id=user.id)

    @classmethod
    def applicant(cls, account: PortalAccount) -> Actor:
        return cls(ActorKind.APPLICANT, account.email, portal_account_id=account.id)

    @classmethod
    def referrer(cls, label: str) -> Actor:
        return cls(ActorKind.REFERRER, label)


SYSTEM = Actor(ActorKind.SYSTEM, "Hearth (automatic)")


def jsonable(value: Any) -> Any:
    """Make before/after values safe for a JSON column (dates as ISO strings)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def record(
    session: Session,
    actor: Actor,
    kind: HistoryKind,
    summary: str,
    *,
    case_id: int | None = None,
    person_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> HistoryEvent:
    """Add a history event to the session; it commits (or rolls back) with the change."""
    event = HistoryEvent(
        occurred_at=at or utcnow(),
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_portal_account_id=actor.portal_account_id,
        actor_label=actor.label[:200],
        kind=HistoryKind(kind).value,
        summary=summary[:500],
        case_id=case_id,
        person_id=person_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    session.add(event)
    return event
