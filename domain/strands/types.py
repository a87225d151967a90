"""Strand types as data: names, reference prefixes, cardinality rules and statuses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.errors import RuleBroken

ONE_OPEN_PER_CASE = "one_open_per_case"
ONE_CURRENT_PER_PRIMARY_APPLICANT = "one_current_per_primary_applicant"
MANY = "many"
CARDINALITIES = (ONE_OPEN_PER_CASE, ONE_CURRENT_PER_PRIMARY_APPLICANT, MANY)

HOUSING_REGISTER = "housing_register"
BEDROOM_ASSESSMENT = "bedroom_assessment"
HOMELESS_APPLICATION = "homeless_application"
HOMELESS_LEGACY_APPLICATION = "homeless_legacy_application"
HEALTH_ASSESSMENT = "health_assessment"
RISK_ASSESSMENT = "risk_assessment"
REVIEW = "review"
HOMELESS_REFERRAL = "homeless_referral"
FINANCIAL_ASSISTANCE = "financial_assistance"
ROUGH_SLEEPER = "rough_sleeper"

# Every type can be closed because its strand moved to another case (SPEC C7).
CLOSED_MOVED = "Closed (moved)"

_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_PREFIX = re.compile(r"^[A-Z]{2,4}$")


# --------------------------------------------------------------------------------------------
# Types as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrandStatus:
    """One status of a strand type; `is_open` says whether a strand in it counts as open;
    `public` is what the applicant is told (the label itself when it is already plain)."""

    label: str
    is_open: bool
    public: str | None = None

    @property
    def public_text(self) -> str:
        return self.public or self.label


@dataclass(frozen=True)
class StrandType:
    """A kind of application or assessment: its name, reference prefix, rule and statuses.

    The first open status is where a new strand starts. `also_opens` lists the codes of types
    opened on the case alongside this one when the case has no open strand of that type.
    """

    code: str
    name: str
    prefix: str
    cardinality: str
    statuses: tuple[StrandStatus, ...]
    also_opens: tuple[str, ...] = ()
    # What to do when a strand of the type opens, as "module:function" — called with
    # (session, actor, strand, opened_with, on). Named, not imported, so this module needs
    # nothing from the modules that build on it (the bedroom assessment's first calculation).
    on_open: str | None = None

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"Strand type code {self.code!r} must be lower_snake_case")
        if not self.name.strip():
            raise ValueError(f"Strand type {self.code!r} needs a name")
        if not _PREFIX.match(self.prefix):
            raise ValueError(
                f"Strand type {self.code!r}: prefix {self.prefix!r} must be 2-4 capitals"
            )
        if self.cardinality not in CARDINALITIES:
            raise ValueError(
                f"Strand type {self.code!r}: unknown cardinality rule {self.cardinality!r}"
            )
        labels = [status.label for status in self.statuses]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Strand type {self.code!r} lists a status twice")
        if not any(status.is_open for status in self.statuses):
            raise ValueError(f"Strand type {self.code!r} needs at least one open status")
        if not any(not status.is_open for status in self.statuses):
            raise ValueError(f"Strand type {self.code!r} needs at least one closed status")
        if any(not label.strip() or len(label) > 60 for label in labels):
            raise ValueError(f"Strand type {self.code!r}: status labels are 1 to 60 characters")

    @property
    def initial_status(self) -> str:
        return next(status.label for status in self.statuses if status.is_open)

    @property
    def open_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if status.is_open)

    @property
    def closed_statuses(self) -> tuple[str, ...]:
        return tuple(status.label for status in self.statuses if not status.is_open)

    def status(self, label: str) -> StrandStatus:
        for status in self.statuses:
            if status.label == label:
                return status
        raise RuleBroken(f"{label!r} is not a status of a {self.name}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StrandType:
        """Build a type from plain data, e.g. a council's own generic strand type in JSON::

            {"code": "tenancy_sustainment", "name": "Tenancy sustainment", "prefix": "TS",
             "cardinality": "many", "open": ["Referred", "Supporting"], "closed": ["Ended"]}

        "Closed (moved)" is added to the closed statuses when it is not listed.
        """
        try:
            open_labels = [str(label) for label in data["open"]]
            closed_labels = [str(label) for label in data["closed"]]
            if CLOSED_MOVED not in closed_labels:
                closed_labels.append(CLOSED_MOVED)
            return cls(
                code=str(data["code"]),
                name=str(data["name"]),
                prefix=str(data["prefix"]),
                cardinality=str(data.get("cardinality", MANY)),
                statuses=_statuses(open_labels, closed_labels),
                also_opens=tuple(str(code) for code in data.get("also_opens", ())),
            )
        except KeyError as missing:
            raise ValueError(f"Strand type definition is missing {missing}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "prefix": self.prefix,
            "cardinality": self.cardinality,
            "open": list(self.open_statuses),
            "closed": list(self.closed_statuses),
            "also_opens": list(self.also_opens),
        }


# What applicants are told for statuses whose labels are officers' shorthand.
PUBLIC_WORDING: dict[str, str] = {
    "Awaiting information": "We are waiting for information from you",
    "Assessment": "We are assessing your application",
    "Active on register": "You are on the housing register",
    "Not eligible": "You do not qualify to join the register",
    CLOSED_MOVED: "Moved to another case",
    "Initial assessment": "We are looking at your situation",
    "Prevention duty": "We are helping you to stay in your home",
    "Relief duty": "We are helping you to find somewhere to live",
    "Main duty decision": "We are deciding whether we must house you",
}


def _statuses(open_labels: list[str], closed_labels: list[str]) -> tuple[StrandStatus, ...]:
    return tuple(
        [StrandStatus(label, True, PUBLIC_WORDING.get(label)) for label in open_labels]
        + [StrandStatus(label, False, PUBLIC_WORDING.get(label)) for label in closed_labels]
    )


def _type(
    code: str,
    name: str,
    prefix: str,
    cardinality: str,
    open_labels: list[str],
    closed_labels: list[str],
    also_opens: tuple[str, ...] = (),
    on_open: str | None = None,
) -> StrandType:
    return StrandType(
        code,
        name,
        prefix,
        cardinality,
        _statuses(open_labels, closed_labels),
        also_opens,
        on_open,
    )


_BUILT_IN = (
    _type(
        HOUSING_REGISTER,
        "Housing Register application",
        "HR",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Application received", "Awaiting information", "Assessment", "Active on register"],
        ["Housed", "Cancelled", "Not eligible", CLOSED_MOVED],
        also_opens=(BEDROOM_ASSESSMENT,),
    ),
    _type(
        BEDROOM_ASSESSMENT,
        "Bedroom assessment",
        "BA",
        ONE_OPEN_PER_CASE,
        ["Active"],
        ["Closed", CLOSED_MOVED],
        on_open="domain.assessments.service:first_calculation",
    ),
    _type(
        HOMELESS_APPLICATION,
        "Homeless application",
        "HA",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Initial assessment", "Prevention duty", "Relief duty", "Main duty decision"],
        ["Main duty accepted", "Duty ended", "Withdrawn", CLOSED_MOVED],
    ),
    _type(
        HOMELESS_LEGACY_APPLICATION,
        "Homeless (legacy) application",
        "HL",
        ONE_CURRENT_PER_PRIMARY_APPLICANT,
        ["Open", "Decision pending"],
        ["Decision made", "Closed", CLOSED_MOVED],
    ),
    _type(
        HEALTH_ASSESSMENT,
        "Health assessment",
        "HE",
        MANY,
        ["Requested", "In progress"],
        ["Completed", "Cancelled", CLOSED_MOVED],
    ),
    _type(
        RISK_ASSESSMENT,
        "Risk assessment",
        "RA",
        MANY,
        ["Requested", "In progress"],
        ["Completed", "Cancelled", CLOSED_MOVED],
    ),
    _type(
        REVIEW,
        "Review",
        "RV",
        MANY,
        ["Requested", "In progress"],
        ["Decision upheld", "Decision changed", "Withdrawn", CLOSED_MOVED],
    ),
    _type(
        HOMELESS_REFERRAL,
        "Homeless referral",
        "RF",
        MANY,
        [
            "01 Referral Entered",
            "02 Contact Client",
            "03 Triage",
            "04 IAG only",
            "05 HNA booked",
            "08 HNA completed",
            "98 Closure",
        ],
        ["Closed", CLOSED_MOVED],
    ),
    _type(
        FINANCIAL_ASSISTANCE,
        "Financial assistance",
        "FA",
        ONE_OPEN_PER_CASE,
        ["Requested", "Approved"],
        ["Paid", "Declined", CLOSED_MOVED],
    ),
    _type(
        ROUGH_SLEEPER,
        "Rough sleeper",
        "RS",
        ONE_OPEN_PER_CASE,
        ["Seen rough sleeping", "Engaged"],
        ["Accommodated", "Lost contact", CLOSED_MOVED],
    ),
)

STRAND_TYPES: dict[str, StrandType] = {strand_type.code: strand_type for strand_type in _BUILT_IN}


def register_strand_type(strand_type: StrandType) -> StrandType:
    """Add a strand type (e.g. a council's generic one built with `StrandType.from_dict`)."""
    if strand_type.code in STRAND_TYPES:
        raise ValueError(f"There is already a strand type {strand_type.code!r}")
    if any(other.prefix == strand_type.prefix for other in STRAND_TYPES.values()):
        raise ValueError(f"The reference prefix {strand_type.prefix!r} is already used")
    unknown = [code for code in strand_type.also_opens if code not in STRAND_TYPES]
    if unknown:
        raise ValueError(f"Strand type {strand_type.code!r} opens unknown types {unknown}")
    STRAND_TYPES[strand_type.code] = strand_type
    return strand_type


def strand_type(code: str) -> StrandType:
    try:
        return STRAND_TYPES[code]
    except KeyError:
        raise RuleBroken(f"{code!r} is not a kind of application or assessment") from None
