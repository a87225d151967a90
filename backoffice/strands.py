"""Applications and assessments on a case, worked from their type's definition: add one (only
the types the rules allow now, the others with the reason), see it, edit its fields, move its
status (types without a workflow of their own), and move it to another case.

Every rule is in `domain.strands` (fields, cardinality), `domain.workflows` (status moves) and
`domain.strand_moves`; these views read forms and show pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from starlette.responses import Response

from backoffice import register
from backoffice.cases import open_case, render_case_page
from domain import register_decisions, strand_moves, strands, tasks, workflows
from domain.errors import NotFound
from domain.history import Actor
from domain.history_kinds import HistoryKind, label_of
from domain.ids import parse_id
from domain.models import Case, HistoryEvent
from domain.strands import Strand, StrandType
from domain.strands import fields as kinds
from domain.strands.editing import choices_for, display_names, open_with_fields, update_fields
from domain.task_model import OPEN, earliest
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view

HISTORY_SHOWN = 50


# Built once: the strand page reads them on every load.
# With who opened it (the page says so).
_STRAND = select(Strand).where(Strand.id == bindparam("id")).options(joinedload(Strand.created_by))
_JOURNAL = (
    select(HistoryEvent)
    .where(
        HistoryEvent.case_id == bindparam("case_id"),
        HistoryEvent.kind.in_(
            [
                HistoryKind.STRAND_OPENED,
                HistoryKind.STRAND_STATUS_CHANGED,
                HistoryKind.STRAND_UPDATED,
                HistoryKind.STRAND_MOVED_IN,
                HistoryKind.STRAND_MOVED_OUT,
                HistoryKind.EVIDENCE_REQUESTED,
                HistoryKind.EVIDENCE_SENT,
                HistoryKind.EVIDENCE_ACCEPTED,
                HistoryKind.EVIDENCE_ASKED_AGAIN,
                HistoryKind.EVIDENCE_CANCELLED,
            ]
        ),
    )
    .order_by(HistoryEvent.occurred_at.desc(), HistoryEvent.id.desc())
    .limit(500)
)


def _strand(ctx: Ctx, case: Case) -> Strand:
    strand = ctx.db.scalars(_STRAND, {"id": int(ctx.request.path_params["strand_id"])}).first()
    if strand is None or strand.case_id != case.id or strand.type_code not in strands.STRAND_TYPES:
        raise NotFound("There is no such application or assessment on this case")
    return strand


def _raw_fields(ctx: Ctx, stype: StrandType) -> dict[str, str | None]:
    """What was typed for each editable field; a date's three boxes as one ISO date (a part
    left out, or letters, make it fail the date check with the field's own message)."""
    form = ctx.form
    assert form is not None
    raw: dict[str, str | None] = {}
    for field in stype.editable_fields:
        if field.kind == "date":
            parts = [
                str(form.get(f"{field.name}-{p}") or "").strip() for p in ("year", "month", "day")
            ]
            if not any(parts):
                raw[field.name] = ""
            elif all(p.isdigit() for p in parts) and len(parts[0]) == 4:
                raw[field.name] = f"{parts[0]}-{int(parts[1]):02d}-{int(parts[2]):02d}"
            else:
                raw[field.name] = "-".join(parts) + "?"
        else:
            value = form.get(field.name)
            raw[field.name] = None if value is None else str(value)
    return raw


def _form_values(
    stype: StrandType, source: dict[str, Any] | None, raw: dict[str, Any] | None
) -> dict[str, Any]:
    """The values the form shows: what was typed (after a refusal) or what is stored."""
    shown: dict[str, Any] = {}
    for field in stype.editable_fields:
        if raw is not None:
            if field.kind == "date" and raw.get("_parts", {}).get(field.name):
                shown[field.name] = raw["_parts"][field.name]
            else:
                shown[field.name] = raw.get(field.name) or ""
        else:
            value = (source or {}).get(field.name)
            if field.kind == "date" and isinstance(value, str) and len(value) == 10:
                shown[field.name] = {
                    "year": value[:4],
                    "month": value[5:7].lstrip("0"),
                    "day": value[8:].lstrip("0"),
                }
            else:
                shown[field.name] = kinds.form_value(field, value)
    return shown


def _typed(ctx: Ctx, stype: StrandType) -> dict[str, Any]:
    assert ctx.form is not None
    typed: dict[str, Any] = {"_parts": {}}
    for field in stype.editable_fields:
        if field.kind == "date":
            typed["_parts"][field.name] = {
                p: str(ctx.form.get(f"{field.name}-{p}") or "") for p in ("day", "month", "year")
            }
        else:
            typed[field.name] = str(ctx.form.get(field.name) or "")
    return typed


# --- adding -----------------------------------------------------------------------------------


@officer_view(Permission.CASES)
def strand_add(ctx: Ctx) -> Response:
    """Choose the kind of application or assessment to add."""
    case = open_case(ctx)
    available = strands.availability(ctx.db, case)
    if ctx.form is not None:
        chosen = str(ctx.form.get("type") or "")
        allowed = {stype.code for stype, reason in available if reason is None}
        if chosen in allowed:
            return ctx.redirect("backoffice:strand_new", case_id=case.id, type_code=chosen)
        ctx.problems.add("Select the kind of application or assessment to add", "type")
    return render_case_page(
        ctx,
        "backoffice/strand/add.html",
        case,
        active="strands",
        allowed=[t for t, reason in available if reason is None],
        refused=[(t, reason) for t, reason in available if reason is not None],
    )


@officer_view(Permission.CASES)
def strand_new(ctx: Ctx) -> Response:
    """The chosen type's fields, then open it."""
    case = open_case(ctx)
    code = str(ctx.request.path_params["type_code"])
    stype = strands.STRAND_TYPES.get(code)
    if stype is None:
        raise NotFound("There is no such kind of application or assessment")
    typed = None
    if ctx.form is not None:
        assert ctx.user is not None
        opened = ctx.attempt(
            open_with_fields,
            Actor.officer(ctx.user),
            case,
            code,
            _raw_fields(ctx, stype),
            today=ctx.today,
        )
        if opened:
            strand = opened.result
            ctx.flash(f"{stype.name} {strand.reference} added at “{strand.status}”.")
            return ctx.redirect("backoffice:strand", case_id=case.id, strand_id=strand.id)
        typed = _typed(ctx, stype)
    reason = {t.code: r for t, r in strands.availability(ctx.db, case)}.get(code)
    return render_case_page(
        ctx,
        "backoffice/strand/new.html",
        case,
        active="strands",
        stype=stype,
        refused=reason,
        values=_form_values(stype, None, typed),
        choices=choices_for(ctx.db, case.id, ctx.today),
        status=stype.initial_status,
    )


# --- one strand -------------------------------------------------------------------------------


@officer_view(Permission.CASES)
def strand_page(ctx: Ctx) -> Response:
    case = open_case(ctx)
    strand = _strand(ctx, case)
    return _render_strand(ctx, case, strand)


def _render_strand(
    ctx: Ctx, case: Case, strand: Strand, *, move_to: str | None = None, reason: str = ""
) -> Response:
    stype = strand.type
    names = display_names(ctx.db, stype, [strand.data or {}])
    facts = [
        (field, kinds.display(field, (strand.data or {}).get(field.name), **names.__dict__))
        for field in stype.fields
    ]
    workflow = workflows.workflow_of(strand)
    options = [] if stype.workflow else workflows.available_moves(ctx.db, strand)
    events = list(ctx.db.scalars(_JOURNAL, {"case_id": case.id}))
    evidence, evidence_files = register.evidence_for(ctx, strand)
    mine = [e for e in events if (e.after or {}).get("strand") == strand.reference][:HISTORY_SHOWN]
    # every task of the strand, so its target (its open tasks' earliest) is worked out here
    strand_tasks = tasks.case_tasks(ctx.db, case.id, strand_id=strand.id)
    assert ctx.user is not None
    return render_case_page(
        ctx,
        "backoffice/strand/page.html",
        case,
        active="strands",
        strand=strand,
        stype=stype,
        facts=facts,
        workflow=workflow,
        options=options,
        move_to=move_to,
        reason=reason,
        journal=mine,
        label_of=label_of,
        can_move=ctx.user.can(Permission.MOVE_STRANDS),
        cannot_move=strand_moves.can_move(strand),
        strand_tasks=strand_tasks,
        strand_target=earliest(t.target_date for t in strand_tasks if t.status == OPEN),
        evidence=evidence,
        evidence_files=evidence_files,
        decide_refusal=register_decisions.may_decide(strand),
    )


@officer_view(Permission.CASES)
def strand_edit(ctx: Ctx) -> Response:
    case = open_case(ctx)
    strand = _strand(ctx, case)
    stype = strand.type
    typed = None
    if ctx.form is not None:
        assert ctx.user is not None
        saved = ctx.attempt(
            update_fields,
            Actor.officer(ctx.user),
            strand,
            _raw_fields(ctx, stype),
            expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
            today=ctx.today,
        )
        if saved:
            changed = saved.result or []
            ctx.flash(
                f"{strand.reference} saved: {', '.join(changed)} changed."
                if changed
                else f"Nothing was changed on {strand.reference}."
            )
            return ctx.redirect("backoffice:strand", case_id=case.id, strand_id=strand.id)
        typed = _typed(ctx, stype)
    return render_case_page(
        ctx,
        "backoffice/strand/edit.html",
        case,
        active="strands",
        strand=strand,
        stype=stype,
        values=_form_values(stype, strand.data, typed),
        choices=choices_for(ctx.db, case.id, ctx.today),
        status=strand.status,
        version=ctx.form.get("version") if ctx.form is not None else strand.version,
    )


@officer_view(Permission.CASES)
def strand_status(ctx: Ctx) -> Response:
    """Move the strand's status (types without a workflow of their own)."""
    case = open_case(ctx)
    strand = _strand(ctx, case)
    assert ctx.form is not None and ctx.user is not None
    to_status = str(ctx.form.get("to") or "")
    reason = str(ctx.form.get("reason") or "")
    if strand.type.workflow:
        raise NotFound("This one moves through its own workflow page")
    if ctx.form.get("confirm") != "yes":
        return _render_strand(ctx, case, strand, move_to=to_status)
    moved = ctx.attempt(
        workflows.move,
        Actor.officer(ctx.user),
        strand,
        to_status,
        reason=reason,
        expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
    )
    if moved:
        ctx.flash(f"{strand.reference} is now at “{to_status}”.")
        return ctx.redirect("backoffice:strand", case_id=case.id, strand_id=strand.id)
    return _render_strand(ctx, case, strand, move_to=to_status, reason=reason)


@officer_view(Permission.MOVE_STRANDS, also=(Permission.CASES,))
def strand_move(ctx: Ctx) -> Response:
    """Move the application or assessment to another active case."""
    case = open_case(ctx)
    strand = _strand(ctx, case)
    target = ""
    if ctx.form is not None:
        assert ctx.user is not None
        target = str(ctx.form.get("target") or "")
        moved = ctx.attempt(
            strand_moves.move,
            Actor.officer(ctx.user),
            ctx.user,
            strand,
            target,
            expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
        )
        if moved:
            copy = moved.result.copy
            ctx.flash(
                f"{strand.type.name} {strand.reference} moved to case {copy.case.reference}, "
                f"where it is {copy.reference}."
            )
            return ctx.redirect("backoffice:strand", case_id=copy.case_id, strand_id=copy.id)
    return render_case_page(
        ctx,
        "backoffice/strand/move.html",
        case,
        active="strands",
        strand=strand,
        target=target,
        cannot_move=strand_moves.can_move(strand),
        left_behind=strand_moves.left_behind(ctx.db, strand),
        version=strand.version,
    )


__all__ = [
    "strand_add",
    "strand_edit",
    "strand_move",
    "strand_new",
    "strand_page",
    "strand_status",
]
