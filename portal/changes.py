"""Reporting changes on the portal: choose what changed, answer its questions (with evidence
files), check your answers, submit; then follow every change until an officer decides it.

A draft lives in the session between pages. Submitting carries an idempotency key, so a double
tap or a refresh makes one change, not two.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import InputRequired

from changes import engine, evidence
from changes.engine import AlreadyDecided, ChangeConflict
from changes.kinds import KINDS, FieldErrors, Kind
from domain.access import applicant_case
from domain.errors import RuleBroken
from domain.models import Case, Person
from domain.pending import EvidenceFile, PendingChange
from hearth.downloads import evidence_response, files_folder
from hearth.web import Ctx, applicant_view

DRAFT_KEY = "change_draft"


class ChooseForm(Form):
    kind = RadioField(
        choices=[SelectChoice(k.code, k.title) for k in KINDS.values()],
        validators=[InputRequired("Choose what has changed")],
    )


def _case_and_person(ctx: Ctx) -> tuple[Case, Person]:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None or ctx.account.person is None:
        raise HTTPException(404, "Link your account to your case first.")
    return case, ctx.account.person


def _kind(ctx: Ctx) -> Kind:
    kind = KINDS.get(ctx.request.path_params["kind"])
    if kind is None:
        raise HTTPException(404)
    return kind


def _draft(ctx: Ctx, kind: Kind) -> dict[str, Any] | None:
    draft = ctx.request.session.get(DRAFT_KEY)
    if isinstance(draft, dict) and draft.get("kind") == kind.code:
        return draft
    return None


def _own_change(ctx: Ctx) -> PendingChange:
    assert ctx.account is not None
    change = ctx.db.get(PendingChange, ctx.request.path_params["change_id"])
    if change is None or change.submitted_by_account_id != ctx.account.id:
        raise HTTPException(404)
    return change


@applicant_view
def choose(ctx: Ctx) -> Response:
    _case_and_person(ctx)
    form = ChooseForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        return ctx.redirect("report_change_form", kind=form.kind.data)
    hints = {k.code: k.hint for k in KINDS.values()}
    return ctx.render(
        "portal/changes/choose.html",
        status_code=400 if form.errors else 200,
        form=form,
        hints=hints,
    )


def _uploads(ctx: Ctx) -> list[evidence.Upload]:
    if ctx.form is None:
        return []
    uploads = []
    limit = ctx.settings.max_upload_mb * 1024 * 1024
    for item in ctx.form.getlist("evidence"):
        if isinstance(item, UploadFile) and item.filename:
            # Read one byte past the limit: enough to refuse an oversized file.
            uploads.append(evidence.Upload(item.filename, item.file.read(limit + 1)))
    return uploads


@applicant_view
def change_form(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case, person = _case_and_person(ctx)
    kind = _kind(ctx)
    draft = _draft(ctx, kind)
    initial = kind.initial(case, person, ctx.today)
    form = kind.form_class(ctx.form, data=_form_data(draft["payload"]) if draft else initial)
    kind.prepare(form, case, person, ctx.today)
    file_problem = None
    if ctx.request.method == "POST":
        uploads = _uploads(ctx)
        limit = ctx.settings.max_upload_mb * 1024 * 1024
        try:
            for upload in uploads:
                evidence.check(upload, limit)
        except RuleBroken as exc:
            file_problem = str(exc)
        existing_files = list(draft["files"]) if draft else []
        if len(existing_files) + len(uploads) > evidence.MAX_FILES_PER_CHANGE:
            file_problem = f"Send {evidence.MAX_FILES_PER_CHANGE} files or fewer with one change"
        if form.validate() and file_problem is None:
            try:
                payload = kind.clean(ctx.db, case, person, form, ctx.today)
            except FieldErrors as exc:
                for name, message in exc.errors.items():
                    field = getattr(form, name)
                    field.errors = [*field.errors, message]
            else:
                stored = [
                    evidence.store(
                        ctx.db,
                        _files_folder(ctx),
                        upload,
                        case_id=case.id,
                        max_bytes=limit,
                        account_id=ctx.account.id,
                    ).id
                    for upload in uploads
                ]
                ctx.request.session[DRAFT_KEY] = {
                    "kind": kind.code,
                    "payload": payload,
                    "files": existing_files + stored,
                    "key": draft["key"] if draft else uuid.uuid4().hex,
                }
                return ctx.redirect("report_change_check", kind=kind.code)
    errors = bool(form.errors) or file_problem is not None
    return ctx.render(
        "portal/changes/form.html",
        status_code=400 if errors else 200,
        form=form,
        kind=kind,
        file_problem=file_problem,
        has_errors=errors,
        max_mb=ctx.settings.max_upload_mb,
    )


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn a stored payload back into form data (ISO dates back into dates)."""
    import datetime as dt

    data: dict[str, Any] = {}
    for key, value in payload.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                data[key] = dt.date.fromisoformat(value)
                continue
            except ValueError:
                pass
        data[key] = str(value) if isinstance(value, int) else value
    return data


def _files_folder(ctx: Ctx) -> Any:
    return files_folder(ctx.settings)


@applicant_view
def check(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case, _person = _case_and_person(ctx)
    kind = _kind(ctx)
    draft = _draft(ctx, kind)
    posted_key = ctx.form.get("key") if ctx.form else None
    if ctx.request.method == "POST" and isinstance(posted_key, str):
        already = ctx.db.scalar(
            select(PendingChange).where(PendingChange.idempotency_key == posted_key)
        )
        if already is not None and already.submitted_by_account_id == ctx.account.id:
            ctx.request.session.pop(DRAFT_KEY, None)
            return ctx.redirect("change_confirmation", change_id=already.id)
    if draft is None:
        return ctx.redirect("report_change_form", kind=kind.code)
    files = [ctx.db.get(EvidenceFile, i) for i in draft["files"]]
    problem = None
    if ctx.request.method == "POST":
        try:
            change = engine.submit(
                ctx.db,
                ctx.account,
                case,
                kind.code,
                draft["payload"],
                idempotency_key=str(draft["key"]),
                today=ctx.today,
                file_ids=list(draft["files"]),
            )
        except ChangeConflict as exc:
            problem = str(exc)
        else:
            ctx.request.session.pop(DRAFT_KEY, None)
            return ctx.redirect("change_confirmation", change_id=change.id)
    return ctx.render(
        "portal/changes/check.html",
        status_code=400 if problem else 200,
        kind=kind,
        answers=kind.answers(case, draft["payload"]),
        files=[f for f in files if f is not None],
        key=draft["key"],
        problem=problem,
    )


@applicant_view
def confirmation(ctx: Ctx) -> Response:
    change = _own_change(ctx)
    return ctx.render("portal/changes/confirmation.html", change=change)


@applicant_view
def your_changes(ctx: Ctx) -> Response:
    assert ctx.account is not None
    changes = engine.changes_by_account(ctx.db, ctx.account.id)
    return ctx.render(
        "portal/changes/list.html",
        changes=changes,
        describe=lambda c: KINDS[c.kind].describe(c.case, c.payload),
        flash=ctx.request.session.pop("flash", None),
    )


@applicant_view
def change_detail(ctx: Ctx) -> Response:
    change = _own_change(ctx)
    kind = KINDS[change.kind]
    return ctx.render(
        "portal/changes/detail.html",
        change=change,
        kind=kind,
        answers=kind.answers(change.case, change.payload),
    )


@applicant_view
def withdraw(ctx: Ctx) -> Response:
    assert ctx.account is not None
    change = _own_change(ctx)
    kind = KINDS[change.kind]
    problem = None
    if ctx.request.method == "POST":
        try:
            engine.withdraw(ctx.db, ctx.account, change)
        except AlreadyDecided as exc:
            problem = str(exc)
        else:
            ctx.request.session["flash"] = f"You have withdrawn change {change.reference}."
            return ctx.redirect("your_changes")
    return ctx.render(
        "portal/changes/withdraw.html",
        status_code=409 if problem else 200,
        change=change,
        description=kind.describe(change.case, change.payload),
        problem=problem,
    )


@applicant_view
def change_file(ctx: Ctx) -> Response:
    """An evidence file, for the applicant who sent it."""
    assert ctx.account is not None
    record = ctx.db.get(EvidenceFile, ctx.request.path_params["file_id"])
    if (
        record is None
        or record.uploaded_by_account_id != ctx.account.id
        or record.change_id != ctx.request.path_params["change_id"]
    ):
        raise HTTPException(404)
    return evidence_response(ctx.settings, record)
