"""The rules of applying to the housing register, whatever sends the application: where the
eligibility answers lead, and the whole application checked again on sending."""

from __future__ import annotations

import datetime as dt

import pytest

from domain import applying
from domain.errors import RuleBroken

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("answers", "exit_code"),
    [
        ({"over_18": "no"}, applying.EXIT_AGE),
        ({"over_18": "yes", "immigration": "visa"}, applying.EXIT_IMMIGRATION),
        ({"over_18": "yes", "immigration": "none"}, applying.EXIT_IMMIGRATION),
        ({"immigration": "not_sure", "connection": "none"}, applying.EXIT_CONNECTION),
        ({"immigration": "pre_settled", "connection": "work", "registered": "yes"}, "registered"),
        ({"over_18": "yes", "immigration": "refugee", "connection": "special"}, None),
        ({}, None),
    ],
)
def test_where_the_eligibility_answers_lead(answers: dict[str, str], exit_code: str | None) -> None:
    asked = {"over_18": None, "immigration": None, "connection": None, "registered": None}
    assert applying.eligibility_exit(**{**asked, **answers}) == exit_code


def test_the_councils_area_comes_from_its_name() -> None:
    assert applying.area_of("Northbridge Borough Council") == "Northbridge"
    assert applying.area_of("Testshire District Council") == "Testshire"
    assert applying.area_of("Council") == "Council"
    assert "in Northbridge for" in applying.connection_words("lived", "Northbridge City Council")


def test_previous_addresses_are_asked_for_under_five_years() -> None:
    assert applying.needs_previous_addresses(dt.date(2022, 12, 1), TODAY)
    assert not applying.needs_previous_addresses(dt.date(2021, 11, 30), TODAY)
    assert not applying.needs_previous_addresses(None, TODAY)


def test_the_send_checks_the_whole_application_again() -> None:
    home = applying.Home("1 New Road", None, "Northbridge", "NB1 1AA", dt.date(2024, 1, 1))
    later = applying.Home("2 Old Road", None, "Northbridge", "NB1 1AB", dt.date(2025, 1, 1))
    application = applying.RegisterApplication(
        immigration_status="visa",
        local_connection="lived",
        first_name="Grace",
        last_name="",
        date_of_birth=dt.date(2010, 2, 14),
        sex="F",
        address=home,
        previous_addresses=(later,),
        preferred_contact="Email",
        declaration=False,
        members=(applying.Member("Tobi", "Adeyemi", dt.date(2030, 1, 1), "M", "Son"),),
        medical_people=(5,),
    )
    with pytest.raises(RuleBroken) as refused:
        applying.check(application, TODAY)
    message = refused.value.message
    for problem in (
        "an applicant who can join the register",
        "your first and last name",
        "an email address to contact you by",
        "Tobi Adeyemi's relationship to you and date of birth",
        "previous addresses you moved to before your address now",
        "who has a medical condition, from the people in your household",
        "your agreement to the declaration",
    ):
        assert problem in message, message
