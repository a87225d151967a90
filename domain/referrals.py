"""Homeless referrals (the Duty to Refer) and self-referrals.

A public body (or the person themselves) sends a referral from the portal. :func:`submit_referral`
refuses it without both consents, recognises a repeat of the same referral within minutes, and
is throttled per client address. Otherwise it finds the person (same first and last name, case
ignored, and the same date of birth) or creates them, uses the active case they are a current
member of or opens one, opens a *Homeless referral* strand at "01 Referral Entered", keeps the
referral as it was sent, writes history, and queues the receipt email with a signed link to the
referral's progress page.

The progress page reads :func:`progress`, which carries only the reference, the status in plain
words, dates and the outcome — nothing beyond what the referrer sent.

Officers work the strand through :mod:`domain.workflows`. :func:`record_action` and
:func:`move` wrap the workflow's functions to tell the referrer: "Update referrer" and closing
the referral each queue an email. `Referral.outcome` is the outcome the referrer was told when
the referral closed (the strand's Primary outcome at that moment); reopening clears it.

Answers of the portal journey are kept between pages in a server-side :class:`ReferralDraft`
(a referral can be longer than a signed session cookie may hold); the session names the draft.

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from domain import clock, drafts, history, household, paging, people, throttle, workflows
from domain.accounts import Mailer
from domain.base import Base, created_timestamp, intpk, utcnow
from domain.council_settings import get_setting
from domain.errors import NotFound, RuleBroken, TooManyAttempts
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, Person, Team
from domain.outbox import queue_email
from domain.strands import HOMELESS_REFERRAL, Strand, open_strand
from domain.tokens import LinkInvalid, make_signed, read_signed
from domain.vocab import CaseStatus

# Bodies with the duty to refer (Homelessness (Review Procedure etc.) Regulations 2018), or other.
ORGANISATION_TYPES: tuple[tuple[str, str], ...] = (
    ("prison", "Prison"),
    ("young_offender_institution", "Young offender institution"),
    ("secure_training_centre", "Secure training centre"),
    ("secure_college", "Secure college"),
    ("youth_offending_team", "Youth offending team"),
    ("probation", "Probation service"),
    ("jobcentre_plus", "Jobcentre Plus"),
    ("social_services", "Social services (adult or children's)"),
    ("emergency_department", "Hospital emergency department"),
    ("urgent_treatment_centre", "Urgent treatment centre"),
    ("hospital_inpatient", "Hospital providing inpatient care"),
    ("armed_forces", "The armed forces"),
    ("other", "Other organisation"),
)
HOUSING_SITUATIONS: tuple[tuple[str, str], ...] = (
    ("address", "At an address"),
    ("no_fixed_address", "No fixed address"),
    ("sleeping_rough", "Sleeping rough"),
)
SAFE_TONIGHT: tuple[tuple[str, str], ...] = (
    ("yes", "Yes"),
    ("no", "No"),
    ("not_known", "Not known"),
)
THROUGH_REFERRER = "Through the referrer"
CONTACT_METHODS = ("Phone", "Text message", "Email", THROUGH_REFERRER)
SELF_CONTACT_METHODS = ("Phone", "Text message", "Email")

DUPLICATE_WINDOW = dt.timedelta(minutes=10)
DRAFT_MAX_AGE = dt.timedelta(days=1)
STATUS_LINK_SALT = "referral-status"
STATUS_LINK_MAX_AGE = 180 * 24 * 3600
TEAM_SETTING = "referrals.team_id"
HOUSEHOLD_MAX = 12
TEXT_MAX = 2000

_ORG_LABELS = dict(ORGANISATION_TYPES)
_SITUATION_LABELS = dict(HOUSING_SITUATIONS)
_SAFE_LABELS = dict(SAFE_TONIGHT)


def organisation_label(code: str | None) -> str:
    return _ORG_LABELS.get(code or "", "")


def situation_label(code: str | None) -> str:
    return _SITUATION_LABELS.get(code or "", "")


def safe_tonight_label(code: str | None) -> str:
    return _SAFE_LABELS.get(code or "", "")


class ConsentMissing(RuleBroken):
    """A referral needs the person's consent to be referred and to share contact details."""


class ReferralThrottled(TooManyAttempts):
    """Too many referrals from one client address (or one referrer) within the hour."""


CONSENT_MESSAGE = (
    "We cannot accept a referral unless the person agrees to be referred and agrees to their "
    "contact details being shared with the council. Nothing has been sent. If they need help "
    "now, they can contact the council's housing options team themselves."
)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


class Referral(Base):
    """A referral as it was sent, attached to the Homeless referral strand it opened."""

    __tablename__ = "referral"

    id: Mapped[intpk]
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    is_self_referral: Mapped[bool] = mapped_column(Boolean, default=False)
    # The referrer (empty for a self-referral).
    org_type: Mapped[str | None] = mapped_column(String(40))
    org_name: Mapped[str | None] = mapped_column(String(200))
    referrer_name: Mapped[str | None] = mapped_column(String(200))
    referrer_role: Mapped[str | None] = mapped_column(String(100))
    referrer_email: Mapped[str | None] = mapped_column(String(320))
    referrer_phone: Mapped[str | None] = mapped_column(String(40))
    # The person, as the referrer described them.
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_contact: Mapped[str] = mapped_column(String(40))
    housing_situation: Mapped[str] = mapped_column(String(20))
    address_line_1: Mapped[str | None] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    safe_tonight: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    leaving_date: Mapped[dt.date | None] = mapped_column(Date)  # discharge, release, eviction…
    household: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    support_needs: Mapped[str | None] = mapped_column(Text)
    consent_to_referral: Mapped[bool] = mapped_column(Boolean)
    consent_to_share: Mapped[bool] = mapped_column(Boolean)
    fingerprint: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[created_timestamp]
    outcome: Mapped[str | None] = mapped_column(String(200))  # as told to the referrer

    strand: Mapped[Strand] = relationship()
    person: Mapped[Person] = relationship()

    __table_args__ = (
        Index("ix_referral_fingerprint_submitted_at", "fingerprint", "submitted_at"),
        Index("ix_referral_person_id", "person_id"),
        CheckConstraint("consent_to_referral AND consent_to_share", name="never_without_consent"),
    )

    @property
    def reference(self) -> str:
        return self.strand.reference

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def referred_by(self) -> str:
        if self.is_self_referral:
            return "Self-referral"
        return self.org_name or organisation_label(self.org_type)

    @property
    def contact_email(self) -> str | None:
        """Where updates go: the referrer, or the person for a self-referral."""
        return self.email if self.is_self_referral else self.referrer_email


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


# --------------------------------------------------------------------------------------------
# The referrer's progress page and emails
# --------------------------------------------------------------------------------------------


def status_token(secret: str, referral: Referral) -> str:
    return make_signed(secret, STATUS_LINK_SALT, {"r": referral.id})


def referral_from_token(session: Session, secret: str, token: str) -> Referral:
    """Raises domain.tokens.LinkInvalid or LinkExpired, or NotFound if the referral is gone."""
    data = read_signed(secret, STATUS_LINK_SALT, token, STATUS_LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise LinkInvalid()
    referral = session.get(Referral, data["r"])
    if referral is None:
        raise NotFound("This referral is no longer held by the council.")
    return referral


@dataclass(frozen=True)
class Progress:
    """All the progress page shows: nothing beyond what the referrer sent."""

    reference: str
    self_referral: bool
    received_at: dt.datetime
    status: str
    updated_at: dt.datetime
    closed: bool
    closed_at: dt.datetime | None
    outcome: str | None


def progress(session: Session, referral: Referral) -> Progress:
    strand = referral.strand
    workflow = workflows.workflow_of(strand)
    last_move = session.scalar(
        select(func.max(workflows.StrandMove.moved_at)).where(
            workflows.StrandMove.strand_id == strand.id
        )
    )
    closed = not strand.is_open
    status = (
        workflow.status(strand.status).public_label
        if strand.status in {s.label for s in workflow.statuses}
        else "Closed"
    )
    return Progress(
        reference=strand.reference,
        self_referral=referral.is_self_referral,
        received_at=referral.submitted_at,
        status=status,
        updated_at=last_move or referral.submitted_at,
        closed=closed,
        closed_at=strand.closed_at if closed else None,
        outcome=referral.outcome if closed else None,
    )


def _progress_lines(referral: Referral, mailer: Mailer) -> str:
    link = mailer.link("referral_status", status_token(mailer.secret, referral))
    return (
        "See the progress of this referral (its status, dates and outcome):\n\n"
        f"{link}\n\n"
        "The link works for 180 days. Anyone with it can see the referral's status, so do not "
        "forward this email."
    )


def _send_receipt(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    if referral.is_self_referral:
        opening = (
            f"{mailer.council_name} has received your request for help with housing.\n\n"
            f"Your reference is {reference}.\n\n"
            "A housing officer will contact you to talk about your situation and what help you "
            "can get. If you have nowhere safe to stay tonight, call the council's housing "
            "options team. If you are in danger, call 999."
        )
    else:
        opening = (
            f"{mailer.council_name} has received your homeless referral.\n\n"
            f"The reference is {reference}.\n\n"
            "A housing officer will acknowledge it, then contact the person you referred. We "
            "will email you when the referral has been processed and when it is closed."
        )
    queue_email(
        session,
        to=to,
        subject=f"Referral {reference} received – {mailer.service_name}",
        body=f"{opening}\n\n{_progress_lines(referral, mailer)}",
        kind="referral.receipt",
        case_id=referral.strand.case_id,
    )


def _send_update(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    whom = "you" if referral.is_self_referral else "the person you referred"
    queue_email(
        session,
        to=to,
        subject=f"Update on referral {reference} – {mailer.service_name}",
        body=(
            f"{mailer.council_name} has processed referral {reference}. A housing officer "
            f"will now contact {whom} to find out what help is needed.\n\n"
            f"{_progress_lines(referral, mailer)}"
        ),
        kind="referral.update",
        case_id=referral.strand.case_id,
    )


def _send_closed(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    queue_email(
        session,
        to=to,
        subject=f"Referral {reference} closed – {mailer.service_name}",
        body=(
            f"{mailer.council_name} has closed referral {reference}.\n\n"
            f"Outcome: {referral.outcome or 'not recorded'}\n\n"
            f"{_progress_lines(referral, mailer)}"
        ),
        kind="referral.closed",
        case_id=referral.strand.case_id,
    )


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
        referral.outcome = None
        session.flush()
    return record


def list_referrals(
    session: Session, *, after: str | None = None, size: int = 50
) -> paging.Page[Referral]:
    """Referrals newest first, a page at a time (`after`: the previous page's cursor)."""
    return paging.fetch(
        session,
        select(Referral).options(joinedload(Referral.strand).joinedload(Strand.case)),
        (paging.SortKey(Referral.id, descending=True),),
        cursor=after,
        size=size,
        values_of=lambda referral: (referral.id,),
    )


__all__ = [
    "CONSENT_MESSAGE",
    "ORGANISATION_TYPES",
    "ConsentMissing",
    "HouseholdMember",
    "Progress",
    "Referral",
    "ReferralSubmission",
    "ReferralThrottled",
    "Submitted",
    "active_case_of",
    "check_submission",
    "find_person",
    "list_referrals",
    "move",
    "progress",
    "record_action",
    "referral_from_token",
    "referral_of",
    "send_draft",
    "status_token",
    "submit_referral",
]
