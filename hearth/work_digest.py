"""The morning email of each officer's work (SPEC T3): overdue and due-soon tasks, portal changes,
actions and their cases needing action, sent on working days to every active officer who has
some and has not turned the email off (My work page). Queued through the outbox, so it goes
over SMTP (or Notify) with the rest of the service's email."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import work_queries as wq
from domain import clock
from domain.models import User, UserPermission
from domain.outbox import queue_email
from domain.vocab import Permission
from domain.working_days import is_working_day
from hearth.worker_context import JobContext

JOB = "work.digest"
SHOWN = 10
KIND_WORDS = {"task": "Task", "change": "Portal change", "action": "Action", "case": "Your case"}


def _link(base_url: str, item: wq.Item) -> str:
    if item.kind == "task":
        return f"{base_url}/backoffice/tasks/{item.id}"
    if item.kind == "change":
        return f"{base_url}/backoffice/queue/{item.id}"
    if item.kind == "case":
        return f"{base_url}/backoffice/cases/{item.id}"
    return f"{base_url}/backoffice/cases/{item.case.id}/notes" if item.case else base_url


def body_for(officer: User, counts: wq.Counts, items: list[wq.Item], base_url: str) -> str:
    lines = [
        f"Good morning {officer.name},",
        "",
        f"You have {counts.overdue} overdue and {counts.due_soon} due soon "
        f"({counts.total} to do in all).",
        "",
    ]
    for item in items:
        case = f" ({item.case.reference})" if item.case else ""
        when = f"target {clock.long_date(item.target)}"
        if item.kind == "case":
            lines.append(f"- {item.state}: Your case{case}: {item.what}, {when}")
        else:
            lines.append(f"- {item.state}: {KIND_WORDS[item.kind]} “{item.what}”{case}, {when}")
        lines.append(f"  {_link(base_url, item)}")
    lines += [
        "",
        f"Everything you have to do: {base_url}/backoffice/my-work",
        "You can stop these emails on that page.",
    ]
    return "\n".join(lines)


def send_digests(session: Session, today: dt.date, base_url: str) -> dict[str, Any]:
    if not is_working_day(today):
        return {"sent": 0, "skipped": "not a working day"}
    officers = session.scalars(
        select(User)
        .where(
            User.active,
            User.work_digest,
            User.id.in_(
                select(UserPermission.user_id).where(
                    UserPermission.permission == Permission.CASES.value
                )
            ),
        )
        .order_by(User.id)
    ).all()
    sent = 0
    for officer in officers:
        scope = wq.Scope(user_id=officer.id)
        counts = wq.counts(session, scope, today)
        if not counts.overdue and not counts.due_soon:
            continue
        urgent = [
            i
            for i in wq.work(session, scope, today, after=None, size=SHOWN).rows
            if i.state in ("Overdue", "Due soon")
        ]
        queue_email(
            session,
            to=officer.email,
            subject=f"Your work: {counts.overdue} overdue, {counts.due_soon} due soon",
            body=body_for(officer, counts, urgent, base_url),
            kind="work_digest",
        )
        sent += 1
    return {"sent": sent}


def run(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Job handler for `work.digest` (queued daily)."""
    on = dt.date.fromisoformat(payload["on"]) if payload.get("on") else clock.today()
    return send_digests(session, on, ctx.settings.base_url)


__all__ = ["JOB", "body_for", "run", "send_digests"]
