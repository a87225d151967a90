"""The case's Export tab (SPEC X3): case exports (a zip of everything on the case) and activity
exports (a zip with a spreadsheet of who opened what and did what on it), each asked for here,
made in the background with its progress shown (htmx polls while one is being made; without
JavaScript, a link to look again), listed with its state and downloadable until it expires.

Rules (who may ask and download, one of a kind at a time) are in `domain.case_export`.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response

from backoffice.cases import open_case, render_case_page
from domain import case_export, exports
from domain.history import Actor
from domain.models import Case
from domain.vocab import Permission
from web.context import Ctx
from web.downloads import attachment
from web.views import officer_view

POLL_SECONDS = 2


def _page(ctx: Ctx, case: Case, status_code: int | None = None) -> Response:
    assert ctx.user is not None
    made = {
        kind: case_export.for_case(ctx.db, case.id, kind)
        for kind in (exports.CASE, exports.ACTIVITY)
    }
    busy = any(
        e.state in (exports.QUEUED, exports.RUNNING) for found in made.values() for e in found
    )
    context: dict[str, Any] = {
        "made": made,
        "poll": POLL_SECONDS if busy else None,
        "can_export": ctx.user.can(Permission.EXPORT),
        "can_export_activity": ctx.user.can(Permission.EXPORT) and ctx.user.can(Permission.ADMIN),
    }
    if ctx.request.headers.get("HX-Request") == "true" and ctx.query.get("poll"):
        return ctx.render("backoffice/case/_exports.html", case=case, **context)
    return render_case_page(
        ctx,
        "backoffice/case/exports.html",
        case,
        status_code=status_code,
        active="export",
        **context,
    )


@officer_view(Permission.CASES)
def case_exports(ctx: Ctx) -> Response:
    return _page(ctx, open_case(ctx))


@officer_view(Permission.EXPORT, also=(Permission.CASES,))
def request_export(ctx: Ctx) -> Response:
    assert ctx.user is not None and ctx.form is not None
    case = open_case(ctx)
    kind = str(ctx.form.get("kind") or "")
    made = ctx.attempt(case_export.request, Actor.officer(ctx.user), ctx.user, case, kind)
    if made:
        ctx.flash(
            f"{case_export.KIND_WORDS[kind]} asked for. It is being made: this page shows how "
            "it is going, and you can download it here when it is ready."
        )
        return ctx.redirect("backoffice:case_exports", case_id=case.id)
    return _page(ctx, case, status_code=400)


@officer_view(Permission.EXPORT, also=(Permission.CASES,))
def download_export(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = open_case(ctx)
    export = case_export.get_for_case(
        ctx.db, ctx.user, case.id, int(ctx.request.path_params["export_id"])
    )
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


__all__ = ["case_exports", "download_export", "request_export"]
