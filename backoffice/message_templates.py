"""Admin: the templates of the emails and text messages officers send from a case. The edit page
lists the merge fields; saving refuses any other (rules in `domain.message_templates`); a
template is previewed with a real case before officers use it."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from wtforms import Form, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from domain import message_templates as mt
from domain.history import Actor
from domain.ids import parse_id
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TemplateForm(Form):
    channel = RadioField(
        choices=[SelectChoice(k, v) for k, v in mt.CHANNELS.items()], validate_choice=False
    )
    name = StringField(filters=[_strip])
    subject = StringField(filters=[_strip])
    body = TextAreaField()
    version = HiddenField()


class PreviewForm(Form):
    case = StringField(filters=[_strip])


def council(ctx: Ctx) -> mt.Council:
    """What `council.*` merge fields give, from the settings."""
    s = ctx.settings
    return mt.Council(name=s.council_name, phone=s.council_phone, service=s.service_name)


def _template(ctx: Ctx) -> mt.MessageTemplate:
    return mt.get(ctx.db, int(ctx.request.path_params["template_id"]))


@officer_view(Permission.ADMIN)
def message_templates(ctx: Ctx) -> Response:
    return ctx.render("backoffice/admin/message_templates.html", templates=mt.templates(ctx.db))


def _edit(ctx: Ctx, template: mt.MessageTemplate | None) -> Response:
    data = (
        {"channel": "email"}
        if template is None
        else {
            "channel": template.channel,
            "name": template.name,
            "subject": template.subject or "",
            "body": template.body,
            "version": template.version,
        }
    )
    form = TemplateForm(ctx.form, data=data)
    if ctx.is_post:
        assert ctx.user is not None
        saved = ctx.attempt(
            mt.save_template,
            Actor.officer(ctx.user),
            template=template,
            channel=form.channel.data or "",
            name=form.name.data or "",
            subject=form.subject.data or "",
            body=form.body.data or "",
            expected_version=parse_id(form.version.data or "") if template else None,
        )
        if saved:
            ctx.flash(f"The template “{saved.result.name}” has been saved.")
            return ctx.redirect("backoffice:admin_message_template", template_id=saved.result.id)
    return ctx.render(
        "backoffice/admin/message_template.html",
        form=form,
        message_template=template,
        fields=mt.MERGE_FIELDS,
        sms_max=mt.SMS_MAX,
    )


@officer_view(Permission.ADMIN)
def message_template_new(ctx: Ctx) -> Response:
    return _edit(ctx, None)


@officer_view(Permission.ADMIN)
def message_template_edit(ctx: Ctx) -> Response:
    return _edit(ctx, _template(ctx))


@officer_view(Permission.ADMIN)
def message_template_preview(ctx: Ctx) -> Response:
    """The template merged with a real case (a GET form: nothing is saved)."""
    template = _template(ctx)
    form = PreviewForm(data={"case": ctx.query.get("case") or ""})
    shown = None
    if form.case.data:
        assert ctx.user is not None
        merged = ctx.attempt(mt.preview, template, form.case.data, ctx.user, council(ctx))
        shown = merged.value if merged else None
    return ctx.render(
        "backoffice/admin/message_template_preview.html",
        form=form,
        message_template=template,
        case=shown[0] if shown else None,
        merged=shown[1] if shown else None,
    )


__all__ = [
    "council",
    "message_template_edit",
    "message_template_new",
    "message_template_preview",
    "message_templates",
]
