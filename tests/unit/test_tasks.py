"""Task service standards as plain rules: targets in working days across weekends and the bank
holidays of England and Wales, the clock stopped while a task is on hold, due-soon and overdue,
the roll-up of targets, and task templates read from a strand type's definition."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.strands.task_templates import tasks_from_data
from domain.tasks import OPEN, Task, after_hold, earliest, target_from

D = dt.date


@pytest.mark.parametrize(
    ("opened", "days", "target"),
    [
        (D(2026, 11, 30), 1, D(2026, 12, 1)),  # Monday → Tuesday
        (D(2026, 12, 4), 1, D(2026, 12, 7)),  # Friday → Monday
        (D(2026, 12, 5), 1, D(2026, 12, 7)),  # opened on a Saturday → Monday
        (D(2026, 12, 24), 1, D(2026, 12, 29)),  # Christmas Eve → past Christmas and Boxing Day
        (D(2026, 12, 23), 3, D(2026, 12, 30)),  # 24th, (25, 26, 27, 28 off: Boxing Day on Mon 28)
        (D(2027, 3, 25), 2, D(2027, 3, 31)),  # Good Friday 26 March and Easter Monday 29 March
        (D(2026, 11, 30), 0, D(2026, 11, 30)),  # due the day it opens
    ],
)
def test_targets_count_working_days_only(opened: dt.date, days: int, target: dt.date) -> None:
    assert target_from(opened, days) == target


def test_a_task_on_hold_loses_none_of_its_time() -> None:
    # Due Friday 11 December; held Monday 30 November to Monday 7 December: five working days.
    assert after_hold(D(2026, 12, 11), D(2026, 11, 30), D(2026, 12, 7)) == (D(2026, 12, 18), 5)
    # Over Christmas: held 23 December, released 4 January (24, 29, 30, 31 December, 4 January).
    assert after_hold(D(2026, 12, 24), D(2026, 12, 23), D(2027, 1, 4)) == (D(2027, 1, 5), 5)
    # Released the day it was held: nothing moves.
    assert after_hold(D(2026, 12, 11), D(2026, 12, 7), D(2026, 12, 7)) == (D(2026, 12, 11), 0)


def test_due_soon_and_overdue() -> None:
    today = D(2026, 12, 4)  # a Friday

    def state(target: dt.date) -> str:
        return Task(name="x", status=OPEN, target_date=target).state(today)

    assert state(D(2026, 12, 3)) == "Overdue"
    assert state(D(2026, 12, 4)) == "Due soon"
    assert state(D(2026, 12, 8)) == "Due soon"  # two working days on: Monday, Tuesday
    assert state(D(2026, 12, 9)) == "Open"
    held = Task(name="x", status="on_hold", target_date=D(2026, 12, 1))
    assert held.state(today) == "On hold"  # the clock is stopped: never overdue


def test_the_case_target_is_the_earliest_open_target() -> None:
    assert earliest([D(2026, 12, 9), None, D(2026, 12, 2), D(2027, 1, 5)]) == D(2026, 12, 2)
    assert earliest([None]) is None and earliest([]) is None


def test_task_templates_are_checked_when_a_type_is_read() -> None:
    statuses = ["Open", "Decided", "Closed"]
    made = tasks_from_data(
        "t",
        [
            {"key": "a", "name": "Assess", "when": "opened", "days": 1},
            {"key": "b", "name": "Visit", "when": "after:a", "days": 3, "assign": "team"},
            {"key": "c", "name": "Letter", "when": "status:Decided", "days": 10, "assign": "claim"},
            {"key": "d", "name": "Review", "when": "field:decided_on", "days": 15},
        ],
        statuses,
        ["decided_on"],
    )
    assert [(t.key, t.after, t.on_status, t.assign) for t in made] == [
        ("a", None, None, "primary_officer"),
        ("b", "a", None, "team"),
        ("c", None, "Decided", "claim"),
        ("d", None, None, "primary_officer"),
    ]
    assert made[3].on_field == "decided_on"
    assert made[3].describe == "15 working days after the date in “decided_on”"
    for bad, message in (
        ([{"key": "a", "name": "x", "when": "after:b", "days": 1}], "must name a task defined"),
        ([{"key": "a", "name": "x", "when": "status:Nope", "days": 1}], "names no status"),
        ([{"key": "a", "name": "x", "days": -1}], "days must be a whole number"),
        ([{"key": "a", "name": "x", "days": 1, "assign": "boss"}], "assign must be one of"),
        ([{"key": "a", "name": "x", "days": 1}, {"key": "a", "name": "y", "days": 1}], "twice"),
        ([{"key": "a", "name": "x", "days": 1, "due": 3}], "unknown setting 'due'"),
        ([{"key": "a", "name": "x", "when": "field:born", "days": 1}], "names no date field"),
    ):
        with pytest.raises(ValueError, match=message):
            tasks_from_data("t", bad, statuses)
