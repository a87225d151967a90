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
    MANY,
    ONE_CURRENT_PER_PRIMARY_APPLICANT,
    ONE_OPEN_PER_CASE,
    STRAND_TYPES,
    StrandType,
    parse_strand_reference,
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
        assert CLOSED_MOVED in strand_type.closed_statuses
        assert set(strand_type.open_statuses).isdisjoint(strand_type.closed_statuses)
    referral = STRAND_TYPES["homeless_referral"]
    assert referral.initial_status == "01 Referral Entered"
    assert referral.status("98 Closure").is_open
    assert not referral.status("Closed").is_open
    with pytest.raises(RuleBroken, match="not a status of a Homeless referral"):
        referral.status("Housed")


def test_a_strand_type_can_be_defined_as_data() -> None:
    data = {
        "code": "tenancy_sustainment",
        "name": "Tenancy sustainment",
        "prefix": "TS",
        "cardinality": "many",
        "open": ["Referred", "Supporting"],
        "closed": ["Ended"],
    }
    strand_type = StrandType.from_dict(data)
    assert strand_type.initial_status == "Referred"
    assert strand_type.closed_statuses == ("Ended", CLOSED_MOVED)
    assert StrandType.from_dict(strand_type.to_dict()) == strand_type


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "Bad Code"}, "lower_snake_case"),
        ({"prefix": "t"}, "2-4 capitals"),
        ({"cardinality": "some"}, "unknown cardinality"),
        ({"open": []}, "at least one open status"),
        ({"open": ["Ended"]}, "lists a status twice"),
        ({"name": " "}, "needs a name"),
    ],
)
def test_bad_strand_type_definitions_are_refused(change: dict[str, object], message: str) -> None:
    data: dict[str, object] = {
        "code": "tenancy_sustainment",
        "name": "Tenancy sustainment",
        "prefix": "TS",
        "open": ["Referred"],
        "closed": ["Ended"],
        **change,
    }
    with pytest.raises(ValueError, match=message):
        StrandType.from_dict(data)


def test_a_definition_without_closed_statuses_is_refused() -> None:
    with pytest.raises(ValueError, match="missing 'closed'"):
        StrandType.from_dict({"code": "ts", "name": "T", "prefix": "TS", "open": ["Referred"]})


def test_registering_a_type_refuses_clashes() -> None:
    with pytest.raises(ValueError, match="already a strand type"):
        strands.register_strand_type(STRAND_TYPES["review"])
    clash = StrandType.from_dict(
        {"code": "other_review", "name": "Other", "prefix": "RV", "open": ["A"], "closed": ["B"]}
    )
    with pytest.raises(ValueError, match="prefix 'RV' is already used"):
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
