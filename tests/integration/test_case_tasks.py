"""The tasks a case itself sets going (SPEC T1, "and for a case itself"), on a real database: the
council's template is saved as data (checked, with the task and what is wrong named), opening a
case — by an officer or from a referral — creates its tasks (parallel ones open, sequential ones
waiting), completing one opens the next, they count towards the case's target, and closing the
case cancels them while an application's own tasks stay. Every change writes history."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import case_tasks, cases, clock, strands, tasks
from domain.errors import Conflict, FieldErrors
from domain.history import SYSTEM, Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent
from domain.task_model import target_from
from domain.tasks import Task
from tests.support.factories import make_case, make_officer, make_person, make_referral, make_team

TEMPLATE = (
    case_tasks.EXAMPLE
    + """
[[tasks]]
key = "safeguarding"
name = "Safeguarding check"
when = "opened"
days = 2
assign = "claim"
"""
)


def _case_tasks(db: Session, case_id: int) -> dict[str, Task]:
    found = db.scalars(
        select(Task).where(Task.case_id == case_id, Task.strand_id.is_(None)).order_by(Task.id)
    )
    return {t.template_key or t.name: t for t in found}


def test_opening_a_case_sets_the_councils_case_tasks_going(db: Session) -> None:
    team = make_team(db, "Housing Options")
    officer = make_officer(db, name="Sam Whitfield", team=team)
    assert case_tasks.save(db, SYSTEM, TEMPLATE, expected_version=0) == 3
    saved = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.COUNCIL_SETTING_CHANGED)
    ).one()
    assert saved.after is not None and "identity" in str(saved.after)

    case = make_case(db, make_person(db, "Amira", "Khan"), team=team, officer=officer)
    today = clock.today()
    made = _case_tasks(db, case.id)
    assert list(made) == ["identity", "safeguarding", "housing_plan"]  # starters, then followers
    identity, safeguarding, plan = made.values()
    assert (identity.status, identity.target_date, identity.assignee_id) == (
        "open",
        target_from(today, 5),
        officer.id,
    )
    assert (plan.status, plan.target_date, plan.after_id) == ("waiting", None, identity.id)
    assert (safeguarding.status, safeguarding.assignee_id, safeguarding.team_id) == (
        "open",
        None,
        team.id,
    )
    assert tasks.targets(db, case.id).case == target_from(today, 2)  # the earliest open one

    opened = tasks.complete(db, Actor.officer(officer), officer, identity, today=today)
    assert opened == [plan]
    assert (plan.status, plan.target_date) == ("open", target_from(today, 10))
    created = db.scalars(
        select(HistoryEvent).where(
            HistoryEvent.case_id == case.id, HistoryEvent.kind == HistoryKind.TASK_CREATED
        )
    ).all()
    assert len(created) == 4  # three from the template, one when the plan opened


def test_a_referral_that_opens_a_case_sets_them_going_too(db: Session) -> None:
    case_tasks.save(db, SYSTEM, TEMPLATE, expected_version=0)
    referral = make_referral(db)
    case_id = referral.strand.case_id
    assert set(_case_tasks(db, case_id)) == {"identity", "housing_plan", "safeguarding"}


def test_closing_the_case_cancels_its_own_tasks_and_leaves_an_applications(db: Session) -> None:
    officer = make_officer(db, name="Sam Whitfield")
    case_tasks.save(db, SYSTEM, TEMPLATE, expected_version=0)
    case = make_case(db, make_person(db, "Tariq", "Begum"), officer=officer)
    application = strands.open_strand(db, SYSTEM, case, "homeless_application")
    db.flush()
    cases.close_case(
        db,
        Actor.officer(officer),
        case,
        reason="Moved out of the district",
        confirm_open_strands=True,
        expected_version=case.version,
    )
    assert {t.status for t in _case_tasks(db, case.id).values()} == {"cancelled"}
    own = db.scalars(select(Task).where(Task.strand_id == application.id)).all()
    assert {t.status for t in own} == {"open", "waiting"}
    cancelled = db.scalars(
        select(HistoryEvent).where(
            HistoryEvent.case_id == case.id, HistoryEvent.kind == HistoryKind.TASK_CANCELLED
        )
    ).one()
    assert "3 tasks of the case cancelled" in cancelled.summary


def test_without_case_tasks_opening_a_case_creates_none(db: Session) -> None:
    case = make_case(db, make_person(db, "Grace", "Mensah"))
    assert _case_tasks(db, case.id) == {}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[[tasks]\nkey = 1", "this is not valid TOML"),
        ('title = "x"', "only [[tasks]] tables belong here, not 'title'"),
        (
            '[[tasks]]\nkey = "letter"\nname = "Letter"\nwhen = "status:Closed"\ndays = 1',
            "task 'letter': a case's task starts when the case is opened",
        ),
        (
            '[[tasks]]\nkey = "next"\nname = "Next"\nwhen = "after:first"\ndays = 1',
            "task 'next': 'after:first' must name a task defined above it",
        ),
        (
            '[[tasks]]\nkey = "call"\nname = "Call"\ndays = 400',
            "task 'call': days must be a whole number from 0 to 365",
        ),
        (
            '[[tasks]]\nkey = "call"\nname = "Call"\ndays = 1\nowner = "me"',
            "task 'call': unknown setting 'owner'",
        ),
    ],
)
def test_a_template_that_does_not_read_is_refused_and_the_saved_one_stays(
    db: Session, text: str, said: str
) -> None:
    case_tasks.save(db, SYSTEM, case_tasks.EXAMPLE, expected_version=0)
    with pytest.raises(FieldErrors) as refused:
        case_tasks.save(db, SYSTEM, text, expected_version=case_tasks.version(db))
    assert said in refused.value.errors["definition"]
    assert case_tasks.text(db) == case_tasks.EXAMPLE


def test_an_administrator_saving_over_anothers_change_is_told(db: Session) -> None:
    seen = case_tasks.version(db)
    case_tasks.save(db, SYSTEM, case_tasks.EXAMPLE, expected_version=seen)
    with pytest.raises(Conflict):
        case_tasks.save(db, SYSTEM, "", expected_version=seen)
    assert case_tasks.text(db) == case_tasks.EXAMPLE
