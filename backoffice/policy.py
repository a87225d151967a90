"""The council's bedroom policy (Admin only): which policy bedroom need is worked out under, and
the settings of the council's own local policy, one field each. Saving a change recalculates
every open assessment in the background (domain.assessments.choose_bedroom_policy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from wtforms import Form, RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs
from wtforms.validators import AnyOf, InputRequired, ValidationError

from domain import assessments
from domain.assessments import POLICY_NAMES
from domain.bedrooms import LOCAL_POLICY_LABELS, POLICIES, InvalidLocalPolicy, LocalPolicy
from domain.council_settings import get_setting
from domain.history import Actor
from domain.models import Job
from domain.vocab import JobStatus, Permission
from web.context import Ctx
from web.views import officer_view

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
NUMBERS = (
    "own_room_age",
    "any_sex_sharing_under",
    "same_sex_sharing_under",
    "lone_parent_shares_with_child_under",
    "count_pregnancy_from_week",
    "max_bedrooms",
)
OPTIONAL = {"lone_parent_shares_with_child_under", "count_pregnancy_from_week", "max_bedrooms"}
SWITCHES = ("cannot_share_room", "overnight_carer_room", "foster_carer_room")
HINTS = {
    "own_room_age": "21 under the bedroom standard, 16 under the size criteria",
    "any_sex_sharing_under": "Two children both under this age may share whatever their sex. "
    "0 means they may not",
    "same_sex_sharing_under": "Two people of the same sex both under this age may share",
    "lone_parent_shares_with_child_under": "For example 1 or 2. Leave empty if a lone parent "
    "has a room of their own",
    "count_pregnancy_from_week": "Leave empty to count a baby only once born",
    "max_bedrooms": "Leave empty for no cap",
}


class WholeNumber:
    """Digits only; empty is allowed for an optional setting."""

    def __init__(self, optional: bool) -> None:
        self.optional = optional

    def __call__(self, form: Form, field: StringField) -> None:
        text = (field.data or "").strip()
        label = LOCAL_POLICY_LABELS[field.name]
        if not text:
            if not self.optional:
                raise ValidationError(f"Enter the {label[:1].lower()}{label[1:]}")
            return
        if not (text.isascii() and text.isdigit()) or len(text) > 4:
            raise ValidationError(f"{label} must be a whole number, like 16")


def _number(name: str) -> StringField:
    return StringField(validators=[WholeNumber(name in OPTIONAL)])


def _switch(name: str) -> RadioField:
    label = LOCAL_POLICY_LABELS[name]
    message = f"Choose whether to give {label[:1].lower()}{label[1:]}"
    return RadioField(
        choices=YES_NO,
        validators=[InputRequired(message), AnyOf(["yes", "no"], message=message)],
        validate_choice=False,
    )


class PolicyForm(Form):
    policy = RadioField(
        choices=[
            SelectChoice(p, POLICY_NAMES[p][:1].upper() + POLICY_NAMES[p][1:]) for p in POLICIES
        ],
        validators=[InputRequired("Choose the bedroom policy the council uses")],
        validate_choice=False,
    )
    own_room_age = _number("own_room_age")
    any_sex_sharing_under = _number("any_sex_sharing_under")
    same_sex_sharing_under = _number("same_sex_sharing_under")
    lone_parent_shares_with_child_under = _number("lone_parent_shares_with_child_under")
    count_pregnancy_from_week = _number("count_pregnancy_from_week")
    max_bedrooms = _number("max_bedrooms")
    cannot_share_room = _switch("cannot_share_room")
    overnight_carer_room = _switch("overnight_carer_room")
    foster_carer_room = _switch("foster_carer_room")

    def validate_policy(self, field: RadioField) -> None:
        if field.data not in POLICIES:
            raise ValidationError("Choose the bedroom policy the council uses")

    def local_settings(self) -> dict[str, Any]:
        """The local policy's settings as the domain takes them (after validation)."""
        values: dict[str, Any] = {}
        for name in NUMBERS:
            text = (self[name].data or "").strip()
            values[name] = int(text) if text else None
        for name in SWITCHES:
            values[name] = self[name].data == "yes"
        return values


def _initial(stored: object) -> dict[str, Any]:
    try:
        local = LocalPolicy.from_dict(stored) if isinstance(stored, dict) else LocalPolicy()
    except InvalidLocalPolicy:
        local = LocalPolicy()
    data: dict[str, Any] = {}
    for name, value in local.to_dict().items():
        if name in SWITCHES:
            data[name] = "yes" if value else "no"
        else:
            data[name] = "" if value is None else str(value)
    return data


@officer_view(Permission.ADMIN)
def bedroom_policy(ctx: Ctx) -> Response:
    assert ctx.user is not None
    policy, _local = assessments.bedroom_policy(ctx.db)
    stored = get_setting(ctx.db, assessments.BEDROOM_LOCAL_POLICY_KEY, {})
    form = PolicyForm(ctx.form, data={"policy": policy, **_initial(stored)})
    if ctx.is_post and form.validate():
        chosen = str(form.policy.data)
        done = ctx.attempt(
            assessments.choose_bedroom_policy,
            Actor.officer(ctx.user),
            chosen,
            form.local_settings(),
        )
        if done:
            name = POLICY_NAMES[chosen]
            ctx.flash(
                f"The council now uses {name}. Open bedroom assessments are being "
                "recalculated in the background."
                if done.result is not None
                else f"Nothing changed: the council already uses {name}."
            )
            return ctx.redirect("backoffice:bedroom_policy")
    recalculating = ctx.db.scalar(
        select(Job.id)
        .where(
            Job.kind == assessments.POLICY_CHANGE_JOB,
            Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
        .limit(1)
    )
    return ctx.render(
        "backoffice/settings/bedroom_policy.html",
        form=form,
        current_policy=POLICY_NAMES[policy],
        recalculating=recalculating is not None,
        labels=LOCAL_POLICY_LABELS,
        hints=HINTS,
        numbers=NUMBERS,
        switches=SWITCHES,
    )
