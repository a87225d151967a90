"""Keyset pagination: one helper and one cursor format for every long list.

A list is ordered by some columns ending in a unique one (usually the id). A page is fetched
with `LIMIT size + 1` after the last row of the previous page — never with OFFSET — so page 800
costs what page 1 costs, and a row added or removed while someone pages shifts nothing.

The cursor is the last row's sort values, as JSON in URL-safe base64 ("next page" links carry
it as `after=`). Anything that does not decode to values of the right types is treated as no
cursor (the first page), never as an error.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from domain.ids import MAX_ID

T = TypeVar("T")
MAX_CURSOR_LENGTH = 400


@dataclass(frozen=True)
class SortKey:
    column: Any  # a mapped column or SQL expression
    descending: bool = False
    kind: type = int  # int, float, str, dt.datetime or dt.date: what the cursor must hold

    @property
    def order(self) -> ColumnElement[Any]:
        return self.column.desc() if self.descending else self.column.asc()  # type: ignore[no-any-return]


def encode(values: Sequence[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return {"t": value.astimezone(dt.UTC).isoformat()}
        if isinstance(value, dt.date):
            return {"d": value.isoformat()}
        return value

    raw = json.dumps([plain(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, keys: Sequence[SortKey]) -> tuple[Any, ...] | None:
    """The sort values a cursor holds, or None if it is missing or not a cursor for `keys`."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    out: list[Any] = []
    for value, key in zip(values, keys, strict=True):
        parsed = _typed(value, key.kind)
        if parsed is None:
            return None
        out.append(parsed)
    return tuple(out)


def _typed(value: Any, kind: type) -> Any:
    try:
        if kind is int:
            return value if type(value) is int and -MAX_ID <= value <= MAX_ID else None
        if kind is float:
            ok = type(value) in (int, float) and abs(value) < 1e300
            return float(value) if ok else None
        if kind is str:
            return value if isinstance(value, str) and len(value) <= 200 else None
        if kind is dt.datetime and isinstance(value, dict) and isinstance(value.get("t"), str):
            moment = dt.datetime.fromisoformat(value["t"])
            return moment if moment.tzinfo is not None else None
        if kind is dt.date and isinstance(value, dict) and isinstance(value.get("d"), str):
            return dt.date.fromisoformat(value["d"])
    except (ValueError, OverflowError):
        return None
    return None


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows that come after `values` in the order of `keys` (a lexicographic comparison)."""
    clauses = []
    for index, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:index], values[:index], strict=True)]
        beyond = key.column < values[index] if key.descending else key.column > values[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None  # for the page after this one; None on the last page


def _build(stmt: Any, keys: tuple[SortKey, ...], resume: bool, size: int) -> Any:
    """`stmt` in the keys' order, a page and one row long, after the values of the parameters
    `after_0`, `after_1`… when it resumes (the cursor's values are parameters)."""
    if resume:
        marks = [bindparam(f"after_{n}", type_=key.column.type) for n, key in enumerate(keys)]
        stmt = stmt.where(after(keys, marks))
    return stmt.order_by(*(key.order for key in keys)).limit(size + 1)


# Page statements by the statement they page, held weakly: a statement built for one request
# takes its page statements with it when it goes. (Held by an ordinary cache, 256 of the
# workload's statements took 50 MB of a web process.) Cleared if it ever holds more than
# MAX_KEPT statements at once, so it stays bounded whatever a caller does.
MAX_KEPT = 512
_PAGED: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()


def _paged(stmt: Any, keys: tuple[SortKey, ...], resume: bool, size: int) -> Any:
    """The page statement, built once for each statement and shape of page (building it and
    its cache key on every request cost a page more than running it)."""
    kept = _PAGED.get(stmt)
    if kept is None:
        if len(_PAGED) >= MAX_KEPT:
            _PAGED.clear()
        kept = _PAGED.setdefault(stmt, {})
    shape = (keys, resume, size)
    paged = kept.get(shape)
    if paged is None:
        global _builds
        _builds += 1
        paged = kept.setdefault(shape, _build(stmt, keys, resume, size))
    return paged


_builds = 0


def builds() -> int:
    """How many page statements this process has built (each is built once, then kept)."""
    return _builds


def fetch(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    keys: Sequence[SortKey],
    *,
    cursor: str | None,
    size: int,
    values_of: Callable[[T], Sequence[Any]],
    scalars: bool = True,
    params: Mapping[str, Any] | None = None,
) -> Page[T]:
    """A page of `stmt` ordered by `keys`, after `cursor`. `values_of(row)` gives a row's sort
    values (for the next cursor); `params` are values for the statement's bound parameters."""
    start = decode(cursor, keys)
    paged = _paged(stmt, tuple(keys), start is not None, size)
    if start is not None:
        params = {**(params or {}), **{f"after_{n}": v for n, v in enumerate(start)}}
    result = session.scalars(paged, params) if scalars else session.execute(paged, params)
    rows: list[T] = list(result.unique() if scalars else result)  # type: ignore[arg-type]
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode(values_of(rows[-1])) if more and rows else None
    return Page(rows, next_cursor)


# --------------------------------------------------------------------------------------------
# Counts that cost the same however big the table grows
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """How many rows match, exactly up to a cap; beyond it, only that there are more (a list an
    officer works through a page at a time does not need "61,234", and counting it would cost
    more the more there are)."""

    n: int
    more: bool = False

    def __str__(self) -> str:
        return f"more than {self.n:,}" if self.more else f"{self.n:,}"

    @property
    def one(self) -> bool:
        return self.n == 1 and not self.more

    @classmethod
    def of(cls, found: int, cap: int) -> Count:
        return cls(cap, True) if found > cap else cls(found)


def count_up_to(session: Session, rows: Select[*tuple[Any, ...]], cap: int) -> Count:
    """Count the rows `rows` selects, stopping after `cap` (see `Count`)."""
    found = session.scalar(select(func.count()).select_from(rows.limit(cap + 1).subquery()))
    return Count.of(int(found or 0), cap)


_PLAN_FOR_VALUES = text("SET LOCAL plan_cache_mode = force_custom_plan")


def plan_for_values(session: Session) -> None:
    """On PostgreSQL, plan the rest of this transaction's statements for their values. A list's
    statements repeat with values that select 20 rows or 80,000 (a team, an officer, a kind), and
    the generic plan PostgreSQL may switch a prepared statement to after five runs (psycopg
    prepares them) cost a list 1.5–4× at a million cases: one officer's cases by name 183 ms
    against 50 ms (median); the queue's counts for a team 11.8 ms of database CPU against 7.3.
    Only for lists: a page's other statements are cheaper on generic plans, their planning
    costing more than running them (`hearth.db`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PLAN_FOR_VALUES)


__all__ = [
    "MAX_CURSOR_LENGTH",
    "Count",
    "Page",
    "SortKey",
    "after",
    "count_up_to",
    "decode",
    "encode",
    "fetch",
    "plan_for_values",
]
