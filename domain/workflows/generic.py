"""The workflow of a strand type that names none: its statuses and the moves its definition
lists (or every move, when it lists none), so one transition service moves every strand.

A move into a status at which a field is required (`required_at`) is guarded by that field;
closing and reopening ask for a reason, which the history keeps.
"""

from __future__ import annotations

from domain.strands import StrandType
from domain.workflows.definitions import FieldSpec, Move, NeedsField, Workflow, WorkflowStatus

_BUILT: dict[str, tuple[StrandType, Workflow]] = {}


def generic_workflow(stype: StrandType) -> Workflow:
    """The workflow built from `stype` (built once for each version of the type)."""
    cached = _BUILT.get(stype.code)
    if cached is not None and cached[0] is stype:
        return cached[1]
    workflow = _build(stype)
    _BUILT[stype.code] = (stype, workflow)
    return workflow


def _build(stype: StrandType) -> Workflow:
    statuses = tuple(
        WorkflowStatus(s.label, s.is_open, s.public_text, s.public)
        for s in stype.statuses
        if s.label != stype.moved_status
    )
    open_by_label = {s.label: s.is_open for s in statuses}
    moves = []
    for status in statuses:
        for target in stype.moves_from(status.label):
            closing = not open_by_label[target] and status.is_open
            reopening = open_by_label[target] and not status.is_open
            guards = tuple(
                NeedsField(
                    field.name,
                    message=f"Fill in “{field.label}” first: a {stype.name} at “{target}” "
                    "needs it.",
                )
                for field in stype.fields
                if target in field.required_at
            )
            if closing:
                label, reason_label = f"Close as “{target}”", "Why it is being closed"
            elif reopening:
                label, reason_label = f"Reopen at “{target}”", "Why it is being reopened"
            else:
                label, reason_label = f"Move to “{target}”", "Reason"
            moves.append(
                Move(
                    status.label,
                    target,
                    label,
                    guards=guards,
                    needs_reason=closing or reopening,
                    reason_label=reason_label,
                )
            )
    return Workflow(
        code=stype.code,
        name=stype.name,
        statuses=statuses,
        actions=(),
        fields=tuple(FieldSpec(f.name, f.label, choices=f.choices) for f in stype.fields),
        moves=tuple(moves),
    )
