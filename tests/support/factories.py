"""Model factories: small functions that build valid records with sensible defaults.

They add to the given session and flush, never commit (the test's transaction is rolled back).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from domain import household
from domain.accounts import create_officer
from domain.history import SYSTEM, Actor
from domain.models import Address, Case, Person, PortalAccount, Team, User
from domain.passwords import hash_password
from domain.vocab import Permission

_seq = itertools.count(1)
TEST_PASSWORD = "correct horse battery"


def make_team(db: Session, name: str | None = None, *, allows_cases: bool = True) -> Team:
    team = Team(name=name or f"Team {next(_seq)}", allows_cases=allows_cases)
    db.add(team)
    db.flush()
    return team


def make_officer(
    db: Session,
    *permissions: Permission,
    name: str | None = None,
    email: str | None = None,
    password: str | None = TEST_PASSWORD,
    team: Team | None = None,
) -> User:
    n = next(_seq)
    return create_officer(
        db,
        SYSTEM,
        email=email or f"officer{n}@council.example",
        name=name or f"Officer {n}",
        permissions=permissions,
        password=password,
        team=team,
    )


def make_person(
    db: Session,
    first_name: str | None = None,
    last_name: str = "Testperson",
    *,
    born: dt.date = dt.date(1990, 5, 17),
    sex: str = "F",
    address: str | None = "1 Test Street",
    email: str | None = None,
) -> Person:
    person = Person(
        first_name=first_name or f"Person{next(_seq)}",
        last_name=last_name,
        date_of_birth=born,
        sex=sex,
        email=email,
    )
    if address:
        person.addresses.append(
            Address(line_1=address, town="Northbridge", postcode="NB1 1AA", date_from=born)
        )
    db.add(person)
    db.flush()
    return person


def make_case(
    db: Session,
    primary: Person | None = None,
    members: Sequence[tuple[Person, str]] | Iterable[tuple[Person, str]] = (),
    *,
    joined: dt.date = dt.date(2024, 1, 1),
    team: Team | None = None,
    officer: User | None = None,
) -> Case:
    primary = primary or make_person(db)
    actor = Actor.officer(officer) if officer else SYSTEM
    case = household.open_case(
        db,
        actor,
        primary,
        team_id=team.id if team else None,
        date_joined=joined,
        officer=officer,
    )
    for person, relationship in members:
        household.add_member(db, actor, case, person, relationship=relationship, date_joined=joined)
    return case


def make_portal_account(
    db: Session,
    person: Person | None = None,
    *,
    email: str | None = None,
    password: str = TEST_PASSWORD,
    verified: bool = True,
) -> PortalAccount:
    from domain.models import utcnow

    account = PortalAccount(
        email=email or f"applicant{next(_seq)}@example.com",
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
        person_id=person.id if person else None,
    )
    db.add(account)
    db.flush()
    return account


# --- strands and bedroom assessments --------------------------------------------------------


def link_partners(db: Session, case: Case, first: Person, second: Person) -> None:
    """Record two members of `case` as each other's partner (both ways, as the rules need)."""
    links = {cp.person_id: cp for cp in case.people}
    links[first.id].partner_person_id = second.id
    links[second.id].partner_person_id = first.id
    db.flush()


def open_housing_register(db: Session, case: Case, officer: User | None = None):  # type: ignore[no-untyped-def]
    """Open a Housing Register strand (which opens and calculates the bedroom assessment)."""
    from domain.strands import HOUSING_REGISTER, open_strand

    return open_strand(db, Actor.officer(officer) if officer else SYSTEM, case, HOUSING_REGISTER)


# --- homeless referrals --------------------------------------------------------------------


def referral_submission(**overrides):  # type: ignore[no-untyped-def]
    """A complete, consented referral from a hospital (override any field)."""
    from domain.referrals import HouseholdMember, ReferralSubmission

    values = {
        "self_referral": False,
        "consent_to_referral": True,
        "consent_to_share": True,
        "org_type": "hospital_inpatient",
        "org_name": "Northbridge General Hospital",
        "referrer_name": "Nia Adebayo",
        "referrer_role": "Discharge coordinator",
        "referrer_email": "nia.adebayo@nhs.example",
        "referrer_phone": "01632 960001",
        "first_name": "Kieran",
        "last_name": "Doyle",
        "date_of_birth": dt.date(1979, 3, 14),
        "email": None,
        "phone": "07700 900123",
        "preferred_contact": "Phone",
        "housing_situation": "no_fixed_address",
        "safe_tonight": "no",
        "reason": "Being discharged after surgery; his tenancy ended while he was in hospital.",
        "leaving_date": dt.date(2026, 12, 1),
        "household": (HouseholdMember("Sadie Doyle", "Daughter", dt.date(2012, 6, 2)),),
        "support_needs": "Uses a wheelchair for now.",
    }
    values.update(overrides)
    return ReferralSubmission(**values)


def make_referral(db: Session, *, mailer=None, **overrides):  # type: ignore[no-untyped-def]
    """Submit a referral (no throttling, no email unless a mailer is given); the Referral."""
    from domain.referrals import submit_referral

    return submit_referral(
        db, referral_submission(**overrides), mailer=mailer, client=None
    ).referral
