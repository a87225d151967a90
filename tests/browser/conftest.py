"""Browser fixtures: a live server on a fresh committed database, phone and desktop pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hearth.app import create_app
from hearth.db import make_session_factory
from hearth.settings import Settings
from tests.conftest import make_settings
from tests.support.browser import DESKTOP, PHONE, Visit, live_server, new_visit
from tests.support.database import fresh_database

pytestmark = pytest.mark.browser


@dataclass
class Live:
    base_url: str
    settings: Settings
    sessions: sessionmaker[Session]

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def live(
    db_kind: str, workdir: Path, sqlite_template: Path | None, tmp_path: Path
) -> Iterator[Live]:
    with fresh_database(db_kind, workdir, sqlite_template) as database:
        settings = make_settings(database.url, tmp_path)
        app = create_app(settings, run_jobs=True)
        with live_server(app) as base_url:
            yield Live(base_url, settings, make_session_factory(database.engine))


def _visit(browser, live: Live, viewport: dict[str, int]) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    visit, context = new_visit(browser, live.base_url, viewport)
    try:
        yield visit
        visit.finish()
    finally:
        context.close()


@pytest.fixture
def phone(browser, live: Live) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A phone-sized page (390x844), as applicants mostly use the portal."""
    yield from _visit(browser, live, PHONE)


@pytest.fixture
def desktop(browser, live: Live) -> Iterator[Visit]:  # type: ignore[no-untyped-def]
    """A desktop-sized page for the back office."""
    yield from _visit(browser, live, DESKTOP)
