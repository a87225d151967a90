"""From a case's household on a date to the bedroom calculator's input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.assessments.model import CARER_RELATIONSHIP, PREGNANCY_GRACE, MissingDateOfBirth, _and
from domain.bedrooms import (
    Occupant,
)
from domain.clock import long_date
from domain.household_rules import LinkLike, PersonLike
from domain.models import Case

# --------------------------------------------------------------------------------------------
# From the household to the calculator's input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdInput:
    """What the calculator is given for a household on a date, and what it is told about it."""

    occupants: tuple[Occupant, ...]
    overnight_carer: bool
    snapshot: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


def is_carer(link: LinkLike) -> bool:
    return not link.is_primary and link.relationship_to_primary == CARER_RELATIONSHIP


def is_pregnant_on(person: PersonLike, on: dt.date) -> bool:
    due = person.pregnancy_due_date
    return due is not None and on <= due + PREGNANCY_GRACE


def household_for(case: Case, on: dt.date) -> HouseholdInput:
    """The calculator's input for the household of a loaded case on `on` (see module notes)."""
    return household_of(case.people, on)


def household_of(links: Sequence[LinkLike], on: dt.date) -> HouseholdInput:
    """The calculator's input for a household (the case's records, or an in-memory copy of them
    as a change would leave them) on `on`."""
    members = [link for link in links if link.is_member_on(on)]
    carers = [link for link in members if is_carer(link)]
    counted = [link for link in members if not is_carer(link)]
    missing = [link.person.full_name for link in counted if link.person.date_of_birth is None]
    if missing:
        raise MissingDateOfBirth(
            "Record the date of birth of "
            + _and(missing)
            + " before the bedroom need can be worked out"
        )
    by_person = {link.person_id: link for link in counted}
    notes: list[str] = []
    partner_of: dict[int, int] = {}
    for link in counted:
        partner_id = link.partner_person_id
        if partner_id is None:
            continue
        name = link.person.full_name
        partner = by_person.get(partner_id)
        if partner_id == link.person_id:
            notes.append(f"{name} is recorded as their own partner, so is counted as single.")
        elif partner is None:
            notes.append(
                f"{name}'s recorded partner is not counted in the household on "
                f"{long_date(on)}, so {name} is counted as single."
            )
        elif partner.partner_person_id != link.person_id:
            notes.append(
                f"{name} names {partner.person.full_name} as partner but the link is not "
                f"recorded both ways, so neither is counted as a couple until it is."
            )
        else:
            partner_of[link.person_id] = partner_id

    occupants: list[Occupant] = []
    snapshot: list[dict[str, Any]] = []
    for link in counted:
        person = link.person
        assert person.date_of_birth is not None
        pregnant = is_pregnant_on(person, on)
        partner_id = partner_of.get(person.id)
        occupant = Occupant(
            id=str(person.id),
            born=person.date_of_birth,
            sex=person.sex,
            partner=str(partner_id) if partner_id is not None else None,
            cannot_share=person.cannot_share_bedroom,
            pregnant=pregnant,
            due=person.pregnancy_due_date if pregnant else None,
        )
        occupants.append(occupant)
        snapshot.append(
            _snapshot_entry(
                link,
                counted=True,
                partner=occupant.partner,
                flags={
                    "cannot_share": occupant.cannot_share,
                    "pregnant": pregnant,
                    "due": occupant.due.isoformat() if occupant.due else None,
                },
            )
        )
    for link in carers:
        snapshot.append(
            _snapshot_entry(link, counted=False, partner=None, flags={"overnight_carer": True})
        )
        notes.append(
            f"{link.person.full_name} is the household's overnight carer: not counted as an "
            "occupant; a room for an overnight carer is asked for."
        )
    return HouseholdInput(tuple(occupants), bool(carers), tuple(snapshot), tuple(notes))


def _snapshot_entry(
    link: LinkLike, *, counted: bool, partner: str | None, flags: dict[str, Any]
) -> dict[str, Any]:
    person = link.person
    return {
        "id": str(person.id),
        "person_id": person.id,
        "name": person.full_name,
        "born": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "sex": person.sex,
        "relationship": link.relationship_to_primary,
        "partner": partner,
        "counted": counted,
        "flags": flags,
    }


def occupants_for(case: Case, on: dt.date) -> list[Occupant]:
    """The people counted in the household of `case` on `on`, as the calculator's occupants."""
    return list(household_for(case, on).occupants)


__all__ = [
    "HouseholdInput",
    "household_for",
    "household_of",
    "is_carer",
    "is_pregnant_on",
    "occupants_for",
]
