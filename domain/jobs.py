"""The jobs table: enqueue background work, claim it safely, record the outcome.

Claiming works on both databases: PostgreSQL workers use `FOR UPDATE SKIP LOCKED` so several can
run side by side without waiting on each other; every claim is also a conditional UPDATE
(`status = 'queued'`), so two claimers can never both win the same job, on SQLite included.
The caller owns the transactions (see hearth.worker).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import clock
from domain.models import Job, utcnow
from domain.vocab import JobStatus


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_after: dt.datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 3,
    flush: bool = True,
) -> Job | None:
    """Queue a job. With a `dedupe_key` already used, nothing is queued and None is returned.
    Without one, `flush=False` leaves the job to be written with the rest of the transaction
    (for a caller that needs nothing of it now: one flush fewer)."""
    job = Job(
        kind=kind,
        payload=payload or {},
        run_after=run_after or utcnow(),
        dedupe_key=dedupe_key,
        max_attempts=max_attempts,
    )
    if dedupe_key is None:
        session.add(job)
        if flush:
            session.flush()
        return job
    existing = session.scalar(select(Job.id).where(Job.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        return None
    return job


def enqueue_daily(session: Session, kind: str, on: dt.date) -> Job | None:
    """Queue `kind`'s run for the day `on`, due from the first moment of that day in England;
    once a day (None when that day's run is already queued)."""
    start = dt.datetime.combine(on, dt.time(0, 0), clock.COUNCIL_TZ).astimezone(dt.UTC)
    return enqueue(
        session, kind, {"on": on.isoformat()}, run_after=start, dedupe_key=f"{kind}:{on}"
    )


def claim_next(session: Session, worker_id: str, now: dt.datetime | None = None) -> Job | None:
    """Claim the oldest due job for `worker_id`, or return None when there is none."""
    now = now or utcnow()
    for _ in range(5):
        stmt = (
            select(Job)
            .where(Job.status == JobStatus.QUEUED.value, Job.run_after <= now)
            .order_by(Job.run_after, Job.id)
            .limit(1)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        job = session.scalars(stmt).first()
        if job is None:
            return None
        claimed = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JobStatus.QUEUED.value)
            .values(
                status=JobStatus.RUNNING.value,
                locked_by=worker_id,
                locked_at=now,
                attempts=Job.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(job)
            return job
    return None


def mark_done(session: Session, job: Job, result: dict[str, Any] | None = None) -> None:
    job.status = JobStatus.DONE.value
    job.result = result
    job.progress = 100
    job.finished_at = utcnow()
    job.locked_by = None


def mark_failed(session: Session, job: Job, error: str, *, retry_in: dt.timedelta) -> None:
    """Record a failure; the job is queued again until it has used its attempts."""
    job.last_error = error[-4000:]
    job.locked_by = None
    if job.attempts >= job.max_attempts:
        job.status = JobStatus.FAILED.value
        job.finished_at = utcnow()
    else:
        job.status = JobStatus.QUEUED.value
        job.run_after = utcnow() + retry_in


def requeue_stale(session: Session, older_than: dt.timedelta) -> int:
    """Jobs left 'running' by a worker that died are queued again."""
    cutoff = utcnow() - older_than
    result = session.execute(
        update(Job)
        .where(Job.status == JobStatus.RUNNING.value, Job.locked_at < cutoff)
        .values(status=JobStatus.QUEUED.value, locked_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
