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
