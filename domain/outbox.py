"""Outgoing email: written to the outbox in the transaction that causes it, sent by a job.

If the transaction rolls back, the email is never sent; if sending fails, the job retries.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain import jobs
from domain.security import OutboxEmail

SEND_JOB = "outbox.send"


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    kind: str,
    case_id: int | None = None,
) -> OutboxEmail:
    email = OutboxEmail(to_address=to, subject=subject, body_text=body, kind=kind, case_id=case_id)
    session.add(email)
    session.flush()
    jobs.enqueue(session, SEND_JOB, {"outbox_id": email.id}, max_attempts=5, flush=False)
    return email
