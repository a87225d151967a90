"""Declarative workflows: statuses gated by case actions and fields, and the one transition service.

A :class:`Workflow` is data. It names the statuses of a strand type (each open or closed, with
the plain words a referrer or applicant sees), the case actions officers record on the strand,
the fields the workflow reads, and the allowed moves. Each move carries guards:

``NeedsAction(action)``
    the case action has been recorded (optionally waived by a true field, e.g. a self-referral);
``NeedsAnyAction(actions)``
    at least one of the case actions has been recorded;
``NeedsField(field)``
    the field is filled (and, when the field has a list of choices, with one of them).

A move may also need a reason (reopening a closed strand does). Guards read :class:`Facts`, a
plain snapshot of the strand (its status, the case actions recorded in its current cycle, its
fields), so they are pure and are tested without a database.

Cycles: reopening a closed strand starts a new cycle, and only the case actions recorded in the
current cycle count. Closing again after a reopening therefore needs "Confirm closure" again —
the referrer must be told the new outcome.

:func:`move` is the only way a strand with a workflow changes status. It takes the strand's row
lock, refuses a stale `expected_version` with a :class:`~domain.errors.Conflict` that says who
moved it and when, refuses a move the workflow does not allow (:class:`MoveNotAllowed`) or whose
guards fail (:class:`MoveBlocked`, listing every reason), then moves the strand through
:func:`domain.strands.change_status` (which keeps `is_open`/`closed_at` in step and writes the
history event), adds the reason to that event, and records the move in ``strand_move``.

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import clock, history, strands
from domain.base import Base, created_timestamp, intpk, str200
from domain.errors import Conflict, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, User
from domain.strands import CLOSED_MOVED, STRAND_TYPES, Strand

NOTES_MAX = 2000
REASON_MAX = 2000


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class MoveNotAllowed(RuleBroken):
    """The workflow has no such move from the strand's current status."""


class MoveBlocked(RuleBroken):
    """The move exists but its guards are not met yet; `reasons` says what is missing."""

    def __init__(self, to_status: str, reasons: list[str]) -> None:
        self.to_status = to_status
        self.reasons = tuple(reasons)
        super().__init__(f"It cannot move to “{to_status}” yet: " + " ".join(reasons))

    @property
    def messages(self) -> tuple[str, ...]:
        return self.reasons or (self.message,)


class ActionNotAvailable(RuleBroken):
    """The case action is unknown, or cannot be recorded at the strand's status."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="action")


# --------------------------------------------------------------------------------------------
# Definitions (data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowStatus:
    label: str
    is_open: bool
    public_label: str  # what a referrer or applicant is shown

    @property
    def status_class(self) -> str:
        return "open" if self.is_open else "closed"


@dataclass(frozen=True)
class ActionType:
    """A case action officers record on the strand (who, when and notes are kept)."""

    code: str
    label: str
    hint: str
    statuses: tuple[str, ...] = ()  # where it may be recorded; () means at any open status


@dataclass(frozen=True)
class FieldSpec:
    """A field of the strand's data that guards read."""

    name: str
    label: str
    choices: tuple[str, ...] = ()
    officer_sets: bool = True  # False: set when the strand is opened (e.g. self-referral)


@dataclass(frozen=True)
class Facts:
    """What guards may look at: plain values, no database."""

    status: str
    actions: Mapping[str, int] = field(default_factory=dict)  # recorded in the current cycle
    fields: Mapping[str, Any] = field(default_factory=dict)


class Guard(ABC):
    """A condition a move needs. `blocked` gives the reason it is not met, or None."""

    @abstractmethod
    def blocked(self, workflow: Workflow, facts: Facts) -> str | None: ...

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(action codes, field names) the guard refers to, for checking a definition."""
        return (), ()


@dataclass(frozen=True)
class NeedsAction(Guard):
    """The case action has been recorded in this cycle, unless the field `waived_by` is true."""

    action: str
    waived_by: str | None = None
    message: str | None = None

    def blocked(self, workflow: Workflow, facts: Facts) -> str | None:
        if facts.actions.get(self.action, 0) > 0:
            return None
        if self.waived_by is not None and facts.fields.get(self.waived_by) is True:
            return None
        return self.message or f"Record the “{workflow.action(self.action).label}” case action."

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (self.action,), ((self.waived_by,) if self.waived_by else ())


@dataclass(frozen=True)
class NeedsAnyAction(Guard):
    """At least one of the case actions has been recorded in this cycle."""

    actions: tuple[str, ...]
    message: str | None = None

    def blocked(self, workflow: Workflow, facts: Facts) -> str | None:
        if any(facts.actions.get(code, 0) > 0 for code in self.actions):
            return None
        if self.message:
            return self.message
        labels = [f"“{workflow.action(code).label}”" for code in self.actions]
        if len(labels) == 1:
            return f"Record at least one {labels[0]} case action."
        return (
            f"Record at least one of these case actions: {', '.join(labels[:-1])} or {labels[-1]}."
        )

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.actions, ()


@dataclass(frozen=True)
class NeedsField(Guard):
    """The field is filled; if it has choices, with one of them."""

    field: str
    message: str | None = None

    def blocked(self, workflow: Workflow, facts: Facts) -> str | None:
        spec = workflow.field(self.field)
        value = facts.fields.get(self.field)
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.message or f"Choose the {spec.label}."
        if spec.choices and value not in spec.choices:
            return f"“{value}” is not one of the listed values of {spec.label}: choose one again."
        return None

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (), (self.field,)


@dataclass(frozen=True)
class Move:
    from_status: str
    to_status: str
    label: str  # the button, e.g. "Move to triage"
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False
    reason_label: str = "Reason"


@dataclass(frozen=True)
class Workflow:
    code: str  # the strand type it belongs to
    name: str
    statuses: tuple[WorkflowStatus, ...]
    actions: tuple[ActionType, ...]
    fields: tuple[FieldSpec, ...]
    moves: tuple[Move, ...]

    def __post_init__(self) -> None:
        labels = [s.label for s in self.statuses]
        if len(set(labels)) != len(labels):
            raise ValueError(f"Workflow {self.code!r} lists a status twice")
        codes = {a.code for a in self.actions}
        names = {f.name for f in self.fields}
        seen: set[tuple[str, str]] = set()
        for move in self.moves:
            for status in (move.from_status, move.to_status):
                if status not in labels:
                    raise ValueError(f"Workflow {self.code!r}: a move uses unknown {status!r}")
            if (move.from_status, move.to_status) in seen:
                raise ValueError(f"Workflow {self.code!r} has the move {move.label!r} twice")
            seen.add((move.from_status, move.to_status))
            for guard in move.guards:
                action_codes, field_names = guard.names()
                unknown = [c for c in action_codes if c not in codes]
                unknown += [n for n in field_names if n not in names]
                if unknown:
                    raise ValueError(f"Workflow {self.code!r}: {move.label!r} needs {unknown}")
        for action in self.actions:
            for status in action.statuses:
                if status not in labels:
                    raise ValueError(f"Workflow {self.code!r}: {action.code!r} at {status!r}")

    @property
    def initial_status(self) -> str:
        return next(s.label for s in self.statuses if s.is_open)

    def status(self, label: str) -> WorkflowStatus:
        for status in self.statuses:
            if status.label == label:
                return status
        raise RuleBroken(f"“{label}” is not a status of a {self.name}")

    def action(self, code: str) -> ActionType:
        for action in self.actions:
            if action.code == code:
                return action
        raise ActionNotAvailable(f"“{code}” is not a case action of a {self.name}")

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise RuleBroken(f"“{name}” is not a field of a {self.name}")

    def moves_from(self, status: str) -> list[Move]:
        return [m for m in self.moves if m.from_status == status]

    def actions_at(self, status: str) -> list[ActionType]:
        """The case actions that can be recorded at `status` (none at a closed status, or at a
        status outside the workflow such as "Closed (moved)")."""
        known = next((s for s in self.statuses if s.label == status), None)
        if known is None or not known.is_open:
            return []
        return [a for a in self.actions if not a.statuses or status in a.statuses]


# --------------------------------------------------------------------------------------------
# Pure rules
# --------------------------------------------------------------------------------------------


def blocked_reasons(
    workflow: Workflow, move: Move, facts: Facts, reason: str | None = None
) -> list[str]:
    """Every reason the move cannot be made now (empty when it can)."""
    reasons = guard_reasons(workflow, move, facts)
    if move.needs_reason and not (reason or "").strip():
        reasons.append(f"Give the reason: {move.reason_label[0].lower()}{move.reason_label[1:]}.")
    return reasons


def guard_reasons(workflow: Workflow, move: Move, facts: Facts) -> list[str]:
    """The reasons the move's guards give (a reason the move needs is not a guard: the form
    asks for it)."""
    return [r for guard in move.guards if (r := guard.blocked(workflow, facts)) is not None]


def plan_move(workflow: Workflow, facts: Facts, to_status: str, reason: str | None = None) -> Move:
    """The move from `facts.status` to `to_status`, if allowed and unblocked; raises otherwise."""
    workflow.status(to_status)  # a status of this workflow at all
    chosen = next((m for m in workflow.moves_from(facts.status) if m.to_status == to_status), None)
    if chosen is None:
        raise MoveNotAllowed(
            f"A {workflow.name} cannot move from “{facts.status}” to “{to_status}”."
        )
    if reason is not None and len(reason) > REASON_MAX:
        raise RuleBroken(f"The reason must be {REASON_MAX} characters or fewer")
    reasons = blocked_reasons(workflow, chosen, facts, reason)
    if reasons:
        raise MoveBlocked(to_status, reasons)
    return chosen


@dataclass(frozen=True)
class MoveOption:
    move: Move
    blocked: tuple[str, ...]

    @property
    def to_status(self) -> str:
        return self.move.to_status

    @property
    def allowed(self) -> bool:
        return not self.blocked


def options(workflow: Workflow, facts: Facts) -> list[MoveOption]:
    """Each move from the current status with the reasons its guards block it now."""
    return [
        MoveOption(move, tuple(guard_reasons(workflow, move, facts)))
        for move in workflow.moves_from(facts.status)
    ]


# --------------------------------------------------------------------------------------------
# The homeless referral workflow
# --------------------------------------------------------------------------------------------

ENTERED = "01 Referral Entered"
CONTACT_CLIENT = "02 Contact Client"
TRIAGE = "03 Triage"
IAG_ONLY = "04 IAG only"
HNA_BOOKED = "05 HNA booked"
HNA_COMPLETED = "08 HNA completed"
CLOSURE = "98 Closure"
CLOSED = "Closed"

UPDATE_REFERRER = "update_referrer"
CONTACT_ATTEMPT = "contact_attempt"
CLIENT_CONTACTED = "client_contacted"
CONFIRM_CLOSURE = "confirm_closure"

SELF_REFERRAL = "self_referral"
PRIMARY_OUTCOME = "primary_outcome"

HOUSING_SOLUTIONS_PREFIX = "HS"

# The Primary outcome chosen when a referral closes. Housing-solutions outcomes start "HS".
PRIMARY_OUTCOMES: tuple[str, ...] = (
    "HS01 Helped to stay in their home for 6 months or more",
    "HS02 Helped to move to a settled home for 6 months or more",
    "HS03 Found supported accommodation",
    "HS04 Placed in temporary accommodation while a homeless application is decided",
    "HS05 Homeless application taken",
    "HS06 Referred to another council under the local connection rules",
    "Advice and information only",
    "Not homeless or threatened with homelessness",
    "Contact lost",
    "Withdrew consent",
    "Moved out of the area",
    "No further action",
)


def is_housing_solution(outcome: str) -> bool:
    return outcome.startswith(HOUSING_SOLUTIONS_PREFIX)


HOMELESS_REFERRAL_WORKFLOW = Workflow(
    code=strands.HOMELESS_REFERRAL,
    name="Homeless referral",
    statuses=(
        WorkflowStatus(ENTERED, True, "Received"),
        WorkflowStatus(CONTACT_CLIENT, True, "Contacting the person"),
        WorkflowStatus(TRIAGE, True, "Working out what help is needed"),
        WorkflowStatus(IAG_ONLY, True, "Giving advice and information"),
        WorkflowStatus(HNA_BOOKED, True, "Housing needs assessment booked"),
        WorkflowStatus(HNA_COMPLETED, True, "Housing needs assessment done"),
        WorkflowStatus(CLOSURE, True, "Being closed"),
        WorkflowStatus(CLOSED, False, "Closed"),
    ),
    actions=(
        ActionType(
            UPDATE_REFERRER,
            "Update referrer",
            "You have processed the referral and the referrer is sent an update by email.",
        ),
        ActionType(
            CONTACT_ATTEMPT,
            "Contact attempt",
            "You tried to contact the person and could not reach them.",
            statuses=(CONTACT_CLIENT,),
        ),
        ActionType(
            CLIENT_CONTACTED,
            "Client contacted",
            "You have spoken to the person.",
            statuses=(CONTACT_CLIENT,),
        ),
        ActionType(
            CONFIRM_CLOSURE,
            "Confirm closure",
            "You have told the referrer the outcome, or the person referred themselves.",
            statuses=(CLOSURE,),
        ),
    ),
    fields=(
        FieldSpec(SELF_REFERRAL, "Self-referral", officer_sets=False),
        FieldSpec(PRIMARY_OUTCOME, "Primary outcome", choices=PRIMARY_OUTCOMES),
    ),
    moves=(
        Move(
            ENTERED,
            CONTACT_CLIENT,
            "Move to contact client",
            guards=(
                NeedsAction(
                    UPDATE_REFERRER,
                    waived_by=SELF_REFERRAL,
                    message="Record the “Update referrer” case action to confirm the referral "
                    "has been acknowledged (a self-referral does not need it).",
                ),
            ),
        ),
        Move(
            CONTACT_CLIENT,
            TRIAGE,
            "Move to triage",
            guards=(NeedsAction(CLIENT_CONTACTED),),
        ),
        Move(
            CONTACT_CLIENT,
            CLOSURE,
            "Move to closure without contact",
            guards=(
                NeedsAnyAction(
                    (CONTACT_ATTEMPT,),
                    message="Record at least one “Contact attempt” case action before closing "
                    "a referral without contact.",
                ),
            ),
        ),
        Move(TRIAGE, IAG_ONLY, "To IAG (advice only)"),
        Move(TRIAGE, HNA_BOOKED, "To HNA (book an assessment)"),
        Move(TRIAGE, CLOSURE, "To closure"),
        Move(IAG_ONLY, CLOSURE, "Move to closure"),
        Move(HNA_BOOKED, HNA_COMPLETED, "Move to HNA completed"),
        Move(HNA_BOOKED, CLOSURE, "Move to closure (assessment not done)"),
        Move(HNA_COMPLETED, CLOSURE, "Move to closure"),
        Move(
            CLOSURE,
            CLOSED,
            "Close the referral",
            guards=(NeedsAction(CONFIRM_CLOSURE), NeedsField(PRIMARY_OUTCOME)),
        ),
        Move(
            CLOSED,
            TRIAGE,
            "Reopen (back to triage)",
            needs_reason=True,
            reason_label="Why it is being reopened",
        ),
    ),
)


WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    """Attach a workflow to its strand type, after checking they list the same statuses.

    Every workflow status must be a status of the type with the same class (open or closed);
    the type may have extra closed statuses (e.g. "Closed (moved)") set outside the workflow.
    """
    stype = STRAND_TYPES.get(workflow.code)
    if stype is None:
        raise ValueError(f"There is no strand type {workflow.code!r} for the workflow")
    known = {s.label: s.is_open for s in stype.statuses}
    for status in workflow.statuses:
        if status.label not in known:
            raise ValueError(f"{status.label!r} is not a status of {workflow.code!r}")
        if status.is_open != known[status.label]:
            raise ValueError(f"{status.label!r} is open in one of {workflow.code!r}, not both")
    missing = [s for s in stype.open_statuses if s not in {w.label for w in workflow.statuses}]
    if missing:
        raise ValueError(f"The workflow of {workflow.code!r} misses open statuses {missing}")
    if workflow.initial_status != stype.initial_status:
        raise ValueError(f"The workflow of {workflow.code!r} must start where the type starts")
    WORKFLOWS[workflow.code] = workflow
    return workflow


register_workflow(HOMELESS_REFERRAL_WORKFLOW)


def workflow_of(strand: Strand) -> Workflow:
    try:
        return WORKFLOWS[strand.type_code]
    except KeyError:
        raise RuleBroken(f"A {strand.type.name} has no workflow") from None


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
    return int(
        session.scalar(
            select(func.count())
            .select_from(StrandMove)
            .where(StrandMove.strand_id == strand_id, StrandMove.reopens)
        )
        or 0
    )


def facts_of(session: Session, strand: Strand) -> Facts:
    cycle = current_cycle(session, strand.id)
    rows = session.execute(
        select(CaseAction.action, func.count())
        .where(CaseAction.strand_id == strand.id, CaseAction.cycle == cycle)
        .group_by(CaseAction.action)
    ).all()
    return Facts(
        status=strand.status,
        actions=Counter({str(code): int(n) for code, n in rows}),
        fields=dict(strand.data or {}),
    )


def available_moves(session: Session, strand: Strand) -> list[MoveOption]:
    """The moves from the strand's status, each with the reasons it is blocked now."""
    if strand.status == CLOSED_MOVED:
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
    """Take the strand's row lock (PostgreSQL) and reload it, so a concurrent move waits here
    and then sees the winner's version. SQLite serialises writers by itself."""
    session.scalars(
        select(Strand)
        .where(Strand.id == strand.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


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
    if from_status == CLOSED_MOVED:
        raise MoveNotAllowed(f"{strand.reference} was moved to another case; it cannot move on.")
    plan_move(workflow, facts_of(session, strand), to_status, reason)
    reopens = not workflow.status(from_status).is_open and workflow.status(to_status).is_open
    strands.change_status(session, actor, strand, to_status)
    _add_reason_to_history(session, strand, to_status, reason)
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


def _add_reason_to_history(
    session: Session, strand: Strand, to_status: str, reason: str | None
) -> None:
    """`change_status` has just added its history event (who, when, from, to); the workflow adds
    the reason to it, so one move is one event."""
    for obj in list(session.new):
        if (
            isinstance(obj, HistoryEvent)
            and obj.kind == HistoryKind.STRAND_STATUS_CHANGED
            and (obj.after or {}).get("strand") == strand.reference
            and (obj.after or {}).get("status") == to_status
        ):
            obj.after = {**(obj.after or {}), "reason": reason, "workflow": True}
            if reason:
                obj.summary = f"{obj.summary} — reason: {reason}"[:500]
            return


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


__all__ = [
    "HOMELESS_REFERRAL_WORKFLOW",
    "PRIMARY_OUTCOMES",
    "WORKFLOWS",
    "ActionNotAvailable",
    "ActionType",
    "CaseAction",
    "Facts",
    "FieldSpec",
    "Move",
    "MoveBlocked",
    "MoveNotAllowed",
    "MoveOption",
    "NeedsAction",
    "NeedsAnyAction",
    "NeedsField",
    "StrandMove",
    "Workflow",
    "WorkflowStatus",
    "actions_of",
    "available_moves",
    "blocked_reasons",
    "current_cycle",
    "facts_of",
    "guard_reasons",
    "is_housing_solution",
    "move",
    "moves_of",
    "options",
    "plan_move",
    "record_action",
    "register_workflow",
    "set_field",
    "workflow_of",
]
