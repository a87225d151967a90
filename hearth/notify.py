"""GOV.UK Notify: text messages (and emails, when NOTIFY_EMAIL_TEMPLATE_ID is set) through the
official `notifications-python-client`, with one pass-through template per channel whose
personalisation is ((subject)) and ((body)) — the usual council set-up.

Without Notify, in the embedded default, a text message is written to a folder
(`<data dir>/sms`, shown on the developer mail page); in production it fails, saying which
settings are missing. After Notify accepts a message, a job asks it how the message went
(`get_notification_by_id`) until it is delivered or has failed.

These are the job handlers (declared in hearth.jobs); the rules — what a status means, what is
written to history, when to ask again — are in domain.messages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy.orm import Session

from domain import jobs, messages
from domain.base import utcnow
from domain.messages import Message
from web.settings import Settings

DELIVERED = "delivered"
# Notify's final failures, in words an officer can act on.
FAILURES = {
    "permanent-failure": "Notify could not deliver it: the number or address does not exist "
    "or has been blocked (permanent failure)",
    "temporary-failure": "Notify could not deliver it: the phone was off or the inbox was full "
    "for too long (temporary failure)",
    "technical-failure": "Notify had a technical failure and did not send it",
    "validation-failed": "Notify refused it: the content or the recipient is not valid",
    "failed": "Notify could not deliver it",
}
MAX_POLLS = 30


class NotifyNotConfigured(Exception):
    pass


def client(settings: Settings) -> NotificationsAPIClient:
    # (the client's functions carry no type annotations)
    return NotificationsAPIClient(  # type: ignore[no-untyped-call]
        settings.notify_api_key, base_url=settings.notify_base_url, timeout=30
    )


def describe(error: Exception) -> str:
    """A provider's error in one line for the officer (Notify's own message if it gave one)."""
    if isinstance(error, APIError):
        detail: Any = error.message
        if isinstance(detail, list):
            detail = "; ".join(
                str(item.get("message", item)) if isinstance(item, dict) else str(item)
                for item in detail
            )
        return f"GOV.UK Notify refused it ({error.status_code}): {detail}"
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def sms_folder(settings: Settings) -> Path:
    return settings.data_dir / "sms"


def send_sms(settings: Settings, message: Message) -> tuple[str, str | None]:
    """Send a text message; returns the provider and its id for the message."""
    if settings.notify_sms:
        answer = client(settings).send_sms_notification(  # type: ignore[no-untyped-call]
            phone_number=message.to_address,
            template_id=settings.notify_sms_template_id,
            personalisation={"body": message.body},
            reference=f"hearth-message-{message.id}",
        )
        return "notify", str(answer["id"])
    if not settings.embedded:
        raise NotifyNotConfigured(
            "Text messages need GOV.UK Notify: set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID"
        )
    folder = sms_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message.id:06d}.txt").write_text(f"To: {message.to_address}\n\n{message.body}\n")
    return "folder", None


def send_email(settings: Settings, to: str, subject: str, body: str, reference: str) -> str:
    """Send an email through Notify's pass-through email template; returns Notify's id."""
    answer = client(settings).send_email_notification(  # type: ignore[no-untyped-call]
        email_address=to,
        template_id=settings.notify_email_template_id,
        personalisation={"subject": subject, "body": body},
        reference=reference,
    )
    return str(answer["id"])


def send_sms_message(session: Session, payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Job handler for `message.send_sms`."""
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.status != "queued":
        return {"skipped": True}
    try:
        provider, provider_id = send_sms(ctx.settings, message)
    except Exception as error:  # any refusal or outage: recorded on the message for a retry
        messages.mark_failed(session, message, describe(error))
        return {"failed": describe(error)}
    messages.mark_sent(session, message, provider=provider, provider_id=provider_id)
    if provider == "notify":
        ask_later(session, message, 0)
    return {"sent_to": message.to_address, "provider": provider}


def ask_later(session: Session, message: Message, polls: int) -> None:
    """Queue the next question to Notify about the message (sooner at first, then less often)."""
    if polls >= MAX_POLLS:
        return
    wait = dt.timedelta(seconds=min(30 * 2**polls, 3600))
    jobs.enqueue(
        session,
        messages.POLL_JOB,
        {"message_id": message.id, "polls": polls + 1},
        run_after=utcnow() + wait,
    )


def poll_message(session: Session, payload: dict[str, Any], ctx: Any) -> dict[str, Any]:
    """Job handler for `message.poll`: ask Notify how the message went."""
    message = session.get(Message, int(payload["message_id"]))
    if message is None or message.status != "sent" or message.provider != "notify":
        return {"skipped": True}
    assert message.provider_id is not None
    answer = client(ctx.settings).get_notification_by_id(  # type: ignore[no-untyped-call]
        message.provider_id
    )
    status = str(answer["status"])
    if status == DELIVERED:
        messages.mark_delivered(session, message)
    elif status in FAILURES:
        messages.mark_failed(session, message, FAILURES[status], attempted=False)
    else:
        ask_later(session, message, int(payload.get("polls", 1)))
    return {"status": status}


__all__ = [
    "NotifyNotConfigured",
    "describe",
    "poll_message",
    "send_email",
    "send_sms",
    "send_sms_message",
    "sms_folder",
]
