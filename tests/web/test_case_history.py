"""The case's History tab: newest first, filters by kind and month, keyset paging."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from domain import history
from domain.history import SYSTEM
from domain.models import Case, User
from tests.support.pages import Pages

# --- history ----------------------------------------------------------------------------------


def _event(db: Session, case: Case, kind: str, summary: str, at: dt.datetime, **kw: Any) -> None:
    history.record(db, SYSTEM, kind, summary, case_id=case.id, at=at, **kw)


def test_history_is_newest_first_with_before_and_after(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    _event(
        db,
        case,
        "household.relationship",
        "Yusuf Khan is now the primary applicant's stepchild (was son)",
        dt.datetime(2099, 1, 5, 12, 0, tzinfo=dt.UTC),
        before={"relationship": "Son"},
        after={"relationship": "Stepchild"},
    )
    db.commit()
    page = pages.get("backoffice:case_history", case_id=case.id)
    assert page.h1 == "History"
    items = page.select(".moj-timeline__item")
    first = items[0]
    assert first.select_one(".moj-timeline__title").get_text(strip=True) == "Relationship changed"
    assert first.select_one(".moj-timeline__byline").get_text(strip=True) == "by Hearth (automatic)"
    assert "5 January 2099" in first.select_one("time").get_text()
    details = first.select_one("details")
    assert [td.get_text(strip=True) for td in details.select("tbody tr > *")] == [
        "Relationship",
        "Son",
        "Stepchild",
    ]
    kinds = [item["data-kind"] for item in items]
    assert kinds[-1] == "case.created"  # the oldest last
    times = [item.select_one("time")["datetime"] for item in items]
    assert times == sorted(times, reverse=True)


def test_history_filters_by_kind_and_jumps_to_a_month(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    _event(
        db,
        case,
        "case.circumstances",
        "A note in March",
        dt.datetime(2030, 3, 10, 9, tzinfo=dt.UTC),
    )
    _event(
        db, case, "case.circumstances", "A note in April", dt.datetime(2030, 4, 2, 9, tzinfo=dt.UTC)
    )
    # 23:30 UTC on 31 May is 00:30 on 1 June in England (BST): it belongs to June.
    _event(
        db,
        case,
        "case.circumstances",
        "Just after midnight",
        dt.datetime(2030, 5, 31, 23, 30, tzinfo=dt.UTC),
    )
    db.commit()
    page = pages.get("backoffice:case_history", case_id=case.id)
    kinds = {o["value"]: o.get_text(strip=True) for o in page.select("#kind option") if o["value"]}
    assert kinds["household.left"] == "Left the household"
    assert kinds["case.circumstances"] == "Change of circumstances noted"
    months = [o["value"] for o in page.select("#month option") if o["value"]]
    assert months[:3] == ["2030-06", "2030-04", "2030-03"]
    assert page.select_one('#month option[value="2030-06"]').get_text(strip=True) == "June 2030"

    left = pages.get("backoffice:case_history", case_id=case.id, params={"kind": "household.left"})
    assert [i["data-kind"] for i in left.select(".moj-timeline__item")] == ["household.left"]
    assert "Zainab Begum left the household on 1 June 2025" in left.text
    assert left.select_one("#kind option[selected]")["value"] == "household.left"

    april = pages.get("backoffice:case_history", case_id=case.id, params={"month": "2030-04"})
    assert april.texts(".moj-timeline__description > p") == ["A note in April"]
    june = pages.get("backoffice:case_history", case_id=case.id, params={"month": "2030-06"})
    assert june.texts(".moj-timeline__description > p") == ["Just after midnight"]
    both = pages.get(
        "backoffice:case_history",
        case_id=case.id,
        params={"month": "2030-04", "kind": "household.left"},
    )
    assert not both.select(".moj-timeline__item")
    assert "No events match this filter" in both.text


def test_history_pages_by_100_with_older_events(
    db: Session, pages: Pages, family: dict[str, Any], officer: User
) -> None:
    case = family["case"]
    start = dt.datetime(2090, 1, 1, tzinfo=dt.UTC)
    same_moment = start + dt.timedelta(minutes=50)
    for n in range(120):
        # Several events share one moment: the keyset must still not skip or repeat any.
        at = same_moment if 45 <= n < 55 else start + dt.timedelta(minutes=n)
        _event(db, case, "case.circumstances", f"Note {n}", at)
    db.commit()
    seen: list[str] = []
    page = pages.get(
        "backoffice:case_history", case_id=case.id, params={"kind": "case.circumstances"}
    )
    assert len(page.select(".moj-timeline__item")) == 100
    seen += page.texts(".moj-timeline__description > p")
    older = page.select_one('a[rel="next"]')
    assert "kind=case.circumstances" in older["href"]
    second = pages.fetch(str(older["href"]))
    seen += second.texts(".moj-timeline__description > p")
    assert not second.select('a[rel="next"]')
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen[0] == "Note 119" and seen[-1] == "Note 0"


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "no.such.kind"},
        {"month": "2026-13"},
        {"month": "yesterday"},
        {"before": "garbage"},
        {"before": "2026-01-01T00:00:00~abc"},
        {"before": "2026-01-01T00:00:00~5"},  # no timezone
        {"before": "9999-12-31T23:59:59+00:00~99999999999999"},
    ],
)
def test_history_ignores_bad_parameters(
    pages: Pages, family: dict[str, Any], officer: User, params: dict[str, str]
) -> None:
    page = pages.get("backoffice:case_history", case_id=family["case"].id, params=params)
    assert page.select(".moj-timeline__item")
