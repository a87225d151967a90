"""The household table for the bedroom calculator's tests: each row a household, a policy, a
date, the number of bedrooms and, for most rows, the rooms expected (occupant ids, eldest first,
and reason) in the order the calculator lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from domain.bedrooms import (
    LocalPolicy,
    Occupant,
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
