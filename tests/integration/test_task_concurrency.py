"""Two officers on one task at the same moment (PostgreSQL, real concurrent transactions): both
complete it, or both claim it — exactly one lands, the other is told, and the task's follower
opens once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain import strands, tasks
from domain.errors import Conflict, RuleBroken
from domain.history import SYSTEM, Actor
from domain.models import HistoryEvent, User
from domain.tasks import Task
from tests.support.factories import make_case, make_officer, make_person, make_team

pytestmark = pytest.mark.postgresql_only


def _race(
    committed: sessionmaker[Session], attempts: list[Callable[[Session], object]]
) -> list[str]:
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt: Callable[[Session], object]) -> None:
        with committed() as db:
            try:
                with db.begin():
                    barrier.wait()
                    attempt(db)
                outcomes.append("landed")
            except (Conflict, RuleBroken, StaleDataError) as exc:
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _setup(committed: sessionmaker[Session]) -> dict[str, int]:
    with committed.begin() as db:
        team = make_team(db, "Homelessness")
        rina = make_officer(db, name="Rina Patel", team=team)
        sam = make_officer(db, name="Sam Whitfield", team=team)
        case = make_case(db, make_person(db, "Amira", "Khan"), team=team, officer=rina)
        application = strands.open_strand(db, SYSTEM, case, "homeless_application")
        referral = strands.open_strand(db, SYSTEM, case, "homeless_referral")
        db.flush()
        housing = db.scalars(
            select(Task).where(
                Task.strand_id == application.id, Task.template_key == "secure_housing"
            )
        ).one()
        contact = db.scalars(select(Task).where(Task.strand_id == referral.id)).one()
        return {
            "rina": rina.id,
            "sam": sam.id,
            "housing": housing.id,
            "contact": contact.id,
            "case": case.id,
        }


def test_two_officers_completing_one_task_at_once(committed: sessionmaker[Session]) -> None:
    ids = _setup(committed)

    def complete(officer_id: int) -> Callable[[Session], object]:
        def attempt(db: Session) -> object:
            officer = db.get(User, officer_id)
            task = db.get(Task, ids["housing"], with_for_update=True)
            assert officer is not None and task is not None
            return tasks.complete(
                db, Actor.officer(officer), officer, task, today=dt.date.today(), expected_version=1
            )

        return attempt

    outcomes = _race(committed, [complete(ids["rina"]), complete(ids["sam"])])
    assert sorted(outcomes) == ["Conflict", "landed"]
    with committed() as db:
        follow_up = db.scalars(select(Task).where(Task.after_id == ids["housing"])).one()
        assert follow_up.status == "open"
        done_events = db.scalar(
            select(func.count(HistoryEvent.id)).where(
                HistoryEvent.case_id == ids["case"], HistoryEvent.kind == "task.completed"
            )
        )
        assert done_events == 1


def test_two_officers_claiming_one_task_at_once(committed: sessionmaker[Session]) -> None:
    ids = _setup(committed)

    def claim(officer_id: int) -> Callable[[Session], object]:
        def attempt(db: Session) -> object:
            officer = db.get(User, officer_id)
            task = db.get(Task, ids["contact"])
            assert officer is not None and task is not None
            return tasks.claim(
                db, Actor.officer(officer), officer, task, expected_version=task.version
            )

        return attempt

    outcomes = _race(committed, [claim(ids["rina"]), claim(ids["sam"])])
    assert sorted(outcomes) in (["Conflict", "landed"], ["StaleDataError", "landed"])
    with committed() as db:
        task = db.get(Task, ids["contact"])
        assert task is not None and task.assignee_id in (ids["rina"], ids["sam"])
        assert task.version == 2
