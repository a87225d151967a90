"""Messages on a case: the Comms tab (everything sent to the household, with how it went), sending
an email or a text message from a template (choose it and the recipient, check and perhaps change
the merged text, send), and sending a failed message again.

The rules — who can be sent what, merging, queuing the delivery — are in `domain.messages`.
"""

from __future__ import annotations

from starlette.responses import Response
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice import comms_queries as cq
from backoffice.cases import open_case, render_case_page
from backoffice.message_templates import council
from domain import message_templates as mt
from domain import messages
from domain.errors import NotFound
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Case
from domain.strands import Strand, case_strands
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view


class SendForm(Form):
    template = SelectField(choices=[], validate_choice=False)
    recipient = SelectField(choices=[], validate_choice=False)
    strand = SelectField(choices=[], validate_choice=False)
    subject = StringField()
    body = TextAreaField()


@officer_view(Permission.CASES)
def case_messages(ctx: Ctx) -> Response:
    case = open_case(ctx)
    page = cq.sent_on_case(ctx.db, case.id, after=ctx.query.get("after"))
    return render_case_page(
        ctx,
        "backoffice/case/comms.html",
        case,
        active="comms",
        rows=page.rows,
        next_cursor=page.next_cursor,
        paged=ctx.query.get("after") is not None,
    )


def _strands(ctx: Ctx, case: Case) -> list[Strand]:
    return case_strands(ctx.db, case.id)


@officer_view(Permission.CASES)
def message_new(ctx: Ctx) -> Response:
    """Choose a template and recipient (a GET form), see the merged message, change it, send."""
    case = open_case(ctx)
    assert ctx.user is not None
    form = SendForm(
        ctx.form,
        data={
            "template": ctx.query.get("template") or "",
            "recipient": ctx.query.get("recipient") or "",
            "strand": ctx.query.get("strand") or "",
        },
    )
    templates = mt.templates(ctx.db, active_only=True)
    template = next((t for t in templates if str(t.id) == form.template.data), None)
    form.template.choices = [SelectChoice("", "Choose a template")] + [
        SelectChoice(str(t.id), f"{t.name} ({t.channel_label.lower()})") for t in templates
    ]
    people = messages.recipients(case, template.channel, ctx.today) if template else []
    form.recipient.choices = [SelectChoice("", "Choose who it goes to")] + [
        SelectChoice(str(p.id), f"{p.full_name} ({messages.address_for(p, template.channel)})")
        for p in people
        if template is not None
    ]
    strands = _strands(ctx, case)
    form.strand.choices = [SelectChoice("", "None")] + [
        SelectChoice(str(s.id), f"{s.type.name} {s.reference}") for s in strands
    ]
    chosen = {
        "person_id": parse_id(form.recipient.data or ""),
        "strand_id": parse_id(form.strand.data or ""),
    }
    if ctx.is_post and template is not None:
        sent = ctx.attempt(
            messages.send,
            Actor.officer(ctx.user),
            ctx.user,
            case,
            template,
            subject=form.subject.data or "",
            body=form.body.data or "",
            today=ctx.today,
            **chosen,
        )
        if sent:
            ctx.flash(
                f"The {template.channel_label.lower()} to {sent.result.to_address} is on its way."
            )
            return ctx.redirect("backoffice:case_messages", case_id=case.id)
        drafted = True
    elif ctx.is_post:
        form.template.errors = ["Choose a template"]
        drafted = False
    elif template is not None and form.recipient.data:
        merged = ctx.attempt(
            messages.draft,
            case,
            template,
            officer=ctx.user,
            council=council(ctx),
            today=ctx.today,
            **chosen,
        )
        drafted = bool(merged)
        if merged:
            form.subject.data, form.body.data = merged.result.subject, merged.result.body
    else:
        drafted = False
    return render_case_page(
        ctx,
        "backoffice/messages/send.html",
        case,
        active="comms",
        form=form,
        message_template=template,
        drafted=drafted,
        no_templates=not templates,
        sms_max=mt.SMS_MAX,
    )


@officer_view(Permission.CASES)
def message_retry(ctx: Ctx) -> Response:
    case = open_case(ctx)
    message = messages.get(ctx.db, int(ctx.request.path_params["message_id"]))
    if message.case_id != case.id:
        raise NotFound("There is no such message on this case")
    assert ctx.user is not None and ctx.form is not None
    retried = ctx.attempt(
        messages.retry,
        Actor.officer(ctx.user),
        message,
        expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
    )
    if retried:
        ctx.flash(
            f"The {message.channel_label.lower()} to {message.to_address} will be sent again."
        )
        return ctx.redirect("backoffice:case_messages", case_id=case.id)
    page = cq.sent_on_case(ctx.db, case.id, after=None)
    return render_case_page(
        ctx,
        "backoffice/case/comms.html",
        case,
        active="comms",
        rows=page.rows,
        next_cursor=page.next_cursor,
        paged=False,
    )


__all__ = ["case_messages", "message_new", "message_retry"]
