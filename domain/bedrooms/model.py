"""The calculator's input and output: occupants, a local policy, rooms and the need."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

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
    """A local policy setting is unknown, of the wrong type or out of range; ``key`` names it
    and ``human`` says it with the setting's label (for a form with one field per setting)."""

    def __init__(self, message: str, *, key: str | None = None, human: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.human = human or message


# What each local policy setting is called on the council's policy page.
LOCAL_POLICY_LABELS: dict[str, str] = {
    "own_room_age": "Age from which everyone has a bedroom of their own",
    "any_sex_sharing_under": "Age under which any two children can share",
    "same_sex_sharing_under": "Age under which two people of the same sex can share",
    "lone_parent_shares_with_child_under": "Age under which a child can share with a lone parent",
    "count_pregnancy_from_week": "Week of pregnancy from which an expected baby is counted",
    "cannot_share_room": "A room alone for someone who cannot share because of a disability",
    "overnight_carer_room": "A room for an overnight carer",
    "foster_carer_room": "A room for approved foster carers",
    "max_bedrooms": "Most bedrooms the council will assess",
}


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
    label = LOCAL_POLICY_LABELS.get(key, key)
    if isinstance(value, bool) or not isinstance(value, int):
        kind = "a whole number or null" if optional else "a whole number"
        raise InvalidLocalPolicy(
            f"Local policy setting {key!r} must be {kind}",
            key=key,
            human=f"{label} must be a whole number",
        )
    if not low <= value <= high:
        raise InvalidLocalPolicy(
            f"Local policy setting {key!r} must be between {low} and {high}, not {value}",
            key=key,
            human=f"{label} must be from {low} to {high}",
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
