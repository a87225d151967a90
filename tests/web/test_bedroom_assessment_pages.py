"""The Applications & assessments tab: the bedroom assessment explained room by room, its
versions, the officer actions (recalculate, override, clear, foster carers) and the council's
bedroom policy page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import assessments, strands
from domain.assessments import BedroomAssessmentVersion, current_assessment
from domain.clock import today as council_today
from domain.council_settings import get_setting
from domain.history import SYSTEM
from domain.models import Case, HistoryEvent, Person, User
from domain.strands import Strand
from domain.vocab import Permission
from tests.support.factories import (
    link_partners,
    make_case,
    make_person,
    open_housing_register,
)
from tests.support.pages import Pages

D = dt.date


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    """A couple with a teenage son and a young daughter: three bedrooms on either policy."""
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=D(2008, 1, 20), sex="M")
    daughter = make_person(db, "Noor", "Khan", born=D(2020, 5, 5))
    case = make_case(db, mum, [(dad, "Partner"), (son, "Son"), (daughter, "Daughter")])
    link_partners(db, case, mum, dad)
    register = open_housing_register(db, case)
    db.commit()
    bedroom = assessments.open_bedroom_assessment(db, case.id)
    assert bedroom is not None
    return {
        "case": case,
        "mum": mum,
        "dad": dad,
        "son": son,
        "daughter": daughter,
        "register": register,
        "bedroom": bedroom,
    }


@pytest.fixture
def assessor(sign_in_officer: Callable[..., User]) -> User:
    return sign_in_officer(Permission.CASES, Permission.BEDROOM_ASSESSMENTS, name="Bea Lindqvist")


def age(born: dt.date) -> int:
    today = council_today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def events(db: Session, case: Case, kind: str) -> list[HistoryEvent]:
    stmt = select(HistoryEvent).where(HistoryEvent.case_id == case.id, HistoryEvent.kind == kind)
    return list(db.scalars(stmt.order_by(HistoryEvent.id)))


def latest(db: Session, case: Case) -> BedroomAssessmentVersion:
    db.expire_all()
    version = current_assessment(db, case.id)
    assert version is not None
    return version


def post_action(pages: Pages, name: str, case: Case, data: dict[str, str] | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    return pages.post(f"backoffice:{name}", data or {}, case_id=case.id, **kw)


# --- the tab ----------------------------------------------------------------------------------


def test_the_tab_explains_the_current_assessment_room_by_room(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case, bedroom = family["case"], family["bedroom"]
    page = pages.get("backoffice:case_strands", case_id=case.id)
    assert page.h1 == "Applications and assessments"
    tab = page.select_one('.moj-sub-navigation__link[aria-current="page"]')
    assert tab.get_text(strip=True) == "Applications & assessments"
    section = page.select_one(f"#{bedroom.reference}")
    assert "Bedroom assessment" in section.select_one("h2").get_text()
    rooms = [
        [c.get_text(" ", strip=True) for c in row.select("th, td")]
        for row in section.select("#rooms tbody tr")
    ]
    assert rooms == [
        ["Bedroom 1", "Tariq Khan and Amira Khan", "Couple"],
        ["Bedroom 2", "Yusuf Khan", "Person aged 16 or over"],
        ["Bedroom 3", "Noor Khan", f"Girl aged {age(D(2020, 5, 5))} with no one to share with"],
    ]
    facts = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in section.select("#bedroom-facts .govuk-summary-list__row")
    }
    assert facts["Bedroom need"] == "3 bedrooms"
    assert facts["Calculated need"] == "3 bedrooms"
    assert facts["Policy used"] == "The size criteria"
    assert facts["Caused by"].startswith("Application opened: ")
    assert facts["Version"] == "1"
    assert facts["Approved foster carers"] == "No"
    versions = section.select("#versions tbody tr")
    assert len(versions) == 1
    assert versions[0].select("td")[-1].get_text(strip=True) == "3"
    # The Housing Register application is listed too.
    register = page.select_one(f"#{family['register'].reference}").get_text(" ", strip=True)
    assert "Housing Register application" in register and "Application received" in register


def test_officers_without_the_bedroom_permission_see_no_forms_and_cannot_post(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.CASES)
    case = family["case"]
    page = pages.get("backoffice:case_strands", case_id=case.id)
    assert page.select("#rooms tbody tr")
    assert not page.select("main form[method=post]")
    assert "Recalculate now" not in page.text
    for name, data in (
        ("bedroom_recalculate", {}),
        ("bedroom_override", {"bedrooms": "2", "reason": "Because"}),
        ("bedroom_clear_override", {}),
        ("bedroom_foster_carer", {"foster_carer": "yes"}),
    ):
        refused = post_action(pages, name, case, data, status=403)
        assert "You need the “Cases: bedroom assessments” permission" in refused.text
    assert latest(db, case).number == 1
    assert get_setting(db, assessments.BEDROOM_POLICY_KEY) is None


def test_recalculate_now_stores_a_version_citing_the_officer(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case = family["case"]
    result = post_action(pages, "bedroom_recalculate", case)
    assert result.location == pages.url("backoffice:case_strands", case_id=case.id)
    page = pages.follow(result)
    assert "Bedroom need recalculated: 3 bedrooms." in page.text
    version = latest(db, case)
    assert version.number == 2
    assert version.cause == assessments.OFFICER_RECALCULATION
    assert version.officer_id == assessor.id
    assert "Recalculated by Bea Lindqvist" in version.cause_detail
    recalculated = events(db, case, "bedroom.recalculated")
    assert recalculated[-1].actor_user_id == assessor.id
    assert recalculated[-1].after is not None
    assert recalculated[-1].after["cause"] == "officer_recalculation"
    assert len(page.select("#versions tbody tr")) == 2
    assert "Officer recalculation" in page.select_one("#versions tbody tr").get_text()


def test_recalculation_that_cannot_be_done_says_why(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case = family["case"]
    son = db.get(Person, family["son"].id)
    assert son is not None
    son.date_of_birth = None
    db.commit()
    page = post_action(pages, "bedroom_recalculate", case, status=400)
    assert page.error_summary == [
        "Record the date of birth of Yusuf Khan before the bedroom need can be worked out"
    ]
    assert page.select_one("title").get_text().startswith("Error: Applications and assessments")
    assert latest(db, case).number == 1


def test_override_shows_both_needs_with_the_reason_and_can_be_cleared(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case = family["case"]
    result = post_action(
        pages, "bedroom_override", case, {"bedrooms": "4", "reason": "Medical need for a room"}
    )
    page = pages.follow(result)
    assert "Bedroom need overridden: 4 bedrooms (override; calculated 3 bedrooms)." in page.text
    facts = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in page.select("#bedroom-facts .govuk-summary-list__row")
    }
    assert facts["Bedroom need"] == "4 bedrooms (officer override)"
    assert facts["Calculated need"] == "3 bedrooms"
    assert facts["Override reason"] == "Medical need for a room"
    assert (
        facts["Caused by"] == "Officer override: Overridden to 4 bedrooms: Medical need for a room"
    )
    newest = page.select_one("#versions tbody tr").get_text(" ", strip=True)
    assert "4 (override; calculated 3)" in newest
    version = latest(db, case)
    assert (version.override_bedrooms, version.bedrooms, version.number) == (4, 3, 2)
    overridden = events(db, case, "bedroom.overridden")
    assert len(overridden) == 1 and overridden[0].actor_user_id == assessor.id
    assert overridden[0].after is not None and overridden[0].after["override_reason"] == (
        "Medical need for a room"
    )

    assert page.select(
        f'form[action="{pages.url("backoffice:bedroom_clear_override", case_id=case.id)}"]'
    )
    cleared = pages.follow(post_action(pages, "bedroom_clear_override", case))
    assert "Override removed: the calculated need of 3 bedrooms applies again." in cleared.text
    version = latest(db, case)
    assert (version.override_bedrooms, version.number) == (None, 3)
    assert len(events(db, case, "bedroom.override_removed")) == 1
    assert not cleared.select(
        f'form[action="{pages.url("backoffice:bedroom_clear_override", case_id=case.id)}"]'
    )
    again = post_action(pages, "bedroom_clear_override", case, status=400)
    assert again.error_summary == [f"{family['bedroom'].label} has no override to remove"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"bedrooms": "", "reason": ""},
            [
                "Enter the number of bedrooms the household needs",
                "Enter the reason for overriding the calculated bedroom need",
            ],
        ),
        (
            {"bedrooms": "16", "reason": "Big"},
            ["Number of bedrooms must be a whole number from 0 to 15"],
        ),
        (
            {"bedrooms": "-1", "reason": "Odd"},
            ["Number of bedrooms must be a whole number from 0 to 15"],
        ),
        (
            {"bedrooms": "two", "reason": "Odd"},
            ["Number of bedrooms must be a whole number from 0 to 15"],
        ),
        (
            {"bedrooms": "²", "reason": "Odd"},
            ["Number of bedrooms must be a whole number from 0 to 15"],
        ),
        (
            {"bedrooms": "2.5", "reason": "Odd"},
            ["Number of bedrooms must be a whole number from 0 to 15"],
        ),
        (
            {"bedrooms": "2", "reason": "   "},
            ["Enter the reason for overriding the calculated bedroom need"],
        ),
        ({"bedrooms": "2", "reason": "x" * 2001}, ["Reason must be 2,000 characters or fewer"]),
    ],
)
def test_override_with_bad_input_shows_errors_and_saves_nothing(
    db: Session,
    pages: Pages,
    family: dict[str, Any],
    assessor: User,
    data: dict[str, str],
    errors: list[str],
) -> None:
    case = family["case"]
    page = post_action(pages, "bedroom_override", case, data, status=400)
    assert page.error_summary == errors
    assert page.select_one("#bedrooms")["value"] == data["bedrooms"]
    assert latest(db, case).number == 1
    assert not events(db, case, "bedroom.overridden")


def test_override_of_zero_bedrooms_is_allowed(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    post_action(pages, "bedroom_override", family["case"], {"bedrooms": "0", "reason": "In care"})
    assert latest(db, family["case"]).override_bedrooms == 0


def test_foster_carer_flag_recalculates_with_an_extra_room(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case, bedroom = family["case"], family["bedroom"]
    page = pages.follow(post_action(pages, "bedroom_foster_carer", case, {"foster_carer": "yes"}))
    assert "Recorded that the household are approved foster carers." in page.text
    assert "Bedroom need recalculated: 4 bedrooms." in page.text
    rooms = page.texts("#rooms tbody tr")
    assert "Nobody (extra room)" in rooms[-1]
    db.expire_all()
    saved = db.get(Strand, bedroom.id)
    assert saved is not None and saved.data.get("foster_carer") is True
    assert latest(db, case).bedrooms == 4
    updated = events(db, case, "strand.updated")
    assert updated[-1].after == {"strand": bedroom.reference, "foster_carer": True}
    assert "Record that they are not foster carers" in page.text

    undone = pages.follow(post_action(pages, "bedroom_foster_carer", case, {"foster_carer": "no"}))
    assert "Recorded that the household are not approved foster carers." in undone.text
    assert latest(db, case).bedrooms == 3
    unchanged = pages.follow(
        post_action(pages, "bedroom_foster_carer", case, {"foster_carer": "no"})
    )
    assert "Bedroom need recalculated" not in unchanged.select_one(".moj-alert").get_text()
    bad = post_action(pages, "bedroom_foster_carer", case, {"foster_carer": "maybe"}, status=400)
    assert bad.error_summary == ["Choose whether the household are approved foster carers"]


def test_actions_on_a_case_without_an_open_assessment(
    db: Session, pages: Pages, assessor: User
) -> None:
    case = make_case(db, make_person(db, "Lone", "Person"))
    db.commit()
    page = pages.get("backoffice:case_strands", case_id=case.id)
    assert "There are no applications or assessments on this case." in page.text
    for name, data in (
        ("bedroom_recalculate", {}),
        ("bedroom_override", {"bedrooms": "1", "reason": "x"}),
        ("bedroom_clear_override", {}),
        ("bedroom_foster_carer", {"foster_carer": "yes"}),
    ):
        refused = post_action(pages, name, case, data, status=400)
        assert refused.error_summary == ["This case has no open bedroom assessment"]
    pages.post("backoffice:bedroom_recalculate", {}, case_id=987654, status=404)


def test_a_closed_assessment_is_listed_without_forms(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    case, bedroom = family["case"], family["bedroom"]
    strands.change_status(db, SYSTEM, bedroom, "Closed")
    db.commit()
    page = pages.get("backoffice:case_strands", case_id=case.id)
    closed = page.select_one(f"#{bedroom.reference}").get_text(" ", strip=True)
    assert "Closed" in closed and "Last bedroom need 3 bedrooms" in closed
    assert not page.select("#rooms")
    assert not page.select("main form[method=post]")


def test_officer_with_permission_sees_the_forms(
    db: Session, pages: Pages, family: dict[str, Any], assessor: User
) -> None:
    page = pages.get("backoffice:case_strands", case_id=family["case"].id)
    actions = {form["action"] for form in page.select("main form[method=post]")}
    case_id = family["case"].id
    assert actions == {
        pages.url("backoffice:bedroom_recalculate", case_id=case_id),
        pages.url("backoffice:bedroom_override", case_id=case_id),
        pages.url("backoffice:bedroom_foster_carer", case_id=case_id),
    }


def test_bedroom_actions_also_need_the_cases_permission(
    db: Session, pages: Pages, sign_in_officer
) -> None:  # type: ignore[no-untyped-def]
    from tests.support.factories import make_case, make_person, open_housing_register

    case = make_case(db, make_person(db, "Private", "Person"))
    open_housing_register(db, case)
    db.commit()
    sign_in_officer(Permission.BEDROOM_ASSESSMENTS)  # no Cases permission
    for action in ("bedroom_foster_carer", "bedroom_recalculate", "bedroom_clear_override"):
        page = pages.post(
            f"backoffice:{action}", {"foster_carer": "x"}, case_id=case.id, status=403
        )
        assert "You need the “Cases” permission" in page.text
        assert "Private Person" not in page.text
