"""Relationships between people (partner, parent and child, sibling, carer, other), recorded
once and read from either side: a row saying Amira is Yusuf's parent shows Yusuf as her child
on her page and Amira as his parent on his.

A household's `relationship_to_primary` (on the case) and these person-to-person relationships
say overlapping things; setting one on a case records the other (`record_from_case`), and a new
case started from a person brings the people related to them with the relationship to the
primary applicant their relationship implies (`case_relationship_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    bindparam,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from domain import history
from domain.base import Base, created_timestamp, intpk, one_of
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Person


class Kind(StrEnum):
    """How two people are related, as stored: `person` is the parent or the carer of
    `related` for the two one-way kinds; the others read the same both ways."""

    PARTNER = "partner"
    PARENT = "parent"
    SIBLING = "sibling"
    CARER = "carer"
    OTHER = "other"


class Role(StrEnum):
    """What the other person is to someone, as an officer chooses it on a person page."""

    PARTNER = "Partner"
    PARENT = "Parent"
    CHILD = "Child"
    SIBLING = "Sibling"
    CARER = "Carer"
    CARED_FOR = "Cared for by them"
    OTHER = "Other"


# Role of the other person -> (stored kind, whether the other person is the row's `person`).
_STORED: dict[Role, tuple[Kind, bool]] = {
    Role.PARTNER: (Kind.PARTNER, False),
    Role.PARENT: (Kind.PARENT, True),
    Role.CHILD: (Kind.PARENT, False),
    Role.SIBLING: (Kind.SIBLING, False),
    Role.CARER: (Kind.CARER, True),
    Role.CARED_FOR: (Kind.CARER, False),
    Role.OTHER: (Kind.OTHER, False),
}


_SAME_BOTH_WAYS = {Kind.PARTNER: Role.PARTNER, Kind.SIBLING: Role.SIBLING, Kind.OTHER: Role.OTHER}


class PersonRelationship(Base):
    __tablename__ = "person_relationship"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    related_person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[created_timestamp]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    related: Mapped[Person] = relationship(foreign_keys=[related_person_id])

    __table_args__ = (
        UniqueConstraint("person_id", "related_person_id"),
        Index("ix_person_relationship_related_person_id", "related_person_id"),
        CheckConstraint("person_id <> related_person_id", name="not_oneself"),
        CheckConstraint(one_of("kind", Kind), name="kind_known"),
    )

    def other_than(self, person_id: int) -> Person:
        return self.related if self.person_id == person_id else self.person

    def role_of_other(self, viewer_id: int) -> Role:
        """What the other person is to `viewer_id` (the same from both sides for partners,
        siblings and others; parent and child, carer and cared for, the other way round)."""
        if self.kind in _SAME_BOTH_WAYS:
            return _SAME_BOTH_WAYS[Kind(self.kind)]
        viewer_is_person = self.person_id == viewer_id
        for role, (kind, other_is_person) in _STORED.items():
            if kind == self.kind and other_is_person != viewer_is_person:
                return role
        raise ValueError(self.kind)  # a kind unknown to this code (the CHECK forbids it)


@dataclass(frozen=True)
class Related:
    """Someone related to a person: who, and what they are to that person."""

    row: PersonRelationship
    person: Person
    role: Role

    def words(self) -> str:
        return role_words(self.role, self.person.sex)


def role_words(role: Role, sex: str | None) -> str:
    """A role as said of a particular person ("Daughter" rather than "Child")."""
    gendered = {
        Role.PARENT: {"F": "Mother", "M": "Father"},
        Role.CHILD: {"F": "Daughter", "M": "Son"},
        Role.SIBLING: {"F": "Sister", "M": "Brother"},
    }
    return gendered.get(role, {}).get(sex or "", role.value)


def related_to(session: Session, person_id: int) -> list[Related]:
    """Everyone related to a person, whichever side the relationship was recorded from (one
    query, the other people loaded with it)."""
    rows = session.scalars(_RELATED_TO, {"person_id": person_id})
    return [Related(r, r.other_than(person_id), r.role_of_other(person_id)) for r in rows]


# Built once: the person page and the household tab read it.
_RELATED_TO = (
    select(PersonRelationship)
    .where(
        or_(
            PersonRelationship.person_id == bindparam("person_id"),
            PersonRelationship.related_person_id == bindparam("person_id"),
        )
    )
    .options(joinedload(PersonRelationship.person), joinedload(PersonRelationship.related))
    .order_by(PersonRelationship.id)
)


def _between(session: Session, a: int, b: int) -> PersonRelationship | None:
    return session.scalars(_BETWEEN, {"a": a, "b": b}).first()


_A: Any = bindparam("a")
_B: Any = bindparam("b")
_BETWEEN = select(PersonRelationship).where(  # built once: accepting a change reads it
    or_(
        (PersonRelationship.person_id == _A) & (PersonRelationship.related_person_id == _B),
        (PersonRelationship.person_id == _B) & (PersonRelationship.related_person_id == _A),
    )
)


def relate(
    session: Session,
    actor: Actor,
    person: Person,
    other: Person,
    role: Role,
    *,
    case_id: int | None = None,
) -> PersonRelationship:
    """Record that `other` is `person`'s `role` (replacing how they were related before, if
    at all), with history on both people."""
    if person.id == other.id:
        raise RuleBroken("A person cannot be related to themselves", field="other")
    kind, other_is_person = _STORED[role]
    existing = _between(session, person.id, other.id)
    before = existing.role_of_other(person.id) if existing is not None else None
    if before == role:
        assert existing is not None
        return existing
    if existing is not None:
        session.delete(existing)
        session.flush()
    row = PersonRelationship(
        person_id=other.id if other_is_person else person.id,
        related_person_id=person.id if other_is_person else other.id,
        kind=kind.value,
    )
    session.add(row)
    session.flush()
    words = role_words(role, other.sex).lower()
    said = (
        f"{other.full_name} recorded as related to {person.full_name}"
        if role is Role.OTHER
        else f"{other.full_name} recorded as {person.full_name}'s {words}"
    )
    history.record(
        session,
        actor,
        HistoryKind.PERSON_RELATIONSHIP,
        said,
        case_id=case_id,
        person_id=person.id,
        before={"relationship": before.value if before else None, "with": other.full_name},
        after={"relationship": role.value, "with": other.full_name},
    )
    return row


def end(session: Session, actor: Actor, person: Person, other_id: int) -> None:
    """Remove the relationship recorded between two people, with history."""
    existing = _between(session, person.id, other_id)
    if existing is None:
        raise RuleBroken("They are not recorded as related", field="other")
    other = existing.other_than(person.id)
    role = existing.role_of_other(person.id)
    session.delete(existing)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.PERSON_RELATIONSHIP,
        f"{other.full_name} is no longer recorded as {person.full_name}'s "
        f"{role_words(role, other.sex).lower()}",
        person_id=person.id,
        before={"relationship": role.value, "with": other.full_name},
        after={"relationship": None, "with": other.full_name},
    )


# --- between a case's household and people's relationships --------------------------------------

# A member's relationship to the primary applicant -> what the member is to the primary applicant
# as a person-to-person relationship (None: nothing to record, e.g. a lodger).
_FROM_CASE: dict[str, Role | None] = {
    "Partner": Role.PARTNER,
    "Spouse": Role.PARTNER,
    "Civil partner": Role.PARTNER,
    "Son": Role.CHILD,
    "Daughter": Role.CHILD,
    "Stepchild": Role.CHILD,
    "Foster child": Role.CARED_FOR,
    "Grandchild": Role.OTHER,
    "Parent": Role.PARENT,
    "Grandparent": Role.OTHER,
    "Brother": Role.SIBLING,
    "Sister": Role.SIBLING,
    "Other relative": Role.OTHER,
    "Carer": Role.CARER,
    "Friend or lodger": None,
    "Other": None,
}


def role_from_case(relationship_to_primary: str | None) -> Role | None:
    return _FROM_CASE.get(relationship_to_primary or "")


def record_from_case(
    session: Session,
    actor: Actor,
    primary: Person,
    member: Person,
    relationship_to_primary: str | None,
    *,
    case_id: int,
) -> PersonRelationship | None:
    """A member's relationship to the primary applicant, set on a case, recorded on the people
    too (so the next case started from either of them knows it)."""
    role = role_from_case(relationship_to_primary)
    if role is None or primary.id == member.id:
        return None
    return relate(session, actor, primary, member, role, case_id=case_id)


def sex_implied_by(relationship_to_primary: str | None) -> str:
    """The sex a relationship says ("Daughter": female), or not recorded."""
    return {"Daughter": "F", "Sister": "F", "Son": "M", "Brother": "M"}.get(
        relationship_to_primary or "", "X"
    )


def case_relationship_for(role: Role, sex: str | None) -> str:
    """The relationship to the primary applicant a member gets on a new case from what they are
    to the person the case was started from."""
    if role is Role.PARTNER:
        return "Partner"
    if role is Role.CHILD:
        return {"F": "Daughter", "M": "Son"}.get(sex or "", "Stepchild")
    if role is Role.PARENT:
        return "Parent"
    if role is Role.SIBLING:
        return {"F": "Sister", "M": "Brother"}.get(sex or "", "Other relative")
    if role is Role.CARER:
        return "Carer"
    if role is Role.CARED_FOR:
        return "Foster child"
    return "Other relative"


@dataclass(frozen=True)
class CaseOffer:
    """A case two newly related people share, where the member's relationship to the primary
    applicant says something else: offered to the officer to change as well."""

    case_id: int
    member: Person
    recorded: str | None
    suggested: str


def case_offer(session: Session, person: Person, other: Person, today: dt.date) -> CaseOffer | None:
    """After recording how two people are related: if they live together on an active case and
    one is its primary applicant, the relationship the other then has to them, when it differs
    from the case's."""
    from domain.models import Case, CasePerson

    links = session.scalars(
        select(CasePerson)
        .join(Case, Case.id == CasePerson.case_id)
        .where(
            CasePerson.person_id.in_([person.id, other.id]),
            Case.status == "Active",
        )
    ).all()
    by_case: dict[int, list[CasePerson]] = {}
    for link in links:
        if link.is_member_on(today):
            by_case.setdefault(link.case_id, []).append(link)
    for case_id, pair in sorted(by_case.items()):
        if len(pair) != 2:
            continue
        primary = next((cp for cp in pair if cp.is_primary), None)
        member = next((cp for cp in pair if not cp.is_primary), None)
        if primary is None or member is None:
            continue
        row = _between(session, primary.person_id, member.person_id)
        if row is None:
            continue
        suggested = case_relationship_for(row.role_of_other(primary.person_id), member.person.sex)
        if suggested != member.relationship_to_primary:
            return CaseOffer(case_id, member.person, member.relationship_to_primary, suggested)
    return None


ROLE_CHOICES = [r.value for r in Role]

__all__ = [
    "ROLE_CHOICES",
    "Kind",
    "PersonRelationship",
    "Related",
    "Role",
    "case_relationship_for",
    "end",
    "record_from_case",
    "relate",
    "related_to",
    "role_from_case",
    "role_words",
    "sex_implied_by",
]
