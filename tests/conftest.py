"""Shared fixtures. Run the suite on SQLite (`--db=sqlite`, the default) or on PostgreSQL
(`--db=postgresql`, using $TEST_DATABASE_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).

Fixtures, from the bottom up:
- `test_database`: a migrated database for the whole run (its own schema on PostgreSQL).
- `connection` / `db`: a connection in a transaction rolled back after each test; `db` is a
  session on it whose commits become savepoints.
- `settings`, `app`, `client`, `pages`: the real service, its sessions bound to the same
  connection, so a test sees what a request saved and vice versa, and nothing outlives the test.
- `sign_in_officer`: an officer with the permission groups you name, signed in on `pages`.
- `browser`, `live`: Playwright's Chromium and a live server on a fresh committed database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain import passwords
from domain.models import User
from domain.vocab import Permission
from hearth.app import create_app
from hearth.settings import Settings, load_settings
from tests.support.database import DatabaseUnderTest, create_database, drop_database
from tests.support.factories import TEST_PASSWORD, make_officer
from tests.support.pages import Pages
from tests.support.s3 import S3Server, s3_server

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

passwords.use_cheap_parameters_for_tests()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to run the suite on",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Concurrency tests need PostgreSQL; the page-layout sweep (every back-office page at four
    # widths, nearly three minutes) checks CSS and markup, the same on either database, so it
    # runs once, in the SQLite pass of `make test`.
    other = "postgresql_only" if config.getoption("--db") != "postgresql" else "layout_only"
    deselected = [i for i in items if i.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if not i.get_closest_marker(other)]


def pytest_report_header(config: pytest.Config) -> str:
    return f"hearth database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hearth")


@pytest.fixture(scope="session")
def test_database(db_kind: str, workdir: Path) -> Iterator[DatabaseUnderTest]:
    database = create_database(db_kind, workdir)
    yield database
    drop_database(database)


@pytest.fixture(scope="session")
def sqlite_template(db_kind: str, test_database: DatabaseUnderTest, workdir: Path) -> Path | None:
    """A migrated, empty SQLite file that fresh databases copy instead of migrating again."""
    if db_kind != "sqlite":
        return None
    template = workdir / "template.db"
    if not template.exists():
        from hearth.db import upgrade

        upgrade(f"sqlite:///{template}")
    return template


@pytest.fixture
def connection(test_database: DatabaseUnderTest) -> Iterator[Connection]:
    with test_database.engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


def _savepoint_sessions(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    with _savepoint_sessions(connection)() as session:
        yield session


@pytest.fixture(autouse=True)
def _shipped_strand_types_only() -> Iterator[None]:
    """Each test starts with the shipped strand types only, and reads the council's table only
    after saving a type there (so query counts are not skewed by the periodic check); a type a
    test saved lives in its rolled-back database and is forgotten afterwards."""
    from domain.strands import council_types, replace_council_types

    replace_council_types([])
    council_types.settle()
    yield
    replace_council_types([])
    council_types.settle()


def make_settings(database_url: str, data_dir: Path, **overrides: str) -> Settings:
    env = {
        "HEARTH_MODE": "embedded",
        "DATABASE_URL": database_url,
        "HEARTH_DATA_DIR": str(data_dir),
        "SECRET_KEY": TEST_SECRET,
        "COUNCIL_NAME": "Testshire District Council",
        # The activity log is written when the app stops (or 200 entries wait), so no page's
        # statements are counted with a batch of others' entries; its own tests say otherwise.
        "ACTIVITY_BATCH_SECONDS": "3600",
        **overrides,
    }
    return load_settings(env)


@pytest.fixture
def settings(test_database: DatabaseUnderTest, tmp_path: Path) -> Settings:
    return make_settings(test_database.url, tmp_path)


@pytest.fixture
def app(settings: Settings, connection: Connection):  # type: ignore[no-untyped-def]
    return create_app(settings, run_jobs=False, session_factory=_savepoint_sessions(connection))


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def pages(client: TestClient) -> Pages:
    return Pages(client)


@pytest.fixture
def sign_in_officer(db: Session, pages: Pages) -> Callable[..., User]:
    """Create an officer with the given permission groups and sign them in on `pages`."""

    def sign_in(*permissions: Permission, name: str | None = None) -> User:
        user = make_officer(db, *permissions, name=name)
        db.commit()
        page = pages.post("backoffice:sign_in", {"email": user.email, "password": TEST_PASSWORD})
        assert page.location == pages.url("backoffice:home"), page.text[:300]
        return user

    return sign_in


# --- file storage ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server, a separate process on loopback, for the whole run."""
    with s3_server() as server:
        yield server


@pytest.fixture(params=["folder", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Run a test against the folder store and against the S3-speaking server."""
    return str(request.param)


@pytest.fixture
def store_env(store_kind: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings that send files to the store this run of the test is about."""
    if store_kind == "s3":
        server: S3Server = request.getfixturevalue("s3")
        return server.env(server.new_bucket())
    return {}


# --- browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
            "(apt-get install chromium)"
        )
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
