"""Readers of text from outside — case search, cursors, ids, redirects, dates — and the clock and
calendar they lean on. Each must accept what people type and turn anything else into nothing
(or a clear message), never an exception."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.datastructures import FormData
from wtforms import Form

from backoffice.case_queries import parse_search
from domain import clock, paging
from domain.ids import MAX_ID, parse_id
from domain.models import HistoryEvent
from domain.working_days import add_working_days, is_working_day, working_days_between
from web.context import safe_next
from web.fields import DateField
from web.parsing import parse_flag, parse_index

D = dt.date

# --- case search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "case_id"),
    [("HC-000123", 123), ("hc 123", 123), ("123", 123), ("  HC123 ", 123), ("HC-0", None)],
)
def test_search_reads_case_references_forgivingly(typed: str, case_id: int | None) -> None:
    search = parse_search(typed)
    assert search.error is None
    assert search.by == "reference"
    assert (search.case_id or None) == case_id


def test_search_reads_dates_of_birth_and_refuses_impossible_ones() -> None:
    assert parse_search("27/03/1985").born == D(1985, 3, 27)
    assert parse_search("2.3.2001").born == D(2001, 3, 2)
    assert parse_search("31/02/1990").error == (
        "Date of birth must be a real date, for example 27/03/1985"
    )


def test_search_reads_names_as_words_in_any_case() -> None:
    search = parse_search("  Zainab   BEGUM ")
    assert search.words == ("zainab", "begum")
    assert search.by == "name"
    assert parse_search("O’Neil-Smith").words == ("o’neil-smith",)


def test_search_says_what_it_cannot_understand() -> None:
    assert parse_search("").is_empty
    assert parse_search("%%%").error is not None
    assert parse_search("x" * 201).error == "Search must be 200 characters or fewer"
    huge = parse_search("HC-" + "9" * 30)
    assert huge.error is None and huge.case_id == 0  # cannot exist: finds nothing


# --- cursors ---------------------------------------------------------------------------------

KEYS = (
    paging.SortKey(HistoryEvent.occurred_at, descending=True, kind=dt.datetime),
    paging.SortKey(HistoryEvent.id, descending=True),
)


def test_cursors_round_trip_moments_and_ids() -> None:
    moment = dt.datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=dt.UTC)
    cursor = paging.encode([moment, 42])
    assert paging.decode(cursor, KEYS) == (moment, 42)
    assert all(c.isalnum() or c in "-_" for c in cursor)  # safe in a URL as it is


@pytest.mark.parametrize(
    "cursor",
    [
        None,
        "",
        "not base64 at all!",
        paging.encode([1, 2, 3]),  # wrong number of values
        paging.encode(["2026-01-01", 1]),  # a moment as plain text
        paging.encode([{"t": "2026-01-01T00:00:00"}, 1]),  # a moment without a time zone
        paging.encode([{"t": "yesterday"}, 1]),
        paging.encode([{"t": "2026-01-01T00:00:00+00:00"}, 2**40]),  # beyond any id
        paging.encode([{"t": "2026-01-01T00:00:00+00:00"}, True]),
        "A" * 401,
    ],
)
def test_a_cursor_that_is_not_one_means_the_first_page(cursor: str | None) -> None:
    assert paging.decode(cursor, KEYS) is None


# --- ids, positions, flags, redirects ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("01", 1),
        ("１２", None),  # full-width digits
        ("1e3", None),
        ("", None),
        (None, None),
        ("9" * 11, None),
    ],
)
def test_ids_fit_the_database_or_are_nothing(text: str | None, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_positions_and_flags() -> None:
    assert parse_index("0") == 0
    assert parse_index("12", limit=11) is None
    assert parse_index("1000") is None
    assert parse_index("x") is None
    assert parse_flag("yes") and parse_flag("1") and parse_flag("TRUE")
    assert not parse_flag("no") and not parse_flag(None) and not parse_flag("%")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/your-case", "/your-case"),
        ("/backoffice/cases?q=khan", "/backoffice/cases?q=khan"),
        ("https://evil.example/", "/home"),
        ("//evil.example/", "/home"),
        ("/\\evil.example", "/home"),
        ("/ok\r\nSet-Cookie: x=1", "/home"),
        ("javascript:alert(1)", "/home"),
        ("", "/home"),
        (None, "/home"),
    ],
)
def test_redirects_only_stay_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target, "/home") == expected


# --- the GOV.UK date field ---------------------------------------------------------------------


class BornForm(Form):
    born = DateField(what="Date of birth")


def _born(day: str, month: str, year: str) -> BornForm:
    form = BornForm(FormData({"born-day": day, "born-month": month, "born-year": year}))
    form.validate()
    return form


@pytest.mark.parametrize(
    ("parts", "message", "bad"),
    [
        (("", "", ""), "Enter date of birth", {"day", "month", "year"}),
        (("1", "", "2000"), "Date of birth must include a month", {"month"}),
        (("", "", "2000"), "Date of birth must include a day and month", {"day", "month"}),
        (("x", "2", "2000"), "Date of birth must be a real date", {"day"}),
        (("31", "2", "2000"), "Date of birth must be a real date", {"day", "month", "year"}),
        (("1", "2", "85"), "Year must include 4 numbers", {"year"}),
        (("1", "2", "1850"), "Date of birth must be after 1900", {"year"}),
        (("1", "13", "2000"), "Date of birth must be a real date", {"day", "month", "year"}),
    ],
)
def test_date_field_messages_follow_the_govuk_pattern(
    parts: tuple[str, str, str], message: str, bad: set[str]
) -> None:
    form = _born(*parts)
    assert form.born.errors == [message]
    assert form.born.bad_parts == bad
    assert form.born.error_anchor == "born-" + next(p for p in ("day", "month", "year") if p in bad)


def test_date_field_reads_a_real_date_with_spaces_and_keeps_what_was_typed() -> None:
    form = _born(" 7 ", "03", "1985")
    assert form.born.errors == []
    assert form.born.data == D(1985, 3, 7)
    assert _born("x", "3", "1985").born.raw == {"day": "x", "month": "3", "year": "1985"}


# --- the clock --------------------------------------------------------------------------------


def test_month_bounds_follow_the_clock_changes() -> None:
    # March 2026: starts in GMT, ends in BST (clocks go forward on 29 March).
    start, end = clock.month_bounds("2026-03")  # type: ignore[misc]
    assert start == dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC)
    # October 2026: starts in BST, ends in GMT (clocks go back on 25 October).
    start, end = clock.month_bounds("2026-10")  # type: ignore[misc]
    assert start == dt.datetime(2026, 9, 30, 23, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)
    # December into the next year
    assert clock.month_bounds("2026-12")[1] == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)  # type: ignore[index]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-01", "2026-1", "", "1899-12", None])
def test_month_bounds_refuse_what_is_not_a_month(month: str | None) -> None:
    assert clock.month_bounds(month) is None


def test_a_moment_belongs_to_the_month_it_is_in_england() -> None:
    assert clock.month_of(dt.datetime(2030, 5, 31, 23, 30, tzinfo=dt.UTC)) == "2030-06"  # BST
    assert clock.month_of(dt.datetime(2030, 1, 31, 23, 30, tzinfo=dt.UTC)) == "2030-01"  # GMT
    assert clock.month_label("2030-06") == "June 2030"


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (dt.datetime(2026, 11, 29, 22, 6, tzinfo=dt.UTC), "10:06pm on 29 November 2026"),
        (dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC), "9am on 29 November 2026"),
        (dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC), "midday on 29 November 2026"),
        (dt.datetime(2026, 11, 29, 0, 0, tzinfo=dt.UTC), "midnight on 29 November 2026"),
        (dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "12:30am on 2 July 2026"),  # BST
    ],
)
def test_times_are_written_the_govuk_way_in_englands_time(moment: dt.datetime, words: str) -> None:
    assert clock.date_time(moment) == words


def test_dates_are_written_in_full() -> None:
    assert clock.long_date(D(2026, 3, 4)) == "4 March 2026"
    assert clock.long_date("2026-03-04") == "4 March 2026"
    assert clock.long_date(None, empty="Not recorded") == "Not recorded"
    assert clock.short_date(D(2026, 3, 4)) == "4 Mar 2026"


# --- working days -----------------------------------------------------------------------------


def test_christmas_and_new_year_are_skipped() -> None:
    # Christmas Day 2026 is a Friday; Boxing Day falls on Saturday, so Monday 28th is the
    # substitute bank holiday; 1 January 2027 is a Friday.
    assert not is_working_day(D(2026, 12, 25))
    assert not is_working_day(D(2026, 12, 28))
    assert not is_working_day(D(2027, 1, 1))
    assert is_working_day(D(2026, 12, 29))
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert add_working_days(D(2026, 12, 24), 5) == D(2027, 1, 5)


def test_easter_is_skipped() -> None:
    # Good Friday 26 March 2027 and Easter Monday 29 March 2027.
    assert not is_working_day(D(2027, 3, 26))
    assert not is_working_day(D(2027, 3, 29))
    assert add_working_days(D(2027, 3, 25), 1) == D(2027, 3, 30)


def test_the_late_may_bank_holiday_is_skipped() -> None:
    # The last Monday of May 2027 is the 31st.
    assert not is_working_day(D(2027, 5, 31))
    assert add_working_days(D(2027, 5, 28), 1) == D(2027, 6, 1)
    assert working_days_between(D(2027, 5, 28), D(2027, 6, 1)) == 1
    assert working_days_between(D(2027, 6, 1), D(2027, 5, 28)) == -1


def test_ten_working_days_from_a_friday_is_two_weeks_later() -> None:
    assert add_working_days(D(2026, 11, 6), 10) == D(2026, 11, 20)
    assert add_working_days(D(2026, 11, 6), 0) == D(2026, 11, 6)
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2026, 11, 6), -1)
