"""People as the calculator sees them, and the exact pairing of who shares with whom."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.bedrooms.model import UNBORN_SUFFIX
from domain.bedrooms.rules import _Rules

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
