"""What the person pages read: a person with their addresses, the cases they are and were on
(with who else is on each), and their history — a fixed number of queries however long the
record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, bindparam, select
from sqlalchemy.orm import Session, joinedload

from domain import paging
from domain.errors import NotFound
from domain.ids import MAX_ID
from domain.models import Case, CasePerson, HistoryEvent, Person
from domain.notes import Note

HISTORY_PAGE_SIZE = 20
HISTORY_ORDER = (
    paging.SortKey(HistoryEvent.occurred_at, descending=True, kind=dt.datetime),
    paging.SortKey(HistoryEvent.id, descending=True),
)

_PERSON = (
    select(Person).where(Person.id == bindparam("person_id")).options(joinedload(Person.addresses))
)


def load_person(session: Session, person_id: int) -> Person:
    """A person with their addresses, or NotFound (a 404 page)."""
    person = None
    if 0 < person_id <= MAX_ID:
        person = session.scalars(_PERSON, {"person_id": person_id}).unique().first()
    if person is None:
        raise NotFound("There is no person with that number. Check the link, or search for them.")
    return person


@dataclass(frozen=True)
class Membership:
    """One case a person is or was on: their place in it, and who else is on it now."""

    link: CasePerson
    case: Case
    others: list[CasePerson]

    def is_current(self, today: dt.date) -> bool:
        return self.link.is_member_on(today) or self.link.date_joined > today


_MEMBERSHIPS = (
    select(CasePerson)
    .where(CasePerson.person_id == bindparam("person_id"))
    .options(joinedload(CasePerson.case).joinedload(Case.responsible_team))
    .order_by(CasePerson.date_joined.desc(), CasePerson.id.desc())
)


def memberships(session: Session, person: Person, today: dt.date) -> list[Membership]:
    """The cases `person` is or was on, newest first, each with the people on it now (three
    queries: the links with their cases and teams, and the other members with their people)."""
    links = list(session.scalars(_MEMBERSHIPS, {"person_id": person.id}))
    if not links:
        return []
    case_ids = [link.case_id for link in links]
    others: dict[int, list[CasePerson]] = {case_id: [] for case_id in case_ids}
    members = session.scalars(
        _OTHER_MEMBERS, {"case_ids": case_ids, "person_id": person.id, "today": today}
    )
    for member in members:
        others[member.case_id].append(member)
    return [Membership(link, link.case, others[link.case_id]) for link in links]


# Built once, as the page's other statements are (its values are parameters).
_OTHER_MEMBERS = (
    select(CasePerson)
    .where(
        CasePerson.case_id.in_(bindparam("case_ids", expanding=True)),
        CasePerson.person_id != bindparam("person_id"),
        CasePerson.member_on(bindparam("today", type_=Date)),  # type: ignore[arg-type]
    )
    .options(joinedload(CasePerson.person))
    .order_by(CasePerson.is_primary.desc(), CasePerson.date_joined, CasePerson.id)
)
_PERSON_HISTORY = select(HistoryEvent).where(HistoryEvent.person_id == bindparam("person_id"))


@dataclass(frozen=True)
class HistoryPage:
    events: list[HistoryEvent]
    next_cursor: str | None


def person_history(session: Session, person_id: int, after: str | None) -> HistoryPage:
    """What happened to a person's own record, newest first, a page at a time."""
    found: paging.Page[HistoryEvent] = paging.fetch(
        session,
        _PERSON_HISTORY,
        HISTORY_ORDER,
        cursor=after,
        size=HISTORY_PAGE_SIZE,
        values_of=lambda event: (event.occurred_at, event.id),
        params={"person_id": person_id},
    )
    return HistoryPage(found.rows, found.next_cursor)


NOTES_SHOWN = 10


def recent_notes(session: Session, person_id: int) -> list[Note]:
    """The newest notes about the person (their cases' notes are on each case's tab)."""
    return list(session.scalars(_RECENT_NOTES, {"person_id": person_id}))


_RECENT_NOTES = (
    select(Note)
    .where(Note.person_id == bindparam("person_id"))
    .options(joinedload(Note.created_by))
    .order_by(Note.created_at.desc(), Note.id.desc())
    .limit(NOTES_SHOWN)
)
