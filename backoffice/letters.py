"""Letters: admins upload Word templates with merge fields (checked when saved, rules in
`domain.letters`); officers generate a letter from a case for someone in its household, and it
is kept as a case file (Files and Comms tabs)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import Response
from wtforms import FileField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice.cases import open_case, render_case_page
from backoffice.message_templates import council
from domain import files, letters
from domain.history import Actor
from domain.ids import parse_id
from domain.message_templates import MERGE_FIELDS
from domain.strands import case_strands
from domain.vocab import Permission
from web.context import Ctx
from web.downloads import attachment
from web.views import officer_view


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TemplateForm(Form):
    name = StringField(filters=[_strip])
    description = TextAreaField(filters=[_strip])
    file = FileField()  # read from the request by `_upload`
    version = HiddenField()


class LetterForm(Form):
    template = SelectField(choices=[], validate_choice=False)
    person = SelectField(choices=[], validate_choice=False)
    strand = SelectField(choices=[], validate_choice=False)


def _upload(ctx: Ctx) -> files.Upload | None:
    item = ctx.form.get("file") if ctx.form is not None else None
    if isinstance(item, UploadFile) and item.filename:
        return files.Upload(item.filename, item.file)
    return None


@officer_view(Permission.ADMIN)
def letter_templates(ctx: Ctx) -> Response:
    return ctx.render("backoffice/admin/letter_templates.html", templates=letters.templates(ctx.db))


def _edit(ctx: Ctx, template: letters.LetterTemplate | None) -> Response:
    data = (
        {}
        if template is None
        else {
            "name": template.name,
            "description": template.description or "",
            "version": template.version,
        }
    )
    form = TemplateForm(ctx.form, data=data)
    if ctx.is_post:
        assert ctx.user is not None
        saved = ctx.attempt(
            letters.save_template,
            ctx.files,
            Actor.officer(ctx.user),
            ctx.user,
            template=template,
            name=form.name.data or "",
            description=form.description.data or "",
            upload=_upload(ctx),
            expected_version=parse_id(form.version.data or "") if template else None,
        )
        if saved:
            ctx.flash(f"The letter “{saved.result.name}” has been saved.")
            return ctx.redirect("backoffice:admin_letter_templates")
    return ctx.render(
        "backoffice/admin/letter_template.html",
        form=form,
        letter_template=template,
        fields=MERGE_FIELDS,
    )


@officer_view(Permission.ADMIN)
def letter_template_new(ctx: Ctx) -> Response:
    return _edit(ctx, None)


@officer_view(Permission.ADMIN)
def letter_template_edit(ctx: Ctx) -> Response:
    return _edit(ctx, letters.get(ctx.db, int(ctx.request.path_params["template_id"])))


@officer_view(Permission.ADMIN)
def letter_template_file(ctx: Ctx) -> Response:
    """The Word document behind a template, for an admin to change and upload again."""
    template = letters.get(ctx.db, int(ctx.request.path_params["template_id"]))
    return attachment(
        ctx.files,
        template.storage_key,
        content_type=files.DOCX,
        filename=template.original_name,
        size=template.size,
    )


@officer_view(Permission.CASES)
def letter_new(ctx: Ctx) -> Response:
    case = open_case(ctx)
    form = LetterForm(ctx.form, data={"person": ctx.query.get("person") or ""})
    available = letters.templates(ctx.db, active_only=True)
    form.template.choices = [SelectChoice("", "Choose")] + [
        SelectChoice(str(t.id), t.name) for t in available
    ]
    form.person.choices = [SelectChoice("", "Choose")] + [
        SelectChoice(str(cp.person_id), cp.person.full_name)
        for cp in case.people
        if cp.date_left is None
    ]
    form.strand.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(s.id), f"{s.type.name} {s.reference}")
        for s in case_strands(ctx.db, case.id)
    ]
    if ctx.is_post:
        assert ctx.user is not None
        made = ctx.attempt(
            letters.generate,
            ctx.files,
            Actor.officer(ctx.user),
            ctx.user,
            case,
            template_id=parse_id(form.template.data or ""),
            person_id=parse_id(form.person.data or ""),
            strand_id=parse_id(form.strand.data or ""),
            council=council(ctx),
            make_pdf=bool(ctx.settings.letter_pdf_converter),
        )
        if made:
            ctx.flash(f"The letter {made.result.original_name} has been generated.")
            return ctx.redirect("backoffice:case_messages", case_id=case.id)
    return render_case_page(
        ctx,
        "backoffice/letters/new.html",
        case,
        active="comms",
        form=form,
        available=available,
        back=ctx.url_for("backoffice:case_messages", case_id=case.id),
    )


__all__ = [
    "letter_new",
    "letter_template_edit",
    "letter_template_file",
    "letter_template_new",
    "letter_templates",
]
