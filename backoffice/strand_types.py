"""Admin: the application and assessment types, and the tasks a case itself sets going. The shipped
ones are listed (read only); a council adds and edits its own as TOML definitions, checked on
saving with errors that name the type and the field (`domain.strands.council_types`). A saved type
is offered on every case at once in this process and within seconds in the others."""

from __future__ import annotations

from starlette.responses import Response

from domain import case_tasks
from domain.history import Actor
from domain.ids import parse_id
from domain.strands import STRAND_TYPES, council_types
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view


@officer_view(Permission.ADMIN)
def strand_types(ctx: Ctx) -> Response:
    rows = {row.code: row for row in council_types.definitions(ctx.db)}
    return ctx.render(
        "backoffice/admin/strand_types.html",
        types=sorted(STRAND_TYPES.values(), key=lambda t: (t.source != "council", t.name)),
        rows=rows,
    )


@officer_view(Permission.ADMIN)
def strand_type_new(ctx: Ctx) -> Response:
    text = council_types.TEMPLATE
    if ctx.form is not None:
        assert ctx.user is not None
        text = str(ctx.form.get("definition") or "")
        saved = ctx.attempt(council_types.save, Actor.officer(ctx.user), text)
        if saved:
            ctx.flash(f"{saved.result.name} ({saved.result.prefix}) can now be added to cases.")
            return ctx.redirect("backoffice:admin_strand_types")
    return ctx.render("backoffice/admin/strand_type.html", row=None, text=text, version=None)


@officer_view(Permission.ADMIN)
def strand_type_edit(ctx: Ctx) -> Response:
    row = council_types.get(ctx.db, str(ctx.request.path_params["code"]))
    text, version = row.definition, row.version
    if ctx.form is not None:
        assert ctx.user is not None
        text = str(ctx.form.get("definition") or "")
        version = parse_id(str(ctx.form.get("version") or "")) or 0
        saved = ctx.attempt(
            council_types.save,
            Actor.officer(ctx.user),
            text,
            code=row.code,
            expected_version=version,
        )
        if saved:
            ctx.flash(f"{saved.result.name} saved.")
            return ctx.redirect("backoffice:admin_strand_types")
    return ctx.render("backoffice/admin/strand_type.html", row=row, text=text, version=version)


@officer_view(Permission.ADMIN)
def case_task_template(ctx: Ctx) -> Response:
    """The council's case task template (`domain.case_tasks`): what opening a case sets going."""
    text, version = case_tasks.text(ctx.db), case_tasks.version(ctx.db)
    if ctx.form is not None:
        assert ctx.user is not None
        text = str(ctx.form.get("definition") or "")
        version = parse_id(str(ctx.form.get("version") or "")) or 0
        saved = ctx.attempt(
            case_tasks.save, Actor.officer(ctx.user), text, expected_version=version
        )
        if saved:
            n = saved.result
            ctx.flash(
                f"Saved: cases opened from now on get {n} task{'' if n == 1 else 's'}."
                if n
                else "Saved: cases opened from now on get no tasks of their own."
            )
            return ctx.redirect("backoffice:admin_case_tasks")
    return ctx.render(
        "backoffice/admin/case_tasks.html",
        text=text,
        version=version,
        templates=case_tasks.templates(ctx.db),
        example=case_tasks.EXAMPLE,
    )
