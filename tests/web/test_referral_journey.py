"""The referral journeys on the portal: one question per page, answers kept between pages,
check your answers with Change links, confirmation, the progress page, GOV.UK error messages
for bad input (never a 500), consent, duplicates and throttling."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import throttle
from domain.referrals import Referral
from domain.security import OutboxEmail
from tests.support.pages import Page, Pages

REFERRER_ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("consent", {"consent_to_referral": "yes", "consent_to_share": "yes"}),
    ("organisation", {"org_type": "prison", "org_name": "HMP Northbridge, Healthcare wing"}),
    (
        "your-details",
        {
            "referrer_name": "Dev Ramsay",
            "referrer_role": "Resettlement officer",
            "referrer_email": "dev.ramsay@justice.example",
            "referrer_phone": "01632 960 555",
        },
    ),
    (
        "person",
        {
            "first_name": "Jordan",
            "last_name": "Pike",
            "date_of_birth-day": "2",
            "date_of_birth-month": "11",
            "date_of_birth-year": "1996",
        },
    ),
    ("contact", {"phone": "", "email": "", "preferred_contact": "Through the referrer"}),
    ("address", {"housing_situation": "no_fixed_address"}),
    ("safe-tonight", {"safe_tonight": "not_known"}),
    ("reason", {"reason": "Released on licence with no address to go to."}),
    (
        "leaving-date",
        {"leaving_date-day": "", "leaving_date-month": "", "leaving_date-year": ""},
    ),
    ("household", {"add_member": "no"}),
    ("support", {"support_needs": "Needs a ground floor room."}),
]
SELF_ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("consent", {"consent_to_referral": "yes"}),
    (
        "person",
        {
            "first_name": "Maya",
            "last_name": "Osei",
            "date_of_birth-day": "19",
            "date_of_birth-month": "7",
            "date_of_birth-year": "2001",
        },
    ),
    (
        "contact",
        {"phone": "07700 900456", "email": "maya@example.com", "preferred_contact": "Email"},
    ),
    ("address", {"housing_situation": "address"}),
    (
        "home-address",
        {
            "address_line_1": "12 Foundry Court",
            "address_line_2": "",
            "town": "Northbridge",
            "postcode": "nb49zz",
        },
    ),
    ("safe-tonight", {"safe_tonight": "yes"}),
    ("reason", {"reason": "My landlord has given me notice."}),
    (
        "leaving-date",
        {"leaving_date-day": "", "leaving_date-month": "", "leaving_date-year": ""},
    ),
    ("household", {"add_member": "no"}),
    ("support", {"support_needs": ""}),
]


def count(db: Session, model: type) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def answer_all(
    pages: Pages,
    answers: list[tuple[str, dict[str, str]]],
    route: str = "referral_step",
    *,
    upto: int | None = None,
) -> None:
    """Answer the pages in order (the first `upto` of them), each leading to the next."""
    prefix = route.removesuffix("_step")
    for index, (step, data) in enumerate(answers[:upto]):
        pages.get(route, step=step)
        page = pages.post(route, data, step=step)
        following = (
            pages.url(route, step=answers[index + 1][0])
            if index + 1 < len(answers)
            else pages.url(f"{prefix}_check")
        )
        assert page.location == following, (step, page.location, page.error_summary)


def errors_on(pages: Pages, step: str, data: dict[str, Any], route: str = "referral_step") -> Page:
    page = pages.post(route, data, step=step, status=400)
    assert page.soup.title is not None
    assert page.soup.title.get_text().startswith("Error: ")
    return page


# --- the whole journey -----------------------------------------------------------------------


def test_a_referrer_goes_through_every_page_checks_and_sends(db: Session, pages: Pages) -> None:
    start = pages.get("referral_start")
    assert start.h1 == "Refer someone who is homeless or at risk of homelessness"
    assert start.select_one("a.govuk-button--start")["href"] == "/refer/consent"
    answer_all(pages, REFERRER_ANSWERS)

    check = pages.get("referral_check")
    assert check.h1 == "Check your answers before sending the referral"
    rows = dict(
        zip(
            check.texts(".govuk-summary-list__key"),
            check.texts(".govuk-summary-list__value"),
            strict=True,
        )
    )
    assert rows["Organisation"] == "Prison HMP Northbridge, Healthcare wing"
    assert rows["Your name"] == "Dev Ramsay"
    assert rows["Name"] == "Jordan Pike"
    assert rows["Date of birth"] == "2 November 1996"
    assert rows["Preferred contact"] == "Through me, the referrer"
    assert rows["Living now"] == "No fixed address"
    assert rows["Household"] == "No one else"
    changes = check.select(".govuk-summary-list__actions a")
    assert all(a["href"].endswith("?change=1") for a in changes)
    assert "/refer/person?change=1" in {a["href"] for a in changes}

    sent = pages.post("referral_check", {})
    assert sent.location == "/refer/sent"
    confirmation = pages.follow(sent)
    assert confirmation.h1.startswith("Referral sent")
    referral = db.scalars(select(Referral)).one()
    assert confirmation.select_one(".govuk-panel__body strong").get_text() == referral.reference
    assert "dev.ramsay@justice.example" in confirmation.text
    assert (referral.first_name, referral.org_type, referral.preferred_contact) == (
        "Jordan",
        "prison",
        "Through the referrer",
    )
    assert referral.strand.status == "01 Referral Entered"
    (email,) = db.scalars(select(OutboxEmail)).all()
    assert email.to_address == "dev.ramsay@justice.example"

    # the progress page: status, dates and outcome only
    match = re.search(r"(/referral-status\?token=\S+)", email.body_text)
    assert match
    status = pages.fetch(match.group(1))
    assert status.h1 == f"Referral {referral.reference}"
    assert "Received" in status.texts(".govuk-summary-list__value")[0]
    for private in ("Jordan", "Pike", "HMP", "Dev Ramsay", "licence", "ground floor"):
        assert private not in status.text
    link = confirmation.select_one('a[href^="/referral-status?token="]')["href"]
    assert pages.fetch(link).h1 == status.h1

    # the draft is gone: the check page starts again, and a second send shows the first
    assert pages.get("referral_check", status=303).location == "/refer"
    again = pages.post("referral_check", {})
    assert again.location == "/refer/sent"
    assert count(db, Referral) == 1


def test_someone_refers_themselves_in_plain_words(db: Session, pages: Pages) -> None:
    start = pages.get("self_referral_start")
    assert start.h1 == "Ask for help if you are homeless or might lose your home"
    pages.get("self_referral_step", step="organisation", status=404)  # no referrer pages
    pages.get("self_referral_step", step="your-details", status=404)
    assert pages.get("self_referral_step", step="safe-tonight").h1 == (
        "Do you have somewhere safe to stay tonight?"
    )
    answer_all(pages, SELF_ANSWERS, route="self_referral_step")
    check = pages.get("self_referral_check")
    assert "About the person" not in check.text and "Organisation" not in check.text
    assert "12 Foundry Court Northbridge NB4 9ZZ" in check.text  # the postcode tidied
    sent = pages.follow(pages.post("self_referral_check", {}))
    assert sent.h1.startswith("Request sent")
    referral = db.scalars(select(Referral)).one()
    assert referral.is_self_referral and referral.referrer_email is None
    assert referral.postcode == "NB4 9ZZ"
    assert referral.strand.data == {"self_referral": True}
    (email,) = db.scalars(select(OutboxEmail)).all()
    assert email.to_address == "maya@example.com"


def test_a_change_link_returns_to_the_check_page(db: Session, pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS)
    page = pages.get("referral_step", step="reason", params={"change": "1"})
    assert page.select_one("form")["action"] == "/refer/reason?change=1"
    assert page.select_one(".govuk-back-link")["href"] == "/refer/check"
    assert page.select_one("textarea").get_text().strip().startswith("Released on licence")
    done = pages.submit("/refer/reason?change=1", {"reason": "Released today; nowhere to go."})
    assert done.location == "/refer/check"
    assert "Released today; nowhere to go." in pages.get("referral_check").text


def test_answers_are_shown_again_when_going_back(pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS, upto=4)
    person = pages.get("referral_step", step="person")
    assert person.select_one("#first_name")["value"] == "Jordan"
    assert person.select_one("#date_of_birth-year")["value"] == "1996"
    assert person.select_one(".govuk-back-link")["href"] == "/refer/your-details"
    organisation = pages.get("referral_step", step="organisation")
    assert organisation.select_one('input[value="prison"]').has_attr("checked")


def test_the_check_page_sends_you_to_the_first_unanswered_page(pages: Pages) -> None:
    assert pages.get("referral_check", status=303).location == "/refer"  # nothing started
    answer_all(pages, REFERRER_ANSWERS, upto=5)
    assert pages.get("referral_check", status=303).location == "/refer/address"
    assert pages.post("referral_check", {}).location == "/refer/address"


def test_household_members_are_added_and_removed(db: Session, pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS, upto=9)
    page = pages.get("referral_step", step="household")
    assert page.h1 == "People who need housing with them"
    go = pages.post("referral_step", {"add_member": "yes"}, step="household")
    assert go.location == "/refer/household-member"
    errors = errors_on(
        pages,
        "household-member",
        {"name": "", "relationship": "", "date_of_birth-day": "30", "date_of_birth-month": "2"},
    )
    assert errors.error_summary == [
        "Enter their full name",
        "Select their relationship to the person",
        "Date of birth must include a year",
    ]
    for name, relationship in (("Tia Pike", "Daughter"), ("Sam Pike", "Partner")):
        added = pages.post(
            "referral_step",
            {"name": name, "relationship": relationship, "date_of_birth-day": ""},
            step="household-member",
        )
        assert added.location == "/refer/household"
    page = pages.get("referral_step", step="household")
    assert page.texts(".govuk-summary-list__key") == ["Tia Pike", "Sam Pike"]
    assert "Do you need to add anyone else?" in page.text
    removed = pages.post("referral_step", {"remove": "0"}, step="household")
    assert removed.location == "/refer/household"
    for odd in ("99", "²", "-1"):  # nothing there: ignored
        pages.post("referral_step", {"remove": odd}, step="household", status=None)
    assert pages.get("referral_step", step="household").texts(".govuk-summary-list__key") == [
        "Sam Pike"
    ]
    assert pages.post("referral_step", {"add_member": "no"}, step="household").location == (
        "/refer/support"
    )
    pages.post("referral_step", {"support_needs": ""}, step="support")
    assert "Sam Pike (Partner)" in pages.get("referral_check").text


# --- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"consent_to_referral": "no", "consent_to_share": "yes"},
        {"consent_to_referral": "yes", "consent_to_share": "no"},
    ],
)
def test_without_consent_the_referral_cannot_be_sent(
    db: Session, pages: Pages, data: dict[str, str]
) -> None:
    refused = pages.post("referral_step", data, step="consent")
    assert refused.location == "/refer/no-consent"
    page = pages.follow(refused)
    assert page.h1 == "You cannot send this referral without the person's consent"
    assert "Nothing has been sent" in page.text
    # going round the consent page to the end still cannot send it
    answer_all(pages, REFERRER_ANSWERS[1:])
    assert pages.get("referral_check", status=303).location == "/refer/no-consent"
    assert pages.post("referral_check", {}).location == "/refer/no-consent"
    assert count(db, Referral) == 0


def test_a_self_referral_without_agreement_is_explained(pages: Pages) -> None:
    refused = pages.post("self_referral_step", {"consent_to_referral": "no"}, step="consent")
    assert pages.follow(refused).h1 == "We need your agreement to help you online"


# --- validation -------------------------------------------------------------------------------


def test_every_page_says_what_is_missing(pages: Pages) -> None:
    expected = {
        "consent": [
            "Select yes if the person has agreed to be referred to the council",
            "Select yes if the person has agreed to you sharing their contact details",
        ],
        "organisation": [
            "Select the type of organisation you work for",
            "Enter the name of your organisation",
        ],
        "your-details": [
            "Enter your full name",
            "Enter your job title or role",
            "Enter your work email address",
            "Enter your work phone number",
        ],
        "person": ["Enter their first name", "Enter their last name", "Enter their date of birth"],
        "contact": ["Select how to contact them"],
        "address": ["Select where they are living now"],
        "safe-tonight": ["Select whether the person has somewhere safe to stay tonight"],
        "reason": ["Enter why the person is homeless or at risk of homelessness"],
        "household": ["Select yes if anyone else needs housing with them"],
    }
    for step, messages in expected.items():
        page = errors_on(pages, step, {})
        assert page.error_summary == messages, step
        first_link = page.select_one(".govuk-error-summary__list a")["href"]
        assert page.soup.select_one(first_link), f"{step}: {first_link} is not on the page"


def test_self_referral_messages_speak_to_you(pages: Pages) -> None:
    page = errors_on(pages, "person", {}, route="self_referral_step")
    assert page.error_summary == [
        "Enter your first name",
        "Enter your last name",
        "Enter your date of birth",
    ]
    page = errors_on(pages, "safe-tonight", {}, route="self_referral_step")
    assert page.error_summary == ["Select whether you have somewhere safe to stay tonight"]


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "1990", "Date of birth must be a real date"),
        ("12", "13", "1990", "Date of birth must be a real date"),
        ("x", "1", "1990", "Date of birth must be a real date"),
        ("1", "1", "90", "Year must include 4 numbers"),
        ("1", "", "1990", "Date of birth must include a month"),
        ("1", "1", "1850", "Date of birth must be after 1900"),
        ("1", "1", "2999", "Date of birth must be in the past"),
    ],
)
def test_impossible_dates_of_birth(
    pages: Pages, day: str, month: str, year: str, message: str
) -> None:
    page = errors_on(
        pages,
        "person",
        {
            "first_name": "Jo",
            "last_name": "Pike",
            "date_of_birth-day": day,
            "date_of_birth-month": month,
            "date_of_birth-year": year,
        },
    )
    assert page.error_summary == [message]


def test_too_long_answers_are_refused(pages: Pages) -> None:
    page = errors_on(
        pages,
        "person",
        {
            "first_name": "J" * 101,
            "last_name": "P" * 101,
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "1990",
        },
    )
    assert page.error_summary == [
        "First name must be 100 characters or fewer",
        "Last name must be 100 characters or fewer",
    ]
    page = errors_on(pages, "reason", {"reason": "x" * 2001})
    assert page.error_summary == ["Reason must be 2000 characters or fewer"]
    page = errors_on(pages, "organisation", {"org_type": "prison", "org_name": "H" * 201})
    assert page.error_summary == ["Organisation name must be 200 characters or fewer"]


def test_bad_email_addresses_and_phone_numbers(pages: Pages) -> None:
    page = errors_on(
        pages,
        "your-details",
        {
            "referrer_name": "Dev Ramsay",
            "referrer_role": "Officer",
            "referrer_email": "dev at justice",
            "referrer_phone": "call me",
        },
    )
    assert page.error_summary == [
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
    ]
    page = errors_on(pages, "contact", {"phone": "0123", "email": "", "preferred_contact": "Phone"})
    assert page.error_summary == [
        "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
    ]
    page = errors_on(pages, "contact", {"phone": "", "email": "", "preferred_contact": "Email"})
    assert page.error_summary == ["Enter an email address, or choose another way to contact"]
    page = errors_on(
        pages, "contact", {"phone": "", "email": "", "preferred_contact": "Text message"}
    )
    assert page.error_summary == ["Enter a phone number, or choose another way to contact"]


def test_an_address_needs_its_lines_and_a_real_postcode(pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS, upto=5)
    asked = pages.post("referral_step", {"housing_situation": "address"}, step="address")
    assert asked.location == "/refer/home-address"
    page = errors_on(pages, "home-address", {})
    assert page.error_summary == [
        "Enter address line 1, typically the building and street",
        "Enter the town or city",
        "Enter the postcode",
    ]
    assert page.select_one(".govuk-back-link")["href"] == "/refer/address"
    page = errors_on(
        pages,
        "home-address",
        {"address_line_1": "1 Mill Lane", "town": "Northbridge", "postcode": "NOT A CODE"},
    )
    assert page.error_summary == ["Enter a real postcode, like NB1 1AA"]
    done = pages.post(
        "referral_step",
        {"address_line_1": "1 Mill Lane", "town": "Northbridge", "postcode": "nb1 1aa"},
        step="home-address",
    )
    assert done.location == "/refer/safe-tonight"


def test_no_fixed_address_skips_the_address_page_and_forgets_an_old_one(pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS)
    changed = pages.submit("/refer/address?change=1", {"housing_situation": "address"})
    assert changed.location == "/refer/home-address?change=1"  # the new page must be answered
    pages.submit(
        "/refer/home-address?change=1",
        {"address_line_1": "1 Mill Lane", "town": "Northbridge", "postcode": "NB1 1AA"},
    )
    check = pages.get("referral_check")
    assert "1 Mill Lane" in check.text
    back = pages.submit("/refer/address?change=1", {"housing_situation": "sleeping_rough"})
    assert back.location == "/refer/check"
    check = pages.get("referral_check")
    assert "1 Mill Lane" not in check.text and "Sleeping rough" in check.text
    # posting to a page the answers no longer need goes on to what is needed
    stray = pages.post(
        "referral_step",
        {"address_line_1": "2 Mill Lane", "town": "Northbridge", "postcode": "NB1 1AA"},
        step="home-address",
    )
    assert stray.location == "/refer/check"


def test_a_release_date_must_be_real_and_near(pages: Pages) -> None:
    page = errors_on(
        pages,
        "leaving-date",
        {"leaving_date-day": "1", "leaving_date-month": "1", "leaving_date-year": "2090"},
    )
    assert page.error_summary == ["Release or discharge date must be within a year of today"]
    page = errors_on(
        pages,
        "leaving-date",
        {"leaving_date-day": "30", "leaving_date-month": "2", "leaving_date-year": "2027"},
    )
    assert page.error_summary == ["Release or discharge date must be a real date"]


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("consent", {"consent_to_referral": "maybe", "consent_to_share": "<script>"}),
        ("organisation", {"org_type": "bank", "org_name": "x"}),
        ("safe-tonight", {"safe_tonight": "perhaps"}),
        ("household", {"remove": "-1", "add_member": "both"}),
        ("household-member", {"name": "A", "relationship": "Landlord"}),
        ("contact", {"preferred_contact": "Pigeon"}),
    ],
)
def test_tampered_answers_get_an_error_never_a_500(
    pages: Pages, step: str, data: dict[str, str]
) -> None:
    page = pages.post("referral_step", data, step=step, status=400)
    assert page.error_summary


def test_unknown_pages_are_not_found(pages: Pages) -> None:
    pages.get("referral_step", step="nothing-here", status=404)
    pages.post("referral_step", {}, step="nothing-here", status=404)
    pages.get("referral_sent", status=303)  # nothing sent in this session


# --- duplicates and throttling ----------------------------------------------------------------


def test_sending_the_same_referral_twice_shows_the_first(db: Session, pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS)
    pages.post("referral_check", {})
    first = db.scalars(select(Referral)).one()
    answer_all(pages, REFERRER_ANSWERS)  # the same answers again, a minute later
    page = pages.follow(pages.post("referral_check", {}))
    assert first.reference in page.select_one(".govuk-panel__body").get_text()
    assert "You had already sent this referral" in page.text
    assert count(db, Referral) == 1
    assert count(db, OutboxEmail) == 1


def test_too_many_referrals_from_one_address_are_refused(db: Session, pages: Pages) -> None:
    for n in range(20):
        throttle.record(db, "referral", f"someone{n}@nhs.example", "testclient", succeeded=True)
    db.commit()
    answer_all(pages, REFERRER_ANSWERS)
    page = pages.post("referral_check", {}, status=429)
    assert page.soup.title is not None and page.soup.title.get_text().startswith("Error: ")
    assert "Too many referrals have been sent from here in the last hour" in page.text
    assert count(db, Referral) == 0
    assert pages.get("referral_check").h1  # the answers are kept to try again later


def test_a_broken_or_foreign_status_link_is_explained(pages: Pages) -> None:
    page = pages.get("referral_status", params={"token": "not-a-token"}, status=400)
    assert page.h1 == "This link does not work"
    page = pages.get("referral_status", status=400)
    assert page.h1 == "This link does not work"


def test_the_home_page_offers_both_ways_to_refer(pages: Pages) -> None:
    home = pages.get("home")
    hrefs = {a["href"] for a in home.select("a")}
    assert {"/refer", "/refer-yourself"} <= hrefs
