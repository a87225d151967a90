"""Lists (SPEC X1, X2): the officer chooses the columns, filters and sort of a cases, case
officers or case people list (an ordinary GET form, so a list is a link and works without
JavaScript), pages through it, groups the officers list by officer (the workload), saves it as a
view of their own or for their team (and as their default), and — with Export — asks for it as a
spreadsheet, made in the background while the export's page shows its progress."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote_plus, urlencode

from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain import case_list, exports, lists
from domain.case_list import ListSpec
from domain.errors import NotFound
from domain.history import Actor
from domain.ids import parse_id
from domain.list_columns import DATE, NUMBER, OPERATOR_WORDS, Column
from domain.list_kinds import CASES, KINDS, OFFICERS, PEOPLE, kind_of
from domain.vocab import OfficerRole, Permission
from domain.workload_list import Workload, workload
from web.context import Ctx
from web.downloads import attachment
from web.views import officer_view

POLL_SECONDS = 2
ROUTES = {
    CASES: "backoffice:case_list",
    OFFICERS: "backoffice:officer_list",
    PEOPLE: "backoffice:people_list",
}
TABS = [(KINDS[k].title.removesuffix(" list"), k, ROUTES[k]) for k in (CASES, OFFICERS, PEOPLE)]


def _spec_json(spec: ListSpec) -> str:
    return json.dumps(spec.as_json(), separators=(",", ":"))


def _posted_spec(ctx: Ctx) -> ListSpec:
    assert ctx.form is not None
    try:
        return ListSpec.from_json(json.loads(str(ctx.form.get("spec") or "{}")))
    except ValueError:
        return ListSpec.standard(kind_of(str(ctx.form.get("kind") or "")).code)


def _grouped(columns: dict[str, Column]) -> list[tuple[str, list[Column]]]:
    groups: dict[str, list[Column]] = {}
    for column in columns.values():
        groups.setdefault(column.group, []).append(column)
    return list(groups.items())


def _page(
    ctx: Ctx,
    spec: ListSpec,
    *,
    view: lists.SavedList | None = None,
    run: bool = True,
    status_code: int | None = None,
) -> Response:
    assert ctx.user is not None
    after = ctx.query.get("after")
    kind = spec.list_kind
    known = kind.columns()
    result, groups_found, groups_next = None, None, None
    if run and not ctx.problems:
        if spec.grouped:
            grouped = workload(ctx.db, spec, ctx.today, after=after)
            groups_found, groups_next, problem = grouped.rows, grouped.next_cursor, grouped.problem
        else:
            result = case_list.run(ctx.db, spec, ctx.today, ctx.user, after=after)
            problem = result.problem
        if problem:
            ctx.problems.add(problem, "sort")
    query = [(k, v) for k, v in ctx.request.query_params.multi_items() if k != "after"]
    views, default = lists.views_and_default(ctx.db, ctx.user, kind.code)
    slots = list(spec.filters) + [None] * (case_list.MAX_FILTERS - len(spec.filters))
    columns = [known[c] for c in spec.columns if c in known]
    return ctx.render(
        "backoffice/lists/cases.html",
        status_code=status_code,
        spec=spec,
        spec_json=_spec_json(spec),
        kind=kind,
        list_route=ROUTES[kind.code],
        tabs=TABS,
        groups=_grouped(known),
        known=known,
        columns=columns,
        # Each cell's column as plain values, and the links' fixed parts, worked out once a
        # page rather than once a cell (a page has up to 25 × 12 of them).
        cells=[
            (c.key, c.kind == NUMBER, c.kind == DATE, c.key == "person:name")
            for c in columns
            if c.key != "reference"
        ],
        case_path=ctx.url_for("backoffice:case", case_id=1).removesuffix("1"),
        person_path=ctx.url_for("backoffice:person", person_id=1).removesuffix("1"),
        slots=slots,
        operator_words=OPERATOR_WORDS,
        result=result,
        workload=groups_found,
        workload_next=groups_next,
        officer_links=_officer_links(query, groups_found or []),
        roles=[r.value for r in OfficerRole],
        paged=after is not None,
        query=query,
        view=view,
        views=views,
        default=default,
        can_export=ctx.user.can(Permission.EXPORT),
        configure_open=bool(ctx.problems)
        or (not spec.filters and view is None)
        or bool(ctx.query.get("configure")),
        recent_exports=exports.mine(ctx.db, ctx.user, 5) if ctx.user.can(Permission.EXPORT) else [],
    )


def _officer_links(query: list[tuple[str, str]], found: list[Workload]) -> dict[int, str]:
    """Each officer's link on the workload: this list without grouping, filtered to them."""
    fixed = urlencode(
        [(k, v) for k, v in query if k != "group"]
        + [("filter-3-column", "officer:name"), ("filter-3-op", "equals")]
    )
    return {w.officer_id: f"?{fixed}&filter-3-value={quote_plus(w.officer)}" for w in found}


def _list_page(ctx: Ctx, kind: str) -> Response:
    assert ctx.user is not None
    view: lists.SavedList | None = None
    params = ctx.request.query_params
    if "column" in params or "sort" in params:
        spec, errors = case_list.spec_from_form(params, params.getlist, kind)
        for name, message in errors.items():
            ctx.problems.add(message, name)
        view_id = parse_id(params.get("view") or "")
        if view_id:
            view = _view_or_none(ctx, view_id)
            if view is not None and view.kind != kind:
                view = None
    elif params.get("view"):
        # (a view the officer may not open is "not found", answered 404 by officer_view)
        view = lists.view_for(ctx.db, ctx.user, parse_id(params.get("view") or "") or 0)
        if view.kind != kind:
            raise NotFound("There is no such list view")
        spec = view.list_spec
    else:
        view = lists.default_for(ctx.db, ctx.user, kind)
        spec = view.list_spec if view is not None else ListSpec.standard(kind)
    return _page(ctx, spec, view=view, status_code=400 if ctx.problems else None)


@officer_view(Permission.CASES)
def case_list_page(ctx: Ctx) -> Response:
    return _list_page(ctx, CASES)


@officer_view(Permission.CASES)
def officer_list_page(ctx: Ctx) -> Response:
    return _list_page(ctx, OFFICERS)


@officer_view(Permission.CASES)
def people_list_page(ctx: Ctx) -> Response:
    return _list_page(ctx, PEOPLE)


def _view_or_none(ctx: Ctx, view_id: int) -> lists.SavedList | None:
    assert ctx.user is not None
    return lists.find_view(ctx.db, ctx.user, view_id)


@officer_view(Permission.CASES)
def save_view(ctx: Ctx) -> Response:
    assert ctx.user is not None and ctx.form is not None
    spec = _posted_spec(ctx)
    over = parse_id(str(ctx.form.get("list_id") or "")) if ctx.form.get("over") == "yes" else None
    saved = ctx.attempt(
        lists.save_view,
        Actor.officer(ctx.user),
        ctx.user,
        spec,
        name=str(ctx.form.get("name") or ""),
        shared=ctx.form.get("shared") == "yes",
        make_default=ctx.form.get("default") == "yes",
        list_id=over,
        expected_version=parse_id(str(ctx.form.get("version") or "")),
    )
    if saved:
        ctx.flash(f"List “{saved.result.name}” saved.")
        return ctx.redirect(ROUTES[saved.result.kind], query={"view": str(saved.result.id)})
    view = _view_or_none(ctx, over) if over else None
    return _page(ctx, spec, view=view, status_code=400)


@officer_view(Permission.CASES)
def delete_view(ctx: Ctx) -> Response:
    assert ctx.user is not None
    deleted = ctx.attempt(
        lists.delete_view,
        Actor.officer(ctx.user),
        ctx.user,
        int(ctx.request.path_params["list_id"]),
    )
    if deleted:
        ctx.flash(f"List “{deleted.result}” deleted.")
    assert ctx.form is not None
    return ctx.redirect(ROUTES[kind_of(str(ctx.form.get("kind") or "")).code])


@officer_view(Permission.CASES)
def make_default(ctx: Ctx) -> Response:
    assert ctx.user is not None and ctx.form is not None
    view_id = parse_id(str(ctx.form.get("list_id") or ""))
    view = _view_or_none(ctx, view_id) if view_id else None
    kind = kind_of(view.kind if view else str(ctx.form.get("kind") or ""))
    done = ctx.attempt(lists.set_default, Actor.officer(ctx.user), ctx.user, view, kind.code)
    if done:
        ctx.flash(
            f"Your {kind.title.lower()} now opens with “{view.name}”."
            if view
            else f"Your {kind.title.lower()} now opens with the standard columns."
        )
    return ctx.redirect(ROUTES[kind.code])


@officer_view(Permission.EXPORT)
def export_list(ctx: Ctx) -> Response:
    assert ctx.user is not None and ctx.form is not None
    spec = _posted_spec(ctx)
    made = ctx.attempt(
        exports.request_list_export,
        Actor.officer(ctx.user),
        ctx.user,
        spec,
        name=str(ctx.form.get("name") or "Cases"),
        today=ctx.today,
    )
    if made:
        return ctx.redirect("backoffice:export", export_id=made.result.id)
    return _page(ctx, spec, run=False, status_code=400)


def _export(ctx: Ctx) -> exports.Export:
    assert ctx.user is not None
    return exports.get_own(ctx.db, ctx.user, int(ctx.request.path_params["export_id"]))


@officer_view(Permission.EXPORT)
def export_page(ctx: Ctx) -> Response:
    export = _export(ctx)
    expired = export.expires_at is not None and export.expires_at <= dt.datetime.now(dt.UTC)
    context: dict[str, Any] = {
        "export": export,
        "expired": expired or export.state == "expired",
        "poll": POLL_SECONDS if export.state in ("queued", "running") else None,
    }
    if ctx.request.headers.get("HX-Request") == "true" and ctx.query.get("poll"):
        return ctx.render("backoffice/lists/_export_status.html", **context)
    if export.case_id is not None:
        back = (
            ctx.url_for("backoffice:case_exports", case_id=export.case_id),
            "The case's exports",
        )
    else:
        kind = kind_of(str((export.spec or {}).get("kind") or ""))
        back = (ctx.url_for(ROUTES[kind.code]), kind.title)
    return ctx.render("backoffice/lists/export.html", back=back, **context)


@officer_view(Permission.EXPORT)
def export_download(ctx: Ctx) -> Response:
    assert ctx.user is not None
    export = _export(ctx)
    if not ctx.attempt(exports.record_download, Actor.officer(ctx.user), export):
        raise HTTPException(404)
    assert export.file_key is not None
    return attachment(
        ctx.files,
        export.file_key,
        content_type=export.content_type,
        filename=export.file_name,
        size=export.size,
    )


__all__ = [
    "case_list_page",
    "delete_view",
    "export_download",
    "export_list",
    "export_page",
    "make_default",
    "officer_list_page",
    "people_list_page",
    "save_view",
]
