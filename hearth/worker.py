"""Background jobs: `hearth worker` (or a thread of the web process in the embedded default).

Every kind of job is declared once, in hearth.jobs. Each job runs in its own transaction; a
failure rolls back the job's work, records the error and queues it again until its attempts are
used.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from domain import clock, jobs
from domain.models import Job
from domain.strands import council_types
from hearth.jobs import HANDLERS, OWN_TRANSACTIONS, RECURRING
from hearth.worker_context import JobContext
from web.settings import Settings

log = logging.getLogger("hearth.worker")


class Worker:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        name: str | None = None,
        poll_seconds: float = 1.0,
        now: Callable[[], dt.datetime] = clock.now,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.name = name or f"{socket.gethostname()}-{os.getpid()}"
        self.poll_seconds = poll_seconds
        self.now = now  # when jobs fall due and what "today" is (tests hold it still)

    def run_once(self) -> bool:
        """Claim and run one job. Returns False when there was nothing to do."""
        with self.factory() as session, session.begin():
            job = jobs.claim_next(session, self.name, now=self.now())
            if job is None:
                return False
            job_id, kind, payload = job.id, job.kind, dict(job.payload)
        fn = HANDLERS.get(kind)  # hearth.jobs: every kind, declared once
        try:
            if fn is None:
                raise LookupError(f"no handler for job kind {kind!r}")
            context = JobContext(self.settings, self.factory, job_id)
            if kind in OWN_TRANSACTIONS:
                # A long job (an export) works in short transactions of its own, so its progress
                # can be written as it goes (on SQLite one open write transaction locks out all
                # others) and it holds no lock for minutes.
                with self.factory() as session:
                    with session.begin():
                        council_types.sync(session)
                    result = fn(session, payload, context)
            with self.factory() as session, session.begin():
                if kind not in OWN_TRANSACTIONS:
                    council_types.sync(session)  # a job may meet a council's own strand type
                    result = fn(session, payload, context)
                job = session.get(Job, job_id)
                assert job is not None
                jobs.mark_done(session, job, result)
            log.info("job %s (%s) done", job_id, kind)
        except Exception:
            error = traceback.format_exc()
            log.error("job %s (%s) failed:\n%s", job_id, kind, error)
            with self.factory() as session, session.begin():
                job = session.get(Job, job_id)
                if job is not None:
                    jobs.mark_failed(session, job, error, retry_in=dt.timedelta(minutes=2))
        return True

    def run_until_idle(self, limit: int = 1000) -> int:
        done = 0
        while done < limit and self.run_once():
            done += 1
        return done

    def schedule_recurring(self) -> None:
        """Make sure today's recurring jobs are queued (each is queued at most once a day)."""
        with self.factory() as session, session.begin():
            today = clock.local_date(self.now())
            for spec in RECURRING:
                assert spec.daily is not None
                spec.daily(session, today)

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.name)
        try:
            self.schedule_recurring()
        except Exception:  # a worker must start even if the database is briefly unavailable
            log.exception("could not queue the recurring jobs")
        last_sweep = 0.0
        while not stop.is_set():
            try:
                now = time.monotonic()
                if now - last_sweep > 60:
                    with self.factory() as session, session.begin():
                        jobs.requeue_stale(session, dt.timedelta(minutes=15))
                    last_sweep = now
                if not self.run_once():
                    stop.wait(self.poll_seconds)
            except Exception:  # keep the loop alive through a database blip
                log.exception("worker loop error")
                stop.wait(min(30.0, self.poll_seconds * 5))
        log.info("worker %s stopped", self.name)
