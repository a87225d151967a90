"""A refused request leaves no trace: a command that writes and then meets a broken rule has its
writes rolled back (ctx.attempt's savepoint), and the person sees why on the page they were on.

Each test drives a real multi-step service through the web layer, on SQLite and PostgreSQL.
(A throttled referral keeping its answers is in test_referral_journey.py.)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from changes import engine
from domain import assessments
from domain.clock import today
from domain.errors import RuleBroken
from domain.history import SYSTEM, record
from domain.history_kinds import HistoryKind
from domain.models import CasePerson, HistoryEvent, Person, User
from domain.pending import PendingChange
from domain.security import AuthAttempt
from domain.strands import Strand
from domain.vocab import Permission
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Pages
from web.context import Ctx

D = dt.date


def history_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(HistoryEvent)) or 0)


@pytest.fixture
def undated(db: Session) -> dict[str, Any]:
    """A household with a bedroom assessment, then a member added without a date of birth:
    anything that recalculates the need now fails after whatever it wrote first."""
    mum = make_person(db, "Hannah", "Taylor", born=D(1990, 1, 1))
    son = make_person(db, "Yusuf", "Taylor", born=D(2015, 6, 1), sex="M")
    case = make_case(db, mum, [(son, "Son")])
    open_housing_register(db, case)
    nameless_age = make_person(db, "Sami", "Taylor", sex="M")
    nameless_age.date_of_birth = None
    case.people.append(
        CasePerson(person=nameless_age, relationship_to_primary="Son", date_joined=D(2024, 1, 1))
    )
    account = make_portal_account(db, mum, email="hannah@example.com")
    db.commit()
    return {"case": case, "mum": mum, "son": son, "account": account}


def test_setting_foster_carers_when_the_need_cannot_be_worked_out_changes_nothing(
    db: Session, pages: Pages, undated: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    case = undated["case"]
    sign_in_officer(Permission.CASES, Permission.BEDROOM_ASSESSMENTS)  # (writes history first)
    strand = assessments.open_bedroom_assessment(db, case.id)
    assert strand is not None
    before = history_count(db)
    page = pages.post(
        "backoffice:bedroom_foster_carer", {"foster_carer": "yes"}, case_id=case.id, status=400
    )
    assert page.error_summary == [
        "Record the date of birth of Sami Taylor before the bedroom need can be worked out"
    ]
    assert page.h1 == "Applications and assessments"
    db.expire_all()
    assert db.get(Strand, strand.id).data.get("foster_carer") is None  # type: ignore[union-attr]
    assert history_count(db) == before


def test_accepting_a_change_whose_recalculation_fails_applies_none_of_it(
    db: Session, pages: Pages, undated: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    case, son = undated["case"], undated["son"]
    change = engine.submit(
        db,
        undated["account"],
        case,
        "left",
        {"person_id": son.id, "date_left": today().isoformat()},
        idempotency_key=uuid.uuid4().hex,
        today=today(),
    )
    db.commit()
    sign_in_officer(Permission.QUEUE)  # (writes history first)
    before = history_count(db)
    page = pages.post(
        "backoffice:review_accept",
        {"version": str(change.version)},
        change_id=change.id,
        status=400,
    )
    assert "Record the date of birth of Sami Taylor" in page.error_summary[0]
    db.expire_all()
    link = db.scalar(select(CasePerson).where(CasePerson.person_id == son.id))
    assert link is not None and link.date_left is None  # the effect was rolled back
    assert db.get(PendingChange, change.id).status == "pending"  # type: ignore[union-attr]
    assert history_count(db) == before


def test_linking_an_account_someone_else_has_linked_leaves_no_trace(
    db: Session, pages: Pages
) -> None:
    mum = make_person(db, "Leah", "Mensah", born=D(1991, 2, 3))
    case = make_case(db, mum)
    make_portal_account(db, mum, email="first@example.com")
    second = make_portal_account(db, None, email="second@example.com")
    db.commit()
    pages.post("sign_in", {"email": "second@example.com", "password": TEST_PASSWORD})
    before = history_count(db)
    page = pages.post(
        "link_case",
        {
            "reference": case.reference,
            "date_of_birth-day": "3",
            "date_of_birth-month": "2",
            "date_of_birth-year": "1991",
        },
        status=400,
    )
    assert "Another account is already linked to this case" in page.error_summary[0]
    db.expire_all()
    assert db.get(type(second), second.id).person_id is None  # type: ignore[union-attr]
    assert history_count(db) == before
    attempts = db.scalars(select(AuthAttempt).where(AuthAttempt.action == "link_case")).all()
    assert attempts == []  # the refused command's record went with it


def test_attempt_rolls_back_what_a_command_wrote_before_it_refused(
    db: Session, app: Any, pages: Pages
) -> None:
    """The helper itself, with a command that writes twice and then refuses."""
    from starlette.requests import Request

    from web.context import app_state

    person = make_person(db, "Ada", "Lovelace")
    db.commit()

    def command(session: Session) -> None:
        session.get(Person, person.id).first_name = "Changed"  # type: ignore[union-attr]
        record(session, SYSTEM, HistoryKind.PERSON_CONTACT, "written, then refused")
        session.flush()
        raise RuleBroken("That is not allowed", field="first_name")

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "app": app}
    request = Request(scope)
    state = app_state(request)
    with state.session_factory() as session, session.begin():
        ctx = Ctx(request=request, db=session, settings=state.settings, templates=state.templates)
        before = history_count(session)
        done = ctx.attempt(command)
        assert not done
        assert [(p.message, p.field) for p in ctx.problems] == [
            ("That is not allowed", "first_name")
        ]
        assert session.get(Person, person.id).first_name == "Ada"  # type: ignore[union-attr]
        assert history_count(session) == before
