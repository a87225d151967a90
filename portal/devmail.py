"""The developer mail page: in the embedded default, emails are not sent anywhere, so they are
shown here instead. The route only exists in embedded mode, and answers only a browser on this
machine (loopback): the emails hold password reset and confirmation links. Text messages sent
from cases (without GOV.UK Notify) are listed after the emails."""

from __future__ import annotations

import re

from markupsafe import Markup, escape
from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain.messages import Message
from domain.security import OutboxEmail
from web.context import Ctx
from web.views import portal_view

_URL = re.compile(r"https?://[^\s<>\"]+")


def linkify(text: str) -> Markup:
    escaped = str(escape(text))
    # Safe: the text is escaped first; only the links we add are markup.
    return Markup(  # noqa: S704
        _URL.sub(lambda m: f'<a class="govuk-link" href="{m.group(0)}">{m.group(0)}</a>', escaped)
    )


LOOPBACK = {"127.0.0.1", "::1"}


@portal_view
def dev_mail(ctx: Ctx) -> Response:
    if ctx.client_address not in LOOPBACK:
        raise HTTPException(404)
    emails = ctx.db.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(50)).all()
    texts = ctx.db.scalars(
        select(Message).where(Message.channel == "sms").order_by(Message.id.desc()).limit(50)
    ).all()
    return ctx.render("portal/dev_mail.html", emails=emails, texts=texts, linkify=linkify)
