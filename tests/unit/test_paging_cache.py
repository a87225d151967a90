"""Page statements are built once for a statement built once, and a statement built for one
request is not kept once it is gone (issue 19: the workload's statements, one per request,
held by a cache, took 50 MB of a web process)."""

from __future__ import annotations

import gc
import weakref

from sqlalchemy import func, select

from domain import paging
from domain.models import CaseOfficer, User


def _per_request() -> tuple[object, tuple[paging.SortKey, ...]]:
    counts = (
        select(CaseOfficer.user_id, func.count().label("n"))
        .group_by(CaseOfficer.user_id)
        .subquery()
    )
    officers = (
        select(counts, func.coalesce(User.name, "").label("name"))
        .outerjoin(User, User.id == counts.c.user_id)
        .subquery()
    )
    keys = (
        paging.SortKey(officers.c.n, descending=True),
        paging.SortKey(officers.c.name, kind=str),
        paging.SortKey(officers.c.user_id),
    )
    return select(officers), keys


def test_a_statement_built_once_gets_the_same_page_statement_each_time() -> None:
    stmt, keys = _per_request()
    before = paging.builds()
    first = paging._paged(stmt, keys, True, 25)
    assert paging._paged(stmt, keys, True, 25) is first
    assert paging.builds() == before + 1
    assert paging._paged(stmt, keys, False, 25) is not first  # another shape of page
    assert paging.builds() == before + 2


def test_a_statement_built_for_one_request_is_not_kept() -> None:
    gone = []
    for _ in range(20):
        stmt, keys = _per_request()
        paging._paged(stmt, keys, True, 25)
        gone.append(weakref.ref(stmt))
        del stmt, keys
    gc.collect()
    assert [ref for ref in gone if ref() is not None] == []


def test_the_kept_statements_stay_bounded() -> None:
    held = [_per_request() for _ in range(paging.MAX_KEPT + 5)]  # all still in use
    for stmt, keys in held:
        paging._paged(stmt, keys, False, 25)
    assert len(paging._PAGED) <= paging.MAX_KEPT
