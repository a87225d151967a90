"""The case's Files tab: every file on the case — evidence sent with portal changes (linked to
its change), officers' uploads and generated letters — newest first, a page at a time; upload
several at once; remove one with a reason. Downloads go through `queue.evidence_file`, which
checks access and records who downloaded what.

Rules (types by content, sizes, what a file may be linked to, removal) are in `domain.files`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, MultipleFileField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice.cases import open_case, render_case_page
from domain import files as file_rules
from domain import paging
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Case, Person, User
from domain.pending import EvidenceFile, FileDownload, PendingChange
from domain.strands import Strand, case_strands
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view

PAGE_SIZE = 25
SOURCES = {
    "portal": "Sent with portal changes",
    "officer": "Uploaded by officers",
    "letter": "Letters",
}
ORDER = (
    paging.SortKey(EvidenceFile.created_at, descending=True, kind=dt.datetime),
    paging.SortKey(EvidenceFile.id, descending=True),
)


@dataclass(frozen=True)
class FileRow:
    file: EvidenceFile
    officer: str | None  # who uploaded it (officers' uploads and letters)
    person: Person | None
    strand: Strand | None
    change: PendingChange | None
    downloads: int

    @property
    def type_name(self) -> str:
        return file_rules.TYPE_NAMES.get(self.file.content_type, self.file.content_type)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class UploadForm(Form):
    files = MultipleFileField()  # read by `_uploads`; here so its error leads the summary
    category = SelectField(
        choices=[SelectChoice("", "Choose")]
        + [SelectChoice(t, t) for t in file_rules.DOCUMENT_TYPES],
        validate_choice=False,
    )
    person = SelectField(choices=[], validate_choice=False)
    strand = SelectField(choices=[], validate_choice=False)
    description = TextAreaField(filters=[_strip])


class RemoveForm(Form):
    reason = TextAreaField(filters=[_strip])
    version = HiddenField()


@functools.cache
def _files_of_case(by_source: bool, by_person: bool) -> Any:
    """The statement of a page of a case's files with everything a row shows (the download
    count is a correlated count on the (file_id, downloaded_at) index), built once for each
    shape of filters: its values are parameters."""
    uploader = aliased(User)
    downloads = (
        select(func.count(FileDownload.id))
        .where(FileDownload.file_id == EvidenceFile.id)
        .scalar_subquery()
    )
    stmt = (
        select(EvidenceFile, uploader.name, Person, Strand, PendingChange, downloads)
        .outerjoin(uploader, uploader.id == EvidenceFile.uploaded_by_user_id)
        .outerjoin(Person, Person.id == EvidenceFile.person_id)
        .outerjoin(Strand, Strand.id == EvidenceFile.strand_id)
        .outerjoin(PendingChange, PendingChange.id == EvidenceFile.change_id)
        .where(EvidenceFile.case_id == bindparam("case_id"), EvidenceFile.removed_at.is_(None))
    )
    # Evidence uploaded for a change not yet sent stays with the applicant's draft.
    stmt = stmt.where((EvidenceFile.source != "portal") | EvidenceFile.change_id.is_not(None))
    if by_source:
        stmt = stmt.where(EvidenceFile.source == bindparam("source"))
    if by_person:
        stmt = stmt.where(EvidenceFile.person_id == bindparam("person_id"))
    return stmt


def _rows(
    ctx: Ctx, case: Case, *, source: str | None, person_id: int | None, after: str | None
) -> paging.Page[Any]:
    """One page of the case's files with everything a row shows, in one statement."""
    return paging.fetch(
        ctx.db,
        _files_of_case(source is not None, person_id is not None),
        ORDER,
        cursor=after,
        size=PAGE_SIZE,
        values_of=lambda row: (row[0].created_at, row[0].id),
        scalars=False,
        params={"case_id": case.id, "source": source, "person_id": person_id},
    )


@officer_view(Permission.CASES)
def case_files(ctx: Ctx) -> Response:
    case = open_case(ctx)
    people = sorted({cp.person_id: cp.person for cp in case.people}.values(), key=lambda p: p.id)
    source = ctx.query.get("source")
    source = source if source in SOURCES else None
    person_id = parse_id(ctx.query.get("person") or "")
    person_id = person_id if person_id in {p.id for p in people} else None
    after = ctx.query.get("after")
    page = _rows(ctx, case, source=source, person_id=person_id, after=after)
    rows = [FileRow(f, name, p, s, c, n) for f, name, p, s, c, n in page.rows]
    return render_case_page(
        ctx,
        "backoffice/case/files.html",
        case,
        active="files",
        rows=rows,
        next_cursor=page.next_cursor,
        paged=after is not None,
        sources=SOURCES,
        source=source,
        people=people,
        person_id=person_id,
    )


def _uploads(ctx: Ctx) -> list[file_rules.Upload]:
    if ctx.form is None:
        return []
    return [
        file_rules.Upload(item.filename, item.file)
        for item in ctx.form.getlist("files")
        if isinstance(item, UploadFile) and item.filename
    ]


def _strands(ctx: Ctx, case: Case) -> list[Strand]:
    return case_strands(ctx.db, case.id)


@officer_view(Permission.CASES)
def file_upload(ctx: Ctx) -> Response:
    case = open_case(ctx)
    form = UploadForm(ctx.form)
    form.person.choices = [SelectChoice("", "The whole household")] + [
        SelectChoice(str(cp.person_id), cp.person.full_name) for cp in case.people
    ]
    form.strand.choices = [SelectChoice("", "None in particular")] + [
        SelectChoice(str(s.id), f"{s.type.name} {s.reference}") for s in _strands(ctx, case)
    ]
    back = ctx.url_for("backoffice:case_files", case_id=case.id)
    if ctx.is_post:
        assert ctx.user is not None
        uploaded = ctx.attempt(
            file_rules.upload_to_case,
            ctx.files,
            Actor.officer(ctx.user),
            ctx.user,
            case,
            _uploads(ctx),
            category=form.category.data or "",
            description=form.description.data or "",
            person_id=parse_id(form.person.data or ""),
            strand_id=parse_id(form.strand.data or ""),
            max_bytes=ctx.settings.max_upload_mb * 1024 * 1024,
        )
        if uploaded:
            n = len(uploaded.result)
            ctx.flash(
                f"{uploaded.result[0].original_name} has been uploaded."
                if n == 1
                else f"{n} files have been uploaded."
            )
            return ctx.redirect_to(back)
    return render_case_page(
        ctx,
        "backoffice/files/upload.html",
        case,
        active="files",
        form=form,
        back=back,
        max_mb=ctx.settings.max_upload_mb,
        max_files=file_rules.MAX_FILES_AT_ONCE,
    )


@officer_view(Permission.CASES)
def file_remove(ctx: Ctx) -> Response:
    case = open_case(ctx)
    record = ctx.db.get(EvidenceFile, ctx.request.path_params["file_id"])
    if record is None or record.case_id != case.id or record.removed_at is not None:
        raise HTTPException(404)
    form = RemoveForm(ctx.form)
    back = ctx.url_for("backoffice:case_files", case_id=case.id)
    if ctx.is_post:
        assert ctx.user is not None
        removed = ctx.attempt(
            file_rules.remove,
            Actor.officer(ctx.user),
            ctx.user,
            record,
            reason=form.reason.data or "",
        )
        if removed:
            ctx.flash(f"{record.original_name} has been removed from the case’s files.")
            return ctx.redirect_to(back)
    return render_case_page(
        ctx, "backoffice/files/remove.html", case, active="files", form=form, file=record, back=back
    )


__all__ = ["case_files", "file_remove", "file_upload"]
