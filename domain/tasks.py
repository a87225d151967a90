"""Tasks with service standards (SPEC T1, T2): the work on a case and its applications and
assessments, each with a target date counted in working days (weekends and the bank holidays of
England and Wales do not count — `domain.working_days`, the queue's calendar).

- **From templates**: opening a strand creates the tasks its type's template lists for
  "opened" (parallel ones open at once; sequential ones wait for their predecessor); moving it
  to a status creates that status's tasks; closing it cancels what is left of them.
- **States**: waiting (for its predecessor) → open → done, or cancelled; an open task may be
  put **on hold** with a reason and a release date.
- **On hold, the council's rule**: the clock stops. When the task is released — by an officer,
  or by the daily job on its release date — its target moves on by the working days it was on
  hold (those after the day it was put on hold, up to and including the day it is released),
  so a task held from one Monday to the next moves on five working days and loses none of the
  time it had left.
- **Due soon**: the target is today or within the next two working days; **overdue**: the
  target has passed. A strand's target is the earliest target of its open tasks, and the
  case's the earliest of all its open tasks (`targets`).
- **Assigned** to an officer (the case's Primary officer, by template), a team (the case's), or
  left in the team for anyone to claim.

Every change writes history in the caller's transaction; nothing here commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import history
from domain.base import utcnow
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CaseOfficer, Team, User
from domain.strands import Strand
from domain.strands.task_templates import TaskTemplate
from domain.task_model import (  # noqa: F401 (the record and its rules, re-exported)
    CANCELLED,
    DONE,
    DUE_SOON_DAYS,
    LIVE,
    LIVE_NOW,
    NAME_MAX,
    ON_HOLD,
    OPEN,
    REASON_MAX,
    RELEASE_JOB,
    STATUSES,
    TARGETS_OF_CASE,
    WAITING,
    Task,
    after_hold,
    earliest,
    target_from,
    tasks_of_case,
)
from domain.vocab import OfficerRole
from domain.working_days import working_days_between

# --- creating ---------------------------------------------------------------------------------


def _assign(session: Session, case: Case, how: str) -> tuple[int | None, int | None]:
    """(officer, team) a template's `assign` gives on `case`."""
    team = case.responsible_team_id
    if how == "primary_officer":
        primary = session.scalar(
            select(CaseOfficer.user_id)
            .where(CaseOfficer.case_id == case.id, CaseOfficer.role == OfficerRole.PRIMARY.value)
            .order_by(CaseOfficer.id)
            .limit(1)
        )
        return primary, team
    return None, team


def _create(
    session: Session,
    actor: Actor,
    case: Case,
    strand: Strand | None,
    template: TaskTemplate,
    *,
    today: dt.date,
    after: Task | None,
    start: dt.date | None = None,
) -> Task:
    """One task from a template, counted from `start` (default: today)."""
    assignee, team = _assign(session, case, template.assign)
    task = Task(
        case_id=case.id,
        strand_id=strand.id if strand is not None else None,
        template_key=template.key,
        name=template.name,
        status=WAITING if after is not None else OPEN,
        assignee_id=assignee,
        team_id=team,
        after_id=after.id if after is not None else None,
        days=template.days,
        target_date=None if after is not None else target_from(start or today, template.days),
        opened_on=None if after is not None else today,
        created_by_id=actor.user_id,
    )
    session.add(task)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_CREATED,
        f"Task “{task.name}” "
        + (
            f"due {task.target_date:%d/%m/%Y}" if task.target_date else "waiting for the one before"
        ),
        case_id=case.id,
        after={
            "task": task.id,
            "name": task.name,
            "target": task.target_date,
            "status": task.status,
        },
    )
    return task


def create_from_templates(
    session: Session,
    actor: Actor,
    case: Case,
    strand: Strand | None,
    templates: Sequence[TaskTemplate],
    starters: Sequence[TaskTemplate],
    *,
    today: dt.date,
) -> list[Task]:
    """The templates in `starters` and, waiting behind them, every task of `templates` that
    follows them — on the strand, or on the case itself when `strand` is None."""
    queue: list[tuple[TaskTemplate, Task | None]] = [(t, None) for t in starters]
    created: list[Task] = []
    while queue:
        template, after = queue.pop(0)
        task = _create(session, actor, case, strand, template, today=today, after=after)
        created.append(task)
        queue += [(t, task) for t in templates if t.after == template.key]
    return created


def on_strand_opened(session: Session, actor: Actor, strand: Strand, today: dt.date) -> list[Task]:
    """Create the tasks the strand's type sets going on opening (and those counted from a date
    field it was opened with)."""
    starters = [t for t in strand.type.tasks if t.when == "opened"]
    made = create_from_templates(
        session, actor, strand.case, strand, strand.type.tasks, starters, today=today
    )
    fields = [t.on_field for t in strand.type.tasks if t.on_field is not None]
    return made + on_fields_changed(session, actor, strand, fields, today)


def _field_date(strand: Strand, name: str) -> dt.date | None:
    value = (strand.data or {}).get(name)
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def on_fields_changed(
    session: Session, actor: Actor, strand: Strand, names: Sequence[str], today: dt.date
) -> list[Task]:
    """A strand's date fields were set or changed: create the tasks counted from them (a task
    still to do from an earlier date is replaced by one counted from the new date)."""
    templates = [t for t in strand.type.tasks if t.on_field in names]
    if not templates or not strand.is_open:
        return []
    made: list[Task] = []
    for template in templates:
        assert template.on_field is not None
        start = _field_date(strand, template.on_field)
        live = session.scalars(
            select(Task).where(
                Task.strand_id == strand.id,
                Task.template_key == template.key,
                Task.status.in_((WAITING, *LIVE)),
            )
        ).all()
        if live and start is not None and all(t.opened_on == start for t in live):
            continue
        for task in live:
            task.status, task.outcome, task.done_at = CANCELLED, "The date changed", utcnow()
            task.hold_from = task.hold_until = None
            history.record(
                session,
                actor,
                HistoryKind.TASK_CANCELLED,
                f"Task “{task.name}” replaced: {template.on_field} changed",
                case_id=strand.case_id,
                after={"task": task.id},
            )
        if start is None:
            continue
        task = _create(
            session, actor, strand.case, strand, template, today=today, after=None, start=start
        )
        task.opened_on = start
        made.append(task)
    return made


def on_status_reached(
    session: Session, actor: Actor, strand: Strand, status: str, today: dt.date
) -> list[Task]:
    """Create the tasks of a status the strand has just reached (not again while one from the
    same template is still to do); cancel what is left when the strand has closed."""
    if not strand.is_open:
        cancel_for_strand(session, actor, strand, f"{strand.label} closed ({status})")
        return []
    starters = [t for t in strand.type.tasks if t.on_status == status]
    if not starters:
        return []
    live_keys = set(
        session.scalars(
            select(Task.template_key).where(
                Task.strand_id == strand.id, Task.status.in_((WAITING, *LIVE))
            )
        )
    )
    starters = [t for t in starters if t.key not in live_keys]
    return create_from_templates(
        session, actor, strand.case, strand, strand.type.tasks, starters, today=today
    )


def cancel_for_strand(
    session: Session,
    actor: Actor,
    strand: Strand,
    why: str,
    *,
    done: bool = False,
    keys: tuple[str, ...] | None = None,
) -> int:
    """Cancel the strand's tasks still to do (from the templates `keys`), or close them `done`."""
    stmt = select(Task).where(Task.strand_id == strand.id, Task.status.in_((WAITING, *LIVE)))
    if keys is not None:
        stmt = stmt.where(Task.template_key.in_(keys))
    left = session.scalars(stmt).all()
    for task in left:
        task.status, task.outcome, task.done_at = DONE if done else CANCELLED, why, utcnow()
        task.target_date = task.target_date or (task.done_at.date() if done else None)
        task.hold_from = task.hold_until = None
    if left:
        verb = "done" if done else "cancelled"
        history.record(
            session,
            actor,
            HistoryKind.TASK_COMPLETED if done else HistoryKind.TASK_CANCELLED,
            f"{len(left)} task{'s' if len(left) != 1 else ''} {verb}: {why}",
            case_id=strand.case_id,
            after={"tasks": [t.id for t in left], "why": why},
        )
    return len(left)


def add_task(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    name: str,
    strand_id: int | None,
    assignee_id: int | None,
    team_id: int | None,
    target_date: dt.date | None,
    today: dt.date,
) -> Task:
    """An ad-hoc task on a case (or one of its applications), for an officer or a team."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Enter what needs doing"
    elif len(name) > NAME_MAX:
        errors["name"] = f"What needs doing must be {NAME_MAX} characters or fewer"
    strand = session.get(Strand, strand_id) if strand_id else None
    if strand_id and (strand is None or strand.case_id != case.id or not strand.is_open):
        errors["strand"] = "Choose an open application or assessment on this case"
    if assignee_id is None and team_id is None:
        errors["assignee"] = "Choose an officer or a team"
    if assignee_id is not None and session.get(User, assignee_id) is None:
        errors["assignee"] = "Choose an officer"
    if team_id is not None and session.get(Team, team_id) is None:
        errors["team"] = "Choose a team"
    if target_date is None:
        errors["target_date"] = "Enter the target date"
    elif target_date < today:
        errors["target_date"] = "The target date must be today or later"
    if errors:
        raise FieldErrors(errors)
    task = Task(
        case_id=case.id,
        strand_id=strand.id if strand is not None else None,
        name=name,
        status=OPEN,
        assignee_id=assignee_id,
        team_id=team_id,
        days=working_days_between(today, target_date) if target_date else 0,
        target_date=target_date,
        opened_on=today,
        created_by_id=actor.user_id,
    )
    session.add(task)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_CREATED,
        f"Task “{name}” added, due {target_date:%d/%m/%Y}",
        case_id=case.id,
        after={"task": task.id, "name": name, "target": target_date},
    )
    return task


# --- working a task ----------------------------------------------------------------------------


def _check_version(task: Task, expected: int | None) -> None:
    if expected is not None and task.version != expected:
        raise Conflict("Another officer has changed this task since you opened it")


def complete(
    session: Session,
    actor: Actor,
    officer: User,
    task: Task,
    *,
    today: dt.date,
    expected_version: int | None = None,
) -> list[Task]:
    """Mark an open task done; the tasks waiting for it open, their targets counted from
    today. Returns the tasks opened."""
    _check_version(task, expected_version)
    if task.status != OPEN:
        raise RuleBroken(
            f"Only an open task can be completed (this one is {task.status_label.lower()})"
        )
    task.status = DONE
    task.done_at = utcnow()
    task.done_by_id = officer.id
    task.outcome = "Done"
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_COMPLETED,
        f"Task “{task.name}” done",
        case_id=task.case_id,
        after={"task": task.id, "target": task.target_date, "done_on": today},
    )
    opened = []
    for follower in session.scalars(
        select(Task).where(Task.after_id == task.id, Task.status == WAITING).order_by(Task.id)
    ):
        follower.status = OPEN
        follower.opened_on = today
        follower.target_date = target_from(today, follower.days)
        opened.append(follower)
        history.record(
            session,
            actor,
            HistoryKind.TASK_CREATED,
            f"Task “{follower.name}” opened after “{task.name}”, due "
            f"{follower.target_date:%d/%m/%Y}",
            case_id=follower.case_id,
            after={"task": follower.id, "target": follower.target_date},
        )
    return opened


def hold(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    reason: str,
    until: dt.date | None,
    today: dt.date,
    expected_version: int | None = None,
) -> Task:
    """Put an open task on hold until a date (the clock stops; see the module notes)."""
    _check_version(task, expected_version)
    if task.status != OPEN:
        raise RuleBroken("Only an open task can be put on hold")
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Enter why the task is on hold"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    if until is None:
        errors["until"] = "Enter the date it comes off hold"
    elif until <= today:
        errors["until"] = "The date it comes off hold must be after today"
    if errors:
        raise FieldErrors(errors)
    task.status = ON_HOLD
    task.hold_reason = reason
    task.hold_from = today
    task.hold_until = until
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_HELD,
        f"Task “{task.name}” on hold until {until:%d/%m/%Y}: {reason}",
        case_id=task.case_id,
        after={"task": task.id, "reason": reason, "until": until},
    )
    return task


def release(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    today: dt.date,
    expected_version: int | None = None,
) -> Task:
    """Take a task off hold: its target moves on by the working days it was held."""
    _check_version(task, expected_version)
    if task.status != ON_HOLD or task.hold_from is None or task.target_date is None:
        raise RuleBroken("This task is not on hold")
    before = task.target_date
    task.target_date, held = after_hold(before, task.hold_from, today)
    task.held_days += held
    task.status = OPEN
    task.hold_from = task.hold_until = None
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_RELEASED,
        f"Task “{task.name}” off hold after {held} working day{'' if held == 1 else 's'}; "
        f"due {task.target_date:%d/%m/%Y}",
        case_id=task.case_id,
        before={"task": task.id, "target": before},
        after={"target": task.target_date, "held_days": held},
    )
    return task


def release_due(session: Session, actor: Actor, today: dt.date) -> int:
    """The daily job: release every task whose hold ends today or earlier."""
    due = session.scalars(
        select(Task)
        .where(Task.status == ON_HOLD, Task.hold_until <= today)
        .order_by(Task.id)
        .with_for_update(skip_locked=True)
    ).all()
    for task in due:
        release(session, actor, task, today=today)
    return len(due)


def reassign(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    assignee_id: int | None,
    team_id: int | None,
    expected_version: int | None = None,
) -> Task:
    """Give a task to another officer and/or team (both empty: refused)."""
    _check_version(task, expected_version)
    if task.status not in (WAITING, *LIVE):
        raise RuleBroken("A finished task cannot be reassigned")
    if assignee_id is None and team_id is None:
        raise FieldErrors({"assignee": "Choose an officer or a team"})
    officer = session.get(User, assignee_id) if assignee_id else None
    if assignee_id and (officer is None or not officer.active):
        raise FieldErrors({"assignee": "Choose an active officer"})
    if team_id is not None and session.get(Team, team_id) is None:
        raise FieldErrors({"team": "Choose a team"})
    before = {"assignee": task.assignee_id, "team": task.team_id}
    task.assignee_id, task.team_id = assignee_id, team_id
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.TASK_REASSIGNED,
        f"Task “{task.name}” given to "
        + (officer.name if officer is not None else (task.team.name if task.team else "a team")),
        case_id=task.case_id,
        before=before,
        after={"task": task.id, "assignee": assignee_id, "team": team_id},
    )
    return task


def claim(
    session: Session, actor: Actor, officer: User, task: Task, *, expected_version: int | None
) -> Task:
    """An officer takes a task nobody has yet."""
    _check_version(task, expected_version)
    if task.assignee_id is not None:
        raise Conflict("Someone already has this task")
    return reassign(
        session, actor, task, assignee_id=officer.id, team_id=task.team_id, expected_version=None
    )


# --- targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    case: dt.date | None
    strands: dict[int, dt.date]


def targets(session: Session, case_id: int) -> Targets:
    """The case's target and each strand's: the earliest target of their open tasks."""
    rows = session.execute(TARGETS_OF_CASE, {"case_id": case_id}).all()
    by_strand = {strand: day for strand, day in rows if strand is not None and day is not None}
    return Targets(earliest(day for _, day in rows), by_strand)


def case_tasks(
    session: Session, case_id: int, *, strand_id: int | None = None, live_only: bool = False
) -> list[Task]:
    """A case's tasks (or a strand's), those to do first, then by target; with who has them."""
    stmt = tasks_of_case(strand_id is not None, live_only)
    found = list(session.scalars(stmt, {"case_id": case_id, "strand_id": strand_id}))
    order = {OPEN: 0, ON_HOLD: 1, WAITING: 2, DONE: 3, CANCELLED: 4}
    far = dt.date.max
    return sorted(found, key=lambda t: (order[t.status], t.target_date or far, t.id))


def next_task_by_strand(session: Session, strand_ids: Sequence[int]) -> dict[int, Task]:
    """Each strand's most urgent task still to do (open or on hold), for lists (one query)."""
    if not strand_ids:
        return {}
    found: dict[int, Task] = {}
    for task in session.scalars(
        select(Task)
        .where(Task.strand_id.in_(list(strand_ids)), LIVE_NOW)
        .order_by(Task.target_date, Task.id)
    ):
        assert task.strand_id is not None
        found.setdefault(task.strand_id, task)
    return found


def live_for(tasks: Iterable[Task]) -> list[Task]:
    return [t for t in tasks if t.status in (WAITING, *LIVE)]


__all__ = [
    "CANCELLED",
    "DONE",
    "LIVE",
    "ON_HOLD",
    "OPEN",
    "RELEASE_JOB",
    "STATUSES",
    "WAITING",
    "Targets",
    "Task",
    "add_task",
    "cancel_for_strand",
    "claim",
    "complete",
    "create_from_templates",
    "hold",
    "on_status_reached",
    "on_strand_opened",
    "reassign",
    "release",
    "release_due",
    "targets",
]
