"""Evidence an officer asked for, answered from the portal: what, why and by when, and an upload
(no JavaScript needed). What the applicant sends goes into the case's files, linked to the
request, for the officer to accept or ask again."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain import evidence_requests as er
from domain import files
from domain.access import applicant_case
from web.context import Ctx
from web.views import applicant_view


def _uploads(ctx: Ctx) -> list[files.Upload]:
    if ctx.form is None:
        return []
    return [
        files.Upload(item.filename, item.file)
        for item in ctx.form.getlist("evidence")
        if isinstance(item, UploadFile) and item.filename
    ]


@applicant_view
def send_evidence(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    request = ctx.db.get(er.EvidenceRequest, ctx.request.path_params["request_id"])
    if case is None or request is None or request.case_id != case.id:
        raise HTTPException(404)
    if ctx.is_post:
        sent = ctx.attempt(
            er.send,
            ctx.files,
            ctx.account,
            request,
            _uploads(ctx),
            max_bytes=ctx.settings.max_upload_mb * 1024 * 1024,
        )
        if sent:
            count = len(sent.result)
            ctx.flash(
                f"Thank you. We have your {'file' if count == 1 else f'{count} files'} for "
                f"“{request.what}”. An officer will check {'it' if count == 1 else 'them'}."
            )
            return ctx.redirect("your_case")
    return ctx.render(
        "portal/case/evidence.html",
        asked=request,
        sent=er.files_of(ctx.db, [request.id])[request.id],
        max_mb=ctx.settings.max_upload_mb,
    )


__all__ = ["send_evidence"]
