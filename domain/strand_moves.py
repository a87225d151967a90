"""Moving an application or assessment to another active case (SPEC C7), in one transaction.

The original is closed at its type's moved status ("Closed (moved)"; the homeless application's
"Closed (moved to another case)") and a copy opens on the other case at the status the original
had, with its fields, the case actions recorded on it (a workflow's guards read them) and, for a
homeless referral, the referral itself (so the referrer follows it on its new case). Journal
entries on both cases record the old and new case and strand references. The target case's
cardinality rules apply: a move that would give it a second of a kind allowed once is refused,
naming the strand already there.

What cannot follow by itself is listed before the move (:func:`left_behind`): notes written on
the original stay on its case; its open actions are closed by the move (with why), to be added
again on the other case if still needed.

A Bedroom assessment is not moved: it is worked out from its own case's household; the other
case opens its own (a Housing Register application moved to a case without one opens one there).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import history, notes, restricted, strands
from domain.base import utcnow
from domain.errors import Conflict, PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, User, parse_case_reference
from domain.notes import Note
from domain.referrals.model import Referral
from domain.strands import Strand
from domain.strands.model import lock, set_current_key
from domain.vocab import CaseStatus, Permission
from domain.workflows.service import CaseAction, current_cycle


@dataclass(frozen=True)
class Moved:
    original: Strand
    copy: Strand


def can_move(strand: Strand) -> str | None:
    """Why the strand cannot be moved at all, or None."""
    if strand.type_code == strands.BEDROOM_ASSESSMENT:
        return (
            "A bedroom assessment is worked out from its own case's household, so it is not "
            "moved: the other case has its own"
        )
    if strand.status == strand.type.moved_status:
        return f"{strand.reference} has already been moved to another case"
    return None


def left_behind(session: Session, strand: Strand) -> list[str]:
    """What the move does not carry, for the officer to deal with by hand: the notes written on
    the original (they stay on its case) and its open actions (closed by the move: add them
    again on the other case if they still need doing)."""
    found = []
    written = session.scalar(
        select(func.count()).select_from(Note).where(Note.strand_id == strand.id)
    )
    if written:
        found.append(f"{written} {'note' if written == 1 else 'notes'} (they stay on this case)")
    for action in notes.open_actions_on_strand(session, strand.id):
        found.append(f"the open action “{action.what}” (it will be closed)")
    return found


def move(
    session: Session,
    actor: Actor,
    officer: User,
    strand: Strand,
    target_reference: str,
    *,
    expected_version: int,
) -> Moved:
    """Move `strand` to the active case `target_reference` (e.g. "HC-000123")."""
    if not officer.can(Permission.MOVE_STRANDS):
        raise PermissionDenied("You need the “Move strands” permission to move it")
    locked = lock(session, strand)
    if locked.version != expected_version:
        raise Conflict(
            f"{locked.reference} was changed by someone else after you opened it. Nothing was "
            "moved: reload the page to see the latest version."
        )
    reason = can_move(locked)
    if reason is not None:
        raise RuleBroken(reason)
    target = _target(session, officer, locked, target_reference)
    source = locked.case
    stype = locked.type
    was_open, status, old_reference = locked.is_open, locked.status, locked.reference
    copy = Strand(
        case_id=target.id,
        type_code=stype.code,
        status=status,
        is_open=was_open,
        data=dict(locked.data or {}),
        created_by_kind=actor.kind.value,
        created_by_id=actor.user_id,
        closed_at=None if was_open else (locked.closed_at or utcnow()),
    )
    # The original lets go of its key first: moving to another case of the same primary
    # applicant must not clash with itself.
    strands.change_status(session, actor, locked, stype.moved_status)
    set_current_key(session, copy, target)
    # The case actions of the current cycle go with it (the copy starts at cycle 0; earlier
    # cycles stay in the original's record).
    cycle = current_cycle(session, locked.id)
    for action in session.scalars(
        select(CaseAction)
        .where(CaseAction.strand_id == locked.id, CaseAction.cycle == cycle)
        .order_by(CaseAction.id)
    ):
        session.add(
            CaseAction(
                strand_id=copy.id,
                action=action.action,
                notes=action.notes,
                status=action.status,
                cycle=0,
                actor_kind=action.actor_kind,
                actor_user_id=action.actor_user_id,
                actor_label=action.actor_label,
                recorded_at=action.recorded_at,
            )
        )
    for todo in notes.open_actions_on_strand(session, locked.id):
        notes.finish_action(
            session,
            actor,
            officer,
            todo,
            outcome=f"Closed: {old_reference} moved to case {target.reference}",
        )
    referral = session.scalar(select(Referral).where(Referral.strand_id == locked.id))
    if referral is not None:
        referral.strand_id = copy.id
    session.flush()
    facts = {
        "from_case": source.reference,
        "from_strand": old_reference,
        "to_case": target.reference,
        "to_strand": copy.reference,
        "status": status,
    }
    history.record(
        session,
        actor,
        HistoryKind.STRAND_MOVED_OUT,
        f"{stype.name} {old_reference} moved to case {target.reference}, where it is "
        f"{copy.reference}",
        case_id=source.id,
        before={"strand": old_reference, "status": status},
        after={"strand": old_reference, **facts},
    )
    history.record(
        session,
        actor,
        HistoryKind.STRAND_MOVED_IN,
        f"{stype.name} {copy.reference} moved in from case {source.reference}, where it was "
        f"{old_reference} (status {status!r})",
        case_id=target.id,
        after={"strand": copy.reference, **facts},
    )
    for code in stype.also_opens if was_open else ():
        if not strands.open_strands(session, target.id, code):
            strands.open_strand(session, actor, target, code)
    return Moved(locked, copy)


def _target(session: Session, officer: User, strand: Strand, reference: str) -> Case:
    text = (reference or "").strip()
    if not text:
        raise RuleBroken("Enter the reference of the case to move it to", field="target")
    case_id = parse_case_reference(text)
    target = session.get(Case, case_id) if case_id else None
    if target is None or not restricted.may_open_case(session, officer, target):
        raise RuleBroken(f"There is no case {text.upper()}", field="target")
    if target.id == strand.case_id:
        raise RuleBroken(
            f"{strand.reference} is already on case {target.reference}", field="target"
        )
    if target.status != CaseStatus.ACTIVE.value:
        raise RuleBroken(
            f"Case {target.reference} is closed: it can only move to an active case",
            field="target",
        )
    return target


__all__ = ["Moved", "can_move", "left_behind", "move"]
