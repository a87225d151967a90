"""Each application and assessment as its applicant follows it on the portal (SPEC P9): what it
is, where it stands, what happens next and what we need from them, in the plain words its type's
definition gives for each status (never the internal status), and the facts the type makes public
(a decision, its reason, a band), recorded ones only. Open ones, and those closed in the last
:data:`SHOWN_AFTER_CLOSING_DAYS` days (a decision and the right to ask for a review stay in view).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from domain.base import UTCDateTime
from domain.errors import RuleBroken
from domain.strands.editing import names_for
from domain.strands.fields import display, is_empty
from domain.strands.model import Strand

SHOWN_AFTER_CLOSING_DAYS = 180


@dataclass(frozen=True)
class Followed:
    strand: Strand
    name: str  # the type's name
    reference: str
    what: str  # the type's description
    where: str  # where it stands, in plain words
    next: str | None
    needed: str | None
    facts: list[tuple[str, str]]
    is_open: bool
    closed_on: dt.date | None


# Built once: "Your case" reads it on every load.
_FOLLOWED = (
    select(Strand)
    .where(
        Strand.case_id == bindparam("case_id"),
        or_(Strand.is_open, Strand.closed_at >= bindparam("since", type_=UTCDateTime)),
    )
    .order_by(Strand.is_open.desc(), Strand.id.desc())
)


def followed(
    session: Session, case_id: int, today: dt.date, *, words: Callable[[Strand], str]
) -> list[Followed]:
    """The case's applications and assessments as the applicant sees them, open ones first,
    newest first. `words` gives a strand's status in plain words (`public_status`: a workflow
    words its statuses itself)."""
    since = dt.datetime.combine(
        today - dt.timedelta(days=SHOWN_AFTER_CLOSING_DAYS), dt.time(0), dt.UTC
    )
    strands: Sequence[Strand] = session.scalars(
        _FOLLOWED, {"case_id": case_id, "since": since}
    ).all()
    # (one moved to another case is shown there, not here)
    shown = [s for s in strands if s.is_open or s.status != s.type.moved_status]
    names = names_for(session, [(s.type, s.data or {}) for s in shown])
    found = []
    for strand in shown:
        stype = strand.type
        try:
            status = stype.status(strand.status)
            next_, needed = status.next, status.needed
        except RuleBroken:  # a workflow's own status: its words come through `where`
            next_, needed = None, None
        data = strand.data or {}
        fields = {f.name: f for f in stype.fields}
        facts = [
            (
                fields[name].label,
                display(fields[name], data.get(name), people=names.people, officers=names.officers),
            )
            for name in stype.public_facts
            if not is_empty(data.get(name))
        ]
        found.append(
            Followed(
                strand,
                stype.name,
                strand.reference,
                stype.description,
                words(strand),
                next_,
                needed if strand.is_open else None,
                facts,
                strand.is_open,
                strand.closed_at.date() if strand.closed_at else None,
            )
        )
    return found


__all__ = ["SHOWN_AFTER_CLOSING_DAYS", "Followed", "followed"]
