"""Strand types as data, strand references, and the date arithmetic of the daily recalculation."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import strands
from domain.assessments import birth_dates_turning, due_date_reaching_week
from domain.bedrooms import pregnancy_week
from domain.clock import age_on
from domain.errors import RuleBroken
from domain.strands import (
    CLOSED_MOVED,
    COUNCIL,
    MANY,
    ONE_CURRENT_PER_PRIMARY_APPLICANT,
    ONE_OPEN_PER_CASE,
    STRAND_TYPES,
    parse_strand_reference,
    parse_toml,
)

D = dt.date


def test_every_strand_type_of_the_spec_with_its_cardinality() -> None:
    assert {code: t.cardinality for code, t in STRAND_TYPES.items()} == {
        "housing_register": ONE_CURRENT_PER_PRIMARY_APPLICANT,
        "bedroom_assessment": ONE_OPEN_PER_CASE,
        "homeless_application": ONE_CURRENT_PER_PRIMARY_APPLICANT,
        "homeless_legacy_application": ONE_CURRENT_PER_PRIMARY_APPLICANT,
        "health_assessment": MANY,
        "risk_assessment": MANY,
        "review": MANY,
        "homeless_referral": MANY,
        "financial_assistance": ONE_OPEN_PER_CASE,
        "rough_sleeper": ONE_OPEN_PER_CASE,
    }
    assert STRAND_TYPES["housing_register"].also_opens == ("bedroom_assessment",)


def test_types_have_distinct_prefixes_open_and_closed_statuses() -> None:
    prefixes = [t.prefix for t in STRAND_TYPES.values()]
    assert len(set(prefixes)) == len(prefixes)
    assert "HC" not in prefixes  # case references
    for strand_type in STRAND_TYPES.values():
        assert strand_type.initial_status in strand_type.open_statuses
        assert strand_type.moved_status in strand_type.closed_statuses
        assert set(strand_type.open_statuses).isdisjoint(strand_type.closed_statuses)
        assert strand_type.moved_status not in strand_type.moves_from(strand_type.initial_status)
    assert STRAND_TYPES["housing_register"].moved_status == CLOSED_MOVED
    assert STRAND_TYPES["homeless_application"].moved_status == "Closed (moved to another case)"
    referral = STRAND_TYPES["homeless_referral"]
    assert referral.initial_status == "01 Referral Entered"
    assert referral.workflow == "homeless_referral"
    assert referral.status("98 Closure").is_open
    assert not referral.status("Closed").is_open
    with pytest.raises(RuleBroken, match="not a status of a Homeless referral"):
        referral.status("Housed")


def test_the_shipped_types_carry_the_fields_a_council_expects() -> None:
    def names(code: str) -> set[str]:
        return {f.name for f in STRAND_TYPES[code].fields}

    assert {
        "application_date",
        "band",
        "effective_date",
        "bidding_number",
        "qualification_decision",
        "qualification_reason",
    } <= names("housing_register")
    assert {"medical_condition", "mobility_needs", "recommendation"} <= names("health_assessment")
    assert {"risk_to_officers", "risk_to_applicant", "review_date"} <= names("risk_assessment")
    assert {"amount", "purpose", "decision"} <= names("financial_assistance")
    register = STRAND_TYPES["housing_register"]
    assert register.key_facts == ("band", "effective_date", "bidding_number")
    reason = register.field("qualification_reason")
    assert reason.is_required("Assessment", {"qualification_decision": "Does not qualify"})
    assert not reason.is_required("Assessment", {"qualification_decision": "Qualifies"})
    assert register.field("band").is_required("Active on register", {})
    assert not register.field("band").is_required("Assessment", {})
    assert STRAND_TYPES["financial_assistance"].field("amount").kind == "money"


TENANCY = """
code = "tenancy_sustainment"
name = "Tenancy sustainment"
prefix = "TS"
cardinality = "many"
key_facts = ["worker"]

[[statuses]]
label = "Referred"
open = true

[[statuses]]
label = "Supporting"
open = true

[[statuses]]
label = "Ended"
open = false

[[fields]]
name = "worker"
label = "Support worker"
kind = "officer"
required_at = ["Supporting"]
"""


def test_a_strand_type_can_be_defined_as_data() -> None:
    strand_type = parse_toml(TENANCY, source=COUNCIL)
    assert strand_type.initial_status == "Referred"
    assert strand_type.closed_statuses == ("Ended", CLOSED_MOVED)
    assert strand_type.moves_from("Referred") == ("Supporting", "Ended")  # any move, when unlisted
    assert strand_type.field("worker").required_at == ("Supporting",)
    assert strand_type.source == COUNCIL


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('code = "Bad Code"', "'Bad Code' must be lower_snake_case"),
        ('prefix = "t"', "'tenancy_sustainment': prefix 't' must be 2-4 capitals"),
        ('cardinality = "some"', "unknown cardinality rule 'some'"),
        ('name = " "', "needs a name"),
        ('colour = "red"', "unknown setting 'colour'"),
        ('workflow = "homeless_referral"', "'workflow' is for the product's own types only"),
        ('key_facts = ["nope"]', "key fact 'nope' is not a field of the type"),
        ('public_facts = ["nope"]', "public fact 'nope' is not a field of the type"),
        ("public_facts = 3", "public_facts must be a list of names"),
    ],
)
def test_bad_strand_type_definitions_are_refused(change: str, message: str) -> None:
    key = change.split(" =")[0]
    top, rest = TENANCY.split("[[statuses]]", 1)
    lines = [line for line in top.splitlines() if not line.startswith(f"{key} =")]
    text = change + "\n" + "\n".join(lines) + "\n[[statuses]]" + rest
    with pytest.raises(ValueError, match=message):
        parse_toml(text, source=COUNCIL)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('kind = "colour"', "field 'extra': kind 'colour' is not one of text, long_text"),
        ('kind = "choice"', "field 'extra': a choice field needs a list of choices"),
        ('kind = "text"\nrequired_at = ["Nowhere"]', "field 'extra': required_at names 'Nowhere'"),
        (
            'kind = "text"\nrequired_when = { field = "ghost", in = ["x"] }',
            "field 'extra': required_when names 'ghost'",
        ),
        ('kind = "text"\nmin = 3', "field 'extra': only a number field has min"),
    ],
)
def test_bad_fields_are_refused_naming_the_type_and_the_field(field: str, message: str) -> None:
    text = TENANCY + f'\n[[fields]]\nname = "extra"\nlabel = "Extra"\n{field}\n'
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_toml(text, source=COUNCIL)


def test_a_status_says_what_happens_next_and_what_we_need_in_plain_words() -> None:
    supporting = 'label = "Supporting"\nopen = true'
    code = 'code = "tenancy_sustainment"'

    def with_(*lines: str, facts: str = "") -> str:
        text = TENANCY.replace(supporting, "\n".join((supporting, *lines)))
        return text.replace(code, f"{code}\n{facts}") if facts else text

    strand_type = parse_toml(
        with_(
            'next = "Your  worker   will call you."',
            'needed = "Keep your appointments."',
            facts='public_facts = ["worker"]',
        ),
        source=COUNCIL,
    )
    status = strand_type.status("Supporting")
    assert status.next == "Your worker will call you."
    assert status.needed == "Keep your appointments."
    assert strand_type.status("Referred").next is None
    assert strand_type.public_facts == ("worker",)
    for bad in ('next = ""', f'next = "{"x" * 301}"', "needed = 3", 'colour = "red"'):
        with pytest.raises(ValueError, match="status 'Supporting'"):
            parse_toml(with_(bad), source=COUNCIL)


def test_the_shipped_register_and_homeless_types_say_what_happens_next() -> None:
    register = STRAND_TYPES["housing_register"]
    for code in ("housing_register", "financial_assistance", "health_assessment", "review"):
        assert all(s.next and s.public for s in STRAND_TYPES[code].statuses if s.is_open), code
    assert "qualification_decision" in register.public_facts
    assert STRAND_TYPES["homeless_application"].status("Relief duty").needed


def test_toml_that_does_not_read_is_refused_with_the_line() -> None:
    with pytest.raises(ValueError, match=r"not valid TOML.*line 2"):
        parse_toml('code = "x"\nname = \n', source=COUNCIL)


def test_moves_must_name_statuses_of_the_type() -> None:
    with pytest.raises(ValueError, match="moves name 'Elsewhere'"):
        parse_toml(TENANCY + '\n[moves]\n"Referred" = ["Elsewhere"]\n', source=COUNCIL)


def test_registering_a_type_refuses_clashes() -> None:
    with pytest.raises(ValueError, match="already a strand type"):
        strands.register_strand_type(STRAND_TYPES["review"])
    clash = parse_toml(TENANCY.replace('prefix = "TS"', 'prefix = "RV"'), source=COUNCIL)
    with pytest.raises(ValueError, match="prefix 'RV' is already used by 'review'"):
        strands.register_strand_type(clash)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("BA-000012", ("BA", 12)),
        (" ba-12 ", ("BA", 12)),
        ("HR-0", None),
        ("BA000012", None),
        ("B-1", None),
        ("BA-12x", None),
    ],
)
def test_strand_references_are_read_forgivingly(text: str, parsed: tuple[str, int] | None) -> None:
    assert parse_strand_reference(text) == parsed


def test_strand_references_are_written_with_six_digits() -> None:
    assert strands.format_strand_reference("BA", 12) == "BA-000012"
    assert strands.format_strand_reference("HR", 1234567) == "HR-1234567"


def test_birth_dates_turning_an_age_agree_with_age_on() -> None:
    ages = (10, 16, 21)
    day = D(2023, 1, 1)
    while day < D(2029, 1, 1):
        found = birth_dates_turning(day, ages)
        for born, age in found.items():
            assert age_on(born, day) == age
            assert age_on(born, day - dt.timedelta(days=1)) == age - 1
        # and nobody is missed: every birth date turning an age that day is listed
        for age in ages:
            for offset in (-1, 0, 1):
                born = D(day.year - age, 1, 1) + dt.timedelta(days=(day - D(day.year, 1, 1)).days)
                born += dt.timedelta(days=offset)
                turns = age_on(born, day) == age and age_on(born, day - dt.timedelta(days=1)) < age
                assert (born in found) == turns, (day, born)
        day += dt.timedelta(days=1)


def test_29_february_birthdays_are_reached_on_1_march_in_other_years() -> None:
    assert birth_dates_turning(D(2026, 3, 1), [10]) == {D(2016, 3, 1): 10, D(2016, 2, 29): 10}
    assert birth_dates_turning(D(2026, 2, 28), [10]) == {D(2016, 2, 28): 10}
    assert birth_dates_turning(D(2024, 2, 29), [10]) == {}  # 2014 had no 29 February
    assert birth_dates_turning(D(2028, 2, 29), [12]) == {D(2016, 2, 29): 12}
    assert birth_dates_turning(D(2028, 3, 1), [12]) == {D(2016, 3, 1): 12}


@pytest.mark.parametrize("week", range(43))
def test_due_date_reaching_a_week_agrees_with_pregnancy_week(week: int) -> None:
    on = D(2026, 6, 15)
    due = due_date_reaching_week(on, week)
    assert pregnancy_week(due, on) == week
    assert pregnancy_week(due, on - dt.timedelta(days=1)) == week - 1
