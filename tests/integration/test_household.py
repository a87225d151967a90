"""Households on a date, leaving, and switching the primary applicant, against the database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import household
from domain.errors import MissingRelationships, NotAMember, RuleBroken
from domain.history import SYSTEM
from domain.models import CasePerson, HistoryEvent
from tests.support.factories import make_case, make_person

D = dt.date


@pytest.fixture
def family(db: Session):  # type: ignore[no-untyped-def]
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=D(2012, 1, 20), sex="M")
    case = make_case(db, mum, [(dad, "Partner"), (son, "Son")], joined=D(2024, 1, 1))
    return case, mum, dad, son


def test_household_on_a_date_counts_joiners_and_leavers(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, _mum, dad, _son = family
    link = next(cp for cp in case.people if cp.person_id == dad.id)
    household.record_leaving(db, SYSTEM, link, D(2025, 3, 1))
    baby = make_person(db, "Noor", "Khan", born=D(2025, 8, 1))
    household.add_member(db, SYSTEM, case, baby, relationship="Daughter", date_joined=D(2025, 8, 1))

    def names(on: dt.date) -> list[str]:
        return [cp.person.first_name for cp in household.household_on(db, case.id, on)]

    assert names(D(2023, 12, 31)) == []
    assert names(D(2025, 2, 28)) == ["Amira", "Tariq", "Yusuf"]
    assert names(D(2025, 3, 1)) == ["Amira", "Yusuf"]
    assert names(D(2025, 8, 1)) == ["Amira", "Yusuf", "Noor"]
    # the in-memory version agrees with the query
    db.expire_all()
    assert [cp.person.first_name for cp in household.members_on(case, D(2025, 8, 1))] == [
        "Amira",
        "Yusuf",
        "Noor",
    ]
    assert [cp.person.first_name for cp in household.past_members(case, D(2025, 8, 1))] == ["Tariq"]


def test_leaving_keeps_the_person_on_the_case_and_writes_history(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, _mum, dad, _son = family
    link = next(cp for cp in case.people if cp.person_id == dad.id)
    household.record_leaving(db, SYSTEM, link, D(2025, 3, 1))
    db.flush()
    assert db.scalar(select(CasePerson.date_left).where(CasePerson.id == link.id)) == D(2025, 3, 1)
    event = db.scalars(
        select(HistoryEvent).where(
            HistoryEvent.kind == "household.left", HistoryEvent.case_id == case.id
        )
    ).one()
    assert event.person_id == dad.id
    assert event.before == {"date_left": None}
    assert event.after == {"date_left": "2025-03-01"}
    assert "Tariq Khan left the household on 1 March 2025" in event.summary


def test_cannot_leave_before_joining_or_as_primary(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, _mum, dad, _son = family
    dad_link = next(cp for cp in case.people if cp.person_id == dad.id)
    with pytest.raises(RuleBroken, match="cannot leave before they joined"):
        household.record_leaving(db, SYSTEM, dad_link, D(2023, 1, 1))
    with pytest.raises(RuleBroken, match="switch the primary applicant first"):
        household.record_leaving(db, SYSTEM, case.primary, D(2025, 1, 1))


def test_database_refuses_a_date_left_before_the_date_joined(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, _mum, dad, _son = family
    link = next(cp for cp in case.people if cp.person_id == dad.id)
    link.date_left = D(2020, 1, 1)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_switch_primary_applicant(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, mum, dad, son = family
    household.switch_primary_applicant(
        db, SYSTEM, case, dad.id, relationships={mum.id: "Partner", son.id: "Son"}, on=D(2025, 1, 1)
    )
    db.flush()
    db.expire_all()
    assert case.primary.person_id == dad.id
    rel = {cp.person.first_name: cp.relationship_to_primary for cp in case.people}
    assert rel == {"Tariq": "Self", "Amira": "Partner", "Yusuf": "Son"}
    event = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "household.primary_switched")
    ).one()
    assert event.before["primary_applicant"] == "Amira Khan"
    assert event.after["primary_applicant"] == "Tariq Khan"


def test_switch_primary_needs_every_relationship_restated(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, mum, dad, _son = family
    with pytest.raises(MissingRelationships, match="Yusuf Khan"):
        household.switch_primary_applicant(
            db, SYSTEM, case, dad.id, relationships={mum.id: "Partner"}, on=D(2025, 1, 1)
        )
    assert case.primary.person_id == mum.id


def test_switch_primary_to_someone_who_left_is_refused(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, mum, dad, son = family
    link = next(cp for cp in case.people if cp.person_id == dad.id)
    household.record_leaving(db, SYSTEM, link, D(2024, 6, 1))
    with pytest.raises(NotAMember):
        household.switch_primary_applicant(
            db,
            SYSTEM,
            case,
            dad.id,
            relationships={mum.id: "Partner", son.id: "Son"},
            on=D(2025, 1, 1),
        )


def test_database_allows_only_one_primary_per_case(db: Session, family) -> None:  # type: ignore[no-untyped-def]
    case, _mum, dad, _son = family
    link = next(cp for cp in case.people if cp.person_id == dad.id)
    link.is_primary = True
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_open_case_records_history_in_the_same_transaction(db: Session) -> None:
    person = make_person(db, "Grace", "Mensah")
    case = make_case(db, person)
    events = db.scalars(select(HistoryEvent).where(HistoryEvent.case_id == case.id)).all()
    assert [e.kind for e in events] == ["case.created"]
    assert case.reference.startswith("HC-")
    assert len(case.reference) == 9
