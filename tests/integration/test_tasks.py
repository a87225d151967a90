"""Tasks from templates on a real database (SPEC T1, T2): opening a homeless application sets
going the seed's example (a medical evaluation the next working day, secure temporary housing
the day after, side by side; a follow-up three working days after the housing is secured), a
status brings its task once, closing cancels what is left, held tasks come back on their
release date with their targets moved on, and a homeless referral's service standard waits in
the team to be claimed. Every change writes history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import strands, tasks
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import SYSTEM, Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent
from domain.strands import editing
from domain.tasks import Task
from tests.support.factories import make_case, make_officer, make_person, make_team

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def setup(db: Session) -> dict[str, object]:
    team = make_team(db, "Homelessness")
    officer = make_officer(db, name="Rina Patel", team=team)
    case = make_case(db, make_person(db, "Amira", "Khan"), team=team, officer=officer)
    db.flush()
    return {"team": team, "officer": officer, "case": case}


def _tasks(db: Session, strand_id: int) -> dict[str, Task]:
    found = db.scalars(select(Task).where(Task.strand_id == strand_id).order_by(Task.id))
    return {t.template_key or t.name: t for t in found}


def test_opening_an_application_sets_its_tasks_going_and_completing_opens_the_next(
    db: Session, setup: dict[str, object]
) -> None:
    case, officer = setup["case"], setup["officer"]
    application = strands.open_strand(db, SYSTEM, case, "homeless_application", on=MONDAY)  # type: ignore[arg-type]
    made = _tasks(db, application.id)
    assert list(made) == ["medical_evaluation", "secure_housing", "follow_up"]
    medical, housing, follow_up = made.values()
    assert (medical.status, medical.target_date) == ("open", dt.date(2026, 12, 1))
    assert (housing.status, housing.target_date) == ("open", dt.date(2026, 12, 2))
    assert (follow_up.status, follow_up.target_date, follow_up.after_id) == (
        "waiting",
        None,
        housing.id,
    )
    assert {t.assignee_id for t in made.values()} == {officer.id}  # type: ignore[attr-defined]
    assert tasks.targets(db, case.id).case == dt.date(2026, 12, 1)  # type: ignore[attr-defined]

    actor = Actor.officer(officer)  # type: ignore[arg-type]
    with pytest.raises(RuleBroken, match="Only an open task can be completed"):
        tasks.complete(db, actor, officer, follow_up, today=MONDAY)  # type: ignore[arg-type]
    opened = tasks.complete(db, actor, officer, housing, today=dt.date(2026, 12, 4))  # type: ignore[arg-type]
    assert opened == [follow_up]
    assert (follow_up.status, follow_up.target_date) == ("open", dt.date(2026, 12, 9))  # Fri + 3
    assert housing.status == "done" and housing.done_by_id == officer.id  # type: ignore[attr-defined]
    rolled = tasks.targets(db, case.id)  # type: ignore[attr-defined]
    assert rolled.case == dt.date(2026, 12, 1)
    assert rolled.strands == {application.id: dt.date(2026, 12, 1)}
    tasks.complete(db, actor, officer, medical, today=MONDAY)  # type: ignore[arg-type]
    assert tasks.targets(db, case.id).case == dt.date(2026, 12, 9)  # type: ignore[attr-defined]

    kinds = list(
        db.scalars(
            select(HistoryEvent.kind).where(
                HistoryEvent.case_id == case.id,  # type: ignore[attr-defined]
                HistoryEvent.kind.like("task.%"),
            )
        )
    )
    assert kinds.count(HistoryKind.TASK_CREATED.value) == 4  # three made, one opened later
    assert kinds.count(HistoryKind.TASK_COMPLETED.value) == 2


def test_a_status_brings_its_task_once_and_closing_cancels_what_is_left(
    db: Session, setup: dict[str, object]
) -> None:
    case = setup["case"]
    application = strands.open_strand(db, SYSTEM, case, "homeless_application", on=MONDAY)  # type: ignore[arg-type]
    strands.change_status(db, SYSTEM, application, "Main duty decision")
    strands.change_status(db, SYSTEM, application, "Relief duty")
    strands.change_status(db, SYSTEM, application, "Main duty decision")
    letters = [t for t in _tasks(db, application.id).values() if t.name.startswith("Send")]
    assert len(letters) == 1  # not again while the first is still to do
    strands.change_status(db, SYSTEM, application, "Withdrawn")
    left = _tasks(db, application.id)
    assert {t.status for t in left.values()} == {"cancelled"}
    assert all("Withdrawn" in (t.outcome or "") for t in left.values())
    assert tasks.targets(db, case.id).case is None  # type: ignore[attr-defined]


def test_a_held_task_comes_back_on_its_release_date_with_its_target_moved_on(
    db: Session, setup: dict[str, object]
) -> None:
    case, officer = setup["case"], setup["officer"]
    application = strands.open_strand(db, SYSTEM, case, "homeless_application", on=MONDAY)  # type: ignore[arg-type]
    medical = _tasks(db, application.id)["medical_evaluation"]
    actor = Actor.officer(officer)  # type: ignore[arg-type]
    with pytest.raises(FieldErrors) as refused:
        tasks.hold(db, actor, medical, reason="", until=MONDAY, today=MONDAY)
    assert refused.value.errors == {
        "reason": "Enter why the task is on hold",
        "until": "The date it comes off hold must be after today",
    }
    with pytest.raises(Conflict):
        tasks.hold(db, actor, medical, reason="x", until=MONDAY, today=MONDAY, expected_version=99)
    tasks.hold(
        db,
        actor,
        medical,
        reason="Waiting for the GP",
        until=dt.date(2026, 12, 7),
        today=MONDAY,
    )
    assert medical.state(dt.date(2026, 12, 3)) == "On hold"  # past its target, but held
    assert tasks.release_due(db, SYSTEM, dt.date(2026, 12, 4)) == 0
    assert tasks.release_due(db, SYSTEM, dt.date(2026, 12, 7)) == 1
    assert (medical.status, medical.target_date, medical.held_days) == (
        "open",
        dt.date(2026, 12, 8),  # due Tue 1 Dec; held Mon-Mon: five working days on
        5,
    )


def test_a_referral_waits_in_the_team_to_be_claimed(db: Session, setup: dict[str, object]) -> None:
    case, officer, team = setup["case"], setup["officer"], setup["team"]
    referral = strands.open_strand(db, SYSTEM, case, "homeless_referral", on=MONDAY)  # type: ignore[arg-type]
    (contact,) = _tasks(db, referral.id).values()
    assert (contact.name, contact.assignee_id, contact.team_id, contact.target_date) == (
        "Contact the person referred",
        None,
        team.id,  # type: ignore[attr-defined]
        dt.date(2026, 12, 1),
    )
    other = make_officer(db, name="Sam Whitfield")
    tasks.claim(db, Actor.officer(other), other, contact, expected_version=contact.version)
    assert contact.assignee_id == other.id
    with pytest.raises(Conflict, match="Someone already has this task"):
        tasks.claim(db, Actor.officer(officer), officer, contact, expected_version=None)  # type: ignore[arg-type]


def test_a_task_counted_from_a_date_field_follows_the_date(
    db: Session, setup: dict[str, object]
) -> None:
    case, officer = setup["case"], setup["officer"]
    application = strands.open_strand(db, SYSTEM, case, "homeless_application", on=MONDAY)  # type: ignore[arg-type]
    assert "review_check" not in _tasks(db, application.id)  # no decision date yet
    edit = {"application_date": "2026-11-30", "decision_date": "2026-12-01"}
    editing.update_fields(
        db,
        Actor.officer(officer),  # type: ignore[arg-type]
        application,
        edit,
        expected_version=application.version,
        today=MONDAY,
    )
    review = _tasks(db, application.id)["review_check"]
    assert (review.status, review.target_date) == ("open", dt.date(2026, 12, 22))  # 15 wd
    edit["decision_date"] = "2026-12-02"  # corrected
    editing.update_fields(
        db,
        Actor.officer(officer),  # type: ignore[arg-type]
        application,
        edit,
        expected_version=application.version,
        today=MONDAY,
    )
    reviews = db.scalars(
        select(Task).where(Task.template_key == "review_check").order_by(Task.id)
    ).all()
    assert [(t.status, t.target_date) for t in reviews] == [
        ("cancelled", dt.date(2026, 12, 22)),
        ("open", dt.date(2026, 12, 23)),
    ]
