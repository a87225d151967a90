"""The council's bedroom policy page: Admin only, one field per local policy setting, clear
errors by the field at fault, and a change of policy recalculating open assessments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import assessments
from domain.council_settings import get_setting
from domain.models import HistoryEvent, Job, User
from domain.vocab import Permission
from tests.support.pages import Pages

DEFAULTS = {
    "own_room_age": "21",
    "any_sex_sharing_under": "10",
    "same_sex_sharing_under": "21",
    "lone_parent_shares_with_child_under": "",
    "count_pregnancy_from_week": "",
    "max_bedrooms": "",
    "cannot_share_room": "yes",
    "overnight_carer_room": "yes",
    "foster_carer_room": "yes",
}


@pytest.fixture
def admin(sign_in_officer: Callable[..., User]) -> User:
    return sign_in_officer(Permission.ADMIN, Permission.CASES, name="Ada Okafor")


def policy_jobs(db: Session) -> list[Job]:
    return list(db.scalars(select(Job).where(Job.kind == assessments.POLICY_CHANGE_JOB)))


def test_only_an_administrator_can_change_the_councils_policy(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    # a team leader with every case permission but not Admin
    sign_in_officer(*(p for p in Permission if p is not Permission.ADMIN))
    page = pages.get("backoffice:bedroom_policy", status=403)
    assert "You need the “Admin” permission" in page.text
    pages.post("backoffice:bedroom_policy", {"policy": "local", **DEFAULTS}, status=403)
    assert get_setting(db, assessments.BEDROOM_POLICY_KEY) is None
    assert not policy_jobs(db)


def test_the_page_shows_the_policy_and_one_field_per_setting(pages: Pages, admin: User) -> None:
    page = pages.get("backoffice:bedroom_policy")
    assert page.h1 == "Council bedroom policy"
    assert "the size criteria" in page.select_one("#current-policy").get_text()
    assert page.select_one('input[name="policy"][checked]')["value"] == "size-criteria"
    assert page.select_one("#own_room_age")["value"] == "21"
    assert page.select_one("label[for=own_room_age]").get_text(strip=True) == (
        "Age from which everyone has a bedroom of their own"
    )
    assert page.select_one('input[name="foster_carer_room"][checked]')["value"] == "yes"
    assert not page.select("textarea")  # no raw JSON to edit


def test_choosing_a_policy_queues_the_recalculation(db: Session, pages: Pages, admin: User) -> None:
    result = pages.post("backoffice:bedroom_policy", {"policy": "bedroom-standard", **DEFAULTS})
    page = pages.follow(result)
    assert "The council now uses the bedroom standard." in page.text
    assert "being recalculated" in page.select_one("#recalculating").get_text()
    assert get_setting(db, assessments.BEDROOM_POLICY_KEY) == "bedroom-standard"
    jobs = policy_jobs(db)
    assert len(jobs) == 1 and jobs[0].payload == {"policy": "bedroom-standard", "by": "Ada Okafor"}
    changed = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "bedroom.policy_changed")
    ).one()
    assert changed.actor_user_id == admin.id
    again = pages.follow(
        pages.post("backoffice:bedroom_policy", {"policy": "bedroom-standard", **DEFAULTS})
    )
    assert "Nothing changed: the council already uses the bedroom standard." in again.text
    assert len(policy_jobs(db)) == 1


def test_choosing_the_local_policy_with_its_settings(
    db: Session, pages: Pages, admin: User
) -> None:
    data = {
        **DEFAULTS,
        "policy": "local",
        "own_room_age": "18",
        "same_sex_sharing_under": "18",
        "max_bedrooms": "3",
        "foster_carer_room": "no",
    }
    pages.post("backoffice:bedroom_policy", data)
    assert get_setting(db, assessments.BEDROOM_POLICY_KEY) == "local"
    stored = get_setting(db, assessments.BEDROOM_LOCAL_POLICY_KEY)
    assert (stored["own_room_age"], stored["max_bedrooms"], stored["foster_carer_room"]) == (
        18,
        3,
        False,
    )
    assert len(policy_jobs(db)) == 1
    page = pages.get("backoffice:bedroom_policy")
    assert page.select_one("#own_room_age")["value"] == "18"
    assert page.select_one('input[name="foster_carer_room"][checked]')["value"] == "no"


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        (
            {"own_room_age": "x"},
            "own_room_age",
            "Age from which everyone has a bedroom of their own must be a whole number, like 16",
        ),
        (
            {"own_room_age": ""},
            "own_room_age",
            "Enter the age from which everyone has a bedroom of their own",
        ),
        (
            {"max_bedrooms": "0"},
            "max_bedrooms",
            "Most bedrooms the council will assess must be from 1 to 1000",
        ),
        (
            {"same_sex_sharing_under": "25"},
            "same_sex_sharing_under",
            "Age under which two people of the same sex can share must be from 10 to 21",
        ),
        (
            {"foster_carer_room": "maybe"},
            "foster_carer_room",
            "Choose whether to give a room for approved foster carers",
        ),
    ],
)
def test_a_wrong_setting_is_named_by_its_field_and_nothing_is_saved(
    db: Session, pages: Pages, admin: User, change: dict[str, str], field: str, error: str
) -> None:
    data: dict[str, Any] = {**DEFAULTS, "policy": "local", **change}
    page = pages.post("backoffice:bedroom_policy", data, status=400)
    assert page.error_summary == [error]
    assert page.select_one(".govuk-error-summary a")["href"].startswith(f"#{field}")
    assert page.select_one(f"#{field}-error")
    assert get_setting(db, assessments.BEDROOM_POLICY_KEY) is None
    assert not policy_jobs(db)


@pytest.mark.parametrize("policy", [None, "", "generous", "local-ish"])
def test_policy_must_be_one_of_the_three(
    db: Session, pages: Pages, admin: User, policy: str | None
) -> None:
    data = {**DEFAULTS, "policy": policy} if policy is not None else DEFAULTS
    page = pages.post("backoffice:bedroom_policy", data, status=400)
    assert page.error_summary == ["Choose the bedroom policy the council uses"]
    assert not policy_jobs(db)
