"""The council's clock: one time zone, one "today", one way of writing dates and times.

Timestamps are stored in UTC (:func:`now`). Dates people mean — dates of birth, dates joined and
left, target dates — are plain dates in the council's calendar (:func:`today`, England's time
zone whatever the server's). Pages, emails and history write them the GOV.UK way:
"4 November 2026", "10:06pm on 4 November 2026", "midday", "9am".
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

COUNCIL_TZ = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """The current moment, timezone-aware, in UTC (what the database stores)."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in England (the council's calendar)."""
    return dt.datetime.now(COUNCIL_TZ).date()


def local(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as the council's wall-clock time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given where a UTC timestamp is needed")
    return moment.astimezone(COUNCIL_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    return local(moment).date()


def long_date(value: dt.date | dt.datetime | str | None, *, empty: str = "") -> str:
    """ "4 November 2026" (a timestamp is first turned into the council's date)."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = local_date(value)
    return f"{value.day} {value:%B %Y}"


def short_date(value: dt.date | None) -> str:
    """ "4 Nov 2026", for narrow table columns."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


def time_of_day(moment: dt.datetime) -> str:
    """GOV.UK style: "9am", "10:06pm", "midday", "midnight"."""
    wall = local(moment)
    if wall.hour == 12 and wall.minute == 0:
        return "midday"
    if wall.hour == 0 and wall.minute == 0:
        return "midnight"
    hour = wall.hour % 12 or 12
    suffix = "am" if wall.hour < 12 else "pm"
    return f"{hour}{suffix}" if wall.minute == 0 else f"{hour}:{wall.minute:02d}{suffix}"


def date_time(moment: dt.datetime | None) -> str:
    """ "10:06pm on 29 November 2026" (empty for None)."""
    if moment is None:
        return ""
    return f"{time_of_day(moment)} on {long_date(moment)}"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_bounds(month: str | None) -> tuple[dt.datetime, dt.datetime] | None:
    """The first instant of a calendar month in England and of the next one, in UTC, for
    "YYYY-MM"; None for anything else. Clock changes are handled: October's end is 00:00 GMT on
    1 November, its start 00:00 BST on 1 October."""
    found = _MONTH.match(month or "")
    if not found:
        return None
    year, number = int(found.group(1)), int(found.group(2))
    if not (1 <= number <= 12 and 1900 <= year <= 9998):
        return None
    start = dt.datetime(year, number, 1, tzinfo=COUNCIL_TZ)
    end = dt.datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=COUNCIL_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def month_of(moment: dt.datetime) -> str:
    """ "YYYY-MM" of a timestamp in England."""
    return local(moment).strftime("%Y-%m")


def month_label(month: str) -> str:
    """ "November 2026" for "2026-11" (the text itself when it is not a month)."""
    bounds = month_bounds(month)
    if bounds is None:
        return month
    return local(bounds[0]).strftime("%B %Y")


def age_on(born: dt.date, on: dt.date) -> int:
    """Whole years from `born` to `on` (someone born on 29 February has their birthday on
    1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


__all__ = [
    "COUNCIL_TZ",
    "age_on",
    "date_time",
    "local",
    "local_date",
    "long_date",
    "month_bounds",
    "month_label",
    "month_of",
    "now",
    "short_date",
    "time_of_day",
    "today",
]
