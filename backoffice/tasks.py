"""Tasks in the back office: a task's page (complete it, put it on hold or take it off, give it
to someone else, claim it), and adding a task to a case. Rules are in `domain.tasks`; tasks from
templates appear by themselves when strands open or move."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice.cases import open_case, render_case_page
from domain import restricted, tasks
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Case, Team
from domain.officers import officers_who_can
from domain.strands import STRAND_TYPES, Strand
from domain.tasks import Task
from domain.vocab import Permission
from web.context import Ctx, safe_next
from web.fields import DateField
from web.views import officer_view


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class HoldForm(Form):
    reason = TextAreaField(filters=[_strip])
    until = DateField(what="The date it comes off hold", required=False)
    version = HiddenField()


class AssignForm(Form):
    assignee = SelectField(choices=[], validate_choice=False)
    team = SelectField(choices=[], validate_choice=False)
    version = HiddenField()


class NewTaskForm(Form):
    name = StringField(filters=[_strip])
    strand = SelectField(choices=[], validate_choice=False)
    assignee = SelectField(choices=[], validate_choice=False)
    team = SelectField(choices=[], validate_choice=False)
    target_date = DateField(what="The target date", required=False)


def _officer_choices(ctx: Ctx) -> list[SelectChoice]:
    return [SelectChoice("", "Nobody yet")] + [
        SelectChoice(str(o.id), f"{o.name} ({o.team})" if o.team else o.name)
        for o in officers_who_can(ctx.db, Permission.CASES)
    ]


def _team_choices(ctx: Ctx) -> list[SelectChoice]:
    return [SelectChoice("", "No team")] + [
        SelectChoice(str(t.id), t.name)
        for t in ctx.db.scalars(select(Team).where(Team.active).order_by(Team.name))
    ]


def _task(ctx: Ctx) -> tuple[Task, Case]:
    task = ctx.db.scalar(
        select(Task)
        .where(Task.id == ctx.request.path_params["task_id"])
        .options(joinedload(Task.case), joinedload(Task.assignee), joinedload(Task.team))
    )
    if task is None:
        raise HTTPException(404)
    assert ctx.user is not None
    restricted.open_case(ctx.db, ctx.user, task.case, ctx.request.url.path)
    return task, task.case


def _version(ctx: Ctx) -> int | None:
    return parse_id(str(ctx.form.get("version") or "")) if ctx.form is not None else None


def _back(ctx: Ctx, task: Task) -> str:
    default = ctx.url_for("backoffice:task", task_id=task.id)
    raw = ctx.form.get("next") if ctx.form is not None else ctx.query.get("next")
    return safe_next(str(raw) if raw else None, default)


def _page(
    ctx: Ctx,
    task: Task,
    case: Case,
    *,
    hold: HoldForm | None = None,
    assign: AssignForm | None = None,
) -> Response:
    hold = hold or HoldForm(data={"version": task.version})
    assign = assign or AssignForm(
        data={
            "assignee": str(task.assignee_id or ""),
            "team": str(task.team_id or ""),
            "version": task.version,
        }
    )
    assign.assignee.choices = _officer_choices(ctx)
    assign.team.choices = _team_choices(ctx)
    following = ctx.db.scalars(select(Task).where(Task.after_id == task.id).order_by(Task.id)).all()
    return render_case_page(
        ctx,
        "backoffice/tasks/task.html",
        case,
        active="notes",
        task=task,
        hold_form=hold,
        assign_form=assign,
        following=following,
        next_url=ctx.query.get("next") or "",
    )


@officer_view(Permission.CASES)
def task_page(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    return _page(ctx, task, case)


@officer_view(Permission.CASES)
def task_complete(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    assert ctx.user is not None
    done = ctx.attempt(
        tasks.complete,
        Actor.officer(ctx.user),
        ctx.user,
        task,
        today=ctx.today,
        expected_version=_version(ctx),
    )
    if done:
        opened = done.result
        ctx.flash(
            f"Done: {task.name}."
            + (f" Next: {', '.join(t.name for t in opened)}." if opened else "")
        )
        return ctx.redirect_to(_back(ctx, task))
    return _page(ctx, task, case)


@officer_view(Permission.CASES)
def task_hold(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    form = HoldForm(ctx.form)
    if ctx.is_post and form.validate():
        assert ctx.user is not None
        held = ctx.attempt(
            tasks.hold,
            Actor.officer(ctx.user),
            task,
            reason=form.reason.data or "",
            until=form.until.data,
            today=ctx.today,
            expected_version=_version(ctx),
        )
        if held:
            ctx.flash(f"{task.name} is on hold until {form.until.data:%-d %B %Y}.")
            return ctx.redirect_to(_back(ctx, task))
    return _page(ctx, task, case, hold=form)


@officer_view(Permission.CASES)
def task_release(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    assert ctx.user is not None
    released = ctx.attempt(
        tasks.release,
        Actor.officer(ctx.user),
        task,
        today=ctx.today,
        expected_version=_version(ctx),
    )
    if released:
        ctx.flash(f"{task.name} is off hold, due {task.target_date:%-d %B %Y}.")
        return ctx.redirect_to(_back(ctx, task))
    return _page(ctx, task, case)


@officer_view(Permission.CASES)
def task_assign(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    form = AssignForm(ctx.form)
    assert ctx.user is not None
    given = ctx.attempt(
        tasks.reassign,
        Actor.officer(ctx.user),
        task,
        assignee_id=parse_id(form.assignee.data or ""),
        team_id=parse_id(form.team.data or ""),
        expected_version=_version(ctx),
    )
    if given:
        ctx.flash(f"{task.name} has been reassigned.")
        return ctx.redirect_to(_back(ctx, task))
    return _page(ctx, task, case, assign=form)


@officer_view(Permission.CASES)
def task_claim(ctx: Ctx) -> Response:
    task, case = _task(ctx)
    assert ctx.user is not None
    claimed = ctx.attempt(
        tasks.claim, Actor.officer(ctx.user), ctx.user, task, expected_version=_version(ctx)
    )
    if claimed:
        ctx.flash(f"{task.name} is yours.")
        return ctx.redirect_to(_back(ctx, task))
    return _page(ctx, task, case)


@officer_view(Permission.CASES)
def task_new(ctx: Ctx) -> Response:
    case = open_case(ctx)
    assert ctx.user is not None
    form = NewTaskForm(
        ctx.form,
        data={
            "strand": ctx.query.get("strand") or "",
            "assignee": str(ctx.user.id),
            "team": str(case.responsible_team_id or ""),
        },
    )
    form.strand.choices = [SelectChoice("", "The case")] + [
        SelectChoice(str(s.id), f"{s.type.name} {s.reference}")
        for s in ctx.db.scalars(
            select(Strand).where(Strand.case_id == case.id, Strand.is_open).order_by(Strand.id)
        )
        if s.type_code in STRAND_TYPES
    ]
    form.assignee.choices = _officer_choices(ctx)
    form.team.choices = _team_choices(ctx)
    back = ctx.url_for("backoffice:case_notes", case_id=case.id)
    if ctx.is_post and form.validate():
        added = ctx.attempt(
            tasks.add_task,
            Actor.officer(ctx.user),
            case,
            name=form.name.data or "",
            strand_id=parse_id(form.strand.data or ""),
            assignee_id=parse_id(form.assignee.data or ""),
            team_id=parse_id(form.team.data or ""),
            target_date=form.target_date.data,
            today=ctx.today,
        )
        if added:
            ctx.flash(f"The task “{added.result.name}” has been added.")
            return ctx.redirect_to(back)
    return render_case_page(
        ctx, "backoffice/tasks/new.html", case, active="notes", form=form, back=back
    )


__all__ = [
    "task_assign",
    "task_claim",
    "task_complete",
    "task_hold",
    "task_new",
    "task_page",
    "task_release",
]
