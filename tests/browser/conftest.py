"""Browser fixtures: a live server on a fresh committed database, phone and desktop pages.

`start_live(**env)` starts the service with extra settings (e.g. SMTP_HOST, OIDC_ISSUER) on a
port chosen in advance, so a test can register the app's address with a provider first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hearth.app import create_app
from hearth.db import make_session_factory
from hearth.settings import Settings
from tests.conftest import make_settings
from tests.support.browser import DESKTOP, PHONE, Visit, free_port, live_server, new_visit
from tests.support.database import fresh_database

pytestmark = pytest.mark.browser


@dataclass
class Live:
    base_url: str
    settings: Settings
    sessions: sessionmaker[Session]

    def url(self, path: str) -> str:
        return self.base_url + path


StartLive = Callable[..., AbstractContextManager[Live]]


@pytest.fixture
def start_live(
    db_kind: str, workdir: Path, sqlite_template: Path | None, tmp_path: Path
) -> StartLive:
    @contextmanager
    def start(port: int | None = None, **env: str) -> Iterator[Live]:
        port = port or free_port()
        with fresh_database(db_kind, workdir, sqlite_template) as database:
            settings = make_settings(
                database.url, tmp_path, BASE_URL=f"http://127.0.0.1:{port}", **env
            )
            app = create_app(settings, run_jobs=True)
            with live_server(app, port) as base_url:
                yield Live(base_url, settings, make_session_factory(database.engine))

    return start


@pytest.fixture
def live(start_live: StartLive) -> Iterator[Live]:
    with start_live() as running:
        yield running


def visit_at(browser, live: Live, viewport: dict[str, int]) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    visit, context = new_visit(browser, live.base_url, viewport)
    with ExitStack() as stack:
        stack.callback(context.close)
        yield visit
        visit.finish()


@pytest.fixture
def phone(browser, live: Live) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A phone-sized page (390x844), as applicants mostly use the portal."""
    yield from visit_at(browser, live, PHONE)


@pytest.fixture
def desktop(browser, live: Live) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A desktop-sized page for the back office."""
    yield from visit_at(browser, live, DESKTOP)


# `with visiting(browser, live, PHONE) as phone:` — for tests that need two people at once.
visiting = contextmanager(visit_at)
