"""Applying to join the housing register (SPEC P7): a task list of one-question pages.

"Check you can apply" comes first; an answer that means the person cannot join leads to a page
that says why and what else they can do, and the other sections wait until it is answered. The
answers are kept server-side in a draft that belongs to the signed-in applicant for 30 days, so
they can leave at any page ("Save and come back later") and carry on from any device. Each
section's last page returns to the task list; "Check your answers" lists everything with
"Change" links; sending runs `domain.applying.submit` in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form

from domain import applying, drafts, strands
from domain.access import applicant_case
from domain.drafts import JourneyDraft
from domain.strands import HOUSING_REGISTER
from portal import apply_forms as forms
from portal import journeys
from portal.apply_journey import (
    APPLY,
    ELIGIBILITY,
    PARENTS,
    SECTIONS,
    _answers,
    _draft,
    _j,
    _long,
    _next,
    _render,
    _saving,
    application_from,
    eligible,
    exit_for,
    people_in,
)
from portal.journeys import Step
from web.context import Ctx
from web.parsing import parse_index
from web.views import applicant_view, portal_view


def _current_application(ctx: Ctx) -> strands.Strand | None:
    """The applicant's current Housing Register application, if they have one."""
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None:
        return None
    return strands.blocking_strand(ctx.db, case, strands.strand_type(HOUSING_REGISTER))


@portal_view
def start(ctx: Ctx) -> Response:
    current = _draft(ctx) if ctx.account is not None else None
    return ctx.render(
        "portal/apply/start.html",
        journey=APPLY,
        draft=current,
        expires=drafts.expires_on(current) if current else None,
    )


@applicant_view
def tasks(ctx: Ctx) -> Response:
    existing = _current_application(ctx)
    if existing is not None:
        return ctx.render("portal/apply/already.html", journey=APPLY, application=existing)
    current = _draft(ctx)
    answers = _answers(current)
    sequence = APPLY.sequence(answers)
    open_to_all = eligible(answers)
    rows = []
    for section in SECTIONS:
        steps = [s for s in sequence if s.slug in section.slugs]
        missing = [
            s
            for s in steps
            if not all(k in answers for k in s.keys(APPLY))
            or not all(answers.get(k) for k in s.filled)
        ]
        started = any(k in answers for s in steps for k in s.keys(APPLY))
        locked = section is not SECTIONS[0] and not open_to_all
        if locked:
            state = "cannot"
        elif not missing:
            state = "done"
        else:
            state = "started" if started else "new"
        first = (missing or steps)[0]
        rows.append((section, state, journeys.step_url(ctx, APPLY, first.slug)))
    complete = open_to_all and all(state == "done" for _, state, _ in rows)
    return ctx.render(
        "portal/apply/tasks.html",
        journey=APPLY,
        rows=rows,
        done=sum(state == "done" for _, state, _ in rows),
        complete=complete,
        exit=exit_for(answers),
        expires=drafts.expires_on(current) if current else None,
    )


@applicant_view
def step_page(ctx: Ctx) -> Response:
    step = APPLY.step(ctx.request.path_params["step"])
    current = _draft(ctx)
    answers = _answers(current)
    if step.slug not in ELIGIBILITY and not eligible(answers):
        return ctx.redirect("apply_tasks")
    special = {
        "household": _household,
        "household-member": _member,
        "previous-addresses": _previous,
        "previous-address": _previous_one,
        "medical-details": _medical_details,
    }.get(step.slug)
    if special is not None:
        return special(ctx, step, current, answers)

    def after(values: dict[str, Any], answers: dict[str, Any]) -> Response | None:
        leads_to = exit_for(answers)
        if step.slug in ELIGIBILITY and leads_to is not None:
            return ctx.redirect("apply_exit", reason=leads_to)
        if _saving(ctx):
            return ctx.redirect("apply_saved")
        if not journeys.changing(ctx):
            return ctx.redirect_to(_next(ctx, step, answers))
        return None

    def adjust(values: dict[str, Any]) -> dict[str, Any]:
        if step.slug == "medical" and values.get("medical") == "no":
            values.update(medical_people=None, medical_details=None)
        return values

    return journeys.question(
        ctx,
        _j(ctx),
        step,
        render=lambda form, answers: _render(ctx, step, form, answers),
        after=after,
        adjust=adjust,
    )


def _add_another(
    ctx: Ctx,
    step: Step,
    current: JourneyDraft | None,
    answers: dict[str, Any],
    *,
    key: str,
    complete_key: str,
    add_slug: str,
    limit: int,
    too_many: str,
    describe: Callable[[dict[str, Any]], tuple[str, str]],
) -> Response:
    """A list page: what was added (each removable) and "add another?"."""
    items = list(answers.get(key) or [])
    here = journeys.step_url(ctx, APPLY, step.slug, change=journeys.changing(ctx))
    form_class = step.form(_j(ctx))
    if ctx.is_post:
        assert ctx.form is not None
        remove = parse_index(ctx.form.get("remove"))
        if remove is not None:
            if current is not None and remove < len(items):
                del items[remove]
                values: dict[str, Any] = {key: items}
                if key == "household":  # who has a medical condition is asked again
                    values.update(medical_people=None, medical_details=None)
                journeys.keep(ctx, APPLY, current, values)
            return ctx.redirect_to(here)
        form = form_class(ctx.form)
        if form.validate():
            if form.add_another.data == "yes":  # type: ignore[attr-defined]
                if len(items) < limit:
                    return ctx.redirect_to(
                        journeys.step_url(ctx, APPLY, add_slug, change=journeys.changing(ctx))
                    )
                form.add_another.errors = [too_many]  # type: ignore[attr-defined]
            else:
                values = {complete_key: True, key: items}
                journeys.keep(ctx, APPLY, current, values)
                answers.update(values)
                if _saving(ctx):
                    return ctx.redirect("apply_saved")
                return ctx.redirect_to(_next(ctx, step, answers))
    else:
        form = form_class()
    return _render(ctx, step, form, answers, items=[describe(item) for item in items])


def _household(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _add_another(
        ctx,
        step,
        current,
        answers,
        key="household",
        complete_key="household_complete",
        add_slug="household-member",
        limit=applying.HOUSEHOLD_MAX,
        too_many=f"You can add up to {applying.HOUSEHOLD_MAX} people. Contact us about anyone else",
        describe=lambda m: (
            f"{m.get('first_name')} {m.get('last_name')}",
            f"{m.get('relationship')}, born {_long(m.get('date_of_birth'))}",
        ),
    )


def _previous(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _add_another(
        ctx,
        step,
        current,
        answers,
        key="previous_addresses",
        complete_key="previous_complete",
        add_slug="previous-address",
        limit=applying.PREVIOUS_ADDRESSES_MAX,
        too_many=f"You can add up to {applying.PREVIOUS_ADDRESSES_MAX} addresses",
        describe=lambda h: (
            ", ".join(str(h.get(k)) for k in ("line_1", "postcode") if h.get(k)),
            f"From {_long(h.get('moved_in'))}",
        ),
    )


def _added(
    ctx: Ctx,
    step: Step,
    current: JourneyDraft | None,
    answers: dict[str, Any],
    *,
    key: str,
    limit: int,
    check: Callable[[Form, list[dict[str, Any]]], bool] | None = None,
) -> Response:
    """A page adding one item to a list page's items, then back to the list."""
    form_class = step.form(_j(ctx))
    form = form_class(ctx.form) if ctx.is_post else form_class()
    items = list(answers.get(key) or [])
    if ctx.is_post and form.validate() and (check is None or check(form, items)):
        if len(items) < limit:
            items.append(journeys.dump(form))
        values: dict[str, Any] = {key: items}
        if key == "household":
            values.update(medical_people=None, medical_details=None)
        journeys.keep(ctx, APPLY, current, values)
        parent = PARENTS[step.slug]
        return ctx.redirect_to(journeys.step_url(ctx, APPLY, parent, change=journeys.changing(ctx)))
    return _render(ctx, step, form, answers)


def _member(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _added(ctx, step, current, answers, key="household", limit=applying.HOUSEHOLD_MAX)


def _previous_one(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    def before_current(form: Form, items: list[dict[str, Any]]) -> bool:
        since = forms.moved_in(answers)
        moved = form.moved_in.data  # type: ignore[attr-defined]
        if since is not None and moved is not None and moved >= since:
            form.moved_in.errors = [  # type: ignore[attr-defined]
                "The date you moved there must be before the date you moved to your address now"
            ]
            form.moved_in.bad_parts = {"day", "month", "year"}  # type: ignore[attr-defined]
            return False
        return True

    return _added(
        ctx,
        step,
        current,
        answers,
        key="previous_addresses",
        limit=applying.PREVIOUS_ADDRESSES_MAX,
        check=before_current,
    )


def _medical_details(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    form_class = step.form(_j(ctx))
    form = (
        form_class(ctx.form)
        if ctx.is_post
        else form_class(data=journeys.initial(form_class, answers))
    )
    form.medical_people.choices = people_in(answers)  # type: ignore[attr-defined]
    if ctx.is_post and form.validate():
        values = journeys.dump(form)
        journeys.keep(ctx, APPLY, current, values)
        answers.update(values)
        if _saving(ctx):
            return ctx.redirect("apply_saved")
        return ctx.redirect_to(_next(ctx, step, answers))
    return _render(ctx, step, form, answers)


EXITS = {
    applying.EXIT_AGE,
    applying.EXIT_IMMIGRATION,
    applying.EXIT_CONNECTION,
    applying.EXIT_REGISTERED,
}


@applicant_view
def cannot_apply(ctx: Ctx) -> Response:
    reason = ctx.request.path_params["reason"]
    if reason not in EXITS:
        raise HTTPException(404)
    back = {
        applying.EXIT_AGE: "age",
        applying.EXIT_IMMIGRATION: "immigration",
        applying.EXIT_CONNECTION: "connection",
        applying.EXIT_REGISTERED: "registered",
    }[reason]
    return ctx.render(
        "portal/apply/cannot_apply.html",
        journey=APPLY,
        reason=reason,
        back_url=journeys.step_url(ctx, APPLY, back),
    )


@applicant_view
def saved(ctx: Ctx) -> Response:
    current = _draft(ctx)
    if current is None:
        return ctx.redirect("apply_start")
    return ctx.render("portal/apply/saved.html", journey=APPLY, expires=drafts.expires_on(current))


__all__ = [
    "APPLY",
    "SECTIONS",
    "application_from",
    "cannot_apply",
    "eligible",
    "saved",
    "start",
    "step_page",
    "tasks",
]
