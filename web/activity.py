"""Recording the activity log (`domain.activity`) without slowing pages: each signed-in officer's
request adds an entry to a buffer in memory, and the buffer is written in one INSERT, in a
transaction of its own, once it holds :data:`BATCH` entries or its oldest entry is
`ACTIVITY_BATCH_SECONDS` old — by whichever request comes then, after its own transaction has
committed — and when the process stops. (0 seconds: every request writes its own entry at once.)

The polls htmx makes to refresh part of a page (My work's list, an export's progress) are not
pages an officer opened, so they are not recorded; boosted navigation is.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from domain import activity
from domain.base import utcnow

log = logging.getLogger(__name__)

BATCH = 200
RECORDS = ("strand_id", "file_id", "change_id", "task_id", "export_id", "note_id", "alert_id")


def entry_for(request: Request, user_id: int, status: int) -> activity.Entry | None:
    """The entry for an officer's request, or None for a part-page poll."""
    polled = request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted")
    if polled and request.method == "GET":
        return None
    params = request.path_params
    endpoint = request.scope.get("endpoint")
    view = getattr(endpoint, "__name__", "page")
    record = next((f"{k.removesuffix('_id')} {params[k]}" for k in RECORDS if k in params), None)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return activity.Entry(
        at=utcnow(),
        user_id=user_id,
        view=view,
        method=request.method,
        path=path,
        status=status,
        case_id=_int(params.get("case_id")),
        person_id=_int(params.get("person_id")),
        record=record,
    )


def _int(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


class ActivityBuffer:
    def __init__(self, factory: sessionmaker[Session], seconds: float) -> None:
        self.factory = factory
        self.seconds = seconds
        self._lock = threading.Lock()
        self._entries: list[activity.Entry] = []
        self._oldest = 0.0

    def add(self, entry: activity.Entry) -> None:
        with self._lock:
            if not self._entries:
                self._oldest = time.monotonic()
            self._entries.append(entry)
            due = len(self._entries) >= BATCH or time.monotonic() - self._oldest >= self.seconds
        if due:
            self.flush()

    def flush(self) -> int:
        """Write what is waiting (one INSERT in a transaction of its own)."""
        with self._lock:
            batch, self._entries = self._entries, []
        if not batch:
            return 0
        try:
            with self.factory() as session, session.begin():
                return activity.write(session, batch)
        except Exception:  # the log must never break a page: keep the batch for the next try
            log.exception("could not write %d activity log entries", len(batch))
            with self._lock:
                self._entries[:0] = batch[: BATCH * 10]
            return 0


__all__ = ["ActivityBuffer", "entry_for"]
