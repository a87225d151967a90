"""Applications & assessments tab, the bedroom assessment's officer actions (recalculate,
override, foster carers) and the council's bedroom policy page.

The actions need "Cases: bedroom assessments"; without it their forms are not shown and their
POST routes answer 403. Every rule (ranges, reasons, what is stored) is in `domain.assessments`.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response
from wtforms import Form, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from backoffice import case_queries as q
from backoffice.cases import open_case, render_case_page
from domain import assessments
from domain.assessments import MAX_OVERRIDE_BEDROOMS, POLICY_NAMES
from domain.history import Actor
from domain.models import Case
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view


class OverrideForm(Form):
    bedrooms = StringField(
        validators=[InputRequired("Enter the number of bedrooms the household needs")]
    )
    reason = TextAreaField(
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired("Enter the reason for overriding the calculated bedroom need"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
        ],
    )

    def validate_bedrooms(self, field: StringField) -> None:
        text = (field.data or "").strip()
        if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > MAX_OVERRIDE_BEDROOMS:
            raise ValidationError(
                f"Number of bedrooms must be a whole number from 0 to {MAX_OVERRIDE_BEDROOMS}"
            )


def _case(ctx: Ctx) -> Case:
    return open_case(ctx)


def render_strands(
    ctx: Ctx,
    case: Case,
    *,
    override_form: OverrideForm | None = None,
    foster_form: Form | None = None,
) -> Response:
    summaries = q.strand_summaries(ctx.db, case.id)
    bedroom = next(
        (s for s in summaries if s.is_bedroom_assessment and s.strand.is_open and s.version),
        None,
    )
    context: dict[str, Any] = {}
    if bedroom is not None:
        assert bedroom.version is not None
        context = {
            "bedroom": bedroom,
            "rooms": q.room_rows(bedroom.version),
            "notes": q.version_notes(bedroom.version),
            "versions": assessments.assessment_history(ctx.db, bedroom.strand.id),
        }
    policy, _local = assessments.bedroom_policy(ctx.db)
    assert ctx.user is not None
    return render_case_page(
        ctx,
        "backoffice/case/strands.html",
        case,
        active="strands",
        summaries=summaries,
        council_policy=POLICY_NAMES[policy],
        policy_names=POLICY_NAMES,
        cause_labels=q.CAUSE_LABELS,
        can_assess=ctx.user.can(Permission.BEDROOM_ASSESSMENTS),
        override_form=override_form or OverrideForm(),
        foster_form=foster_form,
        max_override=MAX_OVERRIDE_BEDROOMS,
        **context,
    )


@officer_view(Permission.CASES)
def case_strands(ctx: Ctx) -> Response:
    return render_strands(ctx, _case(ctx))


@officer_view(Permission.BEDROOM_ASSESSMENTS, also=(Permission.CASES,))
def bedroom_recalculate(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = _case(ctx)
    done = ctx.attempt(
        assessments.recalculate_by_officer, Actor.officer(ctx.user), case, on=ctx.today
    )
    if not done:
        return render_strands(ctx, case)
    ctx.flash(f"Bedroom need recalculated: {done.result.summary()}.")
    return ctx.redirect("backoffice:case_strands", case_id=case.id)


@officer_view(Permission.BEDROOM_ASSESSMENTS, also=(Permission.CASES,))
def bedroom_override(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = _case(ctx)
    form = OverrideForm(ctx.form)
    if form.validate():
        done = ctx.attempt(
            assessments.override_need,
            Actor.officer(ctx.user),
            case,
            int((form.bedrooms.data or "").strip()),
            form.reason.data or "",
        )
        if done:
            ctx.flash(f"Bedroom need overridden: {done.result.summary()}.")
            return ctx.redirect("backoffice:case_strands", case_id=case.id)
    return render_strands(ctx, case, override_form=form)


@officer_view(Permission.BEDROOM_ASSESSMENTS, also=(Permission.CASES,))
def bedroom_clear_override(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = _case(ctx)
    done = ctx.attempt(assessments.clear_case_override, Actor.officer(ctx.user), case)
    if not done:
        return render_strands(ctx, case)
    ctx.flash(f"Override removed: the calculated need of {done.result.summary()} applies again.")
    return ctx.redirect("backoffice:case_strands", case_id=case.id)


FOSTER_CARER_MESSAGE = "Choose whether the household are approved foster carers"


class FosterCarerForm(Form):
    foster_carer = RadioField(
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[
            InputRequired(FOSTER_CARER_MESSAGE),
            AnyOf(["yes", "no"], message=FOSTER_CARER_MESSAGE),
        ],
        validate_choice=False,
    )


@officer_view(Permission.BEDROOM_ASSESSMENTS, also=(Permission.CASES,))
def bedroom_foster_carer(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = _case(ctx)
    form = FosterCarerForm(ctx.form)
    if form.validate():
        value = form.foster_carer.data == "yes"
        done = ctx.attempt(assessments.set_case_foster_carer, Actor.officer(ctx.user), case, value)
        if done:
            what = "are" if value else "are not"
            message = f"Recorded that the household {what} approved foster carers."
            if done.result is not None:
                message += f" Bedroom need recalculated: {done.result.summary()}."
            ctx.flash(message)
            return ctx.redirect("backoffice:case_strands", case_id=case.id)
    return render_strands(ctx, case, foster_form=form)
