"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

import domain.all_models  # noqa: F401
from domain.base import Base
from domain.models import POSTGRESQL_ONLY_INDEXES
from hearth.db import check_ready, current_revision, head_revision
from tests.support.database import DatabaseUnderTest


def test_database_is_at_the_head_revision(test_database: DatabaseUnderTest) -> None:
    assert current_revision(test_database.engine) == head_revision()
    check_ready(test_database.engine)  # does not raise


def test_models_and_migrations_agree(connection: Connection) -> None:
    def include(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        return not (kind == "index" and name in POSTGRESQL_ONLY_INDEXES)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include}
    )
    differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"a model change has no migration: {differences}"
