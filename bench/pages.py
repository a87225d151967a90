"""What the benchmark drives: one entry a page, so adding a page is one line.

A page gives the paths its requests rotate over (built from the generated data and, where it
must, from live requests: the queue 50 pages deep follows the `after` cursor first), whose
session sends them (officers' or applicants', rotated), and whether it is a placeholder for a
page another issue adds: a placeholder is skipped with "not built yet" while its path answers
404 (or lacks its `marker`), and measured once it is there.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx2

from domain.list_columns import DEFAULT_COLUMNS

OFFICER = "officer"
APPLICANT = "applicant"
NOBODY = "nobody"
ACCEPT = "accept"
MY_WORK = "my_work"  # the My work officer: 500 open tasks at every size (bench.sql_tasks)

_NEXT = re.compile(r'href="(\?[^"]*after=[^"]*)"')


@dataclass(frozen=True)
class Fixture:
    """Ids and names from the generated database, read before the servers start."""

    team_id: int
    change_ids: list[int]
    case_ids: list[int]
    names: list[str]  # "first last" of people picked at random
    officer_emails: list[str]
    applicant_emails: list[str]
    surnames: list[str] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    strand_paths: list[str] = field(default_factory=list)
    team_name: str = ""
    officer_name: str = ""  # a Primary officer with a middling caseload


@dataclass
class Ctx:
    """What building a page's requests may use: the data, the signed-in sessions, the app."""

    base_url: str
    fixture: Fixture
    officer_cookies: list[str]
    applicant_cookies: list[str]
    notes: dict[str, str] = field(default_factory=dict)
    my_work_cookies: list[str] = field(default_factory=list)

    def get(self, path: str, cookie: str) -> httpx2.Response:
        return httpx2.get(self.base_url + path, headers={"Cookie": cookie}, timeout=120.0)


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    paths: Callable[[Ctx], list[str]]
    who: str = OFFICER
    placeholder: bool = False
    marker: str | None = None  # a placeholder counts as built when its page contains this
    connections: int = 20
    threads: int = 2


def queue_deep(ctx: Ctx, depth: int = 50) -> list[str]:
    """Follow the queue's "next" link `depth` pages (or to the last page) and load that one."""
    path = "/backoffice/queue"
    cookie = ctx.officer_cookies[0]
    reached = 1
    while reached < depth:
        response = ctx.get(path, cookie)
        found = _NEXT.search(response.text)
        if found is None:
            break
        path = "/backoffice/queue" + html.unescape(found.group(1))
        reached += 1
    if reached < depth:
        ctx.notes["queue_deep"] = f"the queue has only {reached} pages; the last one is loaded"
    return [path]


def _changes(ctx: Ctx) -> list[str]:
    return [f"/backoffice/queue/{i}" for i in ctx.fixture.change_ids]


def _cases(ctx: Ctx) -> list[str]:
    return [f"/backoffice/cases/{i}" for i in ctx.fixture.case_ids]


def _histories(ctx: Ctx) -> list[str]:
    return [f"/backoffice/cases/{i}/history" for i in ctx.fixture.case_ids]


def _searches(ctx: Ctx) -> list[str]:
    return [f"/backoffice/people?q={quote(name)}" for name in ctx.fixture.names]


def _surname_searches(ctx: Ctx) -> list[str]:
    return [f"/backoffice/people?q={quote(name)}" for name in ctx.fixture.surnames]


def _people(ctx: Ctx) -> list[str]:
    return [f"/backoffice/people/{i}" for i in ctx.fixture.person_ids]


LIST_COLUMNS = (*DEFAULT_COLUMNS, "open_tasks", "housing_register.band")  # 8 columns


def _list(ctx: Ctx, *, by_officer: bool = False) -> str:
    """A cases list of 8 columns: a team's newest first (index-backed), or one officer's cases
    sorted by name (worked out over their caseload)."""
    query = [("column", c) for c in LIST_COLUMNS]
    if by_officer:
        query += [
            ("filter-1-column", "primary_officer"),
            ("filter-1-op", "equals"),
            ("filter-1-value", ctx.fixture.officer_name),
            ("sort", "applicant"),
            ("order", "ascending"),
        ]
    else:
        query += [
            ("filter-1-column", "team"),
            ("filter-1-op", "equals"),
            ("filter-1-value", ctx.fixture.team_name),
            ("sort", "opened"),
            ("order", "descending"),
        ]
    return "/backoffice/lists/cases?" + "&".join(f"{k}={quote(v)}" for k, v in query)


OFFICER_LIST_COLUMNS = (
    "officer:name",
    "officer:role",
    "officer:assigned",
    "reference",
    "status",
    "applicant",
    "household_size",
    "open_tasks",
)
PEOPLE_LIST_COLUMNS = (
    "person:name",
    "person:born",
    "person:relationship",
    "person:in_household",
    "reference",
    "status",
    "opened",
    "applicant",
)


def _query(path: str, query: list[tuple[str, str]]) -> str:
    return path + "?" + "&".join(f"{k}={quote(v)}" for k, v in query)


def _officers_list(ctx: Ctx, *, grouped: bool = False) -> str:
    """The case officers list: one officer's assignments newest first (index-backed: the
    officer, the date assigned), or a team's assignments of the last 30 days grouped by officer
    (the workload)."""
    if grouped:
        since = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=30)
        query = [
            ("column", "officer:name"),
            ("filter-1-column", "team"),
            ("filter-1-op", "equals"),
            ("filter-1-value", ctx.fixture.team_name),
            ("filter-2-column", "officer:assigned"),
            ("filter-2-op", "range"),
            ("filter-2-value", since.strftime("%d/%m/%Y")),
            ("group", "officer"),
        ]
    else:
        query = [("column", c) for c in OFFICER_LIST_COLUMNS] + [
            ("filter-1-column", "officer:name"),
            ("filter-1-op", "equals"),
            ("filter-1-value", ctx.fixture.officer_name),
            ("sort", "officer:assigned"),
            ("order", "descending"),
        ]
    return _query("/backoffice/lists/officers", query)


def _people_list(ctx: Ctx) -> str:
    """The case people list, 8 columns: the people on a team's cases, newest case first."""
    query = [("column", c) for c in PEOPLE_LIST_COLUMNS] + [
        ("filter-1-column", "team"),
        ("filter-1-op", "equals"),
        ("filter-1-value", ctx.fixture.team_name),
        ("sort", "opened"),
        ("order", "descending"),
    ]
    return _query("/backoffice/lists/people", query)


PAGES: list[Page] = [
    Page("queue", "review queue, first page", lambda ctx: ["/backoffice/queue"]),
    Page(
        "queue_team",
        "queue filtered by team",
        lambda ctx: [f"/backoffice/queue?team={ctx.fixture.team_id}"],
    ),
    Page("queue_overdue", "queue overdue only", lambda ctx: ["/backoffice/queue?overdue=yes"]),
    Page("queue_deep", "queue 50 pages deep", queue_deep),
    Page("review", "review page", _changes),
    Page("case", "case dashboard", _cases),
    Page("case_history", "case history", _histories),
    Page("your_case", 'applicant\'s "Your case"', lambda ctx: ["/your-case"], who=APPLICANT),
    Page("person_search", "person search, first and last name", _searches),
    Page("person_surname", "person search, a surname alone", _surname_searches),
    Page("person", "person page", _people),
    Page("strand", "application or assessment page", lambda ctx: ctx.fixture.strand_paths),
    Page(
        "case_notes",
        "case notes & actions tab",
        lambda ctx: [f"/backoffice/cases/{i}/notes" for i in ctx.fixture.case_ids],
    ),
    Page(
        "case_files",
        "case files tab",
        lambda ctx: [f"/backoffice/cases/{i}/files" for i in ctx.fixture.case_ids],
    ),
    Page(
        "case_comms",
        "case comms tab",
        lambda ctx: [f"/backoffice/cases/{i}/messages" for i in ctx.fixture.case_ids],
    ),
    Page("cases_list", "cases list: 8 columns, a team, newest first", lambda ctx: [_list(ctx)]),
    Page(
        "cases_list_by_name",
        "cases list: 8 columns, one officer's cases by name",
        lambda ctx: [_list(ctx, by_officer=True)],
    ),
    Page(
        "officers_list",
        "case officers list: 8 columns, one officer's, newest assigned first",
        lambda ctx: [_officers_list(ctx)],
    ),
    Page(
        "officers_workload",
        "case officers list: a team's last 30 days grouped by officer",
        lambda ctx: [_officers_list(ctx, grouped=True)],
    ),
    Page(
        "people_list",
        "case people list: 8 columns, a team, newest case first",
        lambda ctx: [_people_list(ctx)],
    ),
    Page(
        "my_work",
        "My work (an officer with 500 open tasks)",
        lambda ctx: ["/backoffice/my-work"],
        who=MY_WORK,
    ),
    # Accepting changes: 8 officers, a connection each, every request a different change.
    Page("accept", "accept a change (8 officers)", lambda ctx: [], who=ACCEPT, connections=8),
]


def _baseline(ctx: Ctx) -> list[str]:
    return [f"/?after={max(0, i - 1)}" for i in ctx.fixture.case_ids]


# The bare baseline, before the pages and again after them (the machine is shared).
BASELINE_PAGE = Page("baseline", "baseline (bare Starlette, 25 rows)", _baseline, who=NOBODY)
BASELINE_AGAIN_PAGE = Page(
    "baseline_again", "baseline again, after the pages", _baseline, who=NOBODY
)


def by_keys(keys: list[str] | None) -> list[Page]:
    """The pages named (all when None), in the registry's order."""
    if not keys:
        return list(PAGES)
    unknown = set(keys) - {p.key for p in PAGES}
    if unknown:
        raise ValueError(f"unknown pages: {', '.join(sorted(unknown))}")
    return [p for p in PAGES if p.key in keys]
