"""A referral as it was sent, and the vocabulary of the referral form."""

from __future__ import annotations

import datetime as dt
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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import Base, created_timestamp, intpk
from domain.errors import RuleBroken, TooManyAttempts
from domain.models import Person
from domain.strands import Strand

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
