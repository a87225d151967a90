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

from domain.workflows.definitions import (
    NOTES_MAX,
    REASON_MAX,
    ActionNotAvailable,
    ActionType,
    Facts,
    FieldSpec,
    Guard,
    Move,
    MoveBlocked,
    MoveNotAllowed,
    MoveOption,
    NeedsAction,
    NeedsAnyAction,
    NeedsField,
    NeedsNoAction,
    Workflow,
    WorkflowStatus,
    blocked_reasons,
    guard_reasons,
    options,
    plan_move,
)
from domain.workflows.homeless_referral import (
    CLIENT_CONTACTED,
    CLOSED,
    CLOSURE,
    CONFIRM_CLOSURE,
    CONTACT_ATTEMPT,
    CONTACT_CLIENT,
    ENTERED,
    HNA_BOOKED,
    HNA_COMPLETED,
    HOMELESS_REFERRAL_WORKFLOW,
    HOUSING_SOLUTIONS_PREFIX,
    IAG_ONLY,
    PRIMARY_OUTCOME,
    PRIMARY_OUTCOMES,
    SELF_REFERRAL,
    TRIAGE,
    UPDATE_REFERRER,
    WORKFLOWS,
    is_housing_solution,
    register_workflow,
    workflow_of,
)
from domain.workflows.service import (
    CaseAction,
    FieldChange,
    StrandMove,
    actions_of,
    available_moves,
    current_cycle,
    facts_of,
    field_changes,
    move,
    moves_of,
    public_status,
    record_action,
    set_field,
)

__all__ = [
    "CLIENT_CONTACTED",
    "CLOSED",
    "CLOSURE",
    "CONFIRM_CLOSURE",
    "CONTACT_ATTEMPT",
    "CONTACT_CLIENT",
    "ENTERED",
    "HNA_BOOKED",
    "HNA_COMPLETED",
    "HOMELESS_REFERRAL_WORKFLOW",
    "HOUSING_SOLUTIONS_PREFIX",
    "IAG_ONLY",
    "NOTES_MAX",
    "PRIMARY_OUTCOME",
    "PRIMARY_OUTCOMES",
    "REASON_MAX",
    "SELF_REFERRAL",
    "TRIAGE",
    "UPDATE_REFERRER",
    "WORKFLOWS",
    "ActionNotAvailable",
    "ActionType",
    "CaseAction",
    "Facts",
    "FieldChange",
    "FieldSpec",
    "Guard",
    "Move",
    "MoveBlocked",
    "MoveNotAllowed",
    "MoveOption",
    "NeedsAction",
    "NeedsAnyAction",
    "NeedsField",
    "NeedsNoAction",
    "StrandMove",
    "Workflow",
    "WorkflowStatus",
    "actions_of",
    "available_moves",
    "blocked_reasons",
    "current_cycle",
    "facts_of",
    "field_changes",
    "guard_reasons",
    "is_housing_solution",
    "move",
    "moves_of",
    "options",
    "plan_move",
    "public_status",
    "record_action",
    "register_workflow",
    "set_field",
    "workflow_of",
]
