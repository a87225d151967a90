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

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from domain.clock import age_on

SEXES: tuple[str, ...] = ("F", "M", "X")
POLICIES: tuple[str, ...] = ("bedroom-standard", "size-criteria", "local")
UNBORN_SUFFIX = "/unborn"

_POLICY_NAMES = {
    "bedroom-standard": "the bedroom standard",
    "size-criteria": "the size criteria",
    "local": "the local policy",
}


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class BedroomInputError(ValueError):
    """Base class for every problem with the input to :func:`assess` or :class:`LocalPolicy`.

    ``occupant_id`` names the person concerned, when there is one.
    """

    def __init__(self, message: str, *, occupant_id: str | None = None) -> None:
        super().__init__(message)
        self.occupant_id = occupant_id


class DuplicateOccupant(BedroomInputError):
    """Two occupants share the same id."""


class InvalidOccupant(BedroomInputError):
    """An occupant field has the wrong type or an unusable value (for example an empty id)."""


class InvalidSex(BedroomInputError):
    """An occupant's sex is not one of "F", "M" or "X"."""


class BornAfterAssessmentDate(BedroomInputError):
    """An occupant's date of birth is after the assessment date."""


class PartnerNotInHousehold(BedroomInputError):
    """An occupant names a partner who is not in the household."""


class PartnerNotReciprocal(BedroomInputError):
    """An occupant names a partner who does not name them back (or names themselves)."""


class UnknownPolicy(BedroomInputError):
    """The policy name is not one of :data:`POLICIES`."""

    def __init__(self, policy: str) -> None:
        known = ", ".join(repr(name) for name in POLICIES)
        super().__init__(f"Unknown bedroom policy {policy!r}; expected one of {known}")
        self.policy = policy


class InvalidLocalPolicy(BedroomInputError):
    """A local policy setting is unknown, of the wrong type or out of range; ``key`` names it."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occupant:
    """One person in the household.

    ``sex`` is "F", "M" or "X" (not recorded, or neither). ``partner`` is the id of this person's
    partner, who must be in the same household and name this person back. ``cannot_share`` marks
    someone who cannot share a bedroom because of a disability. ``away_in_forces`` marks a member
    serving away in the armed forces; they are still counted. ``due`` is the expected date of
    birth when ``pregnant`` is set; only a local policy that counts pregnancies uses it (see
    :attr:`LocalPolicy.count_pregnancy_from_week`).
    """

    id: str
    born: date
    sex: str
    partner: str | None = None
    cannot_share: bool = False
    pregnant: bool = False
    away_in_forces: bool = False
    due: date | None = None


def _read_int(data: Mapping[str, object], key: str, default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLocalPolicy(f"Local policy setting {key!r} must be a whole number", key=key)
    return value


def _read_optional_int(data: Mapping[str, object], key: str, default: int | None) -> int | None:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLocalPolicy(
            f"Local policy setting {key!r} must be a whole number or null", key=key
        )
    return value


def _read_bool(data: Mapping[str, object], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidLocalPolicy(f"Local policy setting {key!r} must be true or false", key=key)
    return value


def _check_range(key: str, value: object, low: int, high: int, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a whole number or null" if optional else "a whole number"
        raise InvalidLocalPolicy(f"Local policy setting {key!r} must be {kind}", key=key)
    if not low <= value <= high:
        raise InvalidLocalPolicy(
            f"Local policy setting {key!r} must be between {low} and {high}, not {value}", key=key
        )


@dataclass(frozen=True)
class LocalPolicy:
    """A council's own bedroom rules, settable as data (see :meth:`from_dict`).

    The defaults follow the bedroom standard's age bands, with the size criteria's allowances for
    disability, an overnight carer and foster carers switched on, and no pregnancy counting, lone
    parent sharing or cap.

    ``own_room_age``
        From this age a person who is not in a couple has a room of their own (21 in the bedroom
        standard, 16 in the size criteria).
    ``any_sex_sharing_under``
        Two children both under this age may share whatever their sex (10 in both statutory
        policies). ``0`` switches any-sex sharing off.
    ``same_sex_sharing_under``
        Two people of the same sex both under this age may share. Must lie between the two ages
        above. People between this age and ``own_room_age`` have a room alone.
    ``lone_parent_shares_with_child_under``
        The council's answer to "does a lone parent count as a couple?". A couple's room is for
        the two of them; when this is set (for example to ``1`` or ``2``), a lone parent's room is
        treated as a shared room like a couple's: one child under this age may sleep in it instead
        of needing a room. Parentage is not recorded, so a "lone parent" here is any person aged
        ``own_room_age`` or over with no partner in the household. ``None`` (the default) means a
        lone parent has a room to themselves like any other adult. It must not exceed
        ``any_sex_sharing_under``.
    ``count_pregnancy_from_week``
        When set, an expected baby counts as a child under ``any_sex_sharing_under`` of unknown
        sex ("X") once the pregnancy has reached this week. The week is 40 minus the whole weeks
        left until the due date, so a pregnancy needs a ``due`` date to be counted.
    ``cannot_share_room``
        Whether a person who cannot share because of a disability has a room alone (and a couple
        in which either member cannot share has two rooms).
    ``overnight_carer_room`` / ``foster_carer_room``
        Whether an extra room is added when :func:`assess` is told of an overnight carer or of
        approved foster carers.
    ``max_bedrooms``
        A cap on the number of bedrooms. When it applies, the rooms still show the full need and
        :attr:`BedroomNeed.capped_from` and the notes say that the cap was applied.
    """

    own_room_age: int = 21
    any_sex_sharing_under: int = 10
    same_sex_sharing_under: int = 21
    lone_parent_shares_with_child_under: int | None = None
    count_pregnancy_from_week: int | None = None
    cannot_share_room: bool = True
    overnight_carer_room: bool = True
    foster_carer_room: bool = True
    max_bedrooms: int | None = None

    def __post_init__(self) -> None:
        _check_range("own_room_age", self.own_room_age, 1, 120)
        _check_range("any_sex_sharing_under", self.any_sex_sharing_under, 0, self.own_room_age)
        _check_range(
            "same_sex_sharing_under",
            self.same_sex_sharing_under,
            self.any_sex_sharing_under,
            self.own_room_age,
        )
        _check_range(
            "lone_parent_shares_with_child_under",
            self.lone_parent_shares_with_child_under,
            1,
            self.any_sex_sharing_under,
            optional=True,
        )
        _check_range("count_pregnancy_from_week", self.count_pregnancy_from_week, 0, 42, True)
        _check_range("max_bedrooms", self.max_bedrooms, 1, 1000, optional=True)
        for key in ("cannot_share_room", "overnight_carer_room", "foster_carer_room"):
            if not isinstance(getattr(self, key), bool):
                raise InvalidLocalPolicy(
                    f"Local policy setting {key!r} must be true or false", key=key
                )

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> LocalPolicy:
        """Build a policy from a plain mapping (such as parsed JSON).

        Missing keys take their defaults. An unknown key, a value of the wrong type or a value
        out of range raises :class:`InvalidLocalPolicy` naming the key.
        """
        if not isinstance(data, Mapping):
            raise InvalidLocalPolicy("Local policy settings must be an object of named settings")
        known = set(cls.__dataclass_fields__)
        for key in data:
            if key not in known:
                raise InvalidLocalPolicy(f"Unknown local policy setting {key!r}", key=str(key))
        default = cls()
        return cls(
            own_room_age=_read_int(data, "own_room_age", default.own_room_age),
            any_sex_sharing_under=_read_int(
                data, "any_sex_sharing_under", default.any_sex_sharing_under
            ),
            same_sex_sharing_under=_read_int(
                data, "same_sex_sharing_under", default.same_sex_sharing_under
            ),
            lone_parent_shares_with_child_under=_read_optional_int(
                data,
                "lone_parent_shares_with_child_under",
                default.lone_parent_shares_with_child_under,
            ),
            count_pregnancy_from_week=_read_optional_int(
                data, "count_pregnancy_from_week", default.count_pregnancy_from_week
            ),
            cannot_share_room=_read_bool(data, "cannot_share_room", default.cannot_share_room),
            overnight_carer_room=_read_bool(
                data, "overnight_carer_room", default.overnight_carer_room
            ),
            foster_carer_room=_read_bool(data, "foster_carer_room", default.foster_carer_room),
            max_bedrooms=_read_optional_int(data, "max_bedrooms", default.max_bedrooms),
        )

    @classmethod
    def from_json(cls, text: str) -> LocalPolicy:
        """Parse JSON text and build a policy with :meth:`from_dict`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InvalidLocalPolicy(f"Local policy is not valid JSON: {error}") from error
        if not isinstance(data, dict):
            raise InvalidLocalPolicy("Local policy settings must be an object of named settings")
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, object]:
        """The settings as a JSON-safe dict that :meth:`from_dict` reads back."""
        return {
            "own_room_age": self.own_room_age,
            "any_sex_sharing_under": self.any_sex_sharing_under,
            "same_sex_sharing_under": self.same_sex_sharing_under,
            "lone_parent_shares_with_child_under": self.lone_parent_shares_with_child_under,
            "count_pregnancy_from_week": self.count_pregnancy_from_week,
            "cannot_share_room": self.cannot_share_room,
            "overnight_carer_room": self.overnight_carer_room,
            "foster_carer_room": self.foster_carer_room,
            "max_bedrooms": self.max_bedrooms,
        }


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    """One bedroom: the ids of the people in it (none for an extra room) and why it is needed.

    An expected baby counted by a local policy appears as ``"<mother's id>/unborn"``.
    """

    occupants: tuple[str, ...]
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {"occupants": list(self.occupants), "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Room:
        occupants = data["occupants"]
        reason = data["reason"]
        if not isinstance(occupants, list | tuple) or not all(
            isinstance(item, str) for item in occupants
        ):
            raise TypeError("Room occupants must be a list of ids")
        if not isinstance(reason, str):
            raise TypeError("Room reason must be text")
        return cls(occupants=tuple(str(item) for item in occupants), reason=reason)


@dataclass(frozen=True)
class BedroomNeed:
    """The result of :func:`assess`.

    ``bedrooms`` is the number of bedrooms needed; ``rooms`` explains them. Normally the two
    agree. When a local cap applies, ``rooms`` still lists the full need, ``bedrooms`` is the cap
    and ``capped_from`` holds the number needed before the cap. ``notes`` explains anything that
    was counted or left out that the rooms alone do not show. ``local`` is the local policy used,
    kept so a stored result can be reproduced.
    """

    bedrooms: int
    rooms: list[Room]
    policy: str
    on: date
    notes: tuple[str, ...] = ()
    capped_from: int | None = None
    local: LocalPolicy | None = None

    def summary(self) -> str:
        """A plain-English sentence such as "3 bedrooms" or "1 bedroom"."""
        text = _count_bedrooms(self.bedrooms)
        if self.capped_from is not None:
            text += f" (the local maximum; {self.capped_from} needed without the cap)"
        return text

    def explanation(self) -> list[str]:
        """One line per room, then the notes, for showing to an officer."""
        lines = []
        for number, room in enumerate(self.rooms, start=1):
            who = f" for {', '.join(room.occupants)}" if room.occupants else ""
            lines.append(f"Bedroom {number}{who}: {room.reason}")
        return lines + list(self.notes)

    def to_dict(self) -> dict[str, object]:
        """A JSON-safe dict, for example for a database JSON column."""
        return {
            "bedrooms": self.bedrooms,
            "policy": self.policy,
            "on": self.on.isoformat(),
            "rooms": [room.to_dict() for room in self.rooms],
            "notes": list(self.notes),
            "capped_from": self.capped_from,
            "local": None if self.local is None else self.local.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> BedroomNeed:
        """Rebuild a result stored with :meth:`to_dict`."""
        bedrooms = data["bedrooms"]
        policy = data["policy"]
        on = data["on"]
        rooms = data["rooms"]
        notes = data.get("notes", [])
        capped_from = data.get("capped_from")
        local = data.get("local")
        if isinstance(bedrooms, bool) or not isinstance(bedrooms, int):
            raise TypeError("bedrooms must be a whole number")
        if not isinstance(policy, str) or not isinstance(on, str):
            raise TypeError("policy and on must be text")
        if not isinstance(rooms, list) or not all(isinstance(room, dict) for room in rooms):
            raise TypeError("rooms must be a list of objects")
        if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
            raise TypeError("notes must be a list of text")
        if capped_from is not None and (
            isinstance(capped_from, bool) or not isinstance(capped_from, int)
        ):
            raise TypeError("capped_from must be a whole number or null")
        if local is not None and not isinstance(local, dict):
            raise TypeError("local must be an object or null")
        return cls(
            bedrooms=bedrooms,
            rooms=[Room.from_dict(room) for room in rooms],
            policy=policy,
            on=date.fromisoformat(on),
            notes=tuple(str(note) for note in notes),
            capped_from=capped_from,
            local=None if local is None else LocalPolicy.from_dict(local),
        )


def _count_bedrooms(count: int) -> str:
    return f"{count} bedroom" if count == 1 else f"{count} bedrooms"


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


# --------------------------------------------------------------------------------------------
# People as the calculator sees them
# --------------------------------------------------------------------------------------------

# Room categories, in the order rooms are listed.
_COUPLE, _ADULT, _CHILD, _EXTRA = 0, 1, 2, 3

# How two people may share: "lone" is a lone parent (only when the local rule is on); children
# fall in a band: "baby" (under the lone-parent child age), "young" (under the any-sex age) or
# "older" (under the same-sex age). The sex is part of the kind too.
_Kind = tuple[str, str, str]


@dataclass(frozen=True)
class _Person:
    id: str
    born: date
    sex: str
    age: int
    cannot_share: bool = False
    unborn: bool = False

    @property
    def order(self) -> tuple[date, str]:
        """Sort key: eldest first, then by id."""
        return (self.born, self.id)


def _noun(person: _Person) -> str:
    if person.age < 18:
        return {"F": "girl", "M": "boy"}.get(person.sex, "child")
    return {"F": "woman", "M": "man"}.get(person.sex, "person")


def _describe(person: _Person) -> str:
    if person.unborn:
        return "expected baby"
    if person.age == 0:
        return {"F": "baby girl", "M": "baby boy"}.get(person.sex, "baby") + " under 1"
    return f"{_noun(person)} aged {person.age}"


def _adult_reason(rules: _Rules) -> str:
    who = "adult" if rules.own_room_age >= 18 else "person"
    return f"{who} aged {rules.own_room_age} or over"


def _kind(person: _Person, rules: _Rules) -> _Kind | None:
    """The sharing kind of a child, or None when they cannot share with anyone."""
    if rules.lone_parent_child_under is not None and person.age < rules.lone_parent_child_under:
        return ("child", "baby", person.sex)
    if person.age < rules.any_sex_under:
        return ("child", "young", person.sex)
    if person.age < rules.same_sex_under and person.sex != "X":
        return ("child", "older", person.sex)
    return None


def _share_penalty(first: _Kind, second: _Kind) -> int | None:
    """Whether two kinds may share a room: None if not, else how unnatural the pairing is.

    0 is the most natural (same band and sex, or a lone parent with a baby), 1 is two children
    under the any-sex age of different or unknown sex, 2 is an older child with a younger one.
    """
    if first[0] == "lone" or second[0] == "lone":
        other = second if first[0] == "lone" else first
        return 0 if other[:2] == ("child", "baby") else None
    first_young = first[1] in ("baby", "young")
    second_young = second[1] in ("baby", "young")
    same_sex = first[2] == second[2] and first[2] != "X"
    if first_young and second_young:
        return 0 if same_sex else 1
    if not same_sex:
        return None
    return 0 if first_young == second_young else 2


# --------------------------------------------------------------------------------------------
# Exact pairing
# --------------------------------------------------------------------------------------------


class _Matcher:
    """Finds the best set of shared rooms among people who could share.

    Whether two people may share depends only on their kind, so the best result for a group
    depends only on how many of each kind it holds. The search works on those counts with a
    memo, which makes it exact and fast even for large households. The score is (rooms saved,
    minus total unnaturalness), compared as a tuple: saving rooms always comes first.
    """

    def __init__(self, kinds: Iterable[_Kind]) -> None:
        self.kinds: list[_Kind] = sorted(set(kinds))
        self.index = {kind: number for number, kind in enumerate(self.kinds)}
        self.memo: dict[tuple[int, ...], tuple[int, int]] = {}

    def counts(self, kinds: Iterable[_Kind]) -> tuple[int, ...]:
        tally = [0] * len(self.kinds)
        for kind in kinds:
            tally[self.index[kind]] += 1
        return tuple(tally)

    def best(self, counts: tuple[int, ...]) -> tuple[int, int]:
        if counts in self.memo:
            return self.memo[counts]
        first = next((number for number, count in enumerate(counts) if count), None)
        if first is None:
            return (0, 0)
        without_first = _minus(counts, first)
        result = self.best(without_first)
        for other in range(first, len(counts)):
            if without_first[other] == 0:
                continue
            penalty = _share_penalty(self.kinds[first], self.kinds[other])
            if penalty is None:
                continue
            saved, unnatural = self.best(_minus(without_first, other))
            result = max(result, (saved + 1, unnatural - penalty))
        self.memo[counts] = result
        return result


def _minus(counts: tuple[int, ...], position: int) -> tuple[int, ...]:
    return (*counts[:position], counts[position] - 1, *counts[position + 1 :])


def _pair_up(pool: Sequence[tuple[_Person, _Kind]]) -> list[tuple[_Person, ...]]:
    """Group the pool into shared rooms and single rooms, using as few rooms as possible.

    People are taken eldest first. Each is put with the eldest remaining person they may share
    with if that still allows the best overall result, and otherwise left on their own. The one
    exception: a lone parent whose own expected baby is counted is taken first and offered that
    baby first, so the baby is not given to another adult in the household.
    """
    matcher = _Matcher(kind for _, kind in pool)
    expecting = {person.id.removesuffix(UNBORN_SUFFIX) for person, _ in pool if person.unborn}

    def own_baby_first(entry: tuple[_Person, _Kind]) -> tuple[bool, date, str]:
        person, kind = entry
        return (not (kind[0] == "lone" and person.id in expecting), *person.order)

    remaining = sorted(pool, key=own_baby_first)
    groups: list[tuple[_Person, ...]] = []
    while remaining:
        (person, kind), rest = remaining[0], remaining[1:]
        target = matcher.best(matcher.counts(k for _, k in remaining))
        rest_counts = matcher.counts(k for _, k in rest)
        own_baby = person.id + UNBORN_SUFFIX
        candidates = sorted(enumerate(rest), key=lambda item: item[1][0].id != own_baby)
        chosen: int | None = None
        for position, (_, other_kind) in candidates:
            penalty = _share_penalty(kind, other_kind)
            if penalty is None:
                continue
            saved, unnatural = matcher.best(_minus(rest_counts, matcher.index[other_kind]))
            if (saved + 1, unnatural - penalty) == target:
                chosen = position
                break
        if chosen is None:
            groups.append((person,))
            remaining = rest
        else:
            groups.append((person, rest[chosen][0]))
            remaining = rest[:chosen] + rest[chosen + 1 :]
    return groups


# --------------------------------------------------------------------------------------------
# Assessment
# --------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Rooms and notes gathered while assessing, before sorting."""

    rooms: list[tuple[tuple[int, date, str, int], Room]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, category: int, people: Sequence[_Person], reason: str) -> None:
        ordered = sorted(people, key=lambda person: person.order)
        first = ordered[0]
        key = (category, first.born, first.id, 0)
        self.rooms.append((key, Room(tuple(person.id for person in ordered), reason)))

    def add_extra(self, position: int, reason: str) -> None:
        self.rooms.append(((_EXTRA, date.min, "", position), Room((), reason)))

    def sorted_rooms(self) -> list[Room]:
        return [room for _, room in sorted(self.rooms, key=lambda entry: entry[0])]


def assess(
    occupants: Iterable[Occupant],
    on: date,
    policy: str = "bedroom-standard",
    *,
    overnight_carer: bool = False,
    foster_carer: bool = False,
    local: LocalPolicy | None = None,
) -> BedroomNeed:
    """Work out the bedrooms the household needs on ``on`` under ``policy``.

    ``overnight_carer`` and ``foster_carer`` ask for the extra rooms the size criteria (and a
    local policy, if it allows them) give for a carer who stays overnight and for approved foster
    carers. ``local`` configures the ``"local"`` policy (the default :class:`LocalPolicy` if
    None); it is ignored for the other policies. Invalid input raises a
    :class:`BedroomInputError` subclass naming the person concerned.
    """
    rules = _rules_for(policy, local)
    household = list(occupants)
    _validate(household, on)
    people = {
        member.id: _Person(
            member.id, member.born, member.sex, age_on(member.born, on), member.cannot_share
        )
        for member in household
    }
    ordered = sorted(household, key=lambda member: people[member.id].order)
    plan = _Plan()
    pool: list[tuple[_Person, _Kind]] = []
    for member in ordered:
        _place(member, people, rules, plan, pool)
    for member in ordered:
        _note_member(member, people[member.id], rules, on, plan, pool)
    for group in _pair_up(pool):
        _add_group(group, rules, plan)
    if household:
        _add_extras(rules, overnight_carer, foster_carer, plan)
    rooms = plan.sorted_rooms()
    bedrooms, capped_from = len(rooms), None
    if rules.max_bedrooms is not None and bedrooms > rules.max_bedrooms:
        bedrooms, capped_from = rules.max_bedrooms, bedrooms
        plan.notes.append(
            f"The local maximum of {_count_bedrooms(bedrooms)} was applied; "
            f"{_count_bedrooms(capped_from)} are needed without it."
        )
    return BedroomNeed(
        bedrooms=bedrooms,
        rooms=rooms,
        policy=policy,
        on=on,
        notes=tuple(plan.notes),
        capped_from=capped_from,
        local=(local if local is not None else LocalPolicy()) if policy == "local" else None,
    )


def _place(
    member: Occupant,
    people: Mapping[str, _Person],
    rules: _Rules,
    plan: _Plan,
    pool: list[tuple[_Person, _Kind]],
) -> None:
    """Give a member a room of their own (or their couple's), or put them in the sharing pool."""
    person = people[member.id]
    if member.partner is not None:
        _place_couple(member, people, rules, plan)
        return
    cannot_share = rules.cannot_share and member.cannot_share
    if person.age >= rules.own_room_age:
        if rules.lone_parent_child_under is not None and not cannot_share:
            pool.append((person, ("lone", "adult", person.sex)))
        else:
            plan.add(_ADULT, [person], _adult_reason(rules))
        return
    if cannot_share:
        who = "child" if person.age < 18 else "person"
        plan.add(_CHILD, [person], f"{who} who cannot share because of a disability")
        return
    kind = _kind(person, rules)
    if kind is not None:
        pool.append((person, kind))
    elif person.sex == "X" and person.age < rules.same_sex_under:
        plan.add(_CHILD, [person], f"{_describe(person)}, sex not recorded so cannot share")
    else:
        plan.add(_CHILD, [person], f"{_describe(person)}, too old to share under this policy")


def _place_couple(
    member: Occupant, people: Mapping[str, _Person], rules: _Rules, plan: _Plan
) -> None:
    """A couple shares one room, or has two when a disability means they cannot share.

    Each couple is placed once, when its elder member (in sort order) comes up.
    """
    assert member.partner is not None
    person, partner = people[member.id], people[member.partner]
    if partner.order < person.order:
        return
    if rules.cannot_share and (person.cannot_share or partner.cannot_share):
        reason = "member of a couple who cannot share because of a disability"
        plan.add(_COUPLE, [person], reason)
        plan.add(_COUPLE, [partner], reason)
    else:
        plan.add(_COUPLE, [person, partner], "couple")


def _note_member(
    member: Occupant,
    person: _Person,
    rules: _Rules,
    on: date,
    plan: _Plan,
    pool: list[tuple[_Person, _Kind]],
) -> None:
    """Add the notes about one member, and their expected baby to the pool if it counts."""
    policy_name = _POLICY_NAMES[rules.name]
    if member.away_in_forces:
        plan.notes.append(
            f"{member.id!r} is away in the armed forces and is counted as living in the household."
        )
    could_matter = member.partner is not None or person.age < rules.own_room_age
    if member.cannot_share and not rules.cannot_share and could_matter:
        plan.notes.append(
            f"{member.id!r} cannot share a room because of a disability, "
            f"but {policy_name} makes no allowance for this."
        )
    if member.pregnant:
        _count_pregnancy(member, rules, on, plan, pool)


def _count_pregnancy(
    member: Occupant, rules: _Rules, on: date, plan: _Plan, pool: list[tuple[_Person, _Kind]]
) -> None:
    """Count an expected baby as a child of unknown sex when the local policy says so."""
    policy_name = _POLICY_NAMES[rules.name]
    from_week = rules.pregnancy_from_week
    if from_week is None:
        plan.notes.append(f"The expected baby of {member.id!r} is not counted under {policy_name}.")
        return
    if member.due is None:
        plan.notes.append(
            f"The expected baby of {member.id!r} is not counted: no due date is recorded."
        )
        return
    week = pregnancy_week(member.due, on)
    if week < from_week:
        plan.notes.append(
            f"The expected baby of {member.id!r} is not counted yet: the pregnancy is at week "
            f"{week} and {policy_name} counts it from week {from_week}."
        )
        return
    # Sorted as the youngest person even when overdue: after anyone already born.
    sorts_as_born = max(member.due, on + timedelta(days=1))
    unborn = _Person(member.id + UNBORN_SUFFIX, sorts_as_born, "X", 0, unborn=True)
    plan.notes.append(
        f"The expected baby of {member.id!r} (week {week} of the pregnancy) is counted as a "
        f"child under {rules.any_sex_under}, shown as {unborn.id!r}."
    )
    kind = _kind(unborn, rules)
    if kind is None:
        plan.add(_CHILD, [unborn], "expected baby")
    else:
        pool.append((unborn, kind))


def _add_group(group: tuple[_Person, ...], rules: _Rules, plan: _Plan) -> None:
    """Add a room for one person or a pair from the sharing pool, with its reason."""
    if len(group) == 1:
        (person,) = group
        if person.age >= rules.own_room_age and not person.unborn:
            plan.add(_ADULT, [person], _adult_reason(rules))
        else:
            plan.add(_CHILD, [person], f"{_describe(person)} with no one to share with")
        return
    elder, younger = group
    if elder.age >= rules.own_room_age:
        plan.add(_ADULT, group, f"lone parent sharing with {_a_child(younger, rules)}")
    else:
        plan.add(_CHILD, group, _pair_reason(elder, younger, rules))


def _a_child(person: _Person, rules: _Rules) -> str:
    if person.unborn:
        return "an expected baby"
    return f"a child under {rules.lone_parent_child_under}"


def _pair_reason(elder: _Person, younger: _Person, rules: _Rules) -> str:
    """Why two children share, in plain words."""
    young = rules.any_sex_under
    if elder.age < young:
        if elder.unborn and younger.unborn:
            return "two expected babies"
        if younger.unborn:
            return f"child under {young} sharing with an expected baby"
        return f"two children under {young}"
    plural = {"F": "girls", "M": "boys"}[elder.sex]
    if younger.age >= young:
        return f"two {plural} aged {young} to {rules.same_sex_under - 1}"
    single = {"F": "girl", "M": "boy"}[elder.sex]
    return f"{_describe(elder)} sharing with a {single} under {young}"


def _add_extras(rules: _Rules, overnight_carer: bool, foster_carer: bool, plan: _Plan) -> None:
    """Add the extra rooms for an overnight carer and for foster carers, where allowed."""
    policy_name = _POLICY_NAMES[rules.name]
    for position, (asked, allowed, reason, article) in enumerate(
        [
            (overnight_carer, rules.carer_room, "overnight carer", "an"),
            (foster_carer, rules.foster_room, "foster carer", "a"),
        ]
    ):
        if asked and allowed:
            plan.add_extra(position, reason)
        elif asked:
            plan.notes.append(f"No room is added for {article} {reason} under {policy_name}.")
