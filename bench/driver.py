"""Driving the servers: the fixture read from the database, real sign-ins, a probe of each page
(its status and X-Hearth-Queries), then wrk for a warm-up and for the measured run."""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import psycopg

from bench import sql_changes
from bench.generate import BENCH_PASSWORD, conninfo
from bench.pages import APPLICANT, MY_WORK, NOBODY, Ctx, Fixture, Page
from bench.report import Figures, parse_wrk

LUA = Path(__file__).with_name("wrk.lua")
QUERIES_HEADER = "x-hearth-queries"
COOKIE = "hearth_session"
OFFICERS = 8  # the accept phase's officers, one connection each (see load_fixture)
ACCEPTS_PER_OFFICER_SECOND = 40  # plenty: the batch must outlast the run

Request = tuple[str, str, str, str]  # method, path, cookie, body

_CSRF = re.compile(r'(?:name="csrf_token" value|data-csrf-token)="([^"]+)"')


def load_fixture(url: str) -> Fixture:
    """Ids to rotate over, drawn at random from the generated database."""
    with psycopg.connect(conninfo(url)) as conn:

        def column(query: str) -> list[Any]:
            return [row[0] for row in conn.execute(query).fetchall()]

        team = column(
            "SELECT responsible_team_id FROM housing_case WHERE responsible_team_id IS NOT NULL "
            "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        team_id = int(team[0]) if team else 1
        return Fixture(
            team_id=team_id,
            team_name=(
                column(
                    "SELECT name FROM team WHERE id = (SELECT responsible_team_id FROM "
                    "housing_case WHERE responsible_team_id IS NOT NULL GROUP BY 1 "
                    "ORDER BY count(*) DESC LIMIT 1)"
                )
                or [""]
            )[0],
            officer_name=(
                column(
                    "SELECT u.name FROM case_officer AS co JOIN user_account AS u "
                    "ON u.id = co.user_id WHERE co.role = 'Primary' GROUP BY u.id, u.name "
                    "ORDER BY count(*), u.id LIMIT 1 OFFSET (SELECT count(DISTINCT user_id) / 2 "
                    "FROM case_officer WHERE role = 'Primary')"
                )
                or [""]
            )[0],
            change_ids=column(
                "SELECT id FROM pending_change WHERE status = 'pending' ORDER BY random() LIMIT 200"
            ),
            case_ids=column("SELECT id FROM housing_case ORDER BY random() LIMIT 500"),
            names=column(
                "SELECT first_name || ' ' || last_name FROM person TABLESAMPLE BERNOULLI (1) "
                "LIMIT 20"
            ),
            surnames=column(
                "SELECT DISTINCT last_name FROM person TABLESAMPLE BERNOULLI (1) LIMIT 20"
            ),
            person_ids=column("SELECT id FROM person TABLESAMPLE BERNOULLI (1) LIMIT 500"),
            strand_paths=column(
                "SELECT '/backoffice/cases/' || case_id || '/applications/' || id FROM strand "
                "TABLESAMPLE BERNOULLI (1) LIMIT 500"
            ),
            officer_emails=column(
                "SELECT u.email FROM user_account AS u JOIN user_permission AS p "
                "ON p.user_id = u.id AND p.permission = 'Queue' WHERE u.active "
                "ORDER BY u.id LIMIT 8"
            ),
            applicant_emails=column(
                "SELECT a.email FROM portal_account AS a "
                "JOIN case_person AS cp ON cp.person_id = a.person_id AND cp.is_primary "
                "JOIN housing_case AS c ON c.id = cp.case_id AND c.status = 'Active' "
                "WHERE a.email_verified_at IS NOT NULL AND a.active "
                "ORDER BY a.id LIMIT 10"
            ),
        )


# --- signing in ---------------------------------------------------------------------------


def _session_cookie(response: httpx2.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == COOKIE:
            return f"{COOKIE}={rest.split(';', 1)[0]}"
    return None


def _csrf(page: str) -> str:
    found = _CSRF.search(page)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


@dataclass(frozen=True)
class Signed:
    email: str
    cookie: str
    csrf: str


def sign_in(base_url: str, email: str, *, officer: bool) -> Signed:
    """Sign in as a browser would (GET the form, POST it back with its token). The session
    cookie is Secure in production, so it is carried by hand rather than by a cookie jar."""
    path = "/backoffice/sign-in" if officer else "/sign-in"
    form = httpx2.get(base_url + path, timeout=60.0)
    cookie = _session_cookie(form) or ""
    done = httpx2.post(
        base_url + path,
        data={"csrf_token": _csrf(form.text), "email": email, "password": BENCH_PASSWORD},
        headers={"Cookie": cookie},
        timeout=60.0,
    )
    signed = _session_cookie(done)
    if done.status_code != 303 or signed is None:
        raise RuntimeError(f"signing in as {email} answered {done.status_code}")
    home = "/backoffice/queue" if officer else "/your-case"
    page = httpx2.get(base_url + home, headers={"Cookie": signed}, timeout=120.0)
    return Signed(email, signed, _csrf(page.text))


# --- probing and loading --------------------------------------------------------------------


@dataclass
class Probe:
    statuses: list[int]
    queries: list[int]
    has_marker: bool = True

    @property
    def ok(self) -> bool:
        return bool(self.statuses) and all(s == self.statuses[0] for s in self.statuses)


def probe(base_url: str, requests: list[Request], *, marker: str | None = None) -> Probe:
    """A few of the page's requests, one at a time: status and queries each."""
    result = Probe([], [])
    for method, path, cookie, body in requests[:3]:
        response = httpx2.request(
            method,
            base_url + path,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            if body
            else {"Cookie": cookie},
            content=body or None,
            timeout=120.0,
        )
        result.statuses.append(response.status_code)
        if QUERIES_HEADER in response.headers:
            result.queries.append(int(response.headers[QUERIES_HEADER]))
        if marker is not None and marker not in response.text:
            result.has_marker = False
    return result


def plan(page: Page, ctx: Ctx) -> list[Request]:
    """The page's requests, sessions rotated with the paths (officers', or applicants')."""
    paths = page.paths(ctx)
    cookies = {
        NOBODY: [""],
        APPLICANT: ctx.applicant_cookies,
        MY_WORK: ctx.my_work_cookies,
    }.get(page.who, ctx.officer_cookies)
    count = max(len(paths), len(cookies))
    return [("GET", paths[i % len(paths)], cookies[i % len(cookies)], "") for i in range(count)]


def wrk(
    base_url: str,
    files: list[list[Request]],
    *,
    workdir: Path,
    name: str,
    seconds: int,
    connections: int,
    threads: int,
    expect: int,
) -> Figures:
    """Run wrk over the request files (thread n sends file n, round robin) and read its line."""
    workdir.mkdir(parents=True, exist_ok=True)
    stem = workdir / f"plan-{name}"
    for n, requests in enumerate(files, start=1):
        text = "".join("\t".join(r) + "\n" for r in requests)
        Path(f"{stem}.{n}").write_text(text)
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, seconds)}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        base_url,
        "--",
        str(stem),
        str(len(files)),
        str(expect),
    ]
    run = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr[-2000:]}")
    return parse_wrk(run.stdout)


# --- accepting changes ----------------------------------------------------------------------


def discard_unused_batch(url: str) -> int:
    """Delete the batch's changes nobody accepted, so that a rerun on the same database finds the
    queue as the generator left it (accepted ones stay, as accepted changes and history)."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        deleted = conn.execute(
            "DELETE FROM pending_change WHERE status = 'pending' "
            "AND idempotency_key LIKE 'bench-accept-%'"
        ).rowcount
        conn.execute("ANALYZE pending_change")
    return deleted


@dataclass
class AcceptPlans:
    probe: list[Request]
    warm_up: list[list[Request]]  # one file per officer
    run: list[list[Request]]
    inserted: int
    wanted: int


def accept_plans(url: str, officers: list[Signed], *, seconds: int, warm_up: int) -> AcceptPlans:
    """Insert a fresh batch of acceptable changes and share them out: each officer gets the
    changes of their own cases (no two officers on one case), enough for the warm-up and the
    run at up to ACCEPTS_PER_OFFICER_SECOND each."""
    per_run = math.ceil((seconds + 2) * ACCEPTS_PER_OFFICER_SECOND)
    per_warm = math.ceil(warm_up * ACCEPTS_PER_OFFICER_SECOND)
    wanted = len(officers) * (per_run + per_warm) + 1
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        rows = conn.execute(
            sql_changes.ACCEPT_BATCH, {"count": wanted, "sample": wanted * 6}
        ).fetchall()
        conn.execute("ANALYZE pending_change")
    shares: list[list[tuple[int, int]]] = [[] for _ in officers]
    for change_id, case_id, version in rows:
        shares[case_id % len(officers)].append((change_id, version))

    def request(officer: Signed, change: tuple[int, int]) -> Request:
        body = f"csrf_token={quote(officer.csrf)}&version={change[1]}&confirm_stale=yes"
        return ("POST", f"/backoffice/queue/{change[0]}/accept", officer.cookie, body)

    first = max(range(len(officers)), key=lambda n: len(shares[n]))
    probe_change = shares[first].pop()
    warm, run = [], []
    for officer, share in zip(officers, shares, strict=True):
        cut = min(per_warm, len(share) // 4)
        # An officer left with nothing (a tiny council) re-sends the probe's change: errors.
        spare = [request(officer, probe_change)]
        warm.append([request(officer, c) for c in share[:cut]] or spare)
        run.append([request(officer, c) for c in share[cut:]] or spare)
    return AcceptPlans([request(officers[first], probe_change)], warm, run, len(rows), wanted)
