"""Shared setup of the bedroom assessment integration tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import assessments
from domain.assessments import (
    BedroomAssessmentVersion,
)
from domain.history import SYSTEM
from domain.models import Case, HistoryEvent, User
from domain.strands import HOUSING_REGISTER, Strand, open_strand
from domain.vocab import Permission
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
)

D = dt.date
ON = D(2026, 6, 15)
DAY = dt.timedelta(days=1)
PRIMARY_BORN = D(1985, 3, 3)


def officer(db: Session) -> User:
    return make_officer(db, Permission.CASES, Permission.BEDROOM_ASSESSMENTS, name="Bea Lindqvist")


def events(db: Session, case: Case, kind: str | None = None) -> list[HistoryEvent]:
    stmt = select(HistoryEvent).where(HistoryEvent.case_id == case.id)
    if kind is not None:
        stmt = stmt.where(HistoryEvent.kind == kind)
    return list(db.scalars(stmt.order_by(HistoryEvent.id)))


def versions(db: Session, case: Case) -> list[BedroomAssessmentVersion]:
    strand = assessments.open_bedroom_assessment(db, case.id)
    assert strand is not None
    return list(reversed(assessments.assessment_history(db, strand.id)))


def bedroom_strand(db: Session, case: Case) -> Strand:
    strand = assessments.open_bedroom_assessment(db, case.id)
    assert strand is not None
    return strand


def family_with_children(
    db: Session, *children: tuple[str, D, str], on: D = ON, primary_born: D = PRIMARY_BORN
) -> Case:
    """A mother and children (first name, date of birth, sex) with a Housing Register open."""
    mum = make_person(db, "Amira", "Khan", born=primary_born)
    members = [
        (make_person(db, name, "Khan", born=born, sex=sex), "Son" if sex == "M" else "Daughter")
        for name, born, sex in children
    ]
    case = make_case(db, mum, members, joined=D(2020, 1, 1))
    open_strand(db, SYSTEM, case, HOUSING_REGISTER, on=on)
    return case
