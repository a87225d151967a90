"""The assessment: place couples, adults and children in the fewest bedrooms, and say why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.bedrooms.matching import (
    _ADULT,
    _CHILD,
    _COUPLE,
    _EXTRA,
    _adult_reason,
    _describe,
    _Kind,
    _kind,
    _pair_up,
    _Person,
)
from domain.bedrooms.model import (
    _POLICY_NAMES,
    UNBORN_SUFFIX,
    BedroomNeed,
    LocalPolicy,
    Occupant,
    Room,
    _count_bedrooms,
)
from domain.bedrooms.rules import _Rules, _rules_for, _validate, pregnancy_week
from domain.clock import age_on

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
