"""Real test databases: a migrated SQLite file, or a PostgreSQL schema of its own.

Each pytest run gets a fresh database built by the project's Alembic migrations (so the
migrations themselves are tested on both databases). Tests are then isolated by rolling back an
outer transaction; browser tests, which need committed data seen by another thread, get a fresh
database of their own (`fresh_database`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from hearth.db import make_engine, upgrade

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class DatabaseUnderTest:
    kind: str  # "sqlite" or "postgresql"
    url: str
    engine: Engine
    schema: str | None = None

    def dispose(self) -> None:
        self.engine.dispose()


def _pg_url_with_schema(base: str, schema: str) -> str:
    # The test's own schema first (its tables), then public, where the extensions the
    # migrations use live once for the whole database (a schema dropped after a test must not
    # take pg_trgm with it).
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema},public"})
    return url.render_as_string(hide_password=False)


def create_database(kind: str, workdir: Path, template: Path | None = None) -> DatabaseUnderTest:
    """A migrated, empty database. For SQLite a template file may be copied (fast)."""
    if kind == "sqlite":
        path = workdir / f"hearth-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        if template is not None and template.exists():
            shutil.copyfile(template, path)
        else:
            upgrade(url)
        return DatabaseUnderTest("sqlite", url, make_engine(url))
    if kind == "postgresql":
        base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
        schema = f"hearth_test_{uuid.uuid4().hex[:10]}"
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = _pg_url_with_schema(base, schema)
        upgrade(url)
        return DatabaseUnderTest("postgresql", url, make_engine(url), schema=schema)
    raise ValueError(f"unknown database kind {kind!r}")


def drop_database(db: DatabaseUnderTest) -> None:
    db.dispose()
    if db.kind == "postgresql" and db.schema:
        base = os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG
        admin = make_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
        admin.dispose()
    elif db.kind == "sqlite":
        path = Path(db.url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)


@contextmanager
def fresh_database(
    kind: str, workdir: Path, template: Path | None = None
) -> Iterator[DatabaseUnderTest]:
    db = create_database(kind, workdir, template)
    try:
        yield db
    finally:
        drop_database(db)
