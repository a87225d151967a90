"""Reviewing at scale: the preview works the bedroom need out without writing (by the rules
acceptance applies), changes carry their case's team, and the queue's counts stop at a cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from domain.errors import RuleBroken
from domain.pending import PendingChange
from tests.integration.test_change_engine import NOTIFIER, TODAY, accept, family, submit

__all__ = ["family"]  # the fixture, shared


PROJECTED = [
    pytest.param(
        "left", lambda f: {"person_id": f["daughter"].id, "date_left": "2026-11-01"}, id="left"
    ),
    pytest.param(
        "joined",
        lambda f: {
            "first_name": "Hawa",
            "last_name": "Khan",
            "date_of_birth": "1952-03-03",
            "sex": "F",
            "relationship": "Parent",
            "date_joined": "2026-11-02",
        },
        id="joined",
    ),
    pytest.param(
        "relationship",
        lambda f: {"person_id": f["dad"].id, "relationship": "Brother"},
        id="uncoupled",
    ),
    pytest.param(
        "pregnancy", lambda f: {"person_id": f["mum"].id, "due_date": "2026-12-20"}, id="pregnancy"
    ),
    pytest.param(
        "birth",
        lambda f: {
            "person_id": f["mum"].id,
            "first_name": "Sara",
            "last_name": "Khan",
            "date_of_birth": "2026-11-10",
            "sex": "F",
            "relationship": "Daughter",
        },
        id="birth",
    ),
]


@pytest.mark.parametrize(("kind", "payload"), PROJECTED)
def test_the_preview_works_out_what_acceptance_then_does_without_writing(
    db: Session, family: dict[str, Any], kind: str, payload: Any
) -> None:
    """The review page's bedroom need "after" is worked out on a copy of the household, by the
    rules acceptance applies: it must be what accepting then records, and the preview (a GET)
    must send no INSERT, UPDATE, DELETE or SAVEPOINT to the database, and find the case's bedroom
    assessment once for the need before and after."""
    from sqlalchemy import event

    change = submit(db, family, kind, payload(family))
    db.commit()
    db.execute(select(1))  # (the test harness's own SAVEPOINT after a commit comes first)
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", seen)
    try:
        preview = engine.preview(db, change, TODAY)
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    verbs = {s.split(None, 1)[0].upper() for s in statements}
    assert statements and verbs == {"SELECT"}, statements
    assert len([s for s in statements if " FROM strand " in s]) == 1, statements
    assert preview.problem is None
    accept(db, family, change)
    record = change.decision_record or {}
    assert record["need"]["before"] == preview.need_before
    assert record["need"]["after"] == preview.need_after


def test_the_preview_states_the_rule_acceptance_would_break(
    db: Session, family: dict[str, Any]
) -> None:
    change = submit(db, family, "left", {"person_id": family["son"].id, "date_left": "2026-11-01"})
    # the record moves on: the son's joining date is corrected to after that leaving date
    link = next(cp for cp in family["case"].people if cp.person_id == family["son"].id)
    link.date_joined = dt.date(2026, 11, 5)
    db.commit()
    preview = engine.preview(db, change, TODAY)
    assert preview.problem == "Yusuf Khan cannot leave before they joined on 5 November 2026"
    with pytest.raises(RuleBroken, match="cannot leave before they joined on 5 November 2026"):
        engine.accept(
            db,
            family["officer"],
            change,
            expected_version=change.version,
            today=TODAY,
            notifier=NOTIFIER,
            confirm_stale=True,
        )


def test_a_change_carries_its_case_team_and_follows_the_case_to_another_team(
    db: Session, family: dict[str, Any]
) -> None:
    from domain.pending import move_with_case
    from tests.support.factories import make_team

    first, second = make_team(db, "Allocations"), make_team(db, "Homelessness Prevention")
    case = family["case"]
    case.responsible_team_id = first.id
    db.flush()
    pending = submit(db, family, "other", {"person_id": family["mum"].id, "details": "x"})
    decided = submit(db, family, "other", {"person_id": family["dad"].id, "details": "y"})
    accept(db, family, decided)
    assert (pending.team_id, decided.team_id) == (first.id, first.id)

    case.responsible_team_id = second.id
    move_with_case(db, case)
    db.expire_all()
    assert db.get(PendingChange, pending.id).team_id == second.id  # type: ignore[union-attr]
    # a decided change keeps the team that decided it
    assert db.get(PendingChange, decided.id).team_id == first.id  # type: ignore[union-attr]


def test_queue_counts_are_exact_up_to_the_cap_then_say_more(
    db: Session, family: dict[str, Any]
) -> None:
    from changes import queue
    from domain.paging import Count

    for n in range(4):
        submit(db, family, "other", {"person_id": family["mum"].id, "details": f"n{n}"})
    submit(db, family, "left", {"person_id": family["son"].id, "date_left": "2026-11-01"})
    late = submit(
        db, family, "left", {"person_id": family["daughter"].id, "date_left": "2026-11-01"}
    )
    late.target_date = TODAY - dt.timedelta(days=1)
    db.flush()
    everything = queue.QueueFilter()
    total, overdue, by_kind = queue.counts(
        db, everything, officer_id=0, today=TODAY, kinds=("other", "left", "birth"), cap=5
    )
    assert (total, overdue) == (Count(5, more=True), Count(1))
    assert by_kind == {"other": Count(4), "left": Count(2), "birth": Count(0)}
    assert (str(total), str(overdue)) == ("more than 5", "1")
    # the kind counts follow the other filters; the total follows the kind chosen too
    total, overdue, by_kind = queue.counts(
        db,
        queue.QueueFilter(kind="left", overdue=True),
        officer_id=0,
        today=TODAY,
        kinds=("other", "left"),
        cap=5,
    )
    assert (total, overdue, by_kind) == (Count(1), Count(1), {"other": Count(0), "left": Count(1)})
    assert str(Count(1000, more=True)) == "more than 1,000"
