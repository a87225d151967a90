"""Households: who is on a case on a given date, joining, leaving, and the primary applicant.

These functions change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.util import identity_key

from domain import case_tasks, clock, history, people, strands
from domain import household_rules as rules
from domain import relationships as person_relationships
from domain.clock import long_date
from domain.errors import MissingRelationships, NotAMember, NotFound, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CaseOfficer, CasePerson, Person, User
from domain.vocab import RELATIONSHIPS, SELF, CaseStatus, OfficerRole


def members_on(case: Case, on: dt.date) -> list[CasePerson]:
    """The household of a loaded case on date `on`, primary applicant first."""
    return [cp for cp in case.people if cp.is_member_on(on)]


def household_on(session: Session, case_id: int, on: dt.date) -> Sequence[CasePerson]:
    """Who is in the household of case `case_id` on date `on`, queried in the database."""
    stmt = (
        select(CasePerson)
        .where(
            CasePerson.case_id == case_id,
            CasePerson.member_on(on),
        )
        .options(selectinload(CasePerson.person))
        .order_by(CasePerson.is_primary.desc(), CasePerson.date_joined, CasePerson.id)
    )
    return session.scalars(stmt).all()


_LOCKED = "hearth.locked_cases"


def note_locked(session: Session, case: Case) -> None:
    """Record that `case` was locked, and its household loaded after the lock, in the current
    transaction (a decision locks the change and its case in one statement): `lock_case` then
    has nothing to do until the transaction (or the savepoint it was taken in) ends."""
    current = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_LOCKED, {})[case.id] = current


def _still_locked(session: Session, case_id: int) -> Case | None:
    taken = session.info.get(_LOCKED, {}).get(case_id)
    if taken is None or not taken.is_active:
        return None
    return session.identity_map.get(identity_key(Case, case_id))


def lock_case(session: Session, case_id: int) -> Case:
    """Take the case's row lock for the rest of the transaction and reload its household as
    committed now. Everything that changes a household (an accepted change, an officer's edit)
    starts here, so two at once take turns and the second works from the first's result — the
    bedroom need included. (SQLite's writers already take turns.)"""
    case = _still_locked(session, case_id)
    if case is not None:
        return case
    stmt = (
        select(Case)
        .where(Case.id == case_id)
        # the household after the lock, in a statement of its own (a snapshot taken once the
        # lock is held), each member with their person (one query)
        .options(selectinload(Case.people).joinedload(CasePerson.person))
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Case)
    case = session.scalars(stmt).first()
    if case is None:
        raise NotFound("There is no such case")
    note_locked(session, case)
    return case


def past_members(case: Case, on: dt.date) -> list[CasePerson]:
    """Members who had left by `on`, most recent leaver first."""
    left = [cp for cp in case.people if cp.date_left is not None and cp.date_left <= on]
    return sorted(left, key=lambda cp: cp.date_left or on, reverse=True)


def open_case(
    session: Session,
    actor: Actor,
    primary: Person,
    *,
    team_id: int | None,
    date_joined: dt.date,
    officer: User | None = None,
    summary: str | None = None,
) -> Case:
    """Create an active case with `primary` as primary applicant (and the officer as Primary)."""
    case = Case(
        status=CaseStatus.ACTIVE.value,
        responsible_team_id=team_id,
        summary=summary,
        created_by_id=actor.user_id,
        created_by_kind=actor.kind.value,
    )
    case.people.append(
        CasePerson(
            person=primary,
            is_primary=True,
            relationship_to_primary=SELF,
            date_joined=date_joined,
        )
    )
    if officer is not None:
        case.officers.append(CaseOfficer(user=officer, role=OfficerRole.PRIMARY.value))
    session.add(case)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.CASE_CREATED,
        f"Case {case.reference} opened for {primary.full_name}",
        case_id=case.id,
        person_id=primary.id,
        after={"status": case.status, "primary_applicant": primary.full_name},
    )
    case_tasks.on_case_opened(session, actor, case, clock.today())
    return case


def add_member(
    session: Session,
    actor: Actor,
    case: Case,
    person: Person,
    *,
    relationship: str,
    date_joined: dt.date,
    joint_applicant: bool = False,
) -> CasePerson:
    rules.check_relationship(relationship)
    if any(cp.person_id == person.id for cp in case.people if person.id is not None):
        raise RuleBroken(f"{person.full_name} is already on case {case.reference}")
    link = CasePerson(
        person=person,
        relationship_to_primary=relationship,
        date_joined=date_joined,
        joint_applicant=joint_applicant,
    )
    case.people.append(link)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.HOUSEHOLD_JOINED,
        f"{person.full_name} joined the household ({relationship}) on {long_date(date_joined)}",
        case_id=case.id,
        person_id=person.id,
        after={
            "relationship": relationship,
            "date_joined": date_joined,
            "joint_applicant": joint_applicant,
        },
    )
    return link


def join(
    session: Session,
    actor: Actor,
    case: Case,
    person: Person,
    *,
    relationship: str,
    date_joined: dt.date,
    joint_applicant: bool = False,
) -> CasePerson:
    """Add a member and, when they are the primary applicant's partner, spouse or civil
    partner and the primary applicant has none recorded, record the couple both ways."""
    link = add_member(
        session,
        actor,
        case,
        person,
        relationship=relationship,
        date_joined=date_joined,
        joint_applicant=joint_applicant,
    )
    primary = rules.couples_on_joining([cp for cp in case.people if cp is not link], relationship)
    if primary is not None:
        link_partners(session, actor, case, primary.person_id, person.id)
    applicant = next((cp for cp in case.people if cp.is_primary and cp is not link), None)
    if applicant is not None:
        person_relationships.record_from_case(
            session, actor, applicant.person, person, relationship, case_id=case.id
        )
    return link


def record_birth(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    mother_person_id: int,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    sex: str,
    relationship: str,
    source: str,
) -> Person:
    """A baby born into the household: a new person, a member from their date of birth, and
    the mother's expected date of birth cleared."""
    baby = people.create_person(
        session,
        actor,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex=sex,
        source=source,
        case_id=case.id,
    )
    add_member(session, actor, case, baby, relationship=relationship, date_joined=date_of_birth)
    mother = next((cp for cp in case.people if cp.person_id == mother_person_id), None)
    if mother is not None and mother.person.pregnancy_due_date is not None:
        people.record_pregnancy(
            session,
            actor,
            mother.person,
            None,
            case_id=case.id,
            because="the baby has been born",
        )
    return baby


def record_leaving(
    session: Session, actor: Actor, link: CasePerson, date_left: dt.date
) -> CasePerson:
    """Set the date a member left. They stay on the case, shown under past members."""
    before: dict[str, object] = {"date_left": link.date_left}
    partner = rules.leave(link.case.people, link, date_left)
    if partner is not None:
        before["partner"] = partner.person.full_name
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.HOUSEHOLD_LEFT,
        f"{link.person.full_name} left the household on {long_date(date_left)}",
        case_id=link.case_id,
        person_id=link.person_id,
        before=before,
        after={"date_left": date_left},
    )
    return link


def switch_primary_applicant(
    session: Session,
    actor: Actor,
    case: Case,
    new_primary_person_id: int,
    *,
    relationships: Mapping[int, str],
    on: dt.date,
    confirm_child: bool = False,
) -> CasePerson:
    """Make another current member the primary applicant.

    Relationships are stated relative to the primary applicant, so the caller must give the new
    relationship of every other current member (including the old primary applicant), keyed by
    person id. Members who have left keep their recorded relationship. A child (under 18) is
    not usually the primary applicant: making one needs `confirm_child`.
    """
    current = members_on(case, on)
    new_link = next((cp for cp in current if cp.person_id == new_primary_person_id), None)
    if new_link is None:
        raise NotAMember("The new primary applicant must be a current member of the household")
    age = new_link.person.age_on(on)
    if age is not None and age < ADULT_AGE and not confirm_child:
        name = new_link.person.full_name
        raise RuleBroken(
            f"{name} is {age}. A child is not usually the primary applicant: confirm that "
            f"{name} should be",
            field="confirm_child",
        )
    old_link = case.primary
    if old_link is not None and old_link.person_id == new_primary_person_id:
        raise RuleBroken(f"{new_link.person.full_name} is already the primary applicant")
    others = [cp for cp in current if cp.person_id != new_primary_person_id]
    missing = [cp.person.full_name for cp in others if cp.person_id not in relationships]
    if missing:
        raise MissingRelationships(
            "Give the relationship to the new primary applicant for: " + ", ".join(missing)
        )
    unknown = sorted({r for r in relationships.values() if r not in RELATIONSHIPS})
    if unknown:
        raise RuleBroken("Unknown relationship: " + ", ".join(unknown))

    before = {
        "primary_applicant": old_link.person.full_name if old_link else None,
        "relationships": {cp.person.full_name: cp.relationship_to_primary for cp in others},
    }
    if old_link is not None:
        old_link.is_primary = False
        # Flush the demotion first so the one-primary-per-case index never sees two.
        session.flush()
    new_link.is_primary = True
    new_link.relationship_to_primary = SELF
    for cp in others:
        cp.relationship_to_primary = relationships[cp.person_id]
    session.flush()
    # The new primary applicant takes over the case's current applications: refused, naming
    # it, if they already hold one of a kind allowed once across their active cases.
    strands.rekey_case(session, case)
    for cp in others:
        person_relationships.record_from_case(
            session,
            actor,
            new_link.person,
            cp.person,
            cp.relationship_to_primary,
            case_id=case.id,
        )
    history.record(
        session,
        actor,
        HistoryKind.HOUSEHOLD_PRIMARY_SWITCHED,
        f"{new_link.person.full_name} is now the primary applicant",
        case_id=case.id,
        person_id=new_link.person_id,
        before=before,
        after={
            "primary_applicant": new_link.person.full_name,
            "relationships": {cp.person.full_name: cp.relationship_to_primary for cp in others},
        },
    )
    return new_link


ADULT_AGE = 18


def link_partners(
    session: Session, actor: Actor, case: Case, first_id: int, second_id: int
) -> None:
    """Record two members of the household as a couple (both ways)."""
    first, second = rules.couple(case.people, first_id, second_id)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.HOUSEHOLD_COUPLE,
        f"{first.person.full_name} and {second.person.full_name} recorded as a couple",
        case_id=case.id,
        person_id=second_id,
        after={"couple": [first.person.full_name, second.person.full_name]},
    )


def change_relationship(
    session: Session, actor: Actor, case: Case, person_id: int, relationship: str
) -> CasePerson:
    """Change a member's relationship to the primary applicant.

    The person's partner link follows: becoming a partner, spouse or civil partner of the primary
    applicant records the couple both ways; ceasing to be one removes it.
    """
    link = next((cp for cp in case.people if cp.person_id == person_id), None)
    primary = case.primary
    done = rules.relate(case.people, person_id, relationship)
    assert link is not None
    history.record(
        session,
        actor,
        HistoryKind.HOUSEHOLD_RELATIONSHIP,
        f"{link.person.full_name} is now the primary applicant's {relationship.lower()} "
        f"(was {(done.before or 'not recorded').lower()})",
        case_id=case.id,
        person_id=person_id,
        before={"relationship": done.before},
        after={"relationship": relationship},
    )
    if primary is not None:
        person_relationships.record_from_case(
            session, actor, primary.person, link.person, relationship, case_id=case.id
        )
    if done.coupled and primary is not None:
        session.flush()
        history.record(
            session,
            actor,
            HistoryKind.HOUSEHOLD_COUPLE,
            f"{primary.person.full_name} and {link.person.full_name} recorded as a couple",
            case_id=case.id,
            person_id=person_id,
            after={"couple": [primary.person.full_name, link.person.full_name]},
        )
    elif done.uncoupled and primary is not None:
        history.record(
            session,
            actor,
            HistoryKind.HOUSEHOLD_COUPLE_ENDED,
            f"{link.person.full_name} and {primary.person.full_name} are no longer recorded "
            "as a couple",
            case_id=case.id,
            person_id=person_id,
        )
    session.flush()
    return link
