"""Every PostgreSQL connection Hearth opens plans statements for their values and launches no
parallel workers (`hearth.db.POSTGRESQL_SETTINGS`), and keeps those settings through the
transactions it is pooled for, without losing the settings of its address (the tests' schema)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from hearth.db import POSTGRESQL_SETTINGS, make_engine
from tests.support.database import DatabaseUnderTest

pytestmark = pytest.mark.postgresql_only


def test_connections_plan_for_their_values_without_parallel_workers(
    test_database: DatabaseUnderTest,
) -> None:
    engine = make_engine(test_database.url, pool_size=1)
    try:
        for _ in range(3):  # a new connection, then the pooled one after commit and rollback
            with engine.connect() as conn:
                shown = {
                    name: conn.execute(text(f"SHOW {name}")).scalar_one()
                    for name in POSTGRESQL_SETTINGS
                }
                assert shown == {
                    "plan_cache_mode": "force_custom_plan",
                    "max_parallel_workers_per_gather": "0",
                }
                path = conn.execute(text("SHOW search_path")).scalar_one()
                assert test_database.schema and test_database.schema in path
                conn.rollback()
            with engine.begin() as conn:
                conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
