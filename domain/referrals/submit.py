"""Receiving a referral: checks, duplicates, throttling, the person, the case, the strand."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from domain import (
    assessments,
    clock,
    drafts,
    history,
    household,
    people,
    relationships,
    throttle,
    workflows,
)
from domain.accounts import Mailer
from domain.base import utcnow
from domain.council_settings import get_setting
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.identity import search_name
from domain.models import Case, CasePerson, Person, Team
from domain.referrals.model import (
    _ORG_LABELS,
    _SAFE_LABELS,
    _SITUATION_LABELS,
    CONSENT_MESSAGE,
    CONTACT_METHODS,
    DUPLICATE_WINDOW,
    HOUSEHOLD_MAX,
    SELF_CONTACT_METHODS,
    TEAM_SETTING,
    ConsentMissing,
    Referral,
    ReferralThrottled,
)
from domain.referrals.progress import _send_receipt
from domain.strands import HOMELESS_REFERRAL, open_strand
from domain.vocab import CaseStatus

# --------------------------------------------------------------------------------------------
# Submitting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdMember:
    name: str
    relationship: str
    date_of_birth: dt.date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "relationship": self.relationship,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
        }


@dataclass(frozen=True)
class ReferralSubmission:
    """What the journey collected, typed. :func:`submit_referral` checks it again."""

    self_referral: bool
    consent_to_referral: bool
    consent_to_share: bool
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    preferred_contact: str
    housing_situation: str
    safe_tonight: str
    reason: str
    email: str | None = None
    phone: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    leaving_date: dt.date | None = None
    household: tuple[HouseholdMember, ...] = ()
    support_needs: str | None = None
    org_type: str | None = None
    org_name: str | None = None
    referrer_name: str | None = None
    referrer_role: str | None = None
    referrer_email: str | None = None
    referrer_phone: str | None = None

    @property
    def contact_email(self) -> str | None:
        return self.email if self.self_referral else self.referrer_email

    def fingerprint(self) -> str:
        parts = [
            "self" if self.self_referral else "referrer",
            (self.contact_email or "").strip().lower(),
            self.first_name.strip().lower(),
            self.last_name.strip().lower(),
            self.date_of_birth.isoformat() if self.date_of_birth else "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def check_submission(s: ReferralSubmission, today: dt.date) -> None:
    """The rules a referral must meet, whatever sent it (the portal's forms check them first)."""
    if not (s.consent_to_referral and s.consent_to_share):
        raise ConsentMissing(CONSENT_MESSAGE)
    problems: list[str] = []
    if not s.first_name.strip() or not s.last_name.strip():
        problems.append("the person's first and last name")
    if s.date_of_birth is None or s.date_of_birth >= today:
        problems.append("a date of birth in the past")
    if not s.reason.strip():
        problems.append("the reason for the referral")
    if s.housing_situation not in _SITUATION_LABELS:
        problems.append("where the person is living now")
    if s.housing_situation == "address" and not (s.address_line_1 and s.postcode):
        problems.append("the person's address")
    if s.safe_tonight not in _SAFE_LABELS:
        problems.append("whether they have somewhere safe to stay tonight")
    methods = SELF_CONTACT_METHODS if s.self_referral else CONTACT_METHODS
    if s.preferred_contact not in methods:
        problems.append("how to contact the person")
    if s.preferred_contact == "Email" and not s.email:
        problems.append("an email address to contact the person by")
    if s.preferred_contact in ("Phone", "Text message") and not s.phone:
        problems.append("a phone number to contact the person on")
    if not s.self_referral:
        if s.org_type not in _ORG_LABELS or not (s.org_name or "").strip():
            problems.append("the referring organisation")
        if not (s.referrer_name and s.referrer_email):
            problems.append("the referrer's name and email address")
    if len(s.household) > HOUSEHOLD_MAX:
        problems.append(f"no more than {HOUSEHOLD_MAX} household members")
    if problems:
        raise RuleBroken("The referral needs " + ", ".join(problems) + ".")


@dataclass(frozen=True)
class Submitted:
    referral: Referral
    duplicate: bool  # True: the same referral had just been sent; nothing new was created


def recent_duplicate(
    session: Session, fingerprint: str, now: dt.datetime | None = None
) -> Referral | None:
    since = (now or utcnow()) - DUPLICATE_WINDOW
    return session.scalars(
        select(Referral)
        .where(Referral.fingerprint == fingerprint, Referral.submitted_at >= since)
        .order_by(Referral.id.desc())
        .limit(1)
    ).first()


def submit_referral(
    session: Session,
    submission: ReferralSubmission,
    *,
    mailer: Mailer | None,
    client: str | None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Submitted:
    """Receive a referral (see the module docstring). `client` is the sender's address for
    throttling (None for trusted callers such as the demo data); `mailer` None sends no email."""
    now = now or utcnow()
    today = today or clock.today()
    check_submission(submission, today)
    fingerprint = submission.fingerprint()
    duplicate = recent_duplicate(session, fingerprint, now)
    if duplicate is not None:
        return Submitted(duplicate, True)
    assert submission.date_of_birth is not None  # check_submission saw to it
    account_key = submission.contact_email or f"{submission.last_name} {submission.date_of_birth}"
    if client is not None:
        gate = throttle.reserve(session, "referral", account_key, client, now=now)
        if isinstance(gate, throttle.Throttled):
            raise ReferralThrottled(
                "Too many referrals have been sent from here in the last hour. "
                + gate.message.removeprefix("Too many attempts. "),
                retry_after_seconds=gate.seconds,
            )
        gate.succeeded()
    actor = _actor(submission)
    person = find_person(
        session, submission.first_name, submission.last_name, submission.date_of_birth, on=today
    )
    if person is None:
        person = _create_person(session, actor, submission, today)
    case = active_case_of(session, person.id, today)
    if case is None:
        case = household.open_case(
            session,
            actor,
            person,
            team_id=referral_team_id(session),
            date_joined=today,
            summary="Opened from a homeless referral.",
        )
    elif submission.household:
        case = household.lock_case(session, case.id)
    strand = open_strand(
        session,
        actor,
        case,
        HOMELESS_REFERRAL,
        {workflows.SELF_REFERRAL: submission.self_referral},
        on=today,
    )
    referral = Referral(
        strand=strand,
        person_id=person.id,
        is_self_referral=submission.self_referral,
        org_type=None if submission.self_referral else submission.org_type,
        org_name=None if submission.self_referral else _clean(submission.org_name),
        referrer_name=None if submission.self_referral else _clean(submission.referrer_name),
        referrer_role=None if submission.self_referral else _clean(submission.referrer_role),
        referrer_email=None if submission.self_referral else _clean(submission.referrer_email),
        referrer_phone=None if submission.self_referral else _clean(submission.referrer_phone),
        first_name=submission.first_name.strip(),
        last_name=submission.last_name.strip(),
        date_of_birth=submission.date_of_birth,
        email=_clean(submission.email),
        phone=_clean(submission.phone),
        preferred_contact=submission.preferred_contact,
        housing_situation=submission.housing_situation,
        address_line_1=_clean(submission.address_line_1),
        address_line_2=_clean(submission.address_line_2),
        town=_clean(submission.town),
        postcode=_clean(submission.postcode),
        safe_tonight=submission.safe_tonight,
        reason=submission.reason.strip(),
        leaving_date=submission.leaving_date,
        household=[m.as_dict() for m in submission.household],
        support_needs=_clean(submission.support_needs),
        consent_to_referral=True,
        consent_to_share=True,
        fingerprint=fingerprint,
        submitted_at=now,
    )
    session.add(referral)
    session.flush()
    _household_of_referral(session, actor, case, person, submission, strand.reference, today)
    history.record(
        session,
        actor,
        HistoryKind.REFERRAL_RECEIVED,
        f"{'Self-referral' if submission.self_referral else 'Homeless referral'} "
        f"{strand.reference} received for {person.full_name}"
        + ("" if submission.self_referral else f" from {referral.referred_by}"),
        case_id=case.id,
        person_id=person.id,
        after={
            "strand": strand.reference,
            "self_referral": submission.self_referral,
            "organisation": referral.referred_by,
            "safe_tonight": submission.safe_tonight,
        },
    )
    if mailer is not None:
        _send_receipt(session, referral, mailer)
    return Submitted(referral, False)


def send_draft(
    session: Session,
    draft_id: str,
    submission: ReferralSubmission,
    *,
    mailer: Mailer | None,
    client: str | None,
) -> Submitted:
    """Send the referral a portal journey's draft holds, and forget the draft. Deleting the
    draft first makes a second "Send" of the same answers wait for this one, then find it as a
    duplicate."""
    drafts.consume(session, draft_id)
    return submit_referral(session, submission, mailer=mailer, client=client)


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def _actor(s: ReferralSubmission) -> Actor:
    if s.self_referral:
        return Actor.referrer(f"{s.first_name} {s.last_name} (self-referral)")
    return Actor.referrer(f"{s.referrer_name} ({s.org_name})")


def find_person(
    session: Session,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    *,
    on: dt.date | None = None,
) -> Person | None:
    """The person with this name (case ignored) and date of birth; when several match, the one
    on an active case, else the oldest record."""
    matches = list(
        session.scalars(
            select(Person)
            .where(
                func.lower(Person.first_name) == first_name.strip().lower(),
                func.lower(Person.last_name) == last_name.strip().lower(),
                Person.date_of_birth == date_of_birth,
            )
            .order_by(Person.id)
        )
    )
    if not matches:
        return None
    today = on or clock.today()
    for person in matches:
        if active_case_of(session, person.id, today) is not None:
            return person
    return matches[0]


def active_case_of(session: Session, person_id: int, on: dt.date) -> Case | None:
    """The newest active case the person is a current member of on `on`."""
    return session.scalars(
        select(Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(
            CasePerson.person_id == person_id,
            Case.status == CaseStatus.ACTIVE.value,
            CasePerson.member_on(on),
        )
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    ).first()


def referral_team_id(session: Session) -> int | None:
    """The council's chosen team for new referral cases (setting "referrals.team_id"), else the
    first active team that holds cases."""
    chosen = get_setting(session, TEAM_SETTING)
    if isinstance(chosen, int):
        team = session.get(Team, chosen)
        if team is not None and team.active and team.allows_cases:
            return team.id
    return session.scalar(
        select(Team.id).where(Team.active, Team.allows_cases).order_by(Team.id).limit(1)
    )


def split_name(name: str, family_name: str) -> tuple[str, str]:
    """A household member's "full name" as a referrer typed it, as first and last names: the
    last word is the last name; a single name takes the family name of the person referred."""
    words = name.split()
    if len(words) <= 1:
        return (words[0] if words else name.strip(), family_name)
    return " ".join(words[:-1]), words[-1]


def _household_of_referral(
    session: Session,
    actor: Actor,
    case: Case,
    person: Person,
    s: ReferralSubmission,
    reference: str,
    today: dt.date,
) -> None:
    """The people a referral names become people on the case (found by name and date of birth,
    or already on it by name, else created), each with their relationship; the bedroom need is
    worked out again if the case has an assessment."""
    added = []
    for member in s.household:
        first, last = split_name(member.name, person.last_name)
        wanted = (search_name(first), search_name(last))
        on_case = next(
            (
                cp.person
                for cp in case.people
                if (search_name(cp.person.first_name), search_name(cp.person.last_name)) == wanted
                and (member.date_of_birth in (None, cp.person.date_of_birth))
            ),
            None,
        )
        if on_case is not None:
            continue
        found = (
            find_person(session, first, last, member.date_of_birth, on=today)
            if member.date_of_birth
            else None
        )
        joining = found or people.create_person(
            session,
            actor,
            first_name=first,
            last_name=last,
            date_of_birth=member.date_of_birth,
            sex=relationships.sex_implied_by(member.relationship),
            source=f"named in homeless referral {reference}",
            case_id=case.id,
        )
        primary = case.primary
        referred_is_primary = primary is not None and primary.person_id == person.id
        to_primary = member.relationship if referred_is_primary else "Other relative"
        household.join(session, actor, case, joining, relationship=to_primary, date_joined=today)
        if not referred_is_primary:  # (otherwise joining recorded it)
            relationships.record_from_case(
                session, actor, person, joining, member.relationship, case_id=case.id
            )
        added.append(joining.full_name)
    if added:
        assessments.recalculate(
            session,
            actor,
            case,
            cause=assessments.HOUSEHOLD_CHANGE,
            cause_detail=f"Homeless referral {reference} named {', '.join(added)}",
            on=today,
        )


def _create_person(session: Session, actor: Actor, s: ReferralSubmission, today: dt.date) -> Person:
    address = None
    if s.housing_situation == "address" and s.address_line_1:
        address = people.NewAddress(
            line_1=s.address_line_1.strip(),
            line_2=_clean(s.address_line_2),
            town=_clean(s.town),
            postcode=_clean(s.postcode),
            date_from=today,
        )
    return people.create_person(
        session,
        actor,
        first_name=s.first_name,
        last_name=s.last_name,
        date_of_birth=s.date_of_birth,
        email=_clean(s.email),
        phone=_clean(s.phone),
        preferred_contact=s.preferred_contact,
        address=address,
        source="from a homeless referral",
    )
