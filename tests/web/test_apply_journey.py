"""Applying to join the housing register on the portal: a task list of one-question pages,
eligibility exits that say why, save and come back, check your answers, and one transaction on
send (person, household, case, Housing Register application, bedroom need, account, history,
receipt email)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import clock, strands
from domain.assessments import current_assessment
from domain.drafts import JourneyDraft
from domain.history import SYSTEM
from domain.models import Case, CasePerson, HistoryEvent, Person, PortalAccount
from domain.security import OutboxEmail
from domain.strands import Strand
from domain.task_model import Task
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Page, Pages

TODAY = clock.today()


def _date(prefix: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{prefix}-day": str(day), f"{prefix}-month": str(month), f"{prefix}-year": str(year)}


ELIGIBLE: list[tuple[str, dict[str, Any]]] = [
    ("age", {"over_18": "yes"}),
    ("immigration", {"immigration": "british_irish"}),
    ("connection", {"connection": "lived"}),
    ("registered", {"registered": "no"}),
]
YOU = {
    "first_name": "Grace",
    "last_name": "Adeyemi",
    **_date("date_of_birth", 14, 2, 1990),
    "sex": "F",
    "ni_number": "qq123456c",
}
PARTNER = {
    "first_name": "Samuel",
    "last_name": "Adeyemi",
    **_date("date_of_birth", 3, 8, 1988),
    "sex": "M",
    "relationship": "Partner",
}
CHILDREN = [
    {
        "first_name": "Tobi",
        "last_name": "Adeyemi",
        **_date("date_of_birth", 5, 1, TODAY.year - 9),
        "sex": "M",
        "relationship": "Son",
    },
    {
        "first_name": "Kemi",
        "last_name": "Adeyemi",
        **_date("date_of_birth", 20, 6, TODAY.year - 6),
        "sex": "F",
        "relationship": "Daughter",
    },
]
ADDRESS = {
    "line_1": "Flat 4, 22 Canal Street",
    "line_2": "",
    "town": "Northbridge",
    "postcode": "nb12ab",
    **_date("moved_in", 1, 3, TODAY.year - 2),
}
PREVIOUS = {
    "line_1": "9 Mill Lane",
    "line_2": "",
    "town": "Northbridge",
    "postcode": "NB3 4CD",
    **_date("moved_in", 1, 9, TODAY.year - 7),
}


def sign_in_new(db: Session, pages: Pages, email: str = "grace@example.com") -> PortalAccount:
    account = make_portal_account(db, None, email=email)
    db.commit()
    pages.post("sign_in", {"email": email, "password": TEST_PASSWORD})
    return account


def answer(pages: Pages, step: str, data: dict[str, Any], *, then: str | None = None) -> Page:
    pages.get("apply_step", step=step)
    page = pages.post("apply_step", data, step=step)
    if then is not None:
        assert page.location == then, (step, page.location, page.error_summary)
    return page


def errors_on(pages: Pages, step: str, data: dict[str, Any]) -> list[str]:
    page = pages.post("apply_step", data, step=step, status=400)
    assert page.soup.title is not None and page.soup.title.get_text().startswith("Error: ")
    return page.error_summary


def task_states(pages: Pages) -> dict[str, str]:
    page = pages.get("apply_tasks")
    return {
        " ".join(
            item.select_one(".govuk-task-list__name-and-hint").get_text(" ").split()
        ): " ".join(item.select_one(".govuk-task-list__status").get_text(" ").split())
        for item in page.select(".govuk-task-list__item")
    }


def answer_eligibility(pages: Pages) -> None:
    for step, data in ELIGIBLE[:-1]:
        following = ELIGIBLE[ELIGIBLE.index((step, data)) + 1][0]
        answer(pages, step, data, then=pages.url("apply_step", step=following))
    answer(pages, *ELIGIBLE[-1], then=pages.url("apply_tasks"))


def answer_everything(pages: Pages, *, medical: bool = True) -> None:
    answer_eligibility(pages)
    answer(pages, "your-details", YOU, then=pages.url("apply_tasks"))
    member_page = pages.url("apply_step", step="household-member")
    household = pages.url("apply_step", step="household")
    answer(pages, "household", {"add_another": "yes"}, then=member_page)
    for person in (PARTNER, *CHILDREN):
        answer(pages, "household-member", person, then=household)
        if person is not CHILDREN[-1]:
            answer(pages, "household", {"add_another": "yes"}, then=member_page)
    answer(pages, "household", {"add_another": "no"}, then=pages.url("apply_tasks"))
    previous = pages.url("apply_step", step="previous-addresses")
    answer(pages, "address", ADDRESS, then=previous)
    answer(
        pages,
        "previous-addresses",
        {"add_another": "yes"},
        then=pages.url("apply_step", step="previous-address"),
    )
    answer(pages, "previous-address", PREVIOUS, then=previous)
    answer(pages, "previous-addresses", {"add_another": "no"}, then=pages.url("apply_tasks"))
    answer(
        pages,
        "contact",
        {"email": "grace@example.com", "phone": "07700 900123", "preferred_contact": "Email"},
        then=pages.url("apply_step", step="preferences"),
    )
    answer(
        pages,
        "preferences",
        {"communication_needs": "", "preferred_areas": "Near Canal Street school"},
        then=pages.url("apply_tasks"),
    )
    if medical:
        answer(
            pages,
            "medical",
            {"medical": "yes"},
            then=pages.url("apply_step", step="medical-details"),
        )
        answer(
            pages,
            "medical-details",
            {"medical_people": ["2"], "medical_details": "Tobi uses a wheelchair: no stairs."},
            then=pages.url("apply_tasks"),
        )
    else:
        answer(pages, "medical", {"medical": "no"}, then=pages.url("apply_tasks"))
    answer(pages, "declaration", {"declaration": "y"}, then=pages.url("apply_tasks"))


def count(db: Session, model: type) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


# --- the whole journey -----------------------------------------------------------------------


def test_apply_with_a_partner_and_two_children_makes_the_case_the_application_and_bedroom_need(
    db: Session, pages: Pages
) -> None:
    start = pages.get("apply_start")
    assert start.h1 == "Apply to join the housing register"
    assert start.select_one("a.govuk-button--start")["href"] == pages.url("apply_tasks")
    account = sign_in_new(db, pages)
    states = task_states(pages)
    assert states["Check you can apply"] == "Not yet started"
    assert states["Your details"] == "Cannot start yet"
    assert states["Check your answers and send"] == "Cannot start yet"

    answer_everything(pages)
    states = task_states(pages)
    assert set(states.values()) == {"Completed", "Not yet started"}
    assert states["Check your answers and send"] == "Not yet started"

    check = pages.get("apply_check")
    rows = dict(
        zip(
            check.texts(".govuk-summary-list__key"),
            check.texts(".govuk-summary-list__value"),
            strict=True,
        )
    )
    assert rows["Name"] == "Grace Adeyemi"
    assert rows["National Insurance number"] == "QQ 12 34 56 C"
    assert "Samuel Adeyemi: Partner" in rows["People"]
    assert "Kemi Adeyemi: Daughter" in rows["People"]
    assert "9 Mill Lane, Northbridge, NB3 4CD" in rows["Previous addresses"]
    assert rows["Who"] == "Tobi Adeyemi"
    assert rows["Right to live in the UK"] == "I am a British or Irish citizen"
    change = check.select_one('a[href$="/apply/your-details?change=1"]')
    assert "your details: name" in change.get_text(" ").lower()

    sent = pages.post("apply_check", {})
    assert sent.location == pages.url("apply_sent")
    confirmation = pages.follow(sent)
    db.expire_all()
    register = db.scalars(select(Strand).where(Strand.type_code == "housing_register")).one()
    assert register.reference in confirmation.select_one(".govuk-panel").get_text()
    assert register.status == "Application received"
    assert register.data["application_date"] == TODAY.isoformat()
    assert register.data["applied_online"] is True
    assert register.data["immigration_status"] == "I am a British or Irish citizen"
    assert "Flat 4, 22 Canal Street" in register.data["addresses"]

    case = db.get(Case, register.case_id)
    assert case is not None
    members = {cp.person.full_name: cp for cp in case.people}
    assert set(members) == {"Grace Adeyemi", "Samuel Adeyemi", "Tobi Adeyemi", "Kemi Adeyemi"}
    assert members["Grace Adeyemi"].is_primary
    assert members["Samuel Adeyemi"].relationship_to_primary == "Partner"
    grace = members["Grace Adeyemi"].person
    assert grace.ni_number == "QQ123456C"
    assert grace.email == "grace@example.com"
    addresses = sorted(grace.addresses, key=lambda a: a.date_from or dt.date.min)
    assert [a.line_1 for a in addresses] == ["9 Mill Lane", "Flat 4, 22 Canal Street"]
    assert addresses[0].date_to == addresses[1].date_from  # the earlier home ended on moving
    assert addresses[1].date_to is None

    # the bedroom need: a couple, a boy and a girl both under 10 share: two bedrooms
    assessment = current_assessment(db, case.id)
    assert assessment is not None and assessment.bedrooms == 2
    health = strands.open_strands(db, case.id, "health_assessment")
    assert [s.data["person"] for s in health] == [members["Tobi Adeyemi"].person_id]

    db.refresh(account)
    assert account.person_id == grace.id
    kinds = set(db.scalars(select(HistoryEvent.kind).where(HistoryEvent.case_id == case.id)))
    assert {"application.submitted", "portal.linked", "strand.opened", "case.created"} <= kinds
    receipt = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "application.receipt")).one()
    assert receipt.to_address == "grace@example.com"
    assert register.reference in receipt.body_text and case.reference in receipt.body_text
    assert count(db, JourneyDraft) == 0
    # the application sets its work going: checked (for the team to claim), then decided
    work = {t.name: t.status for t in db.scalars(select(Task).where(Task.strand_id == register.id))}
    assert work == {
        "Check the application and ask for any evidence": "open",
        "Decide the application": "waiting",
    }

    # the applicant now sees the application on their case page
    your_case = pages.get("your_case")
    assert your_case.soup.select_one(f'[data-strand="{register.reference}"]') is not None
    # and a second "Send" makes nothing new
    again = pages.post("apply_check", {})
    assert again.location == pages.url("apply_sent")
    assert count(db, Strand) == len(strands.strands_of_case(db, case.id))
    assert len(db.scalars(select(Strand).where(Strand.type_code == "housing_register")).all()) == 1
    # applying again leads to "you already have an application"
    assert pages.get("apply_tasks").h1 == "You already have a housing register application"


def test_leave_and_come_back_in_a_new_session_keeps_the_answers(db: Session, pages: Pages) -> None:
    sign_in_new(db, pages)
    answer_eligibility(pages)
    pages.get("apply_step", step="your-details")
    saved = pages.post("apply_step", {**YOU, "save": "later"}, step="your-details")
    assert saved.location == pages.url("apply_saved")
    page = pages.follow(saved)
    assert page.h1 == "Your answers have been saved"
    assert (clock.today() + dt.timedelta(days=30)).strftime("%B %Y") in page.text

    pages.post("sign_out", {})
    pages.client.cookies.clear()
    pages.post("sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD})
    start = pages.get("apply_start")
    assert "You have an application in progress" in start.text
    assert start.select_one("a.govuk-button")["href"] == pages.url("apply_tasks")
    states = task_states(pages)
    assert states["Check you can apply"] == "Completed"
    assert states["Your details"] == "Completed"
    assert states["People who will live with you"] == "Not yet started"
    again = pages.get("apply_step", step="your-details")
    assert again.select_one("#first_name")["value"] == "Grace"


def test_someone_else_cannot_see_or_continue_an_application(db: Session, pages: Pages) -> None:
    sign_in_new(db, pages)
    answer_eligibility(pages)
    answer(pages, "your-details", YOU, then=pages.url("apply_tasks"))
    pages.post("sign_out", {})
    pages.client.cookies.clear()
    sign_in_new(db, pages, email="someone.else@example.com")
    states = task_states(pages)
    assert states["Check you can apply"] == "Not yet started"
    page = pages.get("apply_step", step="your-details", status=303)
    assert page.location == pages.url("apply_tasks")
    assert pages.get("apply_check", status=303).location == pages.url("apply_start")


def test_signing_in_is_needed_to_apply(pages: Pages) -> None:
    page = pages.get("apply_tasks", status=303)
    assert page.location is not None and page.location.startswith(pages.url("sign_in"))
    assert "next=%2Fapply%2Ftasks" in page.location


# --- eligibility exits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "reason", "words"),
    [
        ("age", {"over_18": "no"}, "age", "You must be 18 or over to join the housing register"),
        (
            "immigration",
            {"immigration": "visa"},
            "immigration",
            "The law says councils cannot offer a home from the housing register",
        ),
        (
            "immigration",
            {"immigration": "none"},
            "immigration",
            "The law says councils cannot offer a home from the housing register",
        ),
        (
            "connection",
            {"connection": "none"},
            "connection",
            "You can apply to the council for the area where you live now",
        ),
        (
            "registered",
            {"registered": "yes"},
            "registered",
            "You can only be on",
        ),
    ],
)
def test_an_answer_that_means_you_cannot_join_explains_why_and_what_else_to_do(
    db: Session, pages: Pages, step: str, data: dict[str, str], reason: str, words: str
) -> None:
    sign_in_new(db, pages)
    for earlier, answers in ELIGIBLE:
        if earlier == step:
            break
        answer(pages, earlier, answers)
    page = answer(pages, step, data, then=pages.url("apply_exit", reason=reason))
    exit_page = pages.follow(page)
    assert words in exit_page.text
    if reason != "registered":
        assert exit_page.select_one(f'a[href="{pages.url("self_referral_start")}"]')
    # the rest of the application waits, and its pages lead back to the task list
    states = task_states(pages)
    assert states["Your details"] == "Cannot start yet"
    assert pages.get("apply_tasks").select_one(".govuk-warning-text a")["href"] == pages.url(
        "apply_exit", reason=reason
    )
    blocked = pages.get("apply_step", step="your-details", status=303)
    assert blocked.location == pages.url("apply_tasks")


def test_not_sure_of_immigration_status_carries_on_for_an_officer_to_check(
    db: Session, pages: Pages
) -> None:
    sign_in_new(db, pages)
    answer(pages, "age", {"over_18": "yes"})
    answer(
        pages,
        "immigration",
        {"immigration": "not_sure"},
        then=pages.url("apply_step", step="connection"),
    )


def test_an_unknown_exit_or_step_is_not_found(db: Session, pages: Pages) -> None:
    sign_in_new(db, pages)
    pages.get("apply_exit", reason="other", status=404)
    pages.get("apply_step", step="nowhere", status=404)


# --- every validation error ------------------------------------------------------------------


def _eligible_and(pages: Pages, *steps: tuple[str, dict[str, Any]]) -> None:
    answer_eligibility(pages)
    for step, data in steps:
        answer(pages, step, data)


@pytest.mark.parametrize(
    ("step", "data", "messages"),
    [
        ("age", {}, ["Select yes if you are 18 or over"]),
        ("immigration", {}, ["Select the one that describes your right to live in the UK"]),
        ("immigration", {"immigration": "pirate"}, ["Select the one that describes"]),
        ("connection", {}, ["Select your connection with"]),
        ("registered", {}, ["Select yes if you are already on the housing register in"]),
    ],
)
def test_eligibility_questions_say_what_is_missing(
    db: Session, pages: Pages, step: str, data: dict[str, Any], messages: list[str]
) -> None:
    sign_in_new(db, pages)
    errors = errors_on(pages, step, data)
    for message in messages:
        assert any(e.startswith(message) for e in errors), errors


@pytest.mark.parametrize(
    ("step", "data", "messages"),
    [
        (
            "your-details",
            {"sex": "F"},
            ["Enter your first name", "Enter your last name", "Enter your date of birth"],
        ),
        (
            "your-details",
            {**YOU, **_date("date_of_birth", 1, 1, TODAY.year - 16)},
            ["You must be 18 or over to apply. Check the year of your date of birth"],
        ),
        (
            "your-details",
            {**YOU, **_date("date_of_birth", 31, 2, 1990)},
            ["Date of birth must be a real date"],
        ),
        (
            "your-details",
            {**YOU, "ni_number": "12345"},
            ["Enter a National Insurance number in the correct format"],
        ),
        ("your-details", {**YOU, "sex": ""}, ["Select your sex"]),
        (
            "household-member",
            {**PARTNER, "relationship": "", **_date("date_of_birth", 1, 1, TODAY.year + 1)},
            ["Date of birth must be in the past", "Select their relationship to you"],
        ),
        ("household", {}, ["Select yes if you need to add someone else"]),
        (
            "address",
            {**ADDRESS, "postcode": "ZZ99"},
            ["Enter a real postcode, like NB1 1AA"],
        ),
        (
            "address",
            {**ADDRESS, **_date("moved_in", 1, 1, TODAY.year + 1)},
            ["Date you moved in must be today or in the past"],
        ),
        ("address", {}, ["Enter address line 1", "Enter the town or city", "Enter the postcode"]),
        (
            "contact",
            {"email": "", "phone": "", "preferred_contact": "Email"},
            ["Enter an email address, or choose another way to contact you"],
        ),
        (
            "contact",
            {"email": "grace@", "phone": "call me", "preferred_contact": "Phone"},
            ["Enter an email address in the correct format", "Enter a phone number, like"],
        ),
        ("contact", {}, ["Select how you would like us to contact you"]),
        ("medical", {}, ["Select yes if anyone in your household has a medical condition"]),
        (
            "medical-details",
            {"medical_details": ""},
            [
                "Select everyone with a medical condition or disability",
                "Enter how the condition or disability affects where you can live",
            ],
        ),
        (
            "medical-details",
            {"medical_people": ["7"], "medical_details": "Stairs"},
            ["Select everyone with a medical condition or disability"],
        ),
        ("declaration", {}, ["Confirm that the information you have given is true"]),
    ],
)
def test_each_page_says_what_is_wrong_and_keeps_nothing_wrong(
    db: Session, pages: Pages, step: str, data: dict[str, Any], messages: list[str]
) -> None:
    sign_in_new(db, pages)
    _eligible_and(pages)
    errors = errors_on(pages, step, data)
    for message in messages:
        assert any(e.startswith(message) for e in errors), errors
    draft = db.scalars(select(JourneyDraft)).one()
    db.refresh(draft)
    assert not {k for k in data if k in draft.answers and k not in ("over_18",)}


def test_a_previous_address_must_come_before_the_current_one(db: Session, pages: Pages) -> None:
    sign_in_new(db, pages)
    _eligible_and(pages, ("address", ADDRESS))
    errors = errors_on(
        pages, "previous-address", {**PREVIOUS, **_date("moved_in", 1, 1, TODAY.year - 1)}
    )
    assert errors == [
        "The date you moved there must be before the date you moved to your address now"
    ]


def test_previous_addresses_are_only_asked_for_when_the_current_one_is_recent(
    db: Session, pages: Pages
) -> None:
    sign_in_new(db, pages)
    answer_eligibility(pages)
    answer(
        pages,
        "address",
        {**ADDRESS, **_date("moved_in", 1, 1, TODAY.year - 6)},
        then=pages.url("apply_tasks"),
    )
    assert task_states(pages)["Where you live and have lived"] == "Completed"


def test_removing_a_household_member_asks_again_who_has_a_medical_condition(
    db: Session, pages: Pages
) -> None:
    sign_in_new(db, pages)
    answer_everything(pages)
    assert task_states(pages)["Health and accessibility"] == "Completed"
    pages.get("apply_step", step="household")
    pages.post("apply_step", {"remove": "1"}, step="household")
    draft = db.scalars(select(JourneyDraft)).one()
    db.refresh(draft)
    assert [m["first_name"] for m in draft.answers["household"]] == ["Samuel", "Kemi"]
    assert task_states(pages)["Health and accessibility"] == "In progress"


# --- the rules hold on send ------------------------------------------------------------------


def test_a_second_application_is_refused_on_the_check_page_and_nothing_is_made(
    db: Session, pages: Pages
) -> None:
    grace = make_person(db, "Grace", "Adeyemi")
    case = make_case(db, grace)
    account = make_portal_account(db, grace, email="grace@example.com")
    db.commit()
    pages.post("sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD})
    answer_everything(pages, medical=False)
    # meanwhile an officer opens a register application for her
    register = open_housing_register(db, case)
    db.commit()
    people_before, strands_before = count(db, Person), count(db, Strand)
    page = pages.post("apply_check", {}, status=400)
    assert any("You already have a housing register application" in e for e in page.error_summary)
    assert register.reference in page.text
    assert (count(db, Person), count(db, Strand)) == (people_before, strands_before)
    assert count(db, JourneyDraft) == 1  # the answers are still there
    assert account.person_id == grace.id


def test_a_linked_applicant_applies_on_their_own_case_and_members_already_there_are_matched(
    db: Session, pages: Pages
) -> None:
    grace = make_person(db, "Grace", "Adeyemi", born=dt.date(1990, 2, 14))
    samuel = make_person(db, "Samuel", "Adeyemi", born=dt.date(1988, 8, 3))
    case = make_case(db, grace)
    from domain import household

    household.join(db, SYSTEM, case, samuel, relationship="Partner", date_joined=TODAY)
    make_portal_account(db, grace, email="grace@example.com")
    db.commit()
    pages.post("sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD})
    answer_everything(pages, medical=False)
    pages.post("apply_check", {})
    db.expire_all()
    register = db.scalars(select(Strand).where(Strand.type_code == "housing_register")).one()
    assert register.case_id == case.id
    assert count(db, Case) == 1
    names = sorted(
        cp.person.full_name
        for cp in db.scalars(select(CasePerson).where(CasePerson.case_id == case.id))
    )
    assert names == ["Grace Adeyemi", "Kemi Adeyemi", "Samuel Adeyemi", "Tobi Adeyemi"]
    assert count(db, Person) == 4  # Samuel matched, not made again
    assert current_assessment(db, case.id) is not None
