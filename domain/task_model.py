"""The task record and its rules as plain functions (see `domain.tasks` for the whole story):
statuses, the target a task gets in working days, what holding does to it, and the roll-up of
targets to a strand and a case."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from domain.base import Base, created_timestamp, inline, intpk, one_of, timestamp
from domain.models import Case, Team, User
from domain.strands import Strand
from domain.working_days import add_working_days, working_days_between

WAITING, OPEN, ON_HOLD, DONE, CANCELLED = "waiting", "open", "on_hold", "done", "cancelled"
STATUSES = {
    WAITING: "Waiting",
    OPEN: "Open",
    ON_HOLD: "On hold",
    DONE: "Done",
    CANCELLED: "Cancelled",
}
LIVE = (OPEN, ON_HOLD)  # counted in targets, workloads and My work
DUE_SOON_DAYS = 2
NAME_MAX = 200
REASON_MAX = 500
RELEASE_JOB = "tasks.release"


class Task(Base):
    __tablename__ = "task"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"))
    template_key: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    status: Mapped[str] = mapped_column(String(20), default=OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    after_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    days: Mapped[int] = mapped_column(Integer, default=0)
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    opened_on: Mapped[dt.date | None] = mapped_column(Date)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_from: Mapped[dt.date | None] = mapped_column(Date)
    hold_until: Mapped[dt.date | None] = mapped_column(Date)
    held_days: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[timestamp | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_timestamp]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    strand: Mapped[Strand | None] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    team: Mapped[Team | None] = relationship()
    after: Mapped[Task | None] = relationship(remote_side="Task.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        CheckConstraint(
            "status IN ('waiting', 'cancelled') OR target_date IS NOT NULL", name="open_has_target"
        ),
        CheckConstraint(
            "status <> 'on_hold' OR (hold_from IS NOT NULL AND hold_until IS NOT NULL)",
            name="hold_has_dates",
        ),
        Index("ix_task_case_id_status", "case_id", "status"),
        Index("ix_task_strand_id", "strand_id"),
        Index("ix_task_after_id", "after_id"),
        Index(
            "ix_task_live_assignee_id_target_date",
            "assignee_id",
            "target_date",
            "id",
            sqlite_where=text("status IN ('open', 'on_hold')"),
            postgresql_where=text("status IN ('open', 'on_hold')"),
        ),
        Index(
            "ix_task_live_team_id_target_date",
            "team_id",
            "target_date",
            "id",
            sqlite_where=text("status IN ('open', 'on_hold')"),
            postgresql_where=text("status IN ('open', 'on_hold')"),
        ),
        Index(
            "ix_task_on_hold_hold_until",
            "hold_until",
            sqlite_where=text("status = 'on_hold'"),
            postgresql_where=text("status = 'on_hold'"),
        ),
    )

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == OPEN and self.target_date is not None and self.target_date < today

    def is_due_soon(self, today: dt.date) -> bool:
        return (
            self.status == OPEN
            and self.target_date is not None
            and today <= self.target_date <= add_working_days(today, DUE_SOON_DAYS)
        )

    def state(self, today: dt.date) -> str:
        """What the task's tag says: Overdue, Due soon, On hold, Open, Waiting, Done…"""
        if self.is_overdue(today):
            return "Overdue"
        if self.is_due_soon(today):
            return "Due soon"
        return self.status_label


# --- the rules as plain functions (unit-tested) ----------------------------------------------


def target_from(start: dt.date, days: int) -> dt.date:
    """A task's target: `days` working days after the day it opened."""
    return add_working_days(start, days)


def after_hold(target: dt.date, held_from: dt.date, released_on: dt.date) -> tuple[dt.date, int]:
    """(new target, working days held) for a task held from `held_from` and released on
    `released_on` (see the module notes)."""
    held = max(0, working_days_between(held_from, released_on))
    return add_working_days(target, held), held


# A live task (open or on hold), as a query condition: the partial indexes on live tasks apply
# to prepared statements' generic plans too (`domain.base.inline`).
LIVE_NOW = Task.status.in_([inline(status) for status in LIVE])


# The case's open tasks' earliest target, by strand (built once: case pages read it).
TARGETS_OF_CASE = (
    select(Task.strand_id, func.min(Task.target_date))
    .where(Task.case_id == bindparam("case_id"), Task.status == OPEN)
    .group_by(Task.strand_id)
)


@functools.cache
def tasks_of_case(by_strand: bool, live_only: bool) -> Any:
    """A case's tasks (with the parameter `case_id`), or a strand's (`strand_id`), with who has
    them and what they wait for, built once for each shape (case pages read them)."""
    stmt = (
        select(Task)
        .where(Task.case_id == bindparam("case_id"))
        .options(
            joinedload(Task.assignee),
            joinedload(Task.team),
            joinedload(Task.strand),
            joinedload(Task.after),
        )
    )
    if by_strand:
        stmt = stmt.where(Task.strand_id == bindparam("strand_id"))
    if live_only:
        stmt = stmt.where(Task.status.in_((WAITING, *LIVE)))
    return stmt.order_by(Task.id)


def earliest(targets: Iterable[dt.date | None]) -> dt.date | None:
    """What a strand's or case's target is, given its open tasks' targets."""
    days = [day for day in targets if day is not None]
    return min(days) if days else None
