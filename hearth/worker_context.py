"""What a background job's handler is given besides its session and payload."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from domain.models import Job
from web.settings import Settings


class JobContext:
    """Settings, and a way to report progress (0–100) as the job goes, in a transaction of its
    own so a page polling the job sees it at once."""

    def __init__(self, settings: Settings, factory: sessionmaker[Session], job_id: int) -> None:
        self.settings = settings
        self._factory = factory
        self.job_id = job_id

    def progress(self, percent: int) -> None:
        with self._factory() as session, session.begin():
            job = session.get(Job, self.job_id)
            if job is not None:
                job.progress = max(0, min(100, percent))


__all__ = ["JobContext"]
