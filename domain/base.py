"""One DeclarativeBase for every table, with naming conventions and annotated column types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, MetaData, String, TypeDecorator, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, mapped_column

from domain.clock import now as utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def inline(value: str) -> Any:
    """A constant written into the statement's text instead of sent as a parameter. psycopg
    prepares a statement after five runs and PostgreSQL may then run it with a generic plan,
    which can use a partial index only when the statement itself says the index's condition
    (`status = 'pending'`); with the status as a parameter it read the whole table's index."""
    return literal(value, literal_execute=True)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware.

    SQLite has no timezone type, so values are normalised to UTC on the way in and tagged as
    UTC on the way out; PostgreSQL stores them as timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is needed")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On PostgreSQL a value already in UTC (connections use `TimeZone = UTC`, see
        hearth.db) passes straight through: this runs for every timestamp of every row read,
        and the general path cost a visible share of a page."""
        if dialect.name != "postgresql":
            return super().result_processor(dialect, coltype)
        utc = dt.UTC

        def process(value: dt.datetime | None) -> dt.datetime | None:
            if value is None or value.tzinfo is utc:
                return value
            if value.tzinfo is None:
                return value.replace(tzinfo=utc)
            return value.astimezone(utc)

        return process


intpk = Annotated[int, mapped_column(primary_key=True)]
str50 = Annotated[str, mapped_column(String(50))]
str100 = Annotated[str, mapped_column(String(100))]
str200 = Annotated[str, mapped_column(String(200))]
str320 = Annotated[str, mapped_column(String(320))]
timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime())]
created_timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]
json_data = Annotated[dict[str, Any], mapped_column(JSON)]


def one_of(column: str, values: Iterable[str]) -> str:
    """A CHECK constraint's text allowing only `values` (e.g. an enum's) in `column`."""
    listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{column} IN ({listed})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


__all__ = ["Base", "UTCDateTime", "one_of", "utcnow"]
