"""Alembic environment: the same migrations run on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import create_engine, pool

import domain.all_models  # noqa: F401  (registers every table on the metadata)
from domain.base import Base, UTCDateTime
from domain.models import POSTGRESQL_ONLY_INDEXES

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = create_engine(
            str(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool
        )
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations stay free of project imports: UTC timestamps are plain timestamptz columns."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include(obj: Any, name: str | None, kind: str, reflected: bool, other: Any) -> bool:
    """Autogenerate leaves alone the PostgreSQL-only expression indexes the models cannot
    declare (domain.models.POSTGRESQL_ONLY_INDEXES)."""
    return not (kind == "index" and name in POSTGRESQL_ONLY_INDEXES)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
