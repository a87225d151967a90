"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import SAWarning

import domain.all_models  # noqa: F401
from domain.base import Base
from domain.models import EXPRESSION_INDEXES, POSTGRESQL_ONLY_INDEXES
from hearth.db import check_ready, current_revision, head_revision
from tests.support.database import DatabaseUnderTest


def test_database_is_at_the_head_revision(test_database: DatabaseUnderTest) -> None:
    assert current_revision(test_database.engine) == head_revision()
    check_ready(test_database.engine)  # does not raise


def test_models_and_migrations_agree(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite's expression indexes cannot be read back; they are checked by name below.
    left_out = POSTGRESQL_ONLY_INDEXES | (EXPRESSION_INDEXES if sqlite else frozenset())

    def include(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        return not (kind == "index" and name in left_out)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include}
    )
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", SAWarning
        )
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"a model change has no migration: {differences}"
    if sqlite:
        made = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
        assert made >= EXPRESSION_INDEXES, EXPRESSION_INDEXES - made


def test_signing_in_finds_the_account_by_an_index(connection: Connection) -> None:
    """An officer's or applicant's address in any case is looked up through lower(email)'s
    index, not by reading every account."""
    for table in ("user_account", "portal_account"):
        query = f"SELECT id FROM {table} WHERE lower(email) = 'a@example.com'"  # noqa: S608
        if connection.dialect.name == "sqlite":
            plan = " ".join(
                str(r[-1]) for r in connection.execute(text(f"EXPLAIN QUERY PLAN {query}"))
            )
        else:
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(connection.scalars(text(f"EXPLAIN {query}")))
        assert f"ix_{table}_email_lower" in plan, plan
