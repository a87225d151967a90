"""A busy page runs statements built once, not built again on every request (issue 19).

Building a statement (and SQLAlchemy working out its cache key) cost some pages more than
running it: the notes tab spent a third of its time that way, My work a quarter. Each page here
is loaded twice; every statement the second load runs must be an object the first load ran
(relationship loads, which SQLAlchemy builds itself, aside).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import ORMExecuteState, Session

from domain.strands import Strand
from tests.support.pages import Pages
from tests.web.test_query_counts import (  # noqa: F401
    Statements,
    _accept_joining,
    _sign_in_applicant,
    _sign_in_officer,
    world,
)

BUILT_ONCE = [
    ("backoffice:my_work", {}, {}),
    ("backoffice:case_notes", {"case_id": "{case}"}, {}),
    ("backoffice:queue", {}, {}),
    ("backoffice:queue", {}, {"team": "{team}"}),
    ("backoffice:queue", {}, {"overdue": "yes"}),
    ("backoffice:review", {"change_id": "{change}"}, {}),
    ("backoffice:case", {"case_id": "{case}"}, {}),
    ("backoffice:case_people", {"case_id": "{case}"}, {}),
    ("backoffice:case_history", {"case_id": "{case}"}, {}),
    ("backoffice:case_files", {"case_id": "{case}"}, {}),
    ("backoffice:case_messages", {"case_id": "{case}"}, {}),
    ("backoffice:people", {}, {"q": "Khan"}),
    ("backoffice:people", {}, {"q": "Amira Khan"}),
    ("backoffice:person", {"person_id": "{mum}"}, {}),
    ("backoffice:strand", {"case_id": "{case}", "strand_id": "{register}"}, {}),
]


PORTAL = [("your_case", {}, {}), ("your_changes", {}, {})]


class Executed:
    """The statements sessions run, as objects (kept, so that no id is reused)."""

    def __init__(self) -> None:
        self.statements: list[Any] = []
        self.besides: Session | None = None  # the test's own session: its statements aside

    def __call__(self, state: ORMExecuteState) -> None:
        if not state.is_relationship_load and state.session is not self.besides:
            self.statements.append(state.statement)


@pytest.fixture
def executed() -> Iterator[Executed]:
    watch = Executed()
    event.listen(Session, "do_orm_execute", watch)
    try:
        yield watch
    finally:
        event.remove(Session, "do_orm_execute", watch)


def _fill(db: Session, values: dict[str, str], w: dict[str, Any]) -> dict[str, Any]:
    register = db.scalars(select(Strand.id).where(Strand.case_id == w["case"].id)).first()
    ids = {
        "{team}": w["team"].id,
        "{change}": w["change"].id,
        "{case}": w["case"].id,
        "{mum}": w["mum"].id,
        "{register}": register,
    }
    return {k: ids.get(v, v) for k, v in values.items()}


@pytest.mark.parametrize(("name", "path", "params"), BUILT_ONCE + PORTAL)
def test_a_busy_page_builds_its_statements_once(
    db: Session,
    pages: Pages,
    executed: Executed,
    world: dict[str, Any],  # noqa: F811
    name: str,
    path: dict[str, str],
    params: dict[str, str],
) -> None:
    if name.startswith("backoffice:"):
        _sign_in_officer(pages, world["reviewer"])
    else:
        _sign_in_applicant(pages)
    url, query = pages.url(name, **_fill(db, path, world)), _fill(db, params, world)
    pages.fetch(url, params=query)
    first = list(executed.statements)
    executed.statements.clear()
    pages.fetch(url, params=query)
    again = [s for s in executed.statements if not any(s is f for f in first)]
    assert executed.statements and not again, "\n---\n".join(str(s)[:300] for s in again)


def test_accepting_a_change_builds_its_statements_once(
    db: Session,
    pages: Pages,
    connection: Connection,
    executed: Executed,
    world: dict[str, Any],  # noqa: F811
) -> None:
    """The decision's own reads and writes (the unit of work's inserts and updates aside)."""
    counter = Statements(connection)
    executed.besides = db
    _sign_in_officer(pages, world["reviewer"])
    _accept_joining(db, pages, counter, world, 1)
    first = list(executed.statements)
    executed.statements.clear()
    _accept_joining(db, pages, counter, world, 2)
    again = [s for s in executed.statements if not any(s is f for f in first)]
    assert executed.statements and not again, "\n---\n".join(str(s)[:300] for s in again)
