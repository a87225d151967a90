"""Every cardinality rule held by the database under concurrency (PostgreSQL, real concurrent
transactions): two officers open the same kind of strand at the same moment; exactly one lands,
the other is told which strand already holds the place."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain import household, strands
from domain.errors import RuleBroken
from domain.history import SYSTEM
from domain.models import Case
from domain.strands import Strand
from tests.support.factories import make_case, make_person


def _race(
    committed: sessionmaker[Session], attempts: list[Callable[[Session], Strand]]
) -> list[str]:
    """Run each attempt in its own transaction, all released at once; 'landed' or the refusal."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def run(attempt: Callable[[Session], Strand]) -> None:
        with committed() as db:
            try:
                with db.begin():
                    barrier.wait()
                    attempt(db)
                outcomes.append("landed")
            except RuleBroken as exc:
                outcomes.append(str(exc))

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _opener(case_id: int, code: str) -> Callable[[Session], Strand]:
    def attempt(db: Session) -> Strand:
        case = db.get(Case, case_id)
        assert case is not None
        return strands.open_strand(db, SYSTEM, case, code)

    return attempt


def _open_count(committed: sessionmaker[Session], code: str, case_ids: list[int]) -> int:
    with committed() as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(Strand)
                .where(Strand.type_code == code, Strand.case_id.in_(case_ids), Strand.is_open)
            )
            or 0
        )


@pytest.mark.postgresql_only
@pytest.mark.parametrize("code", [strands.FINANCIAL_ASSISTANCE, strands.ROUGH_SLEEPER])
def test_one_open_per_case_holds_when_two_open_at_once(
    committed: sessionmaker[Session], code: str
) -> None:
    with committed.begin() as db:
        case_id = make_case(db, make_person(db, "Ada", "Nwosu")).id

    outcomes = _race(committed, [_opener(case_id, code), _opener(case_id, code)])

    assert outcomes.count("landed") == 1
    (told,) = [o for o in outcomes if o != "landed"]
    with committed() as db:
        holder = db.scalars(select(Strand).where(Strand.case_id == case_id)).one()
    assert f"already has an open {holder.type.name} ({holder.reference})" in told
    assert _open_count(committed, code, [case_id]) == 1


@pytest.mark.postgresql_only
def test_one_current_per_primary_applicant_holds_across_cases_opened_at_once(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as db:
        grace = make_person(db, "Grace", "Mensah")
        first, second = make_case(db, grace).id, make_case(db, grace).id

    outcomes = _race(
        committed,
        [
            _opener(first, strands.HOMELESS_APPLICATION),
            _opener(second, strands.HOMELESS_APPLICATION),
        ],
    )

    assert outcomes.count("landed") == 1
    (told,) = [o for o in outcomes if o != "landed"]
    with committed() as db:
        holder = db.scalars(
            select(Strand).where(Strand.type_code == strands.HOMELESS_APPLICATION)
        ).one()
        where = holder.case.reference
    assert f"Grace Mensah already has a current Homeless application ({holder.reference})" in told
    assert f"on case {where}" in told
    assert _open_count(committed, strands.HOMELESS_APPLICATION, [first, second]) == 1


@pytest.mark.postgresql_only
def test_switching_the_primary_applicant_races_an_opening_for_that_person(
    committed: sessionmaker[Session],
) -> None:
    """Case A's partner becomes its primary applicant while case B (hers already) opens a
    Housing Register application: A already has one, so only one of the two may land."""
    with committed.begin() as db:
        tom = make_person(db, "Tom", "Reid", sex="M")
        amy = make_person(db, "Amy", "Reid")
        case_a = make_case(db, tom, [(amy, "Partner")])
        strands.open_strand(db, SYSTEM, case_a, strands.HOUSING_REGISTER)
        case_b = make_case(db, amy)
        a_id, b_id, amy_id, tom_id = case_a.id, case_b.id, amy.id, tom.id

    def switch(db: Session) -> Strand:
        case = db.get(Case, a_id)
        assert case is not None
        household.switch_primary_applicant(
            db, SYSTEM, case, amy_id, relationships={tom_id: "Partner"}, on=dt.date.today()
        )
        return strands.open_strands(db, a_id, strands.HOUSING_REGISTER)[0]

    outcomes = _race(committed, [switch, _opener(b_id, strands.HOUSING_REGISTER)])

    assert outcomes.count("landed") == 1
    (told,) = [o for o in outcomes if o != "landed"]
    assert "Amy Reid already has a current Housing Register application" in told
    with committed() as db:
        holders = db.scalars(
            select(Strand).where(
                Strand.type_code == strands.HOUSING_REGISTER, Strand.current_key == f"p{amy_id}"
            )
        ).all()
        primaries = {c: db.get(Case, c).primary.person_id for c in (a_id, b_id)}  # type: ignore[union-attr]
    assert len(holders) == 1  # Amy holds one current application, on whichever case won
    assert primaries[holders[0].case_id] == amy_id
