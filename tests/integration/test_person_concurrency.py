"""Two officers saving the same person's details at the same moment, in real concurrent
transactions on PostgreSQL: one edit lands; the other waits, then is told who changed what."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain import people
from domain.errors import Conflict
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, HistoryEvent, Person, User
from domain.vocab import Permission
from tests.support.factories import make_officer, make_person


@pytest.mark.postgresql_only
def test_two_officers_edit_one_person_at_once(committed: sessionmaker[Session]) -> None:
    with committed.begin() as db:
        person = make_person(db, "Jon", "Okoro")
        person_id, version = person.id, person.version
        officers = {
            name: make_officer(db, Permission.PEOPLE, name=name).id
            for name in ("Rina Patel", "Sam Whitfield")
        }

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    edits = {"Rina Patel": {"phone": "07700 900111"}, "Sam Whitfield": {"first_name": "Jonathan"}}

    def edit(name: str) -> None:
        with committed() as db:
            try:
                with db.begin():
                    officer = db.get(User, officers[name])
                    seen = db.get(Person, person_id)
                    assert officer is not None and seen is not None
                    details = people.details_of(seen)
                    barrier.wait()
                    people.update_details(
                        db,
                        Actor.officer(officer),
                        seen,
                        people.PersonDetails(**{**details.__dict__, **edits[name]}),
                        expected_version=version,
                    )
                outcomes[name] = "landed"
            except Conflict as exc:
                outcomes[name] = str(exc)

    threads = [threading.Thread(target=edit, args=(name,)) for name in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    (winner,) = [n for n, o in outcomes.items() if o == "landed"]
    (told,) = [o for o in outcomes.values() if o != "landed"]
    assert f"Okoro's record was changed by {winner} at" in told
    assert ("phone number" if winner == "Rina Patel" else "first name") in told
    with committed() as db:
        saved = db.get(Person, person_id)
        assert saved is not None and saved.version == version + 1
        if winner == "Rina Patel":
            assert (saved.phone, saved.first_name) == ("07700 900111", "Jon")
        else:
            assert (saved.phone, saved.first_name) == (None, "Jonathan")
        events = db.scalars(
            select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.PERSON_DETAILS)
        ).all()
        assert [e.actor_label for e in events] == [winner]


@pytest.mark.postgresql_only
def test_two_officers_edit_one_household_member_at_once(
    committed: sessionmaker[Session],
) -> None:
    """Both set a date left for the same member from the same version: the case lock makes
    the second wait, read the household as the first left it, and be told; the bedroom need is
    recalculated once."""
    import datetime as dt

    from domain import assessments, cases
    from tests.support.factories import make_case, open_housing_register

    with committed.begin() as db:
        mum = make_person(db, "Amira", "Khan")
        son = make_person(db, "Yusuf", "Khan", sex="M")
        case = make_case(db, mum, [(son, "Son")], joined=dt.date(2024, 1, 1))
        open_housing_register(db, case)
        case_id, son_id = case.id, son.id
        version = next(cp.version for cp in case.people if cp.person_id == son_id)
        officers = {
            name: make_officer(db, Permission.CASES, name=name).id
            for name in ("Sam Whitfield", "Tom Adeyemi")
        }
        first_assessment = assessments.current_assessment(db, case_id)
        assert first_assessment is not None
        number = first_assessment.number
    left_on = {"Sam Whitfield": dt.date(2026, 1, 5), "Tom Adeyemi": dt.date(2026, 2, 9)}
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str) -> None:
        with committed() as db:
            try:
                with db.begin():
                    officer = db.get(User, officers[name])
                    assert officer is not None
                    barrier.wait()
                    cases.update_member(
                        db,
                        Actor.officer(officer),
                        case_id,
                        son_id,
                        cases.MemberEdit(
                            date_joined=dt.date(2024, 1, 1),
                            date_left=left_on[name],
                            joint_applicant=False,
                            relationship="Son",
                        ),
                        expected_version=version,
                        today=dt.date(2026, 3, 1),
                    )
                outcomes[name] = "landed"
            except Conflict as exc:
                outcomes[name] = str(exc)

    threads = [threading.Thread(target=edit, args=(name,)) for name in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    (winner,) = [n for n, o in outcomes.items() if o == "landed"]
    (told,) = [o for o in outcomes.values() if o != "landed"]
    assert f"Yusuf Khan's place was changed by {winner} at" in told
    with committed() as db:
        link = next(
            cp
            for cp in db.get(Case, case_id).people
            if cp.person_id == son_id  # type: ignore[union-attr]
        )
        assert link.date_left == left_on[winner]
        latest = assessments.current_assessment(db, case_id)
        assert latest is not None and latest.number == number + 1
        left = db.scalars(
            select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.HOUSEHOLD_LEFT)
        ).all()
        assert [e.actor_label for e in left] == [winner]
