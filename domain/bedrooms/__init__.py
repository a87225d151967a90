"""Bedroom need: how many bedrooms a household needs on a given date, and why.

This module is pure: it takes the people in a household and a date and returns a
:class:`BedroomNeed` that lists every bedroom, who sleeps in it and the reason. It uses only the
standard library and has no knowledge of the database or the web layer.

Three policies are available through :func:`assess`:

``"bedroom-standard"``
    The English Housing Survey measure of overcrowding. One bedroom for each couple and for each
    other person aged 21 or over. People aged 10 to 20 may share with someone of the same sex
    aged 10 to 20, or failing that with a child of the same sex under 10. Any two children under
    10 may share whatever their sex. Anyone left over has a room alone. The standard makes no
    allowance for disability, carers or fostering, and an expected baby is not counted.

``"size-criteria"``
    The size criteria used for social-sector housing benefit and the Local Housing Allowance. One
    bedroom for each couple and for each other person aged 16 or over. Two children of the same
    sex under 16 may share, and so may any two children under 10. A child who cannot share
    because of a disability has a room alone, and a couple of whom either member cannot share
    because of a disability has two rooms. One extra room is added for an overnight carer and one
    for approved foster carers. An expected baby is not counted.

``"local"``
    A council's own scheme, described by a :class:`LocalPolicy` (which can be loaded from JSON
    without code changes).

General points that apply to every policy:

* Ages are whole years on the assessment date. A person reaches a new age on their birthday;
  someone born on 29 February reaches it on 1 March in years that have no 29 February.
* The number of bedrooms is the smallest possible. Who shares with whom is found by an exact
  search (a maximum matching), not by pairing people off in turn, which can waste a room.
  When several arrangements need the same number of rooms the most natural one is chosen:
  people in the same age band and of the same sex together, then people closest in age.
* Sex is "F", "M" or "X" (not recorded, or neither). Someone recorded as "X" is never treated as
  the same sex as anyone else, so they only share where sex does not matter, which is two
  children under the any-sex age (10 unless a local policy says otherwise).
* A member who is away serving in the armed forces is still counted as living in the household,
  as the size criteria do for a member in the forces who intends to return. A note says so.
* Couples always share one room, whatever their ages (unless a disability means they cannot
  share and the policy allows for that).
* Rooms are listed in a fixed order: couples first, then other adults, then children and young
  people eldest first, then any extra rooms (overnight carer, then foster carer).
"""

from __future__ import annotations

from domain.bedrooms.assess import (
    assess,
)
from domain.bedrooms.model import (
    LOCAL_POLICY_LABELS,
    POLICIES,
    SEXES,
    UNBORN_SUFFIX,
    BedroomInputError,
    BedroomNeed,
    BornAfterAssessmentDate,
    DuplicateOccupant,
    InvalidLocalPolicy,
    InvalidOccupant,
    InvalidSex,
    LocalPolicy,
    Occupant,
    PartnerNotInHousehold,
    PartnerNotReciprocal,
    Room,
    UnknownPolicy,
)
from domain.bedrooms.rules import (
    pregnancy_week,
)

__all__ = [
    "LOCAL_POLICY_LABELS",
    "POLICIES",
    "SEXES",
    "UNBORN_SUFFIX",
    "BedroomInputError",
    "BedroomNeed",
    "BornAfterAssessmentDate",
    "DuplicateOccupant",
    "InvalidLocalPolicy",
    "InvalidOccupant",
    "InvalidSex",
    "LocalPolicy",
    "Occupant",
    "PartnerNotInHousehold",
    "PartnerNotReciprocal",
    "Room",
    "UnknownPolicy",
    "assess",
    "pregnancy_week",
]
