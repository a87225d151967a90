"""Case actions and moves as records, and the one service that moves a strand's status."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import clock, history, strands
from domain.base import Base, created_timestamp, intpk, str200
from domain.errors import Conflict, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, User
from domain.strands import Strand
from domain.workflows.definitions import (
    NOTES_MAX,
    ActionNotAvailable,
    Facts,
    MoveNotAllowed,
    MoveOption,
    options,
    plan_move,
)
from domain.workflows.homeless_referral import WORKFLOWS, workflow_of

# --------------------------------------------------------------------------------------------
# Records: case actions and moves
# --------------------------------------------------------------------------------------------


class CaseAction(Base):
    """A case action recorded on a strand: what, who, when, notes, and in which cycle."""

    __tablename__ = "case_action"

    id: Mapped[intpk]
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(60))  # the strand's status when recorded
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str200]
    recorded_at: Mapped[created_timestamp]

    actor_user: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_case_action_strand_id_cycle_action", "strand_id", "cycle", "action"),
    )


class StrandMove(Base):
    """One workflow move: who, when, from, to, why, and the strand's version after it."""

    __tablename__ = "strand_move"

    id: Mapped[intpk]
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(60))
    to_status: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    reopens: Mapped[bool] = mapped_column(Boolean, default=False)
    strand_version: Mapped[int] = mapped_column(Integer)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str200]
    moved_at: Mapped[created_timestamp]

    __table_args__ = (Index("ix_strand_move_strand_id_id", "strand_id", "id"),)


def current_cycle(session: Session, strand_id: int) -> int:
    """0 until the strand is first reopened, then 1, 2, …"""
    return int(session.scalar(_CYCLE, {"strand_id": strand_id}) or 0)


# Built once (a strand's page reads them on every load).
_CYCLE = (
    select(func.count())
    .select_from(StrandMove)
    .where(StrandMove.strand_id == bindparam("strand_id"), StrandMove.reopens)
)
# The actions recorded in the strand's current cycle (the cycle worked out in the same query).
_ACTIONS_IN_CYCLE = (
    select(CaseAction.action, func.count())
    .where(
        CaseAction.strand_id == bindparam("strand_id"),
        CaseAction.cycle == _CYCLE.scalar_subquery(),
    )
    .group_by(CaseAction.action)
)


def facts_of(session: Session, strand: Strand) -> Facts:
    rows = session.execute(_ACTIONS_IN_CYCLE, {"strand_id": strand.id}).all()
    return Facts(
        status=strand.status,
        actions=Counter({str(code): int(n) for code, n in rows}),
        fields=dict(strand.data or {}),
    )


def available_moves(session: Session, strand: Strand) -> list[MoveOption]:
    """The moves from the strand's status, each with the reasons it is blocked now."""
    if strand.status == strand.type.moved_status:
        return []
    return options(workflow_of(strand), facts_of(session, strand))


def actions_of(session: Session, strand_id: int) -> list[CaseAction]:
    """Every case action recorded on the strand, newest first."""
    return list(
        session.scalars(
            select(CaseAction)
            .where(CaseAction.strand_id == strand_id)
            .order_by(CaseAction.recorded_at.desc(), CaseAction.id.desc())
        )
    )


def moves_of(session: Session, strand_id: int) -> list[StrandMove]:
    """Every move of the strand, newest first."""
    return list(
        session.scalars(
            select(StrandMove)
            .where(StrandMove.strand_id == strand_id)
            .order_by(StrandMove.id.desc())
        )
    )


def record_action(
    session: Session, actor: Actor, strand: Strand, action: str, *, notes: str | None = None
) -> CaseAction:
    """Record a case action on an open strand, at a status where the workflow offers it."""
    workflow = workflow_of(strand)
    spec = workflow.action(action)
    if not strand.is_open:
        raise ActionNotAvailable(
            f"{strand.reference} is closed: reopen it before recording “{spec.label}”."
        )
    if spec not in workflow.actions_at(strand.status):
        where = ", ".join(f"“{s}”" for s in spec.statuses)
        raise ActionNotAvailable(f"“{spec.label}” can only be recorded at {where}.")
    notes = (notes or "").strip() or None
    if notes is not None and len(notes) > NOTES_MAX:
        raise RuleBroken(f"Notes must be {NOTES_MAX} characters or fewer")
    row = CaseAction(
        strand_id=strand.id,
        action=spec.code,
        notes=notes,
        status=strand.status,
        cycle=current_cycle(session, strand.id),
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
    )
    session.add(row)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.STRAND_ACTION_RECORDED,
        f"{strand.label}: “{spec.label}” recorded at {strand.status!r}",
        case_id=strand.case_id,
        after={"strand": strand.reference, "action": spec.code, "notes": notes},
    )
    return row


def _lock(session: Session, strand: Strand) -> None:
    strands.lock(session, strand)


def _check_version(session: Session, strand: Strand, expected_version: int) -> None:
    if strand.version == expected_version:
        return
    last = session.scalars(
        select(StrandMove).where(StrandMove.strand_id == strand.id).order_by(StrandMove.id.desc())
    ).first()
    if last is not None and last.strand_version > expected_version:
        when = clock.date_time(last.moved_at)
        raise Conflict(
            f"{strand.reference} was already moved from “{last.from_status}” to "
            f"“{last.to_status}” by {last.actor_label} at {when}. Nothing was changed: reload "
            "the page to see where it is now."
        )
    raise Conflict(
        f"{strand.reference} was changed by someone else after you opened it. Nothing was "
        "changed: reload the page to see the latest version."
    )


def move(
    session: Session,
    actor: Actor,
    strand: Strand,
    to_status: str,
    *,
    reason: str | None = None,
    expected_version: int,
) -> StrandMove:
    """Move the strand to `to_status` — the only way a strand with a workflow changes status.

    Raises Conflict (stale `expected_version`), MoveNotAllowed or MoveBlocked (with every
    reason). Writes the history event (who, when, from, to, reason) and a StrandMove.
    """
    workflow = workflow_of(strand)
    _lock(session, strand)
    _check_version(session, strand, expected_version)
    reason = (reason or "").strip() or None
    from_status = strand.status
    if from_status == strand.type.moved_status:
        raise MoveNotAllowed(f"{strand.reference} was moved to another case; it cannot move on.")
    plan_move(workflow, facts_of(session, strand), to_status, reason)
    reopens = not workflow.status(from_status).is_open and workflow.status(to_status).is_open
    strands.change_status(session, actor, strand, to_status, workflow={"reason": reason})
    record = StrandMove(
        strand_id=strand.id,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        reopens=reopens,
        strand_version=strand.version,
        actor_kind=actor.kind.value,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
    )
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class FieldChange:
    """A workflow field (e.g. the Primary outcome) set or cleared, from the strand's history."""

    at: dt.datetime
    event_id: int
    label: str
    value: str | None
    actor_label: str


def field_changes(session: Session, strand: Strand) -> list[FieldChange]:
    """When the workflow's fields were set on the strand, and by whom (oldest first)."""
    workflow = workflow_of(strand)
    labels = {f.name: f.label for f in workflow.fields if f.officer_sets}
    events = session.scalars(
        select(HistoryEvent)
        .where(
            HistoryEvent.case_id == strand.case_id,
            HistoryEvent.kind == HistoryKind.STRAND_UPDATED,
        )
        .order_by(HistoryEvent.occurred_at, HistoryEvent.id)
    )
    changes = []
    for event in events:
        after = event.after or {}
        if after.get("strand") != strand.reference:
            continue
        for name, label in labels.items():
            if name in after:
                value = after[name]
                changes.append(
                    FieldChange(
                        event.occurred_at,
                        event.id,
                        label,
                        str(value) if value else None,
                        event.actor_label,
                    )
                )
    return changes


def public_status(strand: Strand) -> str:
    """Where a strand stands, in the words its applicant (or referrer) is shown: the workflow's
    public label, else the type's plain wording — never an internal code like "02 Contact
    Client"."""
    workflow = WORKFLOWS.get(strand.type_code)
    if workflow is not None and strand.status in {s.label for s in workflow.statuses}:
        status = workflow.status(strand.status)
        return status.applicant_label or status.public_label
    try:
        return strand.type.status(strand.status).public_text
    except RuleBroken:
        return strand.status


def set_field(
    session: Session,
    actor: Actor,
    strand: Strand,
    name: str,
    value: str | None,
    *,
    expected_version: int,
) -> Strand:
    """Set a field the workflow reads (e.g. the Primary outcome), with history."""
    workflow = workflow_of(strand)
    spec = workflow.field(name)
    if not spec.officer_sets:
        raise RuleBroken(f"The {spec.label} is set when the {workflow.name} is received")
    if not strand.is_open:
        raise RuleBroken(f"{strand.reference} is closed: reopen it to change the {spec.label}")
    value = (value or "").strip() or None
    if value is not None and spec.choices and value not in spec.choices:
        raise RuleBroken(f"Choose a {spec.label} from the list")
    _lock(session, strand)
    _check_version(session, strand, expected_version)
    return strands.set_data(session, actor, strand, **{name: value})
