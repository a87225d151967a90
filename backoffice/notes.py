"""Notes, alerts and actions in the back office: the case's Notes & actions tab (everything on
the case, its people and its applications, filterable, a page at a time), adding each from the
case or from a person's page, correcting a note, removing an alert, finishing an action.

Rules (who may correct a note and for how long, what an alert or action needs) are in
`domain.notes`; these views read forms and show pages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from wtforms import Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice import notes_queries as nq
from backoffice.cases import open_case, render_case_page
from backoffice.people import _person
from domain import notes, tasks
from domain.base import utcnow
from domain.errors import NotFound
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Case, Person, Team
from domain.notes import About
from domain.officers import officers_who_can
from domain.strands import Strand, case_strands
from domain.task_model import earliest
from domain.vocab import Permission
from web.context import Ctx
from web.fields import DateField
from web.views import officer_view


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NoteForm(Form):
    about = SelectField(choices=[], validate_choice=False)
    category = SelectField(
        choices=[SelectChoice("", "Choose")] + [SelectChoice(c, c) for c in notes.NOTE_CATEGORIES],
        validate_choice=False,
    )
    text = TextAreaField(filters=[_strip])
    version = HiddenField()


class AlertForm(Form):
    about = SelectField(choices=[], validate_choice=False)
    alert_type = SelectField(
        choices=[SelectChoice("", "Choose")] + [SelectChoice(t, t) for t in notes.ALERT_TYPES],
        validate_choice=False,
    )
    text = TextAreaField(filters=[_strip])
    date_from = DateField(what="The date it starts", required=False)
    date_until = DateField(what="The date it ends", required=False)


class ActionForm(Form):
    about = SelectField(choices=[], validate_choice=False)
    what = StringField(filters=[_strip])
    assignee = SelectField(choices=[], validate_choice=False)
    team = SelectField(choices=[], validate_choice=False)
    due_date = DateField(what="The date it is due", required_message="Enter the date it is due")


class ReasonForm(Form):
    reason = TextAreaField(filters=[_strip])
    version = HiddenField()


# --- what a note, alert or action can be about ------------------------------------------------


def _case_choices(ctx: Ctx, case: Case, *, strands: bool) -> list[SelectChoice]:
    choices = [SelectChoice("case", f"The case {case.reference}")]
    for link in case.people:
        choices.append(SelectChoice(f"person:{link.person_id}", link.person.full_name))
    if strands:
        for strand in case_strands(ctx.db, case.id):
            choices.append(
                SelectChoice(f"strand:{strand.id}", f"{strand.type.name} {strand.reference}")
            )
    return choices


def _about(ctx: Ctx, case: Case | None, person: Person | None, value: str | None) -> About:
    """What the form's `about` names, checked against the case (or the person's page)."""
    if case is None:
        return About(person=person)
    kind, _, raw = (value or "case").partition(":")
    if kind == "person":
        pid = parse_id(raw)
        link = next((cp for cp in case.people if cp.person_id == pid), None)
        if link is not None:
            return About(case=case, person=link.person)
    if kind == "strand":
        strand = ctx.db.get(Strand, parse_id(raw) or 0)
        if strand is not None and strand.case_id == case.id:
            return About(strand=strand)
    return About(case=case)


def _back(ctx: Ctx, case: Case | None, person: Person | None) -> str:
    if case is not None:
        return ctx.url_for("backoffice:case_notes", case_id=case.id)
    assert person is not None
    return ctx.url_for("backoffice:person", person_id=person.id)


def _page(
    ctx: Ctx, case: Case | None, person: Person | None, template: str, **extra: Any
) -> Response:
    if case is not None:
        return render_case_page(
            ctx, template, case, active="notes", back=_back(ctx, case, None), **extra
        )
    return ctx.render(template, person=person, back=_back(ctx, None, person), **extra)


# --- the tab ------------------------------------------------------------------------------------


@officer_view(Permission.CASES)
def case_notes(ctx: Ctx) -> Response:
    return _render_tab(ctx, open_case(ctx))


def _render_tab(ctx: Ctx, case: Case) -> Response:
    people = sorted({cp.person_id: cp.person for cp in case.people}.values(), key=lambda p: p.id)
    strands = case_strands(ctx.db, case.id)
    kind = ctx.query.get("kind")
    person_id = parse_id(ctx.query.get("person") or "")
    strand_id = parse_id(ctx.query.get("strand") or "")
    filters = nq.Filters(
        kind=kind if kind in nq.KINDS else None,
        person_id=person_id if person_id in {p.id for p in people} else None,
        strand_id=strand_id if strand_id in {s.id for s in strands} else None,
    )
    page = nq.timeline(
        ctx.db, case.id, [p.id for p in people], filters, after=ctx.query.get("after")
    )
    assert ctx.user is not None
    # every task still to do, so the case's target (its open tasks' earliest) is worked out here
    live = tasks.case_tasks(ctx.db, case.id, live_only=True)
    return render_case_page(
        ctx,
        "backoffice/case/notes.html",
        case,
        active="notes",
        records=page.rows,
        next_cursor=page.next_cursor,
        filters=filters,
        people=people,
        strands=strands,
        kinds=nq.KINDS,
        paged=ctx.query.get("after") is not None,
        may_edit=lambda note: notes.may_edit(note, ctx.user, utcnow()),
        case_tasks=live,
        case_target=earliest(t.target_date for t in live if t.status == tasks.OPEN),
    )


# --- adding -----------------------------------------------------------------------------------


def _subject(ctx: Ctx) -> tuple[Case | None, Person | None]:
    if "case_id" in ctx.request.path_params:
        return open_case(ctx), None
    return None, _person(ctx)


@officer_view(Permission.CASES)
def note_new(ctx: Ctx) -> Response:
    case, person = _subject(ctx)
    form = NoteForm(ctx.form, data={"about": ctx.query.get("about") or "case"})
    form.about.choices = _case_choices(ctx, case, strands=True) if case else []
    if ctx.is_post:
        assert ctx.user is not None
        added = ctx.attempt(
            notes.add_note,
            Actor.officer(ctx.user),
            ctx.user,
            _about(ctx, case, person, form.about.data),
            category=form.category.data or "",
            text=form.text.data or "",
        )
        if added:
            ctx.flash("The note has been added.")
            return ctx.redirect_to(_back(ctx, case, person))
    return _page(ctx, case, person, "backoffice/notes/note.html", form=form, note=None)


@officer_view(Permission.CASES)
def alert_new(ctx: Ctx) -> Response:
    case, person = _subject(ctx)
    form = AlertForm(ctx.form, data={"about": ctx.query.get("about") or "case"})
    form.about.choices = _case_choices(ctx, case, strands=False) if case else []
    if ctx.is_post and form.validate():
        assert ctx.user is not None
        added = ctx.attempt(
            notes.add_alert,
            Actor.officer(ctx.user),
            ctx.user,
            _about(ctx, case, person, form.about.data),
            alert_type=form.alert_type.data or "",
            text=form.text.data or "",
            date_from=form.date_from.data,
            date_until=form.date_until.data,
            today=ctx.today,
        )
        if added:
            ctx.flash(f"The alert “{added.result.alert_type}” has been added.")
            return ctx.redirect_to(_back(ctx, case, person))
    return _page(ctx, case, person, "backoffice/notes/alert.html", form=form)


@officer_view(Permission.CASES)
def action_new(ctx: Ctx) -> Response:
    case, person = _subject(ctx)
    assert ctx.user is not None
    form = ActionForm(ctx.form, data={"about": ctx.query.get("about") or "case"})
    form.about.choices = _case_choices(ctx, case, strands=True) if case else []
    form.assignee.choices = [SelectChoice("", "Nobody in particular")] + [
        SelectChoice(str(o.id), f"{o.name} ({o.team})" if o.team else o.name)
        for o in officers_who_can(ctx.db, Permission.CASES)
    ]
    form.team.choices = [SelectChoice("", "No team")] + [
        SelectChoice(str(t.id), t.name)
        for t in ctx.db.scalars(select(Team).where(Team.active).order_by(Team.name))
    ]
    if ctx.is_post and form.validate():
        added = ctx.attempt(
            notes.add_action,
            Actor.officer(ctx.user),
            ctx.user,
            _about(ctx, case, person, form.about.data),
            what=form.what.data or "",
            assignee_id=parse_id(form.assignee.data or ""),
            team_id=parse_id(form.team.data or ""),
            due_date=form.due_date.data,
            today=ctx.today,
        )
        if added:
            ctx.flash("The action has been added.")
            return ctx.redirect_to(_back(ctx, case, person))
    return _page(ctx, case, person, "backoffice/notes/action.html", form=form)


# --- changing ---------------------------------------------------------------------------------


def _record(ctx: Ctx, case: Case, model: Any, key: str) -> Any:
    record = ctx.db.get(model, int(ctx.request.path_params[key]))
    people = {cp.person_id for cp in case.people}
    if record is None or not (record.case_id == case.id or record.person_id in people):
        raise NotFound("There is no such record on this case")
    return record


@officer_view(Permission.CASES)
def note_edit(ctx: Ctx) -> Response:
    case = open_case(ctx)
    note = _record(ctx, case, notes.Note, "note_id")
    form = NoteForm(
        ctx.form, data={"category": note.category, "text": note.text, "version": note.version}
    )
    if ctx.is_post:
        assert ctx.user is not None
        saved = ctx.attempt(
            notes.edit_note,
            Actor.officer(ctx.user),
            ctx.user,
            note,
            category=form.category.data or "",
            text=form.text.data or "",
            expected_version=parse_id(form.version.data or "") or 0,
        )
        if saved:
            ctx.flash("The note has been corrected.")
            return ctx.redirect("backoffice:case_notes", case_id=case.id)
    return _page(ctx, case, None, "backoffice/notes/note.html", form=form, note=note)


@officer_view(Permission.CASES)
def alert_remove(ctx: Ctx) -> Response:
    case = open_case(ctx)
    alert = _record(ctx, case, notes.Alert, "alert_id")
    form = ReasonForm(ctx.form, data={"version": alert.version})
    if ctx.is_post:
        assert ctx.user is not None
        removed = ctx.attempt(
            notes.remove_alert,
            Actor.officer(ctx.user),
            ctx.user,
            alert,
            reason=form.reason.data or "",
            expected_version=parse_id(form.version.data or "") or 0,
        )
        if removed:
            ctx.flash(f"The alert “{alert.alert_type}” has been removed.")
            return ctx.redirect("backoffice:case_notes", case_id=case.id)
    return _page(ctx, case, None, "backoffice/notes/remove_alert.html", form=form, alert=alert)


@officer_view(Permission.CASES)
def action_done(ctx: Ctx) -> Response:
    case = open_case(ctx)
    action = _record(ctx, case, notes.Action, "action_id")
    assert ctx.user is not None and ctx.form is not None
    done = ctx.attempt(
        notes.finish_action,
        Actor.officer(ctx.user),
        ctx.user,
        action,
        expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
    )
    if done:
        ctx.flash(f"Done: {action.what}.")
        return ctx.redirect("backoffice:case_notes", case_id=case.id)
    return _render_tab(ctx, case)


__all__ = [
    "action_done",
    "action_new",
    "alert_new",
    "alert_remove",
    "case_notes",
    "note_edit",
    "note_new",
]
