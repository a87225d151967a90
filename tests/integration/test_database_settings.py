"""Every PostgreSQL connection Hearth opens launches no parallel workers
(`hearth.db.POSTGRESQL_SETTINGS`) and keeps that through the transactions it is pooled for,
without losing the settings of its address (the tests' schema). Prepared statements keep
PostgreSQL's own choice of plan; a list plans for its values in its own transaction only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain import paging
from hearth.db import make_engine, make_session_factory
from tests.support.database import DatabaseUnderTest

pytestmark = pytest.mark.postgresql_only


def test_connections_launch_no_parallel_workers_and_keep_generic_plans(
    test_database: DatabaseUnderTest,
) -> None:
    engine = make_engine(test_database.url, pool_size=1)
    try:
        for _ in range(3):  # a new connection, then the pooled one after commit and rollback
            with engine.connect() as conn:
                assert conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
                assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
                assert conn.execute(text("SHOW timezone")).scalar() == "UTC"
                path = conn.execute(text("SHOW search_path")).scalar_one()
                assert test_database.schema and test_database.schema in path
                conn.rollback()
            with engine.begin() as conn:
                conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def test_a_list_plans_for_its_values_in_its_own_transaction_only(
    test_database: DatabaseUnderTest,
) -> None:
    engine = make_engine(test_database.url, pool_size=1)
    factory = make_session_factory(engine)
    try:
        with factory() as session, session.begin():
            paging.plan_for_values(session)
            assert session.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
        with factory() as session, session.begin():  # the same pooled connection
            assert session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
            assert session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
    finally:
        engine.dispose()


def test_timestamps_come_back_in_utc_whatever_the_connections_time_zone(
    test_database: DatabaseUnderTest,
) -> None:
    """UTC values pass straight through; a value in another zone (a connection someone set to
    London) is still the same instant, tagged UTC."""
    import datetime as dt

    from sqlalchemy import select

    from domain.council_settings import CouncilSetting

    engine = make_engine(test_database.url, pool_size=1)
    factory = make_session_factory(engine)
    moment = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in London
    try:
        with factory() as session, session.begin():
            session.add(CouncilSetting(key="bench-tz", value=1, updated_at=moment))
            session.flush()
            for zone in ("UTC", "Europe/London"):
                session.execute(text(f"SET LOCAL timezone = '{zone}'"))
                read = session.execute(
                    select(CouncilSetting.updated_at).where(CouncilSetting.key == "bench-tz")
                ).scalar_one()
                assert read == moment
                assert read.tzinfo is dt.UTC
                assert read.date() == dt.date(2026, 7, 1)
            session.rollback()
    finally:
        engine.dispose()
