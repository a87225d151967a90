"""Unit tests for the bedroom need calculator (domain.bedrooms).

Most households are in one table. Each row gives the household, the policy, the date, the number
of bedrooms and, for most rows, the rooms expected (occupant ids, eldest first, and reason) in
the order the calculator lists them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from domain.bedrooms import (
    POLICIES,
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
    age_on,
    assess,
    pregnancy_week,
)

ON = date(2025, 6, 15)
BS = "bedroom-standard"
SC = "size-criteria"
LOCAL = "local"
ADULT_21 = "adult aged 21 or over"
PERSON_16 = "person aged 16 or over"
UNDER_10 = "two children under 10"


def aged(age: int, month: int = 1, day: int = 1) -> date:
    """A date of birth giving exactly ``age`` on ON (births early in the year)."""
    return date(ON.year - age, month, day)


def person(
    ident: str,
    age: int,
    sex: str,
    month: int = 1,
    **flags: object,
) -> Occupant:
    return Occupant(ident, aged(age, month), sex, **flags)  # type: ignore[arg-type]


def couple(first: str, first_age: int, second: str, second_age: int) -> list[Occupant]:
    return [
        Occupant(first, aged(first_age), "F", partner=second),
        Occupant(second, aged(second_age), "M", partner=first),
    ]


MUM = person("mum", 35, "F")


@dataclass(frozen=True)
class Case:
    name: str
    occupants: list[Occupant]
    policy: str
    bedrooms: int
    rooms: list[tuple[tuple[str, ...], str]] | None = None
    on: date = ON
    options: dict[str, object] = field(default_factory=dict)


CASES = [
    # --- Adults and couples -------------------------------------------------------------
    Case("single adult", [person("a", 30, "F")], BS, 1, [(("a",), ADULT_21)]),
    Case("couple", couple("a", 30, "b", 32), BS, 1, [(("b", "a"), "couple")]),
    Case(
        "two couples",
        couple("a", 60, "b", 62) + couple("c", 30, "d", 31),
        BS,
        2,
        [(("b", "a"), "couple"), (("d", "c"), "couple")],
    ),
    Case(
        "couple and lodger",
        [person("lodger", 50, "M"), *couple("a", 30, "b", 32)],
        BS,
        2,
        [(("b", "a"), "couple"), (("lodger",), ADULT_21)],
    ),
    Case(
        "young couple aged 15 and 17 is still a couple",
        couple("a", 15, "b", 17),
        SC,
        1,
        [(("b", "a"), "couple")],
    ),
    Case("empty household", [], BS, 0, []),
    # --- Lone parents -------------------------------------------------------------------
    Case(
        "lone parent with baby",
        [MUM, person("baby", 0, "F")],
        BS,
        2,
        [(("mum",), ADULT_21), (("baby",), "baby girl under 1 with no one to share with")],
    ),
    Case(
        "lone parent with adult child 21",
        [MUM, person("son", 21, "M")],
        BS,
        2,
        [(("mum",), ADULT_21), (("son",), ADULT_21)],
    ),
    # --- The 10 to 20 band of the bedroom standard -------------------------------------
    Case(
        "adult daughter 20 shares with sister 15 (bedroom standard)",
        [MUM, person("d20", 20, "F"), person("d15", 15, "F")],
        BS,
        2,
        [(("mum",), ADULT_21), (("d20", "d15"), "two girls aged 10 to 20")],
    ),
    Case(
        "adult daughter 21 has her own room (bedroom standard)",
        [MUM, person("d21", 21, "F"), person("d15", 15, "F")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("d21",), ADULT_21),
            (("d15",), "girl aged 15 with no one to share with"),
        ],
    ),
    Case(
        "two girls 12 and 15",
        [MUM, person("g15", 15, "F"), person("g12", 12, "F")],
        BS,
        2,
        [(("mum",), ADULT_21), (("g15", "g12"), "two girls aged 10 to 20")],
    ),
    Case(
        "boy 12 and girl 11 cannot share",
        [MUM, person("b12", 12, "M"), person("g11", 11, "F")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("b12",), "boy aged 12 with no one to share with"),
            (("g11",), "girl aged 11 with no one to share with"),
        ],
    ),
    Case(
        "unpaired girl 13 shares with a girl under 10",
        [MUM, person("g13", 13, "F"), person("g6", 6, "F")],
        BS,
        2,
        [(("mum",), ADULT_21), (("g13", "g6"), "girl aged 13 sharing with a girl under 10")],
    ),
    Case(
        "boys 12, 11 and 5 with girl 4 need two children's rooms, not three",
        [
            MUM,
            person("b12", 12, "M"),
            person("b11", 11, "M"),
            person("b5", 5, "M"),
            person("g4", 4, "F"),
        ],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("b12", "b11"), "two boys aged 10 to 20"),
            (("b5", "g4"), UNDER_10),
        ],
    ),
    Case(
        "three young children: the two boys share, the girl is alone",
        [MUM, person("b9", 9, "M"), person("g7", 7, "F"), person("b3", 3, "M")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("b9", "b3"), UNDER_10),
            (("g7",), "girl aged 7 with no one to share with"),
        ],
    ),
    Case(
        "girl 12 is alone when the under-10s pair up instead",
        [MUM, person("g12", 12, "F"), person("g5", 5, "F"), person("b4", 4, "M")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("g12",), "girl aged 12 with no one to share with"),
            (("g5", "b4"), UNDER_10),
        ],
    ),
    Case(
        "large family",
        [
            *couple("mum2", 45, "dad", 47),
            person("s22", 22, "M"),
            person("d18", 18, "F"),
            person("d14", 14, "F"),
            person("s11", 11, "M"),
            person("twin_b", 3, "M", month=2),
            person("twin_g", 3, "F", month=3),
        ],
        BS,
        5,
        [
            (("dad", "mum2"), "couple"),
            (("s22",), ADULT_21),
            (("d18", "d14"), "two girls aged 10 to 20"),
            (("s11",), "boy aged 11 with no one to share with"),
            (("twin_b", "twin_g"), UNDER_10),
        ],
    ),
    # --- Birthdays on and around the assessment date ------------------------------------
    Case(
        "girl turning 10 on the assessment date no longer shares with her brother",
        [MUM, Occupant("g", date(2015, 6, 15), "F"), person("b8", 8, "M")],
        BS,
        3,
    ),
    Case(
        "girl turning 10 tomorrow still shares with her brother",
        [MUM, Occupant("g", date(2015, 6, 16), "F"), person("b8", 8, "M")],
        BS,
        2,
        [(("mum",), ADULT_21), (("g", "b8"), UNDER_10)],
    ),
    Case(
        "girl 9 the day before her 10th birthday",
        [MUM, Occupant("g", date(2015, 6, 15), "F"), person("b8", 8, "M")],
        BS,
        2,
        on=ON - timedelta(days=1),
    ),
    Case(
        "boy turning 16 on the assessment date gets his own room (size criteria)",
        [MUM, Occupant("b", date(2009, 6, 15), "M"), person("b12", 12, "M")],
        SC,
        3,
        [
            (("mum",), PERSON_16),
            (("b",), PERSON_16),
            (("b12",), "boy aged 12 with no one to share with"),
        ],
    ),
    Case(
        "boy 15 the day before his 16th birthday shares (size criteria)",
        [MUM, Occupant("b", date(2009, 6, 15), "M"), person("b12", 12, "M")],
        SC,
        2,
        [(("mum",), PERSON_16), (("b", "b12"), "two boys aged 10 to 15")],
        on=ON - timedelta(days=1),
    ),
    Case(
        "born 29 February is still 9 on 28 February of a common year",
        [MUM, Occupant("leap", date(2016, 2, 29), "F"), Occupant("boy", date(2018, 5, 1), "M")],
        BS,
        2,
        on=date(2026, 2, 28),
    ),
    Case(
        "born 29 February turns 10 on 1 March of a common year",
        [MUM, Occupant("leap", date(2016, 2, 29), "F"), Occupant("boy", date(2018, 5, 1), "M")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("leap",), "girl aged 10 with no one to share with"),
            (("boy",), "boy aged 7 with no one to share with"),
        ],
        on=date(2026, 3, 1),
    ),
    # --- Size criteria --------------------------------------------------------------------
    Case(
        "girls 17 and 18 share under the bedroom standard",
        [person("g18", 18, "F"), person("g17", 17, "F")],
        BS,
        1,
        [(("g18", "g17"), "two girls aged 10 to 20")],
    ),
    Case(
        "girls 17 and 18 each have a room under the size criteria",
        [person("g18", 18, "F"), person("g17", 17, "F")],
        SC,
        2,
        [(("g18",), PERSON_16), (("g17",), PERSON_16)],
    ),
    Case(
        "girl 15 shares with a girl under 10 (size criteria)",
        [MUM, person("g15", 15, "F"), person("g8", 8, "F")],
        SC,
        2,
        [(("mum",), PERSON_16), (("g15", "g8"), "girl aged 15 sharing with a girl under 10")],
    ),
    Case(
        "disabled child who cannot share (size criteria)",
        [MUM, person("b8", 8, "M"), person("b6", 6, "M", cannot_share=True)],
        SC,
        3,
        [
            (("mum",), PERSON_16),
            (("b8",), "boy aged 8 with no one to share with"),
            (("b6",), "child who cannot share because of a disability"),
        ],
    ),
    Case(
        "disabled child is not given a room by the bedroom standard",
        [MUM, person("b8", 8, "M"), person("b6", 6, "M", cannot_share=True)],
        BS,
        2,
        [(("mum",), ADULT_21), (("b8", "b6"), UNDER_10)],
    ),
    Case(
        "couple who cannot share (size criteria)",
        [
            Occupant("a", aged(40), "F", partner="b", cannot_share=True),
            Occupant("b", aged(41), "M", partner="a"),
        ],
        SC,
        2,
        [
            (("b",), "member of a couple who cannot share because of a disability"),
            (("a",), "member of a couple who cannot share because of a disability"),
        ],
    ),
    Case(
        "couple who cannot share still share under the bedroom standard",
        [
            Occupant("a", aged(40), "F", partner="b", cannot_share=True),
            Occupant("b", aged(41), "M", partner="a"),
        ],
        BS,
        1,
    ),
    Case(
        "overnight carer (size criteria)",
        [person("a", 70, "F")],
        SC,
        2,
        [(("a",), PERSON_16), ((), "overnight carer")],
        options={"overnight_carer": True},
    ),
    Case(
        "foster carer (size criteria)",
        couple("a", 40, "b", 41),
        SC,
        2,
        [(("b", "a"), "couple"), ((), "foster carer")],
        options={"foster_carer": True},
    ),
    Case(
        "overnight carer and foster carer (size criteria)",
        couple("a", 40, "b", 41),
        SC,
        3,
        [(("b", "a"), "couple"), ((), "overnight carer"), ((), "foster carer")],
        options={"overnight_carer": True, "foster_carer": True},
    ),
    Case(
        "no carer or foster rooms under the bedroom standard",
        couple("a", 40, "b", 41),
        BS,
        1,
        options={"overnight_carer": True, "foster_carer": True},
    ),
    # --- Pregnancy ------------------------------------------------------------------------
    Case(
        "pregnancy not counted (bedroom standard)",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=4))],
        BS,
        1,
    ),
    Case(
        "pregnancy not counted (size criteria)",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=4))],
        SC,
        1,
    ),
    Case(
        "pregnancy at week 30 counted by a local policy from week 24",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=10))],
        LOCAL,
        2,
        [(("p",), ADULT_21), (("p/unborn",), "expected baby with no one to share with")],
        options={"local": LocalPolicy(count_pregnancy_from_week=24)},
    ),
    Case(
        "expected baby shares with a young sibling (local)",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=10)), person("b4", 4, "M")],
        LOCAL,
        2,
        [(("p",), ADULT_21), (("b4", "p/unborn"), "child under 10 sharing with an expected baby")],
        options={"local": LocalPolicy(count_pregnancy_from_week=24)},
    ),
    Case(
        "pregnancy at week 24 exactly is counted (local)",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=16, days=6))],
        LOCAL,
        2,
        options={"local": LocalPolicy(count_pregnancy_from_week=24)},
    ),
    Case(
        "pregnancy at week 23 is not counted yet (local)",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=17))],
        LOCAL,
        1,
        options={"local": LocalPolicy(count_pregnancy_from_week=24)},
    ),
    Case(
        "pregnancy without a due date is not counted (local)",
        [person("p", 25, "F", pregnant=True)],
        LOCAL,
        1,
        options={"local": LocalPolicy(count_pregnancy_from_week=24)},
    ),
    # --- Sex not recorded -------------------------------------------------------------------
    Case(
        "child of unrecorded sex shares under 10",
        [MUM, person("x5", 5, "X"), person("b7", 7, "M")],
        BS,
        2,
        [(("mum",), ADULT_21), (("b7", "x5"), UNDER_10)],
    ),
    Case(
        "child of unrecorded sex aged 12 does not share with a boy",
        [MUM, person("x12", 12, "X"), person("b11", 11, "M")],
        BS,
        3,
        [
            (("mum",), ADULT_21),
            (("x12",), "child aged 12, sex not recorded so cannot share"),
            (("b11",), "boy aged 11 with no one to share with"),
        ],
    ),
    Case(
        "two children of unrecorded sex aged 12 and 13 do not share",
        [person("x13", 13, "X"), person("x12", 12, "X")],
        BS,
        2,
    ),
    Case(
        "child of unrecorded sex aged 12 does not share with an unrecorded child under 10",
        [person("x12", 12, "X"), person("x4", 4, "X")],
        SC,
        2,
    ),
    # --- Armed forces -----------------------------------------------------------------------
    Case(
        "son away in the armed forces still counts",
        [*couple("a", 50, "b", 52), person("son", 22, "M", away_in_forces=True)],
        SC,
        2,
        [(("b", "a"), "couple"), (("son",), PERSON_16)],
    ),
    # --- Local policies -------------------------------------------------------------------
    Case(
        "default local policy gives a disabled child a room",
        [MUM, person("b8", 8, "M"), person("b6", 6, "M", cannot_share=True)],
        LOCAL,
        3,
    ),
    Case(
        "default local policy follows the bedroom standard's bands",
        [MUM, person("d20", 20, "F"), person("d15", 15, "F")],
        LOCAL,
        2,
    ),
    Case(
        "local cap applies",
        [MUM, person("b15", 15, "M"), person("g13", 13, "F"), person("x11", 11, "X")],
        LOCAL,
        2,
        [
            (("mum",), ADULT_21),
            (("b15",), "boy aged 15 with no one to share with"),
            (("g13",), "girl aged 13 with no one to share with"),
            (("x11",), "child aged 11, sex not recorded so cannot share"),
        ],
        options={"local": LocalPolicy(max_bedrooms=2)},
    ),
    Case(
        "local cap above the need changes nothing",
        [MUM, person("b15", 15, "M")],
        LOCAL,
        2,
        options={"local": LocalPolicy(max_bedrooms=4)},
    ),
    Case(
        "local: same-sex sharing stops at 16 but own room only from 18",
        [person("g17", 17, "F"), person("g15", 15, "F"), person("g12", 12, "F")],
        LOCAL,
        2,
        [
            (("g17",), "girl aged 17, too old to share under this policy"),
            (("g15", "g12"), "two girls aged 10 to 15"),
        ],
        options={
            "local": LocalPolicy(own_room_age=18, same_sex_sharing_under=16),
        },
    ),
    Case(
        "local: lone parent shares with a baby under 1",
        [MUM, person("baby", 0, "M"), person("g5", 5, "F")],
        LOCAL,
        2,
        [
            (("mum", "baby"), "lone parent sharing with a child under 1"),
            (("g5",), "girl aged 5 with no one to share with"),
        ],
        options={"local": LocalPolicy(lone_parent_shares_with_child_under=1)},
    ),
    Case(
        "local: a couple's room does not take the baby",
        [*couple("a", 30, "b", 31), person("baby", 0, "M")],
        LOCAL,
        2,
        [(("b", "a"), "couple"), (("baby",), "baby boy under 1 with no one to share with")],
        options={"local": LocalPolicy(lone_parent_shares_with_child_under=1)},
    ),
    Case(
        "local: pregnant lone parent shares with her expected baby",
        [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=2))],
        LOCAL,
        1,
        [(("p", "p/unborn"), "lone parent sharing with an expected baby")],
        options={
            "local": LocalPolicy(
                count_pregnancy_from_week=24, lone_parent_shares_with_child_under=1
            )
        },
    ),
    Case(
        "local: the expected baby goes with its own mother, not the grandmother",
        [
            person("gran", 60, "F"),
            person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=2)),
        ],
        LOCAL,
        2,
        [
            (("gran",), ADULT_21),
            (("p", "p/unborn"), "lone parent sharing with an expected baby"),
        ],
        options={
            "local": LocalPolicy(
                count_pregnancy_from_week=24, lone_parent_shares_with_child_under=1
            )
        },
    ),
    Case(
        "local: extras switched off",
        [person("a", 70, "F")],
        LOCAL,
        1,
        options={
            "local": LocalPolicy(overnight_carer_room=False, foster_carer_room=False),
            "overnight_carer": True,
            "foster_carer": True,
        },
    ),
    Case(
        "local: carer room by default",
        [person("a", 70, "F")],
        LOCAL,
        2,
        options={"overnight_carer": True},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_household(case: Case) -> None:
    need = assess(case.occupants, case.on, case.policy, **case.options)  # type: ignore[arg-type]
    assert need.bedrooms == case.bedrooms
    assert need.policy == case.policy
    assert need.on == case.on
    if case.rooms is not None:
        assert [(room.occupants, room.reason) for room in need.rooms] == case.rooms


def test_there_are_at_least_thirty_households() -> None:
    assert len({case.name for case in CASES}) == len(CASES) >= 30


# --- Explanations -------------------------------------------------------------------------


def test_cap_is_explained() -> None:
    household = [MUM, person("b15", 15, "M"), person("g13", 13, "F"), person("x11", 11, "X")]
    need = assess(household, ON, LOCAL, local=LocalPolicy(max_bedrooms=2))
    assert need.bedrooms == 2
    assert need.capped_from == 4
    assert len(need.rooms) == 4
    assert need.summary() == "2 bedrooms (the local maximum; 4 needed without the cap)"
    assert "The local maximum of 2 bedrooms was applied; 4 bedrooms are needed without it." in (
        need.notes
    )


@pytest.mark.parametrize(
    ("household", "expected"),
    [([], "0 bedrooms"), ([MUM], "1 bedroom"), ([MUM, person("b", 22, "M")], "2 bedrooms")],
    ids=["none", "one", "two"],
)
def test_summary(household: list[Occupant], expected: str) -> None:
    assert assess(household, ON).summary() == expected


def test_explanation_lines() -> None:
    need = assess(couple("a", 40, "b", 41), ON, SC, overnight_carer=True)
    assert need.explanation() == ["Bedroom 1 for b, a: couple", "Bedroom 2: overnight carer"]


def test_notes_explain_what_was_left_out() -> None:
    household = [
        person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=4)),
        person("c", 6, "M", cannot_share=True),
        person("s", 22, "M", away_in_forces=True),
    ]
    need = assess(household, ON, BS, overnight_carer=True)
    assert need.notes == (
        "The expected baby of 'p' is not counted under the bedroom standard.",
        "'s' is away in the armed forces and is counted as living in the household.",
        "'c' cannot share a room because of a disability, "
        "but the bedroom standard makes no allowance for this.",
        "No room is added for an overnight carer under the bedroom standard.",
    )


def test_counted_pregnancy_is_noted() -> None:
    household = [person("p", 25, "F", pregnant=True, due=ON + timedelta(weeks=10))]
    need = assess(household, ON, LOCAL, local=LocalPolicy(count_pregnancy_from_week=24))
    assert need.notes == (
        "The expected baby of 'p' (week 30 of the pregnancy) is counted as a child under 10, "
        "shown as 'p/unborn'.",
    )


def test_rooms_are_ordered_couples_adults_children_extras() -> None:
    household = [
        person("baby", 0, "F"),
        person("lodger", 60, "M"),
        person("teen", 14, "M"),
        *couple("a", 30, "b", 31),
        person("gran", 80, "F", cannot_share=True),
    ]
    need = assess(household, ON, SC, foster_carer=True, overnight_carer=True)
    assert [room.occupants for room in need.rooms] == [
        ("b", "a"),
        ("gran",),
        ("lodger",),
        ("teen",),
        ("baby",),
        (),
        (),
    ]
    assert [room.reason for room in need.rooms][-2:] == ["overnight carer", "foster carer"]


def test_order_of_input_does_not_matter() -> None:
    household = [
        MUM,
        person("b12", 12, "M"),
        person("b11", 11, "M"),
        person("b5", 5, "M"),
        person("g4", 4, "F"),
        person("x3", 3, "X"),
    ]
    for policy in POLICIES:
        assert assess(household, ON, policy) == assess(list(reversed(household)), ON, policy)


# --- Storage --------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
def test_round_trip_through_json(policy: str) -> None:
    household = [
        *couple("a", 30, "b", 31),
        person("g", 12, "F"),
        person("p", 19, "F", pregnant=True, due=ON + timedelta(weeks=3)),
    ]
    local = LocalPolicy(count_pregnancy_from_week=20, max_bedrooms=2)
    need = assess(household, ON, policy, local=local, overnight_carer=True)
    stored = json.loads(json.dumps(need.to_dict()))
    assert BedroomNeed.from_dict(stored) == need
    assert stored["on"] == "2025-06-15"
    assert (stored["local"] is None) == (policy != LOCAL)


def test_result_from_dict_rejects_bad_data() -> None:
    with pytest.raises(TypeError, match="bedrooms"):
        BedroomNeed.from_dict({"bedrooms": "2", "policy": BS, "on": "2025-01-01", "rooms": []})
    with pytest.raises(TypeError, match="occupants"):
        Room.from_dict({"occupants": "a", "reason": "x"})


def test_local_policy_round_trip() -> None:
    policy = LocalPolicy(
        own_room_age=18,
        any_sex_sharing_under=8,
        same_sex_sharing_under=16,
        lone_parent_shares_with_child_under=2,
        count_pregnancy_from_week=24,
        cannot_share_room=False,
        overnight_carer_room=False,
        foster_carer_room=True,
        max_bedrooms=5,
    )
    assert LocalPolicy.from_dict(policy.to_dict()) == policy
    assert LocalPolicy.from_json(json.dumps(policy.to_dict())) == policy
    assert LocalPolicy.from_dict({}) == LocalPolicy()


# --- Ages and pregnancy weeks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2016, 2, 29), date(2024, 2, 28), 7),
        (date(2016, 2, 29), date(2024, 2, 29), 8),
        (date(2016, 2, 29), date(2023, 2, 28), 6),
        (date(2016, 2, 29), date(2023, 3, 1), 7),
        (date(2000, 6, 15), date(2025, 6, 14), 24),
        (date(2000, 6, 15), date(2025, 6, 15), 25),
        (date(2025, 6, 15), date(2025, 6, 15), 0),
    ],
    ids=[
        "leap-day-before-leap-birthday",
        "leap-day-on-leap-birthday",
        "leap-day-28-feb-common-year",
        "leap-day-1-march-common-year",
        "day-before-birthday",
        "on-birthday",
        "born-today",
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    ("days_to_due", "week"),
    [(0, 40), (6, 40), (7, 39), (16 * 7, 24), (16 * 7 + 6, 24), (17 * 7, 23), (-7, 41)],
)
def test_pregnancy_week(days_to_due: int, week: int) -> None:
    assert pregnancy_week(ON + timedelta(days=days_to_due), ON) == week


# --- Errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("household", "error", "who"),
    [
        (
            [Occupant("a", aged(30), "F", partner="zz")],
            PartnerNotInHousehold,
            "a",
        ),
        (
            [
                Occupant("a", aged(30), "F", partner="b"),
                Occupant("b", aged(30), "M"),
            ],
            PartnerNotReciprocal,
            "a",
        ),
        (
            [
                Occupant("a", aged(30), "F", partner="b"),
                Occupant("b", aged(30), "M", partner="c"),
                Occupant("c", aged(30), "F", partner="b"),
            ],
            PartnerNotReciprocal,
            "a",
        ),
        ([Occupant("a", aged(30), "F", partner="a")], PartnerNotReciprocal, "a"),
        ([Occupant("late", ON + timedelta(days=1), "F")], BornAfterAssessmentDate, "late"),
        ([person("a", 30, "F"), person("a", 5, "M")], DuplicateOccupant, "a"),
        ([person("q", 30, "Q")], InvalidSex, "q"),
        ([person("f", 30, "f")], InvalidSex, "f"),
        ([Occupant("", aged(30), "F")], InvalidOccupant, None),
        ([Occupant("dt", aged(30), "F", due=ON.isoformat())], InvalidOccupant, "dt"),  # type: ignore[arg-type]
        (
            [person("p", 30, "F", pregnant=True), person("p/unborn", 3, "M")],
            DuplicateOccupant,
            "p/unborn",
        ),
    ],
    ids=[
        "partner-not-in-household",
        "partner-not-reciprocal",
        "partner-has-another-partner",
        "own-partner",
        "born-after-date",
        "duplicate-id",
        "bad-sex",
        "lower-case-sex",
        "empty-id",
        "due-not-a-date",
        "id-clashes-with-expected-baby",
    ],
)
def test_invalid_household(
    household: list[Occupant], error: type[BedroomInputError], who: str | None
) -> None:
    with pytest.raises(error) as raised:
        assess(household, ON, LOCAL)
    assert isinstance(raised.value, BedroomInputError)
    assert isinstance(raised.value, ValueError)
    assert raised.value.occupant_id == who
    if who:
        assert repr(who) in str(raised.value)


def test_born_on_the_assessment_date_is_fine() -> None:
    assert assess([Occupant("new", ON, "F")], ON).bedrooms == 1


def test_unknown_policy() -> None:
    with pytest.raises(UnknownPolicy, match="'overcrowding'") as raised:
        assess([MUM], ON, "overcrowding")
    assert raised.value.policy == "overcrowding"
    assert isinstance(raised.value, BedroomInputError)


def test_assessment_date_must_be_a_date() -> None:
    with pytest.raises(BedroomInputError, match="assessment date"):
        assess([MUM], "2025-06-15")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"own_room_age": 21, "bedroom_cap": 3}, "bedroom_cap"),
        ({"own_room_age": "21"}, "own_room_age"),
        ({"own_room_age": True}, "own_room_age"),
        ({"own_room_age": 0}, "own_room_age"),
        ({"any_sex_sharing_under": 25}, "any_sex_sharing_under"),
        ({"same_sex_sharing_under": 8}, "same_sex_sharing_under"),
        ({"same_sex_sharing_under": 22}, "same_sex_sharing_under"),
        ({"lone_parent_shares_with_child_under": 11}, "lone_parent_shares_with_child_under"),
        ({"lone_parent_shares_with_child_under": 0}, "lone_parent_shares_with_child_under"),
        ({"count_pregnancy_from_week": 50}, "count_pregnancy_from_week"),
        ({"count_pregnancy_from_week": 24.5}, "count_pregnancy_from_week"),
        ({"cannot_share_room": "yes"}, "cannot_share_room"),
        ({"overnight_carer_room": 1}, "overnight_carer_room"),
        ({"foster_carer_room": None}, "foster_carer_room"),
        ({"max_bedrooms": 0}, "max_bedrooms"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_local_policy_names_the_key(settings: dict[str, object], key: str) -> None:
    with pytest.raises(InvalidLocalPolicy) as raised:
        LocalPolicy.from_dict(settings)
    assert raised.value.key == key
    assert repr(key) in str(raised.value)
    assert isinstance(raised.value, BedroomInputError)


def test_invalid_local_policy_built_directly() -> None:
    with pytest.raises(InvalidLocalPolicy, match="'max_bedrooms'"):
        LocalPolicy(max_bedrooms=-1)


@pytest.mark.parametrize("text", ["not json", "[1, 2]"], ids=["not-json", "not-an-object"])
def test_invalid_local_policy_json(text: str) -> None:
    with pytest.raises(InvalidLocalPolicy):
        LocalPolicy.from_json(text)


def test_local_argument_is_ignored_for_statutory_policies() -> None:
    household = [MUM, person("b8", 8, "M"), person("b6", 6, "M", cannot_share=True)]
    need = assess(household, ON, BS, local=LocalPolicy(max_bedrooms=1))
    assert need.bedrooms == 2
    assert need.local is None


# --- Scale ----------------------------------------------------------------------------------


def test_twenty_children_are_paired_exactly_and_quickly() -> None:
    sexes = "FMX"
    children = [
        Occupant(f"c{number:02d}", ON - timedelta(days=200 * number + 1), sexes[number % 3])
        for number in range(20)
    ]
    started = time.perf_counter()
    need = assess(children, ON)
    assert time.perf_counter() - started < 2
    # Nineteen are under 10 and one boy is 10: he shares with a boy under 10 and the other
    # eighteen make nine pairs.
    assert need.bedrooms == 10
    assert need.rooms[0].reason == "boy aged 10 sharing with a boy under 10"
    assert all(room.reason == UNDER_10 for room in need.rooms[1:])
