"""The rules of changing a household, on any household: the records in the database, or an
in-memory copy of them.

Accepting a change applies these steps to the case's records (`domain.household` adds the
history); the review page applies the very same steps to a copy (`views_of`) to show what the
bedroom need would become, without writing or locking anything. One set of rules, two uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from domain.clock import long_date
from domain.errors import NotAMember, RuleBroken
from domain.models import Case, is_member_on
from domain.vocab import COUPLE_RELATIONSHIPS, RELATIONSHIPS


class PersonLike(Protocol):
    pregnancy_due_date: dt.date | None

    @property
    def id(self) -> int: ...
    @property
    def date_of_birth(self) -> dt.date | None: ...
    @property
    def sex(self) -> str: ...
    @property
    def cannot_share_bedroom(self) -> bool: ...
    @property
    def full_name(self) -> str: ...


class LinkLike(Protocol):
    """A person's membership of a household: a `CasePerson`, or a `LinkView` of one."""

    person_id: int
    is_primary: bool
    relationship_to_primary: str | None
    partner_person_id: int | None
    date_joined: dt.date
    date_left: dt.date | None

    @property
    def person(self) -> PersonLike: ...

    def is_member_on(self, on: dt.date) -> bool: ...


@dataclass
class PersonView:
    id: int
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    sex: str
    cannot_share_bedroom: bool = False
    pregnancy_due_date: dt.date | None = None
    middle_names: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_names, self.last_name) if p)


@dataclass
class LinkView:
    person_id: int
    person: PersonView
    is_primary: bool
    relationship_to_primary: str | None
    partner_person_id: int | None
    date_joined: dt.date
    date_left: dt.date | None = None

    def is_member_on(self, on: dt.date) -> bool:
        return is_member_on(self.date_joined, self.date_left, on)


# Someone the household does not have yet (a baby, a person joining) gets an id no record has.
NEW_PERSON_ID = -1


def views_of(case: Case) -> list[LinkView]:
    """An in-memory copy of a loaded case's household, to change freely."""
    return [
        LinkView(
            person_id=cp.person_id,
            person=PersonView(
                id=cp.person.id,
                first_name=cp.person.first_name,
                middle_names=cp.person.middle_names,
                last_name=cp.person.last_name,
                date_of_birth=cp.person.date_of_birth,
                sex=cp.person.sex,
                cannot_share_bedroom=cp.person.cannot_share_bedroom,
                pregnancy_due_date=cp.person.pregnancy_due_date,
            ),
            is_primary=cp.is_primary,
            relationship_to_primary=cp.relationship_to_primary,
            partner_person_id=cp.partner_person_id,
            date_joined=cp.date_joined,
            date_left=cp.date_left,
        )
        for cp in case.people
    ]


def newcomer(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    sex: str,
    relationship: str,
    date_joined: dt.date,
) -> LinkView:
    """Someone joining (or born into) a household copy, before they have a record."""
    check_relationship(relationship)
    person = PersonView(NEW_PERSON_ID, first_name, last_name, date_of_birth, sex)
    return LinkView(NEW_PERSON_ID, person, False, relationship, None, date_joined)


def find(links: Sequence[LinkLike], person_id: int) -> LinkLike | None:
    return next((link for link in links if link.person_id == person_id), None)


def primary_of(links: Sequence[LinkLike]) -> LinkLike | None:
    return next((link for link in links if link.is_primary), None)


def check_relationship(relationship: str) -> None:
    if relationship not in RELATIONSHIPS:
        raise RuleBroken(f"{relationship!r} is not a relationship Hearth knows")


def couple(links: Sequence[LinkLike], first_id: int, second_id: int) -> tuple[LinkLike, LinkLike]:
    """Record two members as a couple, both ways."""
    first = find(links, first_id)
    second = find(links, second_id)
    if first is None or second is None or first_id == second_id:
        raise RuleBroken("Both partners must be on the case")
    first.partner_person_id = second_id
    second.partner_person_id = first_id
    return first, second


def couples_on_joining(links: Sequence[LinkLike], relationship: str) -> LinkLike | None:
    """The primary applicant, when someone joining as their partner, spouse or civil partner
    makes a couple with them (they have none recorded)."""
    primary = primary_of(links)
    if relationship in COUPLE_RELATIONSHIPS and primary and primary.partner_person_id is None:
        return primary
    return None


def leave(links: Sequence[LinkLike], link: LinkLike, date_left: dt.date) -> LinkLike | None:
    """Set the date a member left; someone who has left no longer makes a couple with anyone in
    the household. Returns the partner they were coupled with, if any."""
    if link.is_primary:
        raise RuleBroken(
            "The primary applicant cannot leave the household: switch the primary applicant first"
        )
    if date_left < link.date_joined:
        raise RuleBroken(
            f"{link.person.full_name} cannot leave before they joined on "
            f"{long_date(link.date_joined)}"
        )
    link.date_left = date_left
    partner = find(links, link.partner_person_id) if link.partner_person_id else None
    if partner is not None:
        if partner.partner_person_id == link.person_id:
            partner.partner_person_id = None
        link.partner_person_id = None
    return partner


@dataclass(frozen=True)
class Relating:
    """What changing a relationship did: the old relationship, and whether a couple began or
    ended with the primary applicant."""

    link: LinkLike
    before: str | None
    coupled: bool
    uncoupled: bool


def relate(links: Sequence[LinkLike], person_id: int, relationship: str) -> Relating:
    """Change a member's relationship to the primary applicant; the couple follows (becoming a
    partner, spouse or civil partner of the primary applicant records it both ways; ceasing to
    be one removes it)."""
    check_relationship(relationship)
    link = find(links, person_id)
    if link is None or link.is_primary:
        raise NotAMember("Choose a member of the household other than the primary applicant")
    before = link.relationship_to_primary
    link.relationship_to_primary = relationship
    primary = primary_of(links)
    was_couple = before in COUPLE_RELATIONSHIPS
    is_couple = relationship in COUPLE_RELATIONSHIPS
    coupled = uncoupled = False
    if primary is not None and is_couple and not was_couple:
        couple(links, primary.person_id, person_id)
        coupled = True
    elif primary is not None and was_couple and not is_couple:
        if primary.partner_person_id == person_id:
            primary.partner_person_id = None
        link.partner_person_id = None
        uncoupled = True
    return Relating(link, before, coupled, uncoupled)


def born(links: list[LinkView], baby: LinkView, mother_person_id: int) -> None:
    """A baby joins a household copy from their date of birth; the mother is no longer
    expecting."""
    links.append(baby)
    mother = find(links, mother_person_id)
    if mother is not None and mother.person.pregnancy_due_date is not None:
        mother.person.pregnancy_due_date = None


def joins(links: list[LinkView], newcomer: LinkView) -> None:
    """Someone joins a household copy (and makes a couple with the primary applicant when they
    join as their partner and the primary applicant has none)."""
    primary = couples_on_joining(links, newcomer.relationship_to_primary or "")
    links.append(newcomer)
    if primary is not None:
        couple(links, primary.person_id, newcomer.person_id)


__all__ = [
    "NEW_PERSON_ID",
    "LinkLike",
    "LinkView",
    "PersonLike",
    "PersonView",
    "Relating",
    "born",
    "check_relationship",
    "couple",
    "couples_on_joining",
    "find",
    "joins",
    "leave",
    "newcomer",
    "primary_of",
    "relate",
    "replace",
    "views_of",
]
