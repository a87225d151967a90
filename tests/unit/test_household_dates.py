"""Who counts as a household member on a date, and case references."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.models import format_case_reference, is_member_on, parse_case_reference

JOINED = dt.date(2024, 3, 1)
LEFT = dt.date(2025, 6, 30)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2024, 2, 29), False),  # before joining
        (JOINED, True),  # the day they joined
        (dt.date(2025, 6, 29), True),  # the last day before leaving
        (LEFT, False),  # the date left is the first day they are gone
        (dt.date(2026, 1, 1), False),
    ],
)
def test_member_from_joining_until_the_day_before_leaving(on: dt.date, expected: bool) -> None:
    assert is_member_on(JOINED, LEFT, on) is expected


def test_member_who_never_left_stays_a_member() -> None:
    assert is_member_on(JOINED, None, dt.date(2040, 1, 1))


def test_case_reference_round_trip() -> None:
    assert format_case_reference(123) == "HC-000123"
    assert parse_case_reference("HC-000123") == 123
    assert parse_case_reference(" hc-000123 ") == 123
    assert parse_case_reference("000123") == 123
    assert parse_case_reference("HC-") is None
    assert parse_case_reference("HC-12x") is None
    assert parse_case_reference("hc 000123") == 123
    assert parse_case_reference("HC-²") is None  # a digit to Python, not to int()
    assert parse_case_reference("HC-000000") is None
    assert parse_case_reference("9" * 40) is None
