"""Sending the outbox: over SMTP when configured; in the embedded default, into a local folder
(shown on the developer mail page)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from domain.models import utcnow
from domain.security import OutboxEmail
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


def deliver(settings: Settings, email: OutboxEmail) -> None:
    message = build_message(settings, email)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(message)
        return
    if not settings.embedded:
        raise MailNotConfigured("SMTP_HOST is not set: production mode needs a mail server")
    folder = mail_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{email.id:06d}.eml").write_bytes(bytes(message))


def send_outbox_email(session: Session, payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Job handler for `outbox.send`."""
    email = session.get(OutboxEmail, int(payload["outbox_id"]))
    if email is None or email.status == "sent":
        return {"skipped": True}
    email.attempts += 1
    deliver(ctx.settings, email)
    email.status = "sent"
    email.sent_at = utcnow()
    return {"sent_to": email.to_address}
