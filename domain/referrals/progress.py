"""The referrer's progress page and the emails that keep them told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from domain import workflows
from domain.accounts import Mailer
from domain.contact import call_the_council, help_tonight
from domain.errors import NotFound
from domain.outbox import queue_email
from domain.referrals.model import STATUS_LINK_MAX_AGE, STATUS_LINK_SALT, Referral
from domain.tokens import LinkInvalid, make_signed, read_signed

# --------------------------------------------------------------------------------------------
# The referrer's progress page and emails
# --------------------------------------------------------------------------------------------


def status_token(secret: str, referral: Referral) -> str:
    return make_signed(secret, STATUS_LINK_SALT, {"r": referral.id})


def referral_from_token(session: Session, secret: str, token: str) -> Referral:
    """Raises domain.tokens.LinkInvalid or LinkExpired, or NotFound if the referral is gone."""
    data = read_signed(secret, STATUS_LINK_SALT, token, STATUS_LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        raise LinkInvalid()
    referral = session.get(Referral, data["r"])
    if referral is None:
        raise NotFound("This referral is no longer held by the council.")
    return referral


@dataclass(frozen=True)
class Progress:
    """All the progress page shows: nothing beyond what the referrer sent."""

    reference: str
    self_referral: bool
    received_at: dt.datetime
    status: str
    updated_at: dt.datetime
    closed: bool
    closed_at: dt.datetime | None
    outcome: str | None


def progress(session: Session, referral: Referral) -> Progress:
    strand = referral.strand
    workflow = workflows.workflow_of(strand)
    last_move = session.scalar(
        select(func.max(workflows.StrandMove.moved_at)).where(
            workflows.StrandMove.strand_id == strand.id
        )
    )
    closed = not strand.is_open
    status = (
        workflow.status(strand.status).public_label
        if strand.status in {s.label for s in workflow.statuses}
        else "Closed"
    )
    return Progress(
        reference=strand.reference,
        self_referral=referral.is_self_referral,
        received_at=referral.submitted_at,
        status=status,
        updated_at=last_move or referral.submitted_at,
        closed=closed,
        closed_at=strand.closed_at if closed else None,
        outcome=referral.outcome if closed else None,
    )


def _progress_lines(referral: Referral, mailer: Mailer) -> str:
    link = mailer.link("referral_status", status_token(mailer.secret, referral))
    return (
        "See the progress of this referral (its status, dates and outcome):\n\n"
        f"{link}\n\n"
        "The link works for 180 days. Anyone with it can see the referral's status, so do not "
        "forward this email.\n\n"
        f"To talk about the referral, {call_the_council(mailer.council_phone)} and give the "
        f"reference {referral.reference}."
    )


def _send_receipt(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    if referral.is_self_referral:
        opening = (
            f"{mailer.council_name} has received your request for help with housing.\n\n"
            f"Your reference is {reference}.\n\n"
            "A housing officer will contact you to talk about your situation and what help you "
            "can get."
        )
    else:
        opening = (
            f"{mailer.council_name} has received your homeless referral.\n\n"
            f"The reference is {reference}.\n\n"
            "A housing officer will acknowledge it, then contact the person you referred. We "
            "will email you when the referral has been processed and when it is closed."
        )
    urgent = help_tonight(
        mailer.council_phone, mailer.out_of_hours_phone, you=referral.is_self_referral
    )
    queue_email(
        session,
        to=to,
        subject=f"Referral {reference} received – {mailer.service_name}",
        body=f"{opening}\n\n{urgent}\n\n{_progress_lines(referral, mailer)}",
        kind="referral.receipt",
        case_id=referral.strand.case_id,
    )


def _send_update(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    whom = "you" if referral.is_self_referral else "the person you referred"
    queue_email(
        session,
        to=to,
        subject=f"Update on referral {reference} – {mailer.service_name}",
        body=(
            f"{mailer.council_name} has processed referral {reference}. A housing officer "
            f"will now contact {whom} to find out what help is needed.\n\n"
            f"{_progress_lines(referral, mailer)}"
        ),
        kind="referral.update",
        case_id=referral.strand.case_id,
    )


def _send_reopened(session: Session, referral: Referral, mailer: Mailer) -> None:
    """The referrer was told it was closed; now its status page says otherwise, so tell them."""
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    whom = "your situation" if referral.is_self_referral else "the person you referred"
    queue_email(
        session,
        to=to,
        subject=f"Referral {reference} reopened – {mailer.service_name}",
        body=(
            f"{mailer.council_name} has reopened referral {reference}, which we told you had "
            f"closed. A housing officer is looking at {whom} again, and we will email you when "
            "the referral closes.\n\n"
            f"{_progress_lines(referral, mailer)}"
        ),
        kind="referral.reopened",
        case_id=referral.strand.case_id,
    )


def _send_closed(session: Session, referral: Referral, mailer: Mailer) -> None:
    to = referral.contact_email
    if not to:
        return
    reference = referral.reference
    queue_email(
        session,
        to=to,
        subject=f"Referral {reference} closed – {mailer.service_name}",
        body=(
            f"{mailer.council_name} has closed referral {reference}.\n\n"
            f"Outcome: {referral.outcome or 'not recorded'}\n\n"
            f"{_progress_lines(referral, mailer)}"
        ),
        kind="referral.closed",
        case_id=referral.strand.case_id,
    )
