"""Sending the outbox: over SMTP when configured (or through GOV.UK Notify when
NOTIFY_EMAIL_TEMPLATE_ID is set, see hearth.notify); in the embedded default, into a local folder
(shown on the developer mail page).

An email an officer sent from a case (a `domain.messages.Message`) reports back: sent, or failed
with the error — then it is not tried again by itself; the officer may retry it. The service's own
emails are tried again by the job (up to its attempts)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from domain import messages
from domain.models import utcnow
from domain.security import OutboxEmail
from hearth import notify
from web.settings import Settings


class MailNotConfigured(Exception):
    pass


def build_message(settings: Settings, email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((settings.council_name, settings.mail_from))
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Message-ID"] = make_msgid(domain=settings.mail_from.split("@")[-1])
    message.set_content(
        f"{email.body_text}\n\n--\n{settings.council_name}\n{settings.service_name}\n"
    )
    return message


def mail_folder(settings: Settings) -> Path:
    return settings.data_dir / "mail"


def deliver(settings: Settings, email: OutboxEmail) -> tuple[str, str | None]:
    """Send the email; returns the provider (smtp, notify, folder) and its id for it."""
    if settings.notify_email:
        return "notify", notify.send_email(
            settings, email.to_address, email.subject, email.body_text, f"hearth-email-{email.id}"
        )
    message = build_message(settings, email)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
        return "smtp", None
    if not settings.embedded:
        raise MailNotConfigured("SMTP_HOST is not set: production mode needs a mail server")
    folder = mail_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{email.id:06d}.eml").write_bytes(bytes(message))
    return "folder", None


def send_outbox_email(session: Session, payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Job handler for `outbox.send`."""
    email = session.get(OutboxEmail, int(payload["outbox_id"]))
    if email is None or email.status == "sent":
        return {"skipped": True}
    message = messages.for_outbox(session, email.id)
    try:
        provider, provider_id = deliver(ctx.settings, email)
    except Exception as error:
        if message is None:
            raise  # the service's own email: the job tries again
        email.attempts += 1
        email.status, email.last_error = "failed", notify.describe(error)
        messages.mark_failed(session, message, notify.describe(error))
        return {"failed": email.last_error}
    email.attempts += 1
    email.status = "sent"
    email.sent_at = utcnow()
    if message is not None:
        messages.mark_sent(session, message, provider=provider, provider_id=provider_id)
        if provider == "notify":
            notify.ask_later(session, message, 0)
    return {"sent_to": email.to_address, "provider": provider}
