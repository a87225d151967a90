"""Shared setup of the back-office case page tests: a household, an officer, a query counter."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from changes import engine
from changes.engine import Notifier
from domain import household, strands
from domain.history import SYSTEM
from domain.models import Case, CasePerson, User
from domain.vocab import Permission
from tests.support.factories import (
    link_partners,
    make_case,
    make_person,
    make_portal_account,
    make_team,
    open_housing_register,
)

TODAY = dt.datetime.now(ZoneInfo("Europe/London")).date()
NOTIFIER = Notifier(
    "Housing options", "Testshire District Council", "http://testserver/changes", "01632 960000"
)
D = dt.date


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    """Amira Khan's household: partner, two children, and a grandmother who has left."""
    team = make_team(db, "Housing Register")
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=D(2014, 1, 20), sex="M")
    daughter = make_person(db, "Noor", "Khan", born=D(2016, 5, 5))
    gran = make_person(db, "Zainab", "Begum", born=D(1950, 2, 14))
    case = make_case(
        db,
        mum,
        [(dad, "Partner"), (son, "Son"), (daughter, "Daughter"), (gran, "Grandparent")],
        team=team,
        joined=D(2024, 1, 1),
    )
    link_partners(db, case, mum, dad)
    household.record_leaving(db, SYSTEM, _link(case, gran.id), D(2025, 6, 1))
    housing_register = open_housing_register(db, case)
    health = strands.open_strand(db, SYSTEM, case, strands.HEALTH_ASSESSMENT)
    strands.change_status(db, SYSTEM, health, "Completed")
    account = make_portal_account(db, mum, email="amira@example.com")
    db.commit()
    return {
        "case": case,
        "team": team,
        "mum": mum,
        "dad": dad,
        "son": son,
        "daughter": daughter,
        "gran": gran,
        "account": account,
        "housing_register": housing_register,
        "health": health,
    }


def _link(case: Case, person_id: int) -> CasePerson:
    return next(cp for cp in case.people if cp.person_id == person_id)


def submit(db: Session, f: dict[str, Any], kind: str, payload: dict[str, Any]) -> Any:
    change = engine.submit(
        db, f["account"], f["case"], kind, payload, idempotency_key=uuid.uuid4().hex, today=TODAY
    )
    db.commit()
    return change


def age(born: dt.date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


@pytest.fixture
def officer(sign_in_officer: Callable[..., User]) -> User:
    return sign_in_officer(Permission.CASES, name="Sam Whitfield")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def queries(connection: Connection) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    event.listen(connection, "before_cursor_execute", counter)
    yield counter
    event.remove(connection, "before_cursor_execute", counter)
