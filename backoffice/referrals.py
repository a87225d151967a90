"""Homeless referrals in the back office: the list, and each referral's workflow page.

The workflow page shows the referral as it was sent, its status, the moves available now (as
buttons) and, for every move not available yet, why; forms to record case actions and to choose
the Primary outcome; and a timeline of actions and moves. Each form posts to one domain function
and redirects. A move made from a page that is out of date is refused with a 409 that says who
moved the referral and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp

from domain import referrals, tasks, workflows
from domain.accounts import Mailer
from domain.clock import long_date
from domain.history import Actor
from domain.ids import parse_id
from domain.referrals import Referral
from domain.strands import HOMELESS_REFERRAL, Strand
from domain.vocab import Permission
from domain.workflows import PRIMARY_OUTCOMES
from web.context import Ctx
from web.views import officer_view

PAGE_SIZE = 50


class ActionForm(Form):
    action = RadioField(
        choices=[
            SelectChoice(a.code, a.label) for a in workflows.HOMELESS_REFERRAL_WORKFLOW.actions
        ],
        validators=[InputRequired("Choose the case action to record")],
        validate_choice=False,
    )
    notes = TextAreaField(
        validators=[
            Optional(),
            Length(max=workflows.NOTES_MAX, message="Notes must be 2000 characters or fewer"),
        ]
    )


class MoveForm(Form):
    to_status = HiddenField(validators=[InputRequired("Choose where to move the referral")])
    version = HiddenField(
        validators=[
            InputRequired("Reload the page and try again"),
            Regexp(r"^[0-9]{1,9}$", message="Reload the page and try again"),
        ]
    )
    reason = TextAreaField(
        validators=[
            Optional(),
            Length(max=workflows.REASON_MAX, message="The reason must be 2000 characters or fewer"),
        ]
    )


class OutcomeForm(Form):
    outcome = SelectField(
        choices=[SelectChoice("", "Choose an outcome")]
        + [SelectChoice(o, o) for o in PRIMARY_OUTCOMES],
        validators=[
            InputRequired("Choose the Primary outcome"),
            AnyOf(PRIMARY_OUTCOMES, message="Choose the Primary outcome from the list"),
        ],
        validate_choice=False,
    )
    version = HiddenField(
        validators=[
            InputRequired("Reload the page and try again"),
            Regexp(r"^[0-9]{1,9}$", message="Reload the page and try again"),
        ]
    )


def mailer(ctx: Ctx) -> Mailer:
    def link(route: str, token: str) -> str:
        return f"{ctx.settings.base_url}{ctx.url_for(route)}?token={token}"

    return Mailer(
        council_name=ctx.settings.council_name,
        service_name=ctx.settings.service_name,
        secret=ctx.settings.secret_key,
        link=link,
        council_phone=ctx.settings.council_phone,
        out_of_hours_phone=ctx.settings.out_of_hours_phone,
    )


def _strand(ctx: Ctx) -> Strand:
    strand = ctx.db.get(Strand, ctx.request.path_params["strand_id"])
    if strand is None or strand.type_code != HOMELESS_REFERRAL:
        raise HTTPException(404)
    return strand


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    order: tuple[int, int]
    title: str
    byline: str
    description: str | None


def _timeline(ctx: Ctx, strand: Strand, referral: Referral | None) -> list[TimelineEntry]:
    workflow = workflows.workflow_of(strand)
    labels = {a.code: a.label for a in workflow.actions}
    entries = [
        TimelineEntry(
            a.recorded_at,
            (1, a.id),
            labels.get(a.action, a.action),
            a.actor_label,
            a.notes,
        )
        for a in workflows.actions_of(ctx.db, strand.id)
    ]
    entries += [
        TimelineEntry(
            m.moved_at,
            (2, m.id),
            f"Moved to {m.to_status}",
            m.actor_label,
            f"From {m.from_status}." + (f" Reason: {m.reason}" if m.reason else ""),
        )
        for m in workflows.moves_of(ctx.db, strand.id)
    ]
    entries += [
        TimelineEntry(
            change.at,
            (3, change.event_id),
            f"{change.label} set to {change.value}" if change.value else f"{change.label} cleared",
            change.actor_label,
            None,
        )
        for change in workflows.field_changes(ctx.db, strand)
    ]
    if referral is not None:
        entries.append(
            TimelineEntry(
                referral.submitted_at,
                (0, 0),
                "Self-referral received" if referral.is_self_referral else "Referral received",
                referral.referrer_name or referral.full_name,
                None,
            )
        )
    return sorted(entries, key=lambda e: (e.at, e.order), reverse=True)


def _page(
    ctx: Ctx,
    strand: Strand,
    *,
    action_form: ActionForm | None = None,
    move_form: MoveForm | None = None,
    outcome_form: OutcomeForm | None = None,
) -> Response:
    workflow = workflows.workflow_of(strand)
    referral = referrals.referral_of(ctx.db, strand)
    options = workflows.available_moves(ctx.db, strand)
    action_form = action_form or ActionForm()
    action_form.action.choices = [
        SelectChoice(a.code, a.label) for a in workflow.actions_at(strand.status)
    ]
    outcome_form = outcome_form or OutcomeForm(
        data={"outcome": strand.data.get(workflows.PRIMARY_OUTCOME) or ""}
    )
    return ctx.render(
        "backoffice/referral/show.html",
        strand=strand,
        referral=referral,
        workflow=workflow,
        allowed=[o for o in options if o.allowed],
        blocked=[o for o in options if not o.allowed],
        actions=workflow.actions_at(strand.status),
        action_form=action_form,
        move_form=move_form,
        outcome_form=outcome_form,
        show_outcome=strand.is_open and strand.status == workflows.CLOSURE,
        outcome=strand.data.get(workflows.PRIMARY_OUTCOME),
        timeline=_timeline(ctx, strand, referral),
        case_url=_case_url(ctx, strand.case_id),
        details=details(referral) if referral else [],
        org_label=referrals.organisation_label(referral.org_type) if referral else "",
    )


def _case_url(ctx: Ctx, case_id: int) -> str:
    return ctx.url_for("backoffice:case", case_id=case_id)


@officer_view(Permission.CASES)
def referral_list(ctx: Ctx) -> Response:
    after = ctx.query.get("after")
    page = referrals.list_referrals(ctx.db, after=after, size=PAGE_SIZE)
    return ctx.render(
        "backoffice/referral/list.html",
        next_tasks=tasks.next_task_by_strand(ctx.db, [r.strand_id for r in page.rows]),
        referrals=page.rows,
        older=page.next_cursor,
        newest_first=not after,
    )


@officer_view(Permission.CASES)
def referral_page(ctx: Ctx) -> Response:
    return _page(ctx, _strand(ctx))


@officer_view(Permission.CASES)
def record_action(ctx: Ctx) -> Response:
    assert ctx.user is not None
    strand = _strand(ctx)
    form = ActionForm(ctx.form)
    if form.validate():
        code = form.action.data or ""
        done = ctx.attempt(
            referrals.record_action,
            Actor.officer(ctx.user),
            strand,
            code,
            notes=form.notes.data,
            mailer=mailer(ctx),
        )
        if done:
            label = workflows.workflow_of(strand).action(code).label
            referral = referrals.referral_of(ctx.db, strand)
            to = referral.contact_email if referral else None
            told = code == workflows.UPDATE_REFERRER and to
            extra = f" An update has been emailed to {to}." if told else ""
            ctx.flash(f"“{label}” recorded.{extra}")
            return ctx.redirect("backoffice:referral", strand_id=strand.id)
    return _page(ctx, strand, action_form=form)


@officer_view(Permission.CASES)
def move(ctx: Ctx) -> Response:
    assert ctx.user is not None
    strand = _strand(ctx)
    form = MoveForm(ctx.form)
    if form.validate():
        to_status = form.to_status.data or ""
        done = ctx.attempt(
            referrals.move,
            Actor.officer(ctx.user),
            strand,
            to_status,
            reason=form.reason.data,
            expected_version=parse_id(form.version.data) or 0,
            mailer=mailer(ctx),
        )
        if done:
            referral = referrals.referral_of(ctx.db, strand)
            to = referral.contact_email if referral else None
            extra = f" The outcome has been emailed to {to}." if to and not strand.is_open else ""
            ctx.flash(f"Moved to “{to_status}”.{extra}")
            return ctx.redirect("backoffice:referral", strand_id=strand.id)
    return _page(ctx, strand, move_form=form)


@officer_view(Permission.CASES)
def choose_outcome(ctx: Ctx) -> Response:
    assert ctx.user is not None
    strand = _strand(ctx)
    form = OutcomeForm(ctx.form)
    if form.validate():
        done = ctx.attempt(
            workflows.set_field,
            Actor.officer(ctx.user),
            strand,
            workflows.PRIMARY_OUTCOME,
            form.outcome.data,
            expected_version=parse_id(form.version.data) or 0,
        )
        if done:
            ctx.flash("Primary outcome saved.")
            return ctx.redirect("backoffice:referral", strand_id=strand.id)
    return _page(ctx, strand, outcome_form=form)


def _iso_date(value: str) -> str:
    try:
        return long_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def details(referral: Referral) -> list[tuple[str, Any]]:
    """The referral as sent, for the summary list (label, value or list of lines)."""
    address = [
        line
        for line in (
            referral.address_line_1,
            referral.address_line_2,
            referral.town,
            referral.postcode,
        )
        if line
    ]
    members = [
        f"{m.get('name')} ({m.get('relationship')}"
        + (f", born {_iso_date(m['date_of_birth'])}" if m.get("date_of_birth") else "")
        + ")"
        for m in referral.household
    ]
    rows: list[tuple[str, Any]] = [
        ("Name", referral.full_name),
        ("Date of birth", long_date(referral.date_of_birth)),
        ("Phone", referral.phone or "Not given"),
        ("Email", referral.email or "Not given"),
        ("Preferred contact", referral.preferred_contact),
        (
            "Living now",
            address
            if referral.housing_situation == "address"
            else [referrals.situation_label(referral.housing_situation)],
        ),
        ("Safe tonight", referrals.safe_tonight_label(referral.safe_tonight)),
        ("Reason", referral.reason.splitlines()),
        (
            "Leaving date",
            long_date(referral.leaving_date) if referral.leaving_date else "None given",
        ),
        ("Household", members or ["No one else"]),
        ("Support needs", (referral.support_needs or "None given").splitlines()),
        ("Consent", "Agreed to the referral and to sharing contact details"),
    ]
    return rows
