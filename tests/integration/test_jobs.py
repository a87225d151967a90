"""The jobs table: enqueue, claim, finish, retry, de-duplicate; concurrent claims on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain import jobs
from domain.models import Job, utcnow
from domain.vocab import JobStatus
from hearth.jobs import HANDLERS
from hearth.settings import load_settings
from hearth.worker import Worker
from hearth.worker_context import JobContext


def test_claim_takes_the_oldest_due_job_once(db: Session) -> None:
    later = jobs.enqueue(db, "noop", {"n": 2}, run_after=utcnow() + dt.timedelta(hours=1))
    first = jobs.enqueue(db, "noop", {"n": 1})
    assert later is not None
    assert first is not None
    claimed = jobs.claim_next(db, "w1")
    assert claimed is not None
    assert claimed.id == first.id
    assert claimed.status == JobStatus.RUNNING.value
    assert claimed.attempts == 1
    assert claimed.locked_by == "w1"
    assert jobs.claim_next(db, "w2") is None  # the other one is not due yet


def test_dedupe_key_queues_a_job_once(db: Session) -> None:
    assert jobs.enqueue(db, "noop", dedupe_key="daily:2026-11-21") is not None
    assert jobs.enqueue(db, "noop", dedupe_key="daily:2026-11-21") is None
    assert len(db.scalars(select(Job)).all()) == 1


def test_failed_job_is_retried_until_attempts_run_out(db: Session) -> None:
    job = jobs.enqueue(db, "noop", max_attempts=2)
    assert job is not None
    for expected in (JobStatus.QUEUED, JobStatus.FAILED):
        claimed = jobs.claim_next(db, "w", now=utcnow() + dt.timedelta(days=1))
        assert claimed is not None
        jobs.mark_failed(db, claimed, "boom", retry_in=dt.timedelta(0))
        assert claimed.status == expected.value
    assert job.last_error == "boom"
    assert job.finished_at is not None


def test_stale_running_jobs_are_queued_again(db: Session) -> None:
    job = jobs.enqueue(db, "noop")
    assert job is not None
    claimed = jobs.claim_next(db, "dead-worker")
    assert claimed is not None
    claimed.locked_at = utcnow() - dt.timedelta(hours=1)
    db.flush()
    assert jobs.requeue_stale(db, dt.timedelta(minutes=15)) == 1
    db.expire_all()
    assert db.get(Job, job.id).status == JobStatus.QUEUED.value  # type: ignore[union-attr]


def test_worker_runs_jobs_and_records_results_and_failures(
    committed: sessionmaker[Session], tmp_path: Any
) -> None:
    calls: list[dict[str, Any]] = []

    def flaky(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
        calls.append(payload)
        if payload.get("fail"):
            raise ValueError("the payload asked to fail")
        ctx.progress(50)
        return {"ok": True}

    HANDLERS["test.flaky"] = flaky
    try:
        with committed.begin() as session:
            ok = jobs.enqueue(session, "test.flaky", {"fail": False})
            bad = jobs.enqueue(session, "test.flaky", {"fail": True}, max_attempts=1)
            unknown = jobs.enqueue(session, "test.nobody-handles-this", max_attempts=1)
            ids = [ok.id, bad.id, unknown.id]  # type: ignore[union-attr]
        settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "SECRET_KEY": "s" * 40})
        assert Worker(committed, settings, name="t").run_until_idle() == 3
        with committed() as session:
            done, failed, missing = (session.get(Job, i) for i in ids)
            assert done.status == "done"
            assert done.result == {"ok": True}
            assert done.progress == 100
            assert failed.status == "failed"
            assert "the payload asked to fail" in failed.last_error
            assert missing.status == "failed"
            assert "no handler" in missing.last_error
    finally:
        del HANDLERS["test.flaky"]


@pytest.mark.postgresql_only
def test_concurrent_workers_never_claim_the_same_job(committed: sessionmaker[Session]) -> None:
    with committed.begin() as session:
        for n in range(40):
            jobs.enqueue(session, "noop", {"n": n})
    claims: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(3)

    def claim_all(name: str) -> None:
        barrier.wait()
        while True:
            with committed.begin() as session:
                job = jobs.claim_next(session, name)
                if job is None:
                    return
                claims[name].append(job.id)

    threads = [threading.Thread(target=claim_all, args=(n,)) for n in claims]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    every = [i for ids in claims.values() for i in ids]
    assert len(every) == 40
    assert len(set(every)) == 40


@pytest.mark.postgresql_only
def test_skip_locked_lets_a_second_worker_pass_a_job_being_claimed(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        first = jobs.enqueue(session, "noop", {"n": 1})
        second = jobs.enqueue(session, "noop", {"n": 2})
    with committed() as holder, holder.begin():
        held = jobs.claim_next(holder, "holder")  # row lock held until this block ends
        assert held is not None
        assert held.id == first.id
        with committed() as other, other.begin():
            passed = jobs.claim_next(other, "other")
            assert passed is not None
            assert passed.id == second.id


def test_a_starting_worker_queues_todays_bedroom_recalculation_once(
    committed: sessionmaker[Session], tmp_path: Any
) -> None:
    from domain.assessments import DAILY_JOB
    from domain.clock import today as council_today

    settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "SECRET_KEY": "s" * 40})
    today = council_today()
    midday = dt.datetime.combine(today, dt.time(12), ZoneInfo("Europe/London"))
    worker = Worker(committed, settings, name="t", now=lambda: midday)
    worker.schedule_recurring()
    worker.schedule_recurring()  # a second worker, or a restart, adds nothing
    with committed() as session:
        (job,) = session.scalars(select(Job).where(Job.kind == DAILY_JOB)).all()
        assert job.payload == {"on": today.isoformat()}
