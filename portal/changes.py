"""Reporting changes on the portal: choose what changed, answer its questions (with evidence
files), check your answers, send; then follow every change until an officer decides it.

The answers live in a server-side draft between pages (changes.drafting); the session names it.
Sending carries the draft's idempotency key, so a double tap or a refresh makes one change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, RadioField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import InputRequired

from changes import drafting, engine
from changes.kinds import KINDS, Kind
from domain import files
from domain.access import applicant_case, closed_case
from domain.ids import parse_id
from domain.models import Case, Person
from domain.pending import ChangeStatus, EvidenceFile, PendingChange
from web.context import Ctx
from web.downloads import attachment
from web.views import applicant_view

DRAFT_KEY = "change_draft"


class ChooseForm(Form):
    kind = RadioField(
        choices=[SelectChoice(k.code, k.title) for k in KINDS.values()],
        validators=[InputRequired("Choose what has changed")],
    )


def _no_case(ctx: Ctx) -> Response:
    """Where an applicant with no active case goes: told their case is closed (Your case says
    so), or asked to link one."""
    assert ctx.account is not None
    if closed_case(ctx.db, ctx.account) is not None:
        return ctx.redirect("your_case")
    return ctx.redirect("link_case")


def _case_and_person(ctx: Ctx) -> tuple[Case, Person] | None:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None or ctx.account.person is None:
        return None
    return case, ctx.account.person


def _kind(ctx: Ctx) -> Kind:
    kind = KINDS.get(ctx.request.path_params["kind"])
    if kind is None:
        raise HTTPException(404)
    return kind


def _draft(ctx: Ctx) -> drafting.Draft | None:
    assert ctx.account is not None
    return drafting.find(ctx.db, ctx.request.session.get(DRAFT_KEY), ctx.account)


def _own_change(ctx: Ctx) -> PendingChange:
    assert ctx.account is not None
    change = ctx.db.get(PendingChange, ctx.request.path_params["change_id"])
    if change is None or change.submitted_by_account_id != ctx.account.id:
        raise HTTPException(404)
    return change


@applicant_view
def choose(ctx: Ctx) -> Response:
    if _case_and_person(ctx) is None:
        return _no_case(ctx)
    form = ChooseForm(ctx.form)
    if ctx.is_post and form.validate():
        return ctx.redirect("report_change_form", kind=form.kind.data)
    hints = {k.code: k.hint for k in KINDS.values()}
    return ctx.render("portal/changes/choose.html", form=form, hints=hints)


def _uploads(ctx: Ctx) -> list[files.Upload]:
    if ctx.form is None:
        return []
    uploads = []
    for item in ctx.form.getlist("evidence"):
        if isinstance(item, UploadFile) and item.filename:
            uploads.append(files.Upload(item.filename, item.file))
    return uploads


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn a stored payload back into form data (ISO dates back into dates)."""
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


@applicant_view
def change_form(ctx: Ctx) -> Response:
    assert ctx.account is not None
    found = _case_and_person(ctx)
    if found is None:
        return _no_case(ctx)
    case, person = found
    kind = _kind(ctx)
    draft = _draft(ctx)
    if draft is not None and draft.kind == kind.code:
        data = _form_data(draft.payload)
    else:
        data = kind.initial(case, person, ctx.today)
    form = kind.form_class(ctx.form, data=data)
    kind.prepare(form, case, person, ctx.today)
    ctx.offers_field_checks = True
    if ctx.checking:  # a field was left: show what is wrong so far, keep nothing
        ctx.attempt(drafting.check, case, person, kind, form, today=ctx.today)
    elif ctx.is_post:
        kept = ctx.attempt(
            drafting.keep,
            ctx.account,
            case,
            person,
            kind,
            form,
            _uploads(ctx),
            draft=draft,
            today=ctx.today,
            files=ctx.files,
            max_bytes=ctx.settings.max_upload_mb * 1024 * 1024,
        )
        if kept:
            ctx.request.session[DRAFT_KEY] = kept.result.id
            return ctx.redirect("report_change_check", kind=kind.code)
    return ctx.render(
        "portal/changes/form.html", form=form, kind=kind, max_mb=ctx.settings.max_upload_mb
    )


@applicant_view
def check(ctx: Ctx) -> Response:
    assert ctx.account is not None
    found = _case_and_person(ctx)
    if found is None:
        return _no_case(ctx)
    case, _person = found
    kind = _kind(ctx)
    if ctx.is_post:
        already = drafting.sent_already(ctx.db, ctx.account, ctx.form.get("key"))
        if already is not None:  # a second tap, or a refresh after sending
            return ctx.redirect("change_confirmation", change_id=already.id)
    draft = _draft(ctx)
    if draft is None or draft.kind != kind.code:
        return ctx.redirect("report_change_form", kind=kind.code)
    if ctx.is_post:
        sent = ctx.attempt(drafting.send, ctx.account, case, draft, today=ctx.today)
        if sent:
            ctx.request.session.pop(DRAFT_KEY, None)
            return ctx.redirect("change_confirmation", change_id=sent.result.id)
    return ctx.render(
        "portal/changes/check.html",
        kind=kind,
        answers=kind.answers(case, draft.payload),
        files=drafting.files_of(ctx.db, draft),
        key=draft.key,
    )


@applicant_view
def confirmation(ctx: Ctx) -> Response:
    change = _own_change(ctx)
    return ctx.render("portal/changes/confirmation.html", change=change)


@applicant_view
def your_changes(ctx: Ctx) -> Response:
    assert ctx.account is not None
    changes = engine.changes_by_account(ctx.db, ctx.account.id)
    # The list refreshes itself while changes wait (htmx, every POLL_SECONDS), naming the ones
    # it watched; any decided since are announced.
    watched = {i for i in (parse_id(p) for p in ctx.query.get("watching", "").split(",")[:50]) if i}
    decided = [c for c in changes if c.id in watched and c.status != ChangeStatus.PENDING]
    return ctx.render(
        "portal/changes/list.html",
        changes=changes,
        describe=lambda c: KINDS[c.kind].to_applicant(c.case, c.payload),
        waiting=[c.id for c in changes if c.status == ChangeStatus.PENDING],
        decided=decided,
        poll_seconds=POLL_SECONDS,
    )


POLL_SECONDS = 20


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
    if ctx.is_post:
        done = ctx.attempt(engine.withdraw, ctx.account, change)
        if done:
            ctx.flash(f"You have withdrawn change {change.reference}.")
            return ctx.redirect("your_changes")
    return ctx.render(
        "portal/changes/withdraw.html",
        change=change,
        description=kind.to_applicant(change.case, change.payload),
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
    files.record_download(ctx.db, record, account=ctx.account)
    return attachment(
        ctx.files,
        record.storage_key,
        content_type=record.content_type,
        filename=record.original_name,
        size=record.size,
    )
