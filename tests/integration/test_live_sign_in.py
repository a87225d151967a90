"""Thirty people at once posting the officers' sign-in form to a live server, each from a
browser session of their own with a valid CSRF token — as an attacker with many tabs would.
The limit of five guesses per account and address holds, and the right password, sent after,
is refused too. The server is uvicorn, as `hearth serve` runs it, answering requests in parallel.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from domain.vocab import Permission
from hearth.app import create_app
from hearth.db import make_session_factory
from tests.conftest import make_settings
from tests.support.browser import live_server
from tests.support.database import fresh_database
from tests.support.factories import TEST_PASSWORD, make_officer

N = 30
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def live(
    db_kind: str, workdir: Path, sqlite_template: Path | None, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    with fresh_database(db_kind, workdir, sqlite_template) as database:
        sessions = make_session_factory(database.engine)
        with sessions.begin() as session:
            email = make_officer(session, Permission.CASES, email="target@council.example").email
        settings = make_settings(database.url, tmp_path)
        with live_server(create_app(settings, run_jobs=False)) as base_url:
            yield base_url, email


def test_thirty_parallel_sign_in_posts_get_five_guesses(live: tuple[str, str]) -> None:
    base_url, email = live
    clients = [httpx2.Client(base_url=base_url, timeout=60) for _ in range(N)]
    try:
        tokens = []
        for client in clients:  # each its own session, with the form's CSRF token
            page = client.get("/backoffice/sign-in")
            found = TOKEN.search(page.text)
            assert found is not None
            tokens.append(found.group(1))
        barrier = threading.Barrier(N)
        statuses: list[int] = []
        lock = threading.Lock()

        def guess(i: int) -> None:
            barrier.wait(timeout=30)
            response = clients[i].post(
                "/backoffice/sign-in",
                data={"email": email, "password": f"guess {i}", "csrf_token": tokens[i]},
            )
            with lock:
                statuses.append(response.status_code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(N)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        counts = Counter(statuses)
        print(f"\nlive officer sign-in: {counts[400]} of {N} parallel guesses evaluated")
        # 400: the password was checked and was wrong; 429: refused before it was checked.
        assert counts == Counter({400: 5, 429: N - 5})
        right = clients[0].post(
            "/backoffice/sign-in",
            data={"email": email, "password": TEST_PASSWORD, "csrf_token": tokens[0]},
        )
        assert right.status_code == 429
        assert "Too many attempts" in right.text
    finally:
        for client in clients:
            client.close()
