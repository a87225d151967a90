"""Workflows as data: statuses, case actions, fields, guarded moves; and the pure rules
that say which moves are open and why the others are not."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.errors import RuleBroken

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
    public_label: str  # what a referrer is shown
    applicant_label: str | None = None  # what the person it is about is shown, if different

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
class NeedsNoAction(Guard):
    """The case action has NOT been recorded in this cycle (e.g. no "closure without contact"
    once the person has been contacted)."""

    action: str
    message: str | None = None

    def blocked(self, workflow: Workflow, facts: Facts) -> str | None:
        if facts.actions.get(self.action, 0) == 0:
            return None
        label = workflow.action(self.action).label
        return self.message or f"“{label}” has been recorded, so this move no longer applies."

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return (self.action,), ()


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
