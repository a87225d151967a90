"""Which function runs each kind of background job. Domain code stays free of the worker:
handlers here adapt a domain function to the worker's (session, payload, context) call."""

from __future__ import annotations

from changes import evidence
from domain import assessments
from domain.models import utcnow
from domain.outbox import SEND_JOB
from hearth.mail import send_outbox_email
from hearth.worker import HANDLERS, Handler

# kind -> handler; filled in below as features add background work.
REGISTERED: dict[str, Handler] = {}
REGISTERED[SEND_JOB] = send_outbox_email
# Evidence uploaded on a change's form but never sent is removed after two days.
REGISTERED[evidence.PRUNE_JOB] = lambda session, payload, ctx: {
    "deleted": evidence.prune_unsent(session, ctx.settings.files_dir, now=utcnow())
}
# Bedroom assessments: the daily threshold recalculation, and recalculation after a policy change.
REGISTERED[assessments.DAILY_JOB] = lambda session, payload, ctx: assessments.run_daily_job(
    session, payload
)
REGISTERED[assessments.POLICY_CHANGE_JOB] = lambda session, payload, ctx: (
    assessments.run_policy_change_job(session, payload)
)


def register_all() -> None:
    HANDLERS.update(REGISTERED)
