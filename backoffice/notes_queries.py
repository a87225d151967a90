"""What the Notes & actions tab reads: the notes, alerts and actions on a case, on its people and
on its applications and assessments, as one list newest first, filtered by kind, person or
strand, a page at a time (keyset over the three tables together: each read by its own index on
case or person and creation time), then the page's records with who wrote them (three queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, literal, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from domain import paging
from domain.notes import Action, Alert, Note

PAGE_SIZE = 25
KINDS = {"note": "Notes", "alert": "Alerts", "action": "Actions"}


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    person_id: int | None = None
    strand_id: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.kind or self.person_id or self.strand_id)


def _part(model: Any, *, with_people: bool, by_person: bool, by_strand: bool) -> Any:
    on = [model.case_id == bindparam("case_id")]
    if with_people:
        on.append(model.person_id.in_(bindparam("person_ids", expanding=True)))
    stmt = select(
        literal(model.kind).label("kind"), model.id.label("id"), model.created_at.label("at")
    ).where(or_(*on))
    if by_person:
        stmt = stmt.where(model.person_id == bindparam("person_id"))
    if by_strand:
        if model is Alert:
            return None  # alerts are on a case or a person, never on a strand
        stmt = stmt.where(model.strand_id == bindparam("strand_id"))
    return stmt


@lru_cache(maxsize=32)
def _united(kind: str | None, *, with_people: bool, by_person: bool, by_strand: bool) -> Any:
    """The timeline's statement and sort keys for one shape of filters, built once (its values
    are parameters): building it on every request cost the tab a third of its time."""
    models = [m for m in (Note, Alert, Action) if kind in (None, m.kind)]
    shape = {"with_people": with_people, "by_person": by_person, "by_strand": by_strand}
    parts = [p for p in (_part(m, **shape) for m in models) if p is not None]
    if not parts:
        return None
    united = union_all(*parts).subquery()
    keys = (
        paging.SortKey(united.c.at, descending=True, kind=dt.datetime),
        paging.SortKey(united.c.kind, descending=True, kind=str),
        paging.SortKey(united.c.id, descending=True),
    )
    return select(united.c.at, united.c.kind, united.c.id), keys


# Each kind's records of a page with who wrote them, whom and what they are on (built once).
_RECORDS = {
    Note.kind: select(Note)
    .where(Note.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(Note.created_by), joinedload(Note.person), joinedload(Note.strand)),
    Alert.kind: select(Alert)
    .where(Alert.id.in_(bindparam("ids", expanding=True)))
    .options(joinedload(Alert.created_by), joinedload(Alert.person)),
    Action.kind: select(Action)
    .where(Action.id.in_(bindparam("ids", expanding=True)))
    .options(
        joinedload(Action.assignee),
        joinedload(Action.team),
        joinedload(Action.person),
        joinedload(Action.strand),
    ),
}


def timeline(
    session: Session,
    case_id: int,
    person_ids: list[int],
    filters: Filters,
    *,
    after: str | None,
    size: int = PAGE_SIZE,
) -> paging.Page[Any]:
    """A page of the case's notes, alerts and actions (records, newest first)."""
    shape = _united(
        filters.kind,
        with_people=bool(person_ids),
        by_person=filters.person_id is not None,
        by_strand=filters.strand_id is not None,
    )
    if shape is None:
        return paging.Page([], None)
    stmt, keys = shape
    page: paging.Page[Any] = paging.fetch(
        session,
        stmt,
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row.at, row.kind, row.id),
        scalars=False,
        params={
            "case_id": case_id,
            "person_ids": person_ids,
            "person_id": filters.person_id,
            "strand_id": filters.strand_id,
        },
    )
    wanted: dict[str, list[int]] = {}
    for row in page.rows:
        wanted.setdefault(row.kind, []).append(row.id)
    loaded: dict[tuple[str, int], Any] = {}
    for kind, statement in _RECORDS.items():
        ids = wanted.get(kind)
        if ids:
            records: Any = session.scalars(statement, {"ids": ids})
            for record in records:
                loaded[(kind, record.id)] = record
    found = [loaded[(row.kind, row.id)] for row in page.rows if (row.kind, row.id) in loaded]
    return paging.Page(found, page.next_cursor)
