"""Each policy as rules (ages, sharing, extra rooms); ages, pregnancy and input checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.bedrooms.model import (
    SEXES,
    UNBORN_SUFFIX,
    BedroomInputError,
    BornAfterAssessmentDate,
    DuplicateOccupant,
    InvalidOccupant,
    InvalidSex,
    LocalPolicy,
    Occupant,
    PartnerNotInHousehold,
    PartnerNotReciprocal,
    UnknownPolicy,
)

# --------------------------------------------------------------------------------------------
# Policies as rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rules:
    """The thresholds and allowances of one policy, in a single shape for the calculator."""

    name: str
    own_room_age: int
    any_sex_under: int
    same_sex_under: int
    cannot_share: bool
    carer_room: bool
    foster_room: bool
    pregnancy_from_week: int | None = None
    lone_parent_child_under: int | None = None
    max_bedrooms: int | None = None


_BEDROOM_STANDARD = _Rules(
    name="bedroom-standard",
    own_room_age=21,
    any_sex_under=10,
    same_sex_under=21,
    cannot_share=False,
    carer_room=False,
    foster_room=False,
)

_SIZE_CRITERIA = _Rules(
    name="size-criteria",
    own_room_age=16,
    any_sex_under=10,
    same_sex_under=16,
    cannot_share=True,
    carer_room=True,
    foster_room=True,
)


def _rules_for(policy: str, local: LocalPolicy | None) -> _Rules:
    if policy == "bedroom-standard":
        return _BEDROOM_STANDARD
    if policy == "size-criteria":
        return _SIZE_CRITERIA
    if policy == "local":
        settings = local if local is not None else LocalPolicy()
        return _Rules(
            name="local",
            own_room_age=settings.own_room_age,
            any_sex_under=settings.any_sex_sharing_under,
            same_sex_under=settings.same_sex_sharing_under,
            cannot_share=settings.cannot_share_room,
            carer_room=settings.overnight_carer_room,
            foster_room=settings.foster_carer_room,
            pregnancy_from_week=settings.count_pregnancy_from_week,
            lone_parent_child_under=settings.lone_parent_shares_with_child_under,
            max_bedrooms=settings.max_bedrooms,
        )
    raise UnknownPolicy(policy)


# --------------------------------------------------------------------------------------------
# Ages, pregnancy and validation
# --------------------------------------------------------------------------------------------


def pregnancy_week(due: date, on: date) -> int:
    """Week of pregnancy on ``on``: 40 minus the whole weeks left until ``due``.

    After the due date the week keeps rising (41, 42, ...).
    """
    days = (due - on).days
    whole_weeks = days // 7 if days >= 0 else -((-days) // 7)
    return 40 - whole_weeks


def _is_plain_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _validate(household: Sequence[Occupant], on: date) -> None:
    """Raise the first problem found with the household, naming the person concerned."""
    if not _is_plain_date(on):
        raise BedroomInputError("The assessment date must be a date")
    by_id: dict[str, Occupant] = {}
    for person in household:
        _validate_person(person, on)
        if person.id in by_id:
            raise DuplicateOccupant(
                f"Two occupants have the id {person.id!r}", occupant_id=person.id
            )
        by_id[person.id] = person
    for person in household:
        if person.pregnant and person.id + UNBORN_SUFFIX in by_id:
            unborn = person.id + UNBORN_SUFFIX
            raise DuplicateOccupant(
                f"The id {unborn!r} is kept for the expected baby of {person.id!r}",
                occupant_id=unborn,
            )
        _validate_partner(person, by_id)


def _validate_person(person: Occupant, on: date) -> None:
    if not isinstance(person, Occupant):
        raise InvalidOccupant(f"Expected an Occupant, got {type(person).__name__}")
    if not isinstance(person.id, str) or not person.id:
        raise InvalidOccupant("Every occupant needs a non-empty text id", occupant_id=None)
    who = person.id
    if not _is_plain_date(person.born):
        raise InvalidOccupant(
            f"Occupant {who!r} has a date of birth that is not a date", occupant_id=who
        )
    if person.due is not None and not _is_plain_date(person.due):
        raise InvalidOccupant(
            f"Occupant {who!r} has a due date that is not a date", occupant_id=who
        )
    if person.partner is not None and not isinstance(person.partner, str):
        raise InvalidOccupant(f"Occupant {who!r} has a partner that is not an id", occupant_id=who)
    if person.sex not in SEXES:
        raise InvalidSex(
            f"Occupant {who!r} has sex {person.sex!r}; expected 'F', 'M' or 'X'", occupant_id=who
        )
    if person.born > on:
        raise BornAfterAssessmentDate(
            f"Occupant {who!r} was born on {person.born.isoformat()}, "
            f"after the assessment date {on.isoformat()}",
            occupant_id=who,
        )


def _validate_partner(person: Occupant, by_id: Mapping[str, Occupant]) -> None:
    if person.partner is None:
        return
    who = person.id
    if person.partner == who:
        raise PartnerNotReciprocal(
            f"Occupant {who!r} is recorded as their own partner", occupant_id=who
        )
    partner = by_id.get(person.partner)
    if partner is None:
        raise PartnerNotInHousehold(
            f"Occupant {who!r} names partner {person.partner!r}, who is not in the household",
            occupant_id=who,
        )
    if partner.partner != who:
        raise PartnerNotReciprocal(
            f"Occupant {who!r} names {partner.id!r} as partner, "
            f"but {partner.id!r} does not name {who!r} back",
            occupant_id=who,
        )
