"""The rule for new passwords: long enough, and not common or easy to guess (NCSC, NIST SP
800-63B) — with no composition rules."""

from __future__ import annotations

import pytest

from domain.passwords import MAX_LENGTH, TOO_COMMON, password_problem
from tests.support.factories import TEST_PASSWORD

COMMON = [
    "password123",
    "Password123",
    "qwertyuiop",
    "1234567890",
    "iloveyou12",
    "letmein123",
    "welcome123",
    "Password1!",
    "P@ssw0rd2026",
    "Summer2024!",
    "football!!99",
    "trustno1trustno1",
    "abc123abc123",
]

GOOD = [
    TEST_PASSWORD,
    "hearth-demo-2026",  # the demo accounts' password (README.md)
    "correct horse battery staple",
    "purple monkey dishwasher",
    "teapot lantern gravel",
    "northbridge2026",
    "any-password",
    "x7#Kq!v2Lm9p",
]


@pytest.mark.parametrize("password", COMMON)
def test_common_passwords_are_refused(password: str) -> None:
    assert password_problem(password) == TOO_COMMON


@pytest.mark.parametrize("password", GOOD)
def test_passphrases_and_random_passwords_are_accepted(password: str) -> None:
    assert password_problem(password) is None


def test_the_message_says_what_to_do() -> None:
    assert TOO_COMMON == (
        "Password is too common. Choose one that would be hard to guess, such as three random "
        "words together"
    )


def test_length_rules_come_first() -> None:
    assert password_problem("password") == "Password must be 10 characters or more"
    assert password_problem("password" * 40) == f"Password must be {MAX_LENGTH} characters or fewer"


def test_a_long_password_is_judged_by_its_start() -> None:
    """zxcvbn looks at 72 characters at most; a common password repeated past that is still
    refused, and a long passphrase is still accepted."""
    assert password_problem("password" * 20) == TOO_COMMON
    assert password_problem("correct horse battery staple " * 6) is None
