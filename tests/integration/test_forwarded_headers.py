"""Who is the client? Behind no proxy, a request's own X-Forwarded-For is not believed, so it
cannot dodge the per-address limits; behind a proxy the council lists, the proxy's is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.security import AuthAttempt
from hearth.app import create_app
from hearth.cli import server_options
from hearth.db import make_session_factory
from tests.conftest import make_settings
from tests.support.browser import live_server
from tests.support.database import fresh_database

Serve = Callable[..., AbstractContextManager[tuple[str, sessionmaker[Session]]]]


@pytest.fixture
def serve(db_kind: str, workdir: Path, sqlite_template: Path | None, tmp_path: Path) -> Serve:
    @contextmanager
    def start(**env: str) -> Iterator[tuple[str, sessionmaker[Session]]]:
        with fresh_database(db_kind, workdir, sqlite_template) as database:
            settings = make_settings(database.url, tmp_path, **env)
            app = create_app(settings, run_jobs=False)
            with live_server(app, **server_options(settings)) as base_url:
                yield base_url, make_session_factory(database.engine)

    return start


def _guess(base_url: str, forwarded_for: str) -> int:
    with httpx2.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/sign-in")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/sign-in",
            data={"email": "someone@example.com", "password": "guess", "csrf_token": token},
            headers={"X-Forwarded-For": forwarded_for},
        )
        return response.status_code


def test_a_clients_own_forwarded_header_is_not_believed(serve: Serve) -> None:
    with serve() as (base_url, sessions):
        statuses = [_guess(base_url, f"203.0.113.{n}") for n in range(6)]
        with sessions() as session:
            addresses = set(session.scalars(select(AuthAttempt.client_address)))
    assert addresses == {"127.0.0.1"}
    assert statuses == [400] * 5 + [429]  # one address, whatever the header claimed


def test_a_listed_proxys_forwarded_header_is_believed(serve: Serve) -> None:
    with serve(FORWARDED_ALLOW_IPS="127.0.0.1") as (base_url, sessions):
        statuses = [_guess(base_url, f"203.0.113.{n}") for n in range(6)]
        with sessions() as session:
            addresses = set(session.scalars(select(AuthAttempt.client_address)))
    assert addresses == {f"203.0.113.{n}" for n in range(6)}
    assert statuses == [400] * 6  # six people behind the council's proxy, one guess each
