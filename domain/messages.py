"""Messages sent from a case (SPEC N2): an email or a text message to someone in the household,
from a template, checked and perhaps edited by the officer, then sent.

Sending writes the message, a history event on the case and the job that delivers it in the
caller's transaction: if that rolls back, nothing is sent. Emails go through the outbox
(`domain.outbox`, the same queue as the service's own emails); text messages through their own
job. Delivery (hearth.mail, hearth.notify) reports back through `mark_sent`, `mark_failed` and
`mark_delivered`: a message is queued, then sent, then (when the provider says so) delivered —
or failed, with the error, and may be sent again with `retry`.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history, jobs, outbox
from domain.base import Base, created_timestamp, intpk, one_of, str320, timestamp, utcnow
from domain.errors import Conflict, FieldErrors, NotFound, RuleBroken
from domain.history import SYSTEM, Actor
from domain.history_kinds import HistoryKind
from domain.identity import phone_key
from domain.message_templates import (
    BODY_MAX,
    CHANNELS,
    SMS_MAX,
    SUBJECT_MAX,
    Council,
    Merged,
    MessageTemplate,
    merge_data,
    merge_template,
)
from domain.models import Case, Person, User
from domain.security import OutboxEmail
from domain.strands import Strand

STATUSES = {"queued": "Queued", "sent": "Sent", "delivered": "Delivered", "failed": "Failed"}
SMS_JOB = "message.send_sms"
POLL_JOB = "message.poll"
OUTBOX_KIND = "message"  # the outbox kind of an email written by an officer from a case
MOBILE = re.compile(r"^07\d{9}$")


class Message(Base):
    __tablename__ = "message"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("message_template.id", ondelete="SET NULL")
    )
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_email.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(10))
    to_address: Mapped[str320]
    subject: Mapped[str | None] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(20))  # smtp, notify, folder
    provider_id: Mapped[str | None] = mapped_column(String(64))  # e.g. Notify's notification id
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created_timestamp]
    sent_at: Mapped[timestamp | None]
    status_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    sent_by: Mapped[User] = relationship()
    person: Mapped[Person | None] = relationship()
    strand: Mapped[Strand | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint(one_of("status", STATUSES), name="status_known"),
        Index("ix_message_case_id_created_at_id", "case_id", "created_at", "id"),
        Index("ix_message_outbox_id", "outbox_id"),
    )

    kind = "message"

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]


def mobile_number(person: Person) -> str | None:
    """The person's UK mobile number (07…, 11 digits) if their phone is one, else None."""
    key = phone_key(person.phone)
    return key if key and MOBILE.match(key) else None


def address_for(person: Person, channel: str) -> str | None:
    return person.email if channel == "email" else mobile_number(person)


def recipients(case: Case, channel: str, today: dt.date) -> list[Person]:
    """The household members today who can be sent a message on `channel`."""
    return [
        cp.person
        for cp in case.people
        if cp.is_member_on(today) and address_for(cp.person, channel)
    ]


def _on_case(session: Session, case: Case, person_id: int | None, today: dt.date) -> Person | None:
    link = next((cp for cp in case.people if cp.person_id == person_id), None)
    return link.person if link is not None and link.is_member_on(today) else None


def _strand(session: Session, case: Case, strand_id: int | None) -> Strand | None:
    if not strand_id:
        return None
    strand = session.get(Strand, strand_id)
    if strand is None or strand.case_id != case.id:
        raise RuleBroken("Choose an application or assessment on this case", field="strand")
    return strand


def draft(
    session: Session,
    case: Case,
    template: MessageTemplate,
    *,
    person_id: int | None,
    strand_id: int | None,
    officer: User,
    council: Council,
    today: dt.date,
) -> Merged:
    """The template merged for this recipient (and application), for the officer to check."""
    person = _on_case(session, case, person_id, today)
    if person is None or not address_for(person, template.channel):
        raise RuleBroken(_choose_recipient(template.channel), field="recipient")
    strand = _strand(session, case, strand_id)
    return merge_template(template, merge_data(case, person, strand, officer, council))


def _choose_recipient(channel: str) -> str:
    if channel == "email":
        return "Choose someone in the household with an email address"
    return "Choose someone in the household with a mobile number"


def send(
    session: Session,
    actor: Actor,
    officer: User,
    case: Case,
    template: MessageTemplate,
    *,
    person_id: int | None,
    strand_id: int | None,
    subject: str,
    body: str,
    today: dt.date,
) -> Message:
    """Send the officer's (perhaps edited) message: write it, its history and its delivery."""
    errors: dict[str, str] = {}
    person = _on_case(session, case, person_id, today)
    to = address_for(person, template.channel) if person is not None else None
    if person is None or not to:
        errors["recipient"] = _choose_recipient(template.channel)
    try:
        strand = _strand(session, case, strand_id)
    except RuleBroken as refusal:
        errors["strand"], strand = refusal.message, None
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if template.channel == "email":
        if not subject:
            errors["subject"] = "Enter the subject of the email"
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
    limit = SMS_MAX if template.channel == "sms" else BODY_MAX
    if not body:
        errors["body"] = "Enter the message"
    elif len(body) > limit:
        errors["body"] = f"The message must be {limit:,} characters or fewer"
    if errors:
        raise FieldErrors(errors)
    assert person is not None and to is not None
    message = Message(
        case_id=case.id,
        person_id=person.id,
        strand_id=strand.id if strand is not None else None,
        template_id=template.id,
        channel=template.channel,
        to_address=to,
        subject=subject if template.channel == "email" else None,
        body=body,
        sent_by_id=officer.id,
    )
    session.add(message)
    session.flush()
    _deliver(session, message)
    history.record(
        session,
        actor,
        HistoryKind.MESSAGE_SENT,
        f"{template.channel_label} “{template.name}” sent to {person.full_name} ({to})",
        case_id=case.id,
        person_id=person.id,
        after={
            "message": message.id,
            "channel": message.channel,
            "to": to,
            "subject": message.subject,
            "body": body,
        },
    )
    return message


def _deliver(session: Session, message: Message) -> None:
    """Queue the delivery: an email into the outbox, a text message as a job of its own."""
    if message.channel == "email":
        email = outbox.queue_email(
            session,
            to=message.to_address,
            subject=message.subject or "",
            body=message.body,
            kind=OUTBOX_KIND,
            case_id=message.case_id,
        )
        message.outbox_id = email.id
    else:
        jobs.enqueue(session, SMS_JOB, {"message_id": message.id}, max_attempts=1)


def retry(session: Session, actor: Actor, message: Message, *, expected_version: int) -> Message:
    """Send a failed message again, as it was written."""
    if message.status != "failed":
        raise RuleBroken("Only a message that failed can be sent again", field="message")
    if message.version != expected_version:
        raise Conflict("The message has changed since you looked at it: reload the page")
    message.status, message.error, message.status_at = "queued", None, utcnow()
    message.provider = message.provider_id = None
    if message.channel == "email" and message.outbox_id is not None:
        email = session.get(OutboxEmail, message.outbox_id)
        if email is not None:
            email.status, email.last_error = "queued", None
            jobs.enqueue(session, outbox.SEND_JOB, {"outbox_id": email.id}, max_attempts=5)
        else:
            _deliver(session, message)
    else:
        _deliver(session, message)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.MESSAGE_RETRIED,
        f"{message.channel_label} to {message.to_address} sent again",
        case_id=message.case_id,
        person_id=message.person_id,
        after={"message": message.id},
    )
    return message


# --- what delivery reports ------------------------------------------------------------------


def for_outbox(session: Session, outbox_id: int) -> Message | None:
    return session.scalars(select(Message).where(Message.outbox_id == outbox_id)).first()


def get(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound("There is no such message")
    return message


def mark_sent(
    session: Session, message: Message, *, provider: str, provider_id: str | None = None
) -> None:
    message.attempts += 1
    message.status, message.error = "sent", None
    message.provider, message.provider_id = provider, provider_id
    message.sent_at = message.status_at = utcnow()
    session.flush()


def mark_delivered(session: Session, message: Message) -> None:
    message.status, message.status_at = "delivered", utcnow()
    session.flush()


def mark_failed(session: Session, message: Message, error: str, *, attempted: bool = True) -> None:
    """The provider refused the message, or said it could not be delivered."""
    if attempted:
        message.attempts += 1
    message.status, message.error, message.status_at = "failed", error[:2000], utcnow()
    session.flush()
    history.record(
        session,
        SYSTEM,
        HistoryKind.MESSAGE_FAILED,
        f"{message.channel_label} to {message.to_address} failed: {error[:200]}",
        case_id=message.case_id,
        person_id=message.person_id,
        after={"message": message.id, "error": error[:2000]},
    )


__all__ = [
    "MOBILE",
    "OUTBOX_KIND",
    "POLL_JOB",
    "SMS_JOB",
    "STATUSES",
    "Message",
    "address_for",
    "draft",
    "for_outbox",
    "get",
    "mark_delivered",
    "mark_failed",
    "mark_sent",
    "mobile_number",
    "recipients",
    "retry",
    "send",
]
