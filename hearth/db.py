"""Engine and sessions. One session per request or job; the caller commits once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from hearth.settings import SettingsError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "domain" / "migrations"


class DatabaseNotReady(Exception):
    """The database cannot be reached, or it is not migrated to the current schema."""


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so that
    # SAVEPOINTs and transactional DDL behave (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes SQLite's write lock at the start, waiting up to busy_timeout for it.
    # A deferred transaction that reads and then writes fails at once if another writer (a
    # request, or the in-process worker) committed in between; this way writers take turns.
    # In WAL mode readers outside a transaction are never blocked.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# How every PostgreSQL connection plans (set once when it is opened, kept while it is pooled):
# no parallel workers. A page's statements read a few hundred rows by index, and launching a
# worker (5–8 ms) cost more than the read where the planner expected an officer's thousands of
# assignments (My work's counts, 3 ms at 10,000 cases, took 11 ms at a million that way); on a
# web server the other requests are the parallelism.
#
# Prepared statements keep PostgreSQL's own choice of plan (`plan_cache_mode = auto`): psycopg
# prepares a statement after five runs and a generic plan then saves planning it again — for a
# page's joins planning cost more than running them (0.4–1.1 ms against 0.1–0.2 ms; planning
# every statement put the review page at 4.9–5.6 ms of database CPU a request against 1.3–1.6).
# The lists, whose statements select 20 cases or 80,000, plan for their values in their own
# transaction (`domain.case_list.run`).
#
# Timestamps come back in UTC (`TimeZone = UTC`): psycopg then tags them with `datetime.UTC`
# itself, so `domain.base.UTCDateTime` passes them through instead of converting every one.
POSTGRESQL_SETTINGS = {"max_parallel_workers_per_gather": "0", "timezone": "'UTC'"}


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's recipe for session settings: outside a transaction, so that they stay.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        for name, value in POSTGRESQL_SETTINGS.items():
            cursor.execute(f"SET {name} = {value}")
    dbapi_connection.autocommit = autocommit


def make_engine(url: str, *, pool_size: int | None = None, **kwargs: Any) -> Engine:
    """An engine for `url`. On PostgreSQL `pool_size` connections stay open for reuse (and as
    many again may be opened for a burst): opening one costs more than most pages."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if pool_size is not None:
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", pool_size)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _postgresql_settings)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_ready(engine: Engine) -> None:
    """Raise DatabaseNotReady with a message a person can act on."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseNotReady(
            f"Cannot reach the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}"
        ) from None
    head = head_revision()
    if current != head:
        raise DatabaseNotReady(
            f"The database is not migrated (at {current or 'nothing'}, needs {head}). "
            "Run: hearth db upgrade"
        )


def upgrade(url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(url), "head")


__all__ = [
    "DatabaseNotReady",
    "SettingsError",
    "check_ready",
    "make_engine",
    "make_session_factory",
    "transaction",
    "upgrade",
]
