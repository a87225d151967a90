"""HEARTH_QUERY_COUNT_HEADER=1 makes every response say how many SQL statements its request ran
(X-Hearth-Queries), for the scale benchmark; it is off by default."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker
from starlette.testclient import TestClient

from hearth.app import create_app
from hearth.settings import SettingsError, load_settings
from web.settings import Settings


@pytest.fixture
def counting(settings: Settings, connection: Connection) -> Iterator[TestClient]:
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app = create_app(
        replace(settings, query_count_header=True), run_jobs=False, session_factory=sessions
    )
    with TestClient(app, base_url="http://testserver") as client:
        yield client


def test_each_response_counts_the_statements_of_its_own_request(counting: TestClient) -> None:
    # /healthz runs SELECT 1 in a worker thread, as views do (here inside the test's
    # savepoint, whose SAVEPOINT and RELEASE are statements too).
    first = int(counting.get("/healthz").headers["x-hearth-queries"])
    assert first >= 1
    assert int(counting.get("/healthz").headers["x-hearth-queries"]) == first  # not a total
    # A page that needs no database says so; an error page carries the header too.
    assert counting.get("/accessibility").headers["x-hearth-queries"] == "0"
    missing = counting.get("/no-such-page")
    assert missing.status_code == 404
    assert "x-hearth-queries" in missing.headers


def test_the_header_is_off_by_default(client: TestClient) -> None:
    assert "x-hearth-queries" not in client.get("/healthz").headers


def test_the_setting_reads_like_the_other_switches() -> None:
    base = {"DATABASE_URL": "sqlite:///x.db", "SECRET_KEY": "k" * 40}
    assert load_settings(base).query_count_header is False
    assert load_settings({**base, "HEARTH_QUERY_COUNT_HEADER": "1"}).query_count_header is True
    with pytest.raises(SettingsError, match="HEARTH_QUERY_COUNT_HEADER"):
        load_settings({**base, "HEARTH_QUERY_COUNT_HEADER": "maybe"})
