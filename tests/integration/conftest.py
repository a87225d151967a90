"""Integration fixtures: `committed` gives a fresh database whose sessions really commit, for
tests that need more than one connection (locking, concurrency, background jobs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hearth.db import make_session_factory
from tests.support.database import fresh_database


@pytest.fixture
def committed(
    db_kind: str, workdir: Path, sqlite_template: Path | None
) -> Iterator[sessionmaker[Session]]:
    with fresh_database(db_kind, workdir, sqlite_template) as database:
        yield make_session_factory(database.engine)
