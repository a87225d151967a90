"""The tasks a case itself sets going (SPEC T1: templates "per strand type and for a case
itself"): the council's case task template, written as a strand type's [[tasks]] are, kept as
the council setting ``case_tasks`` and edited by an administrator (Admin → Case tasks).

    [[tasks]]
    key = "identity"
    name = "Check the household's identity documents"
    when = "opened"               # "opened", or "after:<key>" to wait for that task
    days = 5                      # working days from the event to the target date
    assign = "primary_officer"    # "primary_officer", "team" or "claim"

Opening a case — by an officer, from a referral, or online — creates its "opened" tasks
(parallel), with the tasks that follow them waiting until their predecessor is completed.
They are assigned as a strand's are (`domain.tasks`), belong to no application or assessment,
and count towards the case's target. Closing the case cancels what is left of them.

A council ships with no case tasks (the text is empty) until an administrator saves some.
Saving checks the text as a strand type's tasks are checked and refuses it with the task and
what is wrong; nothing already created changes — a new template applies to cases opened after.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import history
from domain.base import utcnow
from domain.council_settings import CouncilSetting, get_setting, set_setting
from domain.errors import Conflict, FieldErrors
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case
from domain.strands.task_templates import TaskTemplate, tasks_from_data
from domain.tasks import CANCELLED, LIVE, WAITING, Task, create_from_templates

log = logging.getLogger(__name__)

SETTING = "case_tasks"
TEXT_MAX = 20_000
OWNER = "Case tasks"

EXAMPLE = """\
[[tasks]]
key = "identity"
name = "Check the household's identity documents"
when = "opened"
days = 5
assign = "primary_officer"

[[tasks]]
key = "housing_plan"
name = "Agree a personalised housing plan"
when = "after:identity"
days = 10
assign = "primary_officer"
"""


def parse(text: str) -> tuple[TaskTemplate, ...]:
    """The templates in `text`, or ValueError saying what is wrong (TOML line, task, setting)."""
    if len(text) > TEXT_MAX:
        raise ValueError(f"{OWNER}: the text must be {TEXT_MAX:,} characters or fewer")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{OWNER}: this is not valid TOML ({error})") from None
    unknown = sorted(set(data) - {"tasks"})
    if unknown:
        raise ValueError(f"{OWNER}: only [[tasks]] tables belong here, not {unknown[0]!r}")
    raw = data.get("tasks")
    if isinstance(raw, list):
        for item in raw:
            when = item.get("when", "opened") if isinstance(item, dict) else "opened"
            if isinstance(when, str) and when != "opened" and not when.startswith("after:"):
                raise ValueError(
                    f"{OWNER}, task {item.get('key')!r}: a case's task starts when the case is "
                    'opened ("opened") or after another of its tasks ("after:<a task key>")'
                )
    return tasks_from_data("case", raw, (), owner=OWNER)


def text(session: Session) -> str:
    value = get_setting(session, SETTING, "")
    return value if isinstance(value, str) else ""


def templates(session: Session) -> tuple[TaskTemplate, ...]:
    """The council's case task templates (none when the saved text no longer reads, which is
    logged: it was checked when saved)."""
    saved = text(session)
    if not saved.strip():
        return ()
    try:
        return parse(saved)
    except ValueError:
        log.exception("The saved case task template no longer reads; no case tasks created")
        return ()


def version(session: Session) -> int:
    row = session.get(CouncilSetting, SETTING)
    return 0 if row is None else row.version


def save(session: Session, actor: Actor, new_text: str, *, expected_version: int) -> int:
    """Check and store the template; the number of tasks in it. FieldErrors on "definition"
    when it does not read; Conflict when another administrator saved first."""
    if version(session) != expected_version:
        raise Conflict(
            "Another administrator changed the case tasks while you were editing: "
            "your text was not saved. Check theirs and save yours again."
        )
    new_text = new_text.replace("\r\n", "\n")
    try:
        found = parse(new_text)
    except ValueError as error:
        raise FieldErrors({"definition": str(error)}) from None
    set_setting(session, actor, SETTING, new_text)
    return len(found)


def on_case_opened(session: Session, actor: Actor, case: Case, today: dt.date) -> list[Task]:
    """Create the tasks a newly opened case sets going (with their followers waiting)."""
    found = templates(session)
    starters = [t for t in found if t.when == "opened"]
    if not starters:
        return []
    return create_from_templates(session, actor, case, None, found, starters, today=today)


def cancel_for_case(session: Session, actor: Actor, case: Case, why: str) -> int:
    """Cancel the case's own tasks still to do (a strand's stay with the strand)."""
    left = session.scalars(
        select(Task).where(
            Task.case_id == case.id,
            Task.strand_id.is_(None),
            Task.status.in_((WAITING, *LIVE)),
        )
    ).all()
    for task in left:
        task.status, task.outcome, task.done_at = CANCELLED, why, utcnow()
        task.hold_from = task.hold_until = None
    if left:
        history.record(
            session,
            actor,
            HistoryKind.TASK_CANCELLED,
            f"{len(left)} task{'s' if len(left) != 1 else ''} of the case cancelled: {why}",
            case_id=case.id,
            after={"tasks": [t.id for t in left], "why": why},
        )
    return len(left)


__all__ = [
    "EXAMPLE",
    "SETTING",
    "cancel_for_case",
    "on_case_opened",
    "parse",
    "save",
    "templates",
    "text",
    "version",
]
