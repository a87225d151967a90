"""Task templates, part of a strand type's definition (SPEC T1): the work opening a strand, or
moving it to a status, sets going — each task with a service standard in working days.

    [[tasks]]
    key = "medical"                 # unique within the type
    name = "Medical evaluation"
    when = "opened"                 # "opened", "status:<label>", "after:<key>", "field:<date>"
    days = 1                        # working days from that event to the target date
    assign = "primary_officer"      # "primary_officer", "team" or "claim"

- `when = "opened"`: created, open, when a strand of the type opens.
- `when = "status:<label>"`: created when the strand moves to that status.
- `when = "after:<key>"`: **sequential** — created with its predecessor but waiting; it opens
  (and its target is counted) when the predecessor is completed. Tasks with the same event and
  no predecessor run in **parallel**.
- `when = "field:<name>"`: counted from a date field of the strand (e.g. the decision date):
  created when the field is given a date; if the date is corrected, the task still to do is
  replaced by one counted from the new date.
- `assign`: to the case's Primary officer (the case's team when it has none), to the case's
  team, or left for anyone in the team to claim.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ASSIGN = ("primary_officer", "team", "claim")
MAX_DAYS = 365
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class TaskTemplate:
    key: str
    name: str
    when: str  # "opened", "status:<label>", "after:<key>"
    days: int
    assign: str = "primary_officer"

    @property
    def after(self) -> str | None:
        return self.when.removeprefix("after:") if self.when.startswith("after:") else None

    @property
    def on_field(self) -> str | None:
        return self.when.removeprefix("field:") if self.when.startswith("field:") else None

    @property
    def on_status(self) -> str | None:
        return self.when.removeprefix("status:") if self.when.startswith("status:") else None

    @property
    def describe(self) -> str:
        """The template in words, for the admin pages ("1 working day after opening")."""
        days = f"{self.days} working day{'' if self.days == 1 else 's'}"
        if self.after is not None:
            return f"{days} after “{self.after}” is completed"
        if self.on_status is not None:
            return f"{days} after reaching “{self.on_status}”"
        if self.on_field is not None:
            return f"{days} after the date in “{self.on_field}”"
        return f"{days} after opening"

    def describe_among(self, templates: Sequence[TaskTemplate]) -> str:
        """As `describe`, naming the task it waits for by its name rather than its key."""
        names = {t.key: t.name for t in templates}
        if self.after is not None and self.after in names:
            days = f"{self.days} working day{'' if self.days == 1 else 's'}"
            return f"{days} after “{names[self.after]}” is completed"
        return self.describe


def tasks_from_data(
    code: str,
    raw: Any,
    statuses: Sequence[str],
    date_fields: Sequence[str] = (),
    *,
    owner: str | None = None,
) -> tuple[TaskTemplate, ...]:
    """The type's [[tasks]], or ValueError naming the type (or `owner`), the task and what is
    wrong."""
    owner = owner or f"Strand type {code!r}"
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(t, Mapping) for t in raw):
        raise ValueError(f"{owner}: tasks must be a list of [[tasks]] tables")
    found: list[TaskTemplate] = []
    keys: set[str] = set()
    for item in raw:
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{owner}: every task needs a key in lower_snake_case")
        where = f"{owner}, task {key!r}"
        unknown = sorted(set(item) - {"key", "name", "when", "days", "assign"})
        if unknown:
            raise ValueError(f"{where}: unknown setting {unknown[0]!r}")
        if key in keys:
            raise ValueError(f"{where}: the key is used twice")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise ValueError(f"{where}: name must be 1 to 200 characters")
        when = item.get("when", "opened")
        if not isinstance(when, str):
            raise ValueError(f"{where}: when must be text")
        if when.startswith("after:"):
            if when.removeprefix("after:") not in keys:
                raise ValueError(
                    f"{where}: {when!r} must name a task defined above it in the same type"
                )
        elif when.startswith("status:"):
            if when.removeprefix("status:") not in statuses:
                raise ValueError(f"{where}: {when!r} names no status of the type")
        elif when.startswith("field:"):
            if when.removeprefix("field:") not in date_fields:
                raise ValueError(f"{where}: {when!r} names no date field of the type")
        elif when != "opened":
            raise ValueError(
                f'{where}: when must be "opened", "status:<a status>", "after:<a task key>" '
                'or "field:<a date field>"'
            )
        days = item.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS:
            raise ValueError(f"{where}: days must be a whole number from 0 to {MAX_DAYS}")
        assign = item.get("assign", "primary_officer")
        if assign not in ASSIGN:
            raise ValueError(f"{where}: assign must be one of {', '.join(ASSIGN)}")
        found.append(TaskTemplate(key, name.strip(), when, days, assign))
        keys.add(key)
    return tuple(found)


__all__ = ["ASSIGN", "TaskTemplate", "tasks_from_data"]
