"""Helpers for tests with real concurrent transactions on PostgreSQL."""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker


def wait_for_a_blocked_transaction(sessions: sessionmaker[Session], timeout: float = 10.0) -> None:
    """Return once another session of this database is waiting on a lock.

    PostgreSQL offers no notification for this, so it polls pg_stat_activity (every 50 ms, up
    to `timeout`); the test proceeds as soon as the condition holds.
    """
    deadline = time.monotonic() + timeout
    with sessions() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            )
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("no transaction ever waited on a lock")
