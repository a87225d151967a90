"""Every kind of background job, declared once: what runs it and, for recurring work, how the
day's run is queued.

Domain code stays free of the worker: each entry adapts a domain function to the worker's
(session, payload, context) call. `hearth worker` (or the web process's worker thread when
embedded) runs the handlers and, when it starts, queues each recurring job for today — at most
once a day, by the job's dedupe key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from changes import evidence
from domain import (
    activity,
    assessments,
    case_export,
    clock,
    drafts,
    exports,
    jobs,
    letters,
    messages,
    tasks,
    throttle,
)
from domain.clock import now
from domain.history import SYSTEM
from domain.outbox import SEND_JOB
from hearth import notify, work_digest
from hearth.export_jobs import (
    expire_exports,
    make_activity_export,
    make_case_export,
    make_list_export,
)
from hearth.letters_pdf import make_letter_pdf
from hearth.mail import send_outbox_email
from hearth.worker_context import JobContext
from web.storage import store_for

Handler = Callable[[Session, dict[str, Any], JobContext], dict[str, Any] | None]
Scheduler = Callable[[Session, dt.date], object]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    run: Handler
    daily: Scheduler | None = None  # queues the run for a day (None: queued by whoever needs it)
    about: str = ""
    # The handler opens its own short transactions on the session it is given (a long job that
    # reports progress); otherwise it runs inside one transaction the worker commits.
    own_transactions: bool = False


def _day(payload: dict[str, Any]) -> dt.date:
    """The day a daily job's run is for (today when run by hand)."""
    on = payload.get("on")
    return dt.date.fromisoformat(on) if isinstance(on, str) else clock.today()


def _daily(kind: str) -> Scheduler:
    return lambda session, on: jobs.enqueue_daily(session, kind, on)


JOBS: tuple[JobSpec, ...] = (
    JobSpec("noop", lambda s, p, c: {"echo": p.get("echo")}, about="checks a worker is alive"),
    JobSpec(SEND_JOB, send_outbox_email, about="sends an email from the outbox"),
    JobSpec(messages.SMS_JOB, notify.send_sms_message, about="sends a text message from a case"),
    JobSpec(
        messages.POLL_JOB,
        notify.poll_message,
        about="asks GOV.UK Notify whether a message was delivered",
    ),
    JobSpec(
        tasks.RELEASE_JOB,
        lambda s, p, c: {"released": tasks.release_due(s, SYSTEM, _day(p))},
        daily=_daily(tasks.RELEASE_JOB),
        about="takes tasks off hold on their release date, moving their targets on",
    ),
    JobSpec(
        work_digest.JOB,
        work_digest.run,
        daily=_daily(work_digest.JOB),
        about="emails each officer their overdue and due-soon work on working mornings",
    ),
    JobSpec(
        letters.PDF_JOB,
        make_letter_pdf,
        about="makes a PDF of a generated letter with LibreOffice (LETTER_PDF_CONVERTER)",
    ),
    JobSpec(
        exports.LIST_JOB,
        make_list_export,
        about="makes a list's spreadsheet (.xlsx), reporting its progress",
        own_transactions=True,
    ),
    JobSpec(
        case_export.CASE_JOB,
        make_case_export,
        about="makes a case's export (a zip of its records, files and comms), reporting progress",
        own_transactions=True,
    ),
    JobSpec(
        case_export.ACTIVITY_JOB,
        make_activity_export,
        about="makes a case's activity export (a zip with a spreadsheet), reporting progress",
        own_transactions=True,
    ),
    JobSpec(
        activity.PRUNE_JOB,
        lambda s, p, c: {
            "deleted": activity.prune(s, dt.timedelta(days=c.settings.activity_keep_days))
        },
        daily=_daily(activity.PRUNE_JOB),
        about="deletes activity log entries older than ACTIVITY_KEEP_DAYS",
    ),
    JobSpec(
        exports.EXPIRE_JOB,
        expire_exports,
        daily=_daily(exports.EXPIRE_JOB),
        about="deletes exports past EXPORT_KEEP_HOURS",
    ),
    JobSpec(
        evidence.PRUNE_JOB,
        lambda s, p, c: {"deleted": evidence.prune_unsent(s, store_for(c.settings), now=now())},
        daily=_daily(evidence.PRUNE_JOB),
        about="removes evidence uploaded for changes never sent (after two days)",
    ),
    JobSpec(
        "drafts.prune",
        lambda s, p, c: {"deleted": drafts.prune(s)},
        daily=_daily("drafts.prune"),
        about="removes journey drafts left unused past their time",
    ),
    JobSpec(
        "auth_attempts.prune",
        lambda s, p, c: {"deleted": throttle.prune(s)},
        daily=_daily("auth_attempts.prune"),
        about="removes sign-in attempts older than 90 days from the security log",
    ),
    JobSpec(
        assessments.DAILY_JOB,
        lambda s, p, c: assessments.run_daily_job(s, p),
        daily=assessments.schedule_daily,
        about="recalculates bedroom need where an age or a due date is reached",
    ),
    JobSpec(
        assessments.POLICY_CHANGE_JOB,
        lambda s, p, c: assessments.run_policy_change_job(s, p),
        about="recalculates open bedroom assessments after the council's policy changes",
    ),
)

HANDLERS: dict[str, Handler] = {spec.kind: spec.run for spec in JOBS}
RECURRING: tuple[JobSpec, ...] = tuple(spec for spec in JOBS if spec.daily is not None)
OWN_TRANSACTIONS = frozenset(spec.kind for spec in JOBS if spec.own_transactions)

__all__ = ["HANDLERS", "JOBS", "OWN_TRANSACTIONS", "RECURRING", "Handler", "JobSpec"]
