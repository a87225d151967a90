"""A bedroom assessment's versions, why each was made, and how they explain themselves."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import Base, created_timestamp, intpk, json_data, one_of
from domain.bedrooms import (
    UNBORN_SUFFIX,
    BedroomNeed,
)
from domain.errors import RuleBroken
from domain.models import User
from domain.strands import Strand


class Cause(StrEnum):
    """Why a version was made."""

    APPLICATION = "application"
    HOUSEHOLD_CHANGE = "household_change"
    BIRTHDAY = "birthday"
    PREGNANCY_DUE = "pregnancy_due"
    OFFICER_RECALCULATION = "officer_recalculation"
    POLICY_CHANGE = "policy_change"
    OVERRIDE = "override"

    @property
    def label(self) -> str:
        return CAUSE_LABELS[self]


CAUSE_LABELS: dict[Cause, str] = {
    Cause.APPLICATION: "Application opened",
    Cause.HOUSEHOLD_CHANGE: "Household change",
    Cause.BIRTHDAY: "Birthday",
    Cause.PREGNANCY_DUE: "Pregnancy",
    Cause.OFFICER_RECALCULATION: "Officer recalculation",
    Cause.POLICY_CHANGE: "Council policy change",
    Cause.OVERRIDE: "Officer override",
}

APPLICATION = Cause.APPLICATION
HOUSEHOLD_CHANGE = Cause.HOUSEHOLD_CHANGE
BIRTHDAY = Cause.BIRTHDAY
PREGNANCY_DUE = Cause.PREGNANCY_DUE
OFFICER_RECALCULATION = Cause.OFFICER_RECALCULATION
POLICY_CHANGE = Cause.POLICY_CHANGE
OVERRIDE = Cause.OVERRIDE
CAUSES = tuple(Cause)
# Automatic causes store a version only when the need changed. A household change (an accepted
# pending change, or an officer's edit) always stores one, so the assessment cites the change.
AUTOMATIC_CAUSES = frozenset({BIRTHDAY, PREGNANCY_DUE})

CARER_RELATIONSHIP = "Carer"
PREGNANCY_GRACE = dt.timedelta(days=14)
THRESHOLD_AGES = (10, 16, 21)
MAX_OVERRIDE_BEDROOMS = 15

BEDROOM_POLICY_KEY = "bedroom_policy"
BEDROOM_LOCAL_POLICY_KEY = "bedroom_local_policy"
DEFAULT_POLICY = "size-criteria"  # what allocations use

DAILY_JOB = "bedrooms.daily"
POLICY_CHANGE_JOB = "bedrooms.policy_change"

POLICY_NAMES = {
    "bedroom-standard": "the bedroom standard",
    "size-criteria": "the size criteria",
    "local": "the council's local policy",
}


class MissingDateOfBirth(RuleBroken):
    """Someone counted in the household has no date of birth recorded."""


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


class BedroomAssessmentVersion(Base):
    """One calculation (or override) of a bedroom assessment. Versions are never edited."""

    __tablename__ = "bedroom_assessment_version"

    id: Mapped[intpk]
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    calculated_at: Mapped[created_timestamp]
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(20))
    bedrooms: Mapped[int] = mapped_column(Integer)
    result: Mapped[json_data]
    cause: Mapped[str] = mapped_column(String(30))
    cause_detail: Mapped[str] = mapped_column(String(500))
    cause_ref: Mapped[str | None] = mapped_column(String(60))
    override_bedrooms: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    household_snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    strand: Mapped[Strand] = relationship()
    officer: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("strand_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("bedrooms >= 0", name="bedrooms_not_negative"),
        CheckConstraint(one_of("cause", Cause), name="cause_known"),
        CheckConstraint(
            f"override_bedrooms IS NULL OR "
            f"(override_bedrooms >= 0 AND override_bedrooms <= {MAX_OVERRIDE_BEDROOMS})",
            name="override_in_range",
        ),
        CheckConstraint(
            "(override_bedrooms IS NULL AND override_reason IS NULL) OR "
            "(override_bedrooms IS NOT NULL AND override_reason IS NOT NULL)",
            name="override_has_reason",
        ),
    )

    @property
    def effective_bedrooms(self) -> int:
        """The need that counts: the officer's override if there is one, else the calculation."""
        return self.override_bedrooms if self.override_bedrooms is not None else self.bedrooms

    @property
    def is_overridden(self) -> bool:
        return self.override_bedrooms is not None

    @property
    def need(self) -> BedroomNeed:
        return BedroomNeed.from_dict(self.result)

    def summary(self) -> str:
        """E.g. "3 bedrooms", or "2 bedrooms (override; calculated 3 bedrooms)"."""
        if self.override_bedrooms is None:
            return self.need.summary()
        return f"{_bedrooms(self.override_bedrooms)} (override; calculated {self.need.summary()})"

    def names(self) -> dict[str, str]:
        """Occupant id → name, from the snapshot taken at the time."""
        return {str(entry["id"]): str(entry["name"]) for entry in self.household_snapshot}

    def explanation(self) -> list[str]:
        """One line per bedroom naming who sleeps there and why, then notes, then any override."""
        names = self.names()
        need = self.need
        lines = []
        for number, room in enumerate(need.rooms, start=1):
            who = (
                f" for {_and([_name(names, i) for i in room.occupants])}" if room.occupants else ""
            )
            lines.append(f"Bedroom {number}{who}: {room.reason}")
        lines += [_with_names(names, note) for note in need.notes]
        if self.override_bedrooms is not None:
            lines.append(
                f"An officer set the need to {_bedrooms(self.override_bedrooms)}: "
                f"{self.override_reason}"
            )
        return lines

    def __repr__(self) -> str:
        return f"<BedroomAssessmentVersion strand={self.strand_id} #{self.number} {self.summary()}>"


def _bedrooms(count: int) -> str:
    return f"{count} bedroom" if count == 1 else f"{count} bedrooms"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name(names: Mapping[str, str], occupant_id: str) -> str:
    if occupant_id.endswith(UNBORN_SUFFIX):
        parent = occupant_id.removesuffix(UNBORN_SUFFIX)
        return f"the expected baby of {names.get(parent, parent)}"
    return names.get(occupant_id, occupant_id)


_QUOTED_ID = re.compile(r"'([^']+)'")


def _with_names(names: Mapping[str, str], text: str) -> str:
    """Replace the calculator's quoted ids ('12', '12/unborn') with people's names."""

    def replace(match: re.Match[str]) -> str:
        occupant_id = match.group(1)
        base = occupant_id.removesuffix(UNBORN_SUFFIX)
        return _name(names, occupant_id) if base in names else match.group(0)

    return _QUOTED_ID.sub(replace, text)


__all__ = [
    "APPLICATION",
    "AUTOMATIC_CAUSES",
    "BEDROOM_LOCAL_POLICY_KEY",
    "BEDROOM_POLICY_KEY",
    "BIRTHDAY",
    "CARER_RELATIONSHIP",
    "CAUSES",
    "CAUSE_LABELS",
    "DAILY_JOB",
    "DEFAULT_POLICY",
    "HOUSEHOLD_CHANGE",
    "MAX_OVERRIDE_BEDROOMS",
    "OFFICER_RECALCULATION",
    "OVERRIDE",
    "POLICY_CHANGE",
    "POLICY_CHANGE_JOB",
    "POLICY_NAMES",
    "PREGNANCY_DUE",
    "PREGNANCY_GRACE",
    "THRESHOLD_AGES",
    "BedroomAssessmentVersion",
    "Cause",
    "MissingDateOfBirth",
]
