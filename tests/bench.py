"""Benchmarks that print figures (never assertions): `make bench`.

Seeds a temporary SQLite database (or $BENCH_DATABASE_URL) with many pending changes, then
times the review queue's first page, a deep keyset page, account creation and the bedroom
calculator; a case export of 50 people, 10,000 history events and 200 MB of files (time and
memory, `tests.bench_case_export`); then every kind of person search on a generated council of
a million cases (2.5 million people) on PostgreSQL. Results vary by machine; compare runs on
the same one.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from changes import queue
from changes.kinds import KINDS
from domain import accounts
from domain.accounts import Mailer
from domain.bedrooms import Occupant, assess
from domain.models import Case, CasePerson, Person, PortalAccount, utcnow
from domain.pending import PendingChange
from hearth.db import make_engine, make_session_factory, upgrade

CHANGES = int(os.environ.get("BENCH_CHANGES", "20000"))
# Person search is timed on a council the scale benchmark's generator makes (2.5 people a case),
# on PostgreSQL: reused if `make bench-scale` already made it, else made now (about 4 minutes
# for a million cases). BENCH_PEOPLE_CASES=0 skips it.
PEOPLE_CASES = int(os.environ.get("BENCH_PEOPLE_CASES", "1000000"))


def timed(label: str, fn: Callable[[], object], repeat: int = 20) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    ranked = sorted(samples)
    print(
        f"{label:<48} median {statistics.median(samples):8.2f} ms   p90 "
        f"{ranked[int(repeat * 0.9) - 1]:8.2f} ms   p95 {ranked[int(repeat * 0.95) - 1]:8.2f} ms"
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as db:
        person = Person(
            first_name="Bench", last_name="Mark", date_of_birth=dt.date(1980, 1, 1), sex="F"
        )
        db.add(person)
        db.flush()
        case = Case(status="Active")
        db.add(case)
        db.flush()
        db.add(
            CasePerson(
                case_id=case.id,
                person_id=person.id,
                is_primary=True,
                date_joined=dt.date(2020, 1, 1),
            )
        )
        account = PortalAccount(email="bench@example.com", person_id=person.id)
        db.add(account)
        db.flush()
        now = utcnow()
        rows = [
            {
                "case_id": case.id,
                "kind": "other",
                "payload": {"person_id": person.id, "details": f"change {n}"},
                "basis": {},
                "status": "pending",
                "submitted_by_account_id": account.id,
                "submitted_at": now - dt.timedelta(minutes=CHANGES - n),
                "target_date": dt.date.today() + dt.timedelta(days=(n % 30) - 15),
                "version": 1,
            }
            for n in range(CHANGES)
        ]
        for start in range(0, len(rows), 5000):
            db.execute(insert(PendingChange), rows[start : start + 5000])
    print(f"database: {engine.url.get_backend_name()}, {CHANGES} pending changes")

    def first_page() -> object:
        with sessions() as db:
            return queue.page(
                db, queue.QueueFilter(), officer_id=0, today=dt.date.today(), kinds=KINDS
            )

    with sessions() as db:
        cursor = None
        for _ in range(CHANGES // queue.PAGE_SIZE - 2):
            result = queue.page(
                db,
                queue.QueueFilter(),
                officer_id=0,
                today=dt.date.today(),
                kinds=KINDS,
                after=cursor,
            )
            cursor = result.next_cursor
    deep = cursor

    def deep_page() -> object:
        with sessions() as db:
            return queue.page(
                db,
                queue.QueueFilter(),
                officer_id=0,
                today=dt.date.today(),
                kinds=KINDS,
                after=deep,
            )

    timed("review queue, first page (with counts)", first_page)
    timed(f"review queue, page {CHANGES // queue.PAGE_SIZE - 1} by keyset", deep_page)

    household = [
        Occupant("a", dt.date(1980, 1, 1), "F", partner="b"),
        Occupant("b", dt.date(1979, 1, 1), "M", partner="a"),
        *[Occupant(f"c{n}", dt.date(2010 + n % 12, 1 + n % 12, 1), "FM"[n % 2]) for n in range(8)],
    ]
    # Creating an account: a known email and a new one must take the same time (both hash the
    # password and queue one email), or the page's timing would tell who has an account.
    mailer = Mailer(
        "Council",
        "Housing options",
        "s" * 40,
        lambda route, token: "http://x/",
        "01632 960000",
        "01632 960999",
    )
    counter = iter(range(10**9))

    def sign_up(email: Callable[[], str]) -> Callable[[], object]:
        def run() -> object:
            with sessions() as db, db.begin():
                accounts.sign_up(
                    db,
                    email=email(),
                    password="a fine long passphrase",
                    mailer=mailer,
                    client=f"10.{next(counter) % 250}.0.1",
                )
                db.rollback()
            return None

        return run

    timed("create account, email already has an account", sign_up(lambda: "bench@example.com"))
    timed("create account, new email", sign_up(lambda: f"new{next(counter)}@example.com"))
    timed(
        "bedroom need, 10 people, size criteria",
        lambda: assess(household, dt.date(2026, 11, 21), "size-criteria"),
        repeat=200,
    )
    engine.dispose()
    # A case export of 50 people, 10,000 history events and 200 MB of files (its own database
    # and processes, so its memory is its own).
    subprocess.run([sys.executable, "-m", "tests.bench_case_export"], check=True)
    if PEOPLE_CASES:
        person_search_timings(PEOPLE_CASES)


def person_search_timings(cases: int) -> None:
    """Each kind of person search, through the domain function the People page calls."""
    from bench import generate
    from domain import person_search

    database = generate.ensure(
        cases, server_url=os.environ.get("BENCH_SERVER_URL", generate.DEFAULT_SERVER)
    )
    engine = make_engine(database.url)
    sessions = make_session_factory(engine)
    with sessions() as db:
        people = db.scalar(text("SELECT count(*) FROM person"))
        sample = db.execute(
            text(
                "SELECT p.first_name, p.last_name, p.date_of_birth, p.phone, p.email, "
                "p.ni_number, a.postcode FROM person AS p JOIN address AS a "
                "ON a.person_id = p.id AND a.date_to IS NULL WHERE p.phone IS NOT NULL "
                "AND p.email IS NOT NULL AND p.ni_number IS NOT NULL LIMIT 1"
            )
        ).one()
    first, last, born, phone, email, ni, postcode = sample
    print(f"person search: {database.name}, {people:,} people")
    searches = {
        "first and last name": f"{first} {last}",
        "a surname alone": last,
        "part names, other order": f"{last[:3]} {first[:3]}",
        "name with a typo (no exact match)": f"{first}x {last}",
        "date of birth": born.strftime("%d/%m/%Y"),
        "surname and date of birth": f"{last} {born.strftime('%d/%m/%Y')}",
        "phone number": phone,
        "email address": email,
        "current postcode": postcode,
        "National Insurance number": ni,
    }
    today = dt.date.today()
    for label, q in searches.items():
        parsed = person_search.parse(q)

        def run(parsed: person_search.PersonSearch = parsed) -> object:
            with sessions() as db, db.begin():
                return person_search.search(db, parsed, today)

        timed(f"person search, {label}", run)
    my_work_timings(sessions, today)
    case_list_timings(sessions, today)
    engine.dispose()


def my_work_timings(sessions: Any, today: dt.date) -> None:
    """My work for the generated officer with 500 open tasks among the council's (the queries
    the page runs: the first page of work, its counts, a page four pages in)."""
    from backoffice import work_queries as wq
    from bench import sql_tasks

    with sessions() as db:
        officer = db.scalar(
            text("SELECT id FROM user_account WHERE email = :e"), {"e": sql_tasks.MY_WORK_EMAIL}
        )
        tasks = db.scalar(text("SELECT count(*) FROM task"))
    scope = wq.Scope(user_id=officer)
    with sessions() as db:
        counts = wq.counts(db, scope, today)
    print(
        f"My work: {counts.total} open items for {sql_tasks.MY_WORK_EMAIL} "
        f"({counts.overdue} overdue) among {tasks:,} tasks"
    )

    def first_page() -> object:
        with sessions() as db, db.begin():
            return wq.work(db, scope, today, after=None)

    def with_counts() -> object:
        with sessions() as db, db.begin():
            return wq.counts(db, scope, today)

    cursor = None
    with sessions() as db:
        for _ in range(4):
            cursor = wq.work(db, scope, today, after=cursor).next_cursor

    def deep_page() -> object:
        with sessions() as db, db.begin():
            return wq.work(db, scope, today, after=cursor)

    timed(f"My work, first {wq.PAGE_SIZE} items", first_page)
    timed("My work, counts by kind and state", with_counts)
    timed(f"My work, {4 * wq.PAGE_SIZE} items in", deep_page)


def case_list_timings(sessions: Any, today: dt.date) -> None:
    """A cases list of 8 columns as the page runs it (the breadth check, the page of ids, one
    query for the columns), one request at a time: a team's cases newest first (index-backed),
    40 pages in, one Primary officer's cases sorted by name (their cases read first, then sorted
    by the name each case keeps), a team sorted by name (index-backed), and a team sorted by
    household size (too broad: refused after a capped count)."""
    from bench.pages import LIST_COLUMNS
    from domain import case_list
    from domain.case_list import Filter, ListSpec
    from domain.models import User

    with sessions() as db:
        team = db.scalar(
            text(
                "SELECT t.name FROM team AS t JOIN housing_case AS c "
                "ON c.responsible_team_id = t.id GROUP BY t.id, t.name "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        )
        officer_name, caseload = db.execute(
            text(
                "SELECT u.name, count(*) FROM case_officer AS co JOIN user_account AS u "
                "ON u.id = co.user_id WHERE co.role = 'Primary' GROUP BY u.id, u.name "
                "ORDER BY count(*), u.id LIMIT 1 OFFSET (SELECT count(DISTINCT user_id) / 2 "
                "FROM case_officer WHERE role = 'Primary')"
            )
        ).one()
        viewer_id = db.scalar(text("SELECT min(id) FROM user_account"))
    by_team = ListSpec(
        columns=LIST_COLUMNS,
        filters=(Filter("team", "equals", team),),
        sort="opened",
        descending=True,
    )
    by_officer = ListSpec(
        columns=LIST_COLUMNS,
        filters=(Filter("primary_officer", "equals", officer_name),),
        sort="applicant",
        descending=False,
    )
    by_name = ListSpec(columns=LIST_COLUMNS, filters=by_team.filters, sort="applicant")
    too_broad = ListSpec(columns=LIST_COLUMNS, filters=by_team.filters, sort="household_size")
    print(f"cases list: team {team!r}; officer {officer_name!r} (Primary on {caseload:,} cases)")

    def page(spec: ListSpec, after: str | None = None) -> Callable[[], object]:
        def run() -> object:
            with sessions() as db, db.begin():
                viewer = db.get(User, viewer_id)
                assert viewer is not None
                result = case_list.run(db, spec, today, viewer, after=after)
                assert result.problem is None or spec is too_broad, result.problem
                return result

        return run

    cursor = None
    with sessions() as db:
        viewer = db.get(User, viewer_id)
        assert viewer is not None
        for _ in range(40):
            cursor = case_list.run(db, by_team, today, viewer, after=cursor).next_cursor
    timed("cases list, 8 columns, a team, newest first", page(by_team))
    timed("cases list, the same 40 pages in", page(by_team, cursor))
    timed("cases list, one officer's cases by name", page(by_officer))
    timed("cases list, a team by name", page(by_name))
    timed("cases list, a team by household size (refused: too broad)", page(too_broad))

    from bench.pages import OFFICER_LIST_COLUMNS, PEOPLE_LIST_COLUMNS
    from domain.workload_list import workload

    officers = ListSpec(
        OFFICER_LIST_COLUMNS,
        (Filter("officer:name", "equals", officer_name),),
        "officer:assigned",
        True,
        "officers",
    )
    people = ListSpec(PEOPLE_LIST_COLUMNS, by_team.filters, "opened", True, "people")
    since = (today - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    grouped = ListSpec(
        ("officer:name",),
        (*by_team.filters, Filter("officer:assigned", "range", since)),
        "officer:assigned",
        True,
        "officers",
        grouped=True,
    )

    def team_workload() -> object:
        with sessions() as db, db.begin():
            found = workload(db, grouped, today)
            assert found.problem is None, found.problem
            return found.rows

    timed("case officers list, one officer's, newest assigned", page(officers))
    timed("case people list, a team, newest case first", page(people))
    timed("case officers list, a team's last 30 days by officer", team_workload)


if __name__ == "__main__":
    main()
