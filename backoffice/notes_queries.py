"""What the Notes & actions tab reads: the notes, alerts and actions on a case, on its people and
on its applications and assessments, as one list newest first, filtered by kind, person or
strand, a page at a time (keyset over the three tables together: each read by its own index on
case or person and creation time), then the page's records with who wrote them (three queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import literal, or_, select, union_all
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


def _part(model: Any, case_id: int, person_ids: list[int], filters: Filters) -> Any:
    on = [model.case_id == case_id]
    if person_ids:
        on.append(model.person_id.in_(person_ids))
    stmt = select(
        literal(model.kind).label("kind"), model.id.label("id"), model.created_at.label("at")
    ).where(or_(*on))
    if filters.person_id is not None:
        stmt = stmt.where(model.person_id == filters.person_id)
    if filters.strand_id is not None:
        if model is Alert:
            return None  # alerts are on a case or a person, never on a strand
        stmt = stmt.where(model.strand_id == filters.strand_id)
    return stmt


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
    models = [m for m in (Note, Alert, Action) if filters.kind in (None, m.kind)]
    parts = [p for p in (_part(m, case_id, person_ids, filters) for m in models) if p is not None]
    if not parts:
        return paging.Page([], None)
    united = union_all(*parts).subquery()
    keys = (
        paging.SortKey(united.c.at, descending=True, kind=dt.datetime),
        paging.SortKey(united.c.kind, descending=True, kind=str),
        paging.SortKey(united.c.id, descending=True),
    )
    page: paging.Page[Any] = paging.fetch(
        session,
        select(united.c.at, united.c.kind, united.c.id),
        keys,
        cursor=after,
        size=size,
        values_of=lambda row: (row.at, row.kind, row.id),
        scalars=False,
    )
    wanted: dict[str, list[int]] = {}
    for row in page.rows:
        wanted.setdefault(row.kind, []).append(row.id)
    loaded: dict[tuple[str, int], Any] = {}
    options = {
        "note": (joinedload(Note.created_by), joinedload(Note.person), joinedload(Note.strand)),
        "alert": (joinedload(Alert.created_by), joinedload(Alert.person)),
        "action": (
            joinedload(Action.assignee),
            joinedload(Action.team),
            joinedload(Action.person),
            joinedload(Action.strand),
        ),
    }
    for model in (Note, Alert, Action):
        ids = wanted.get(model.kind)
        if ids:
            found: Any = session.scalars(
                select(model).where(model.id.in_(ids)).options(*options[model.kind])
            )
            for record in found:
                loaded[(model.kind, record.id)] = record
    records = [loaded[(row.kind, row.id)] for row in page.rows if (row.kind, row.id) in loaded]
    return paging.Page(records, page.next_cursor)
