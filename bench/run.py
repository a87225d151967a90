"""`make bench-scale` (python -m bench): for each size, generate (or reuse) the council, serve it
in production mode with two web processes next to the bare baseline, drive every page with wrk
and print the table. It prints figures and asserts nothing.

Settings (environment): BENCH_SIZES (default "10000,1000000"), BENCH_SECONDS (10, per page),
BENCH_WARMUP (2), BENCH_REGENERATE (1 to generate again even when a database can be reused),
BENCH_PAGES (keys of bench.pages.PAGES, comma-separated; default all), BENCH_SERVER_URL (the
PostgreSQL server, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench import driver, generate, report, servers, sql_tasks
from bench.pages import ACCEPT, BASELINE_AGAIN_PAGE, BASELINE_PAGE, Ctx, Page, by_keys
from bench.report import Report, Row

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = PROJECT_ROOT / "var" / "bench"
WORKERS = 2
FEW = 30  # a page that finishes fewer requests than this in the run is measured again, longer
LONGEST_RUN = 60  # seconds


@dataclass(frozen=True)
class Options:
    sizes: list[int]
    seconds: int
    warm_up: int
    regenerate: bool
    pages: list[str] | None
    server_url: str
    generate_only: bool = False


def options(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> Options:
    env = os.environ if env is None else env
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=env.get("BENCH_SIZES", "10000,1000000"))
    parser.add_argument("--seconds", type=int, default=int(env.get("BENCH_SECONDS", "10")))
    parser.add_argument("--warm-up", type=int, default=int(env.get("BENCH_WARMUP", "2")))
    parser.add_argument(
        "--regenerate",
        action="store_true",
        default=env.get("BENCH_REGENERATE", "").strip().lower() in {"1", "true", "yes"},
    )
    parser.add_argument("--pages", default=env.get("BENCH_PAGES", ""))
    parser.add_argument(
        "--server-url", default=env.get("BENCH_SERVER_URL", generate.DEFAULT_SERVER)
    )
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in str(args.sizes).split(",") if s.strip()]
    pages = [p.strip() for p in str(args.pages).split(",") if p.strip()] or None
    return Options(
        sizes=sorted(sizes),
        seconds=args.seconds,
        warm_up=args.warm_up,
        regenerate=args.regenerate,
        pages=pages,
        server_url=args.server_url,
        generate_only=args.generate_only,
    )


def say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    opts = options(argv)
    pages = by_keys(opts.pages)
    if not opts.generate_only and shutil.which("wrk") is None:
        print(
            "wrk is missing: apt-get install wrk (make bench-scale does it as root)",
            file=sys.stderr,
        )
        return 1
    result = Report(opts.sizes, seconds=opts.seconds, started_at=time.strftime("%Y-%m-%d %H:%M"))
    for size in opts.sizes:
        database = generate.ensure(
            size, server_url=opts.server_url, regenerate=opts.regenerate, say=say
        )
        result.databases[size] = {
            "name": database.name,
            "generated": database.generated,
            "seconds": database.seconds,
            "size_gib": database.size_bytes / 2**30,
            "timings": {k: round(v, 1) for k, v in database.timings.items()},
        }
        if not opts.generate_only:
            measure(database, pages, opts, result)
    if opts.generate_only:
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix, content in (("json", report.as_json(result)), ("md", report.markdown(result))):
        (OUT_DIR / f"scale-{stamp}.{suffix}").write_text(content + "\n")
        (OUT_DIR / f"scale-latest.{suffix}").write_text(content + "\n")
    say("")
    say(report.text(result))
    say(f"\nWritten to {OUT_DIR / f'scale-{stamp}'}.md and .json")
    return 0


def _app_env(url: str) -> dict[str, str]:
    """Production mode as the README's "Running on PostgreSQL with several processes" says,
    with the query count header on."""
    return {
        **os.environ,
        "HEARTH_MODE": "production",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RUN_JOBS_IN_WEB": "false",
        "HEARTH_QUERY_COUNT_HEADER": "1",
    }


def measure(database: generate.Database, pages: list[Page], opts: Options, result: Report) -> None:
    size = database.cases
    label = generate.size_label(size)
    driver.discard_unused_batch(database.url)  # left by a run that stopped half way
    fixture = driver.load_fixture(database.url)
    logs = OUT_DIR / "logs"
    base_port, app_port = servers.free_port(), servers.free_port()
    say(f"Serving {database.name}: Hearth on port {app_port}, baseline on port {base_port}.")
    baseline = servers.start(
        "baseline",
        [
            servers.python(),
            "-m",
            "bench.baseline",
            "--port",
            str(base_port),
            "--workers",
            str(WORKERS),
        ],
        env={**os.environ, "BENCH_BASELINE_DATABASE_URL": database.url},
        port=base_port,
        log=logs / f"baseline-{label}.log",
    )
    hearth = str(Path(servers.python()).with_name("hearth"))
    try:
        app = servers.start(
            "hearth",
            [hearth, "serve", "--workers", str(WORKERS), "--port", str(app_port)],
            env=_app_env(database.url),
            port=app_port,
            log=logs / f"hearth-{label}.log",
            ready_path="/healthz",
        )
    except Exception:
        baseline.stop()
        raise
    sampler = servers.RssSampler(app.process.pid).start()
    try:
        officers = [driver.sign_in(app.base_url, e, officer=True) for e in fixture.officer_emails]
        applicants = [
            driver.sign_in(app.base_url, e, officer=False) for e in fixture.applicant_emails
        ]
        my_work = driver.sign_in(app.base_url, sql_tasks.MY_WORK_EMAIL, officer=True)
        ctx = Ctx(
            app.base_url,
            fixture,
            [o.cookie for o in officers],
            [a.cookie for a in applicants],
            my_work_cookies=[my_work.cookie],
        )
        _get_page(BASELINE_PAGE, baseline.base_url, ctx, opts, result, size)
        for page in pages:
            if page.who == ACCEPT:
                _accept(page, database.url, app.base_url, officers, opts, result, size)
            else:
                _get_page(page, app.base_url, ctx, opts, result, size)
        _get_page(BASELINE_AGAIN_PAGE, baseline.base_url, ctx, opts, result, size)
    finally:
        peaks = sampler.stop()
        app.stop()
        baseline.stop()
    result.rss_mib[size] = {f"worker {pid}": round(mib, 1) for pid, mib in peaks.items()}


def _line(row: Row) -> str:
    f = row.figures
    if f is None:
        return f"  {row.title:<40} {row.note}"
    queries = report.queries_text(row.queries)
    return (
        f"  {row.title:<40} {f.rps:8.1f} req/s  p50 {f.p50_ms:6.0f} ms  p95 {f.p95_ms:6.0f} ms"
        f"  p99 {f.p99_ms:6.0f} ms  errors {f.errors}  queries {queries}"
    )


def _get_page(
    page: Page, base_url: str, ctx: Ctx, opts: Options, result: Report, size: int
) -> None:
    row = Row(page.key, page.title, size)
    result.rows.append(row)
    try:
        requests = driver.plan(page, ctx)
    except Exception as exc:  # a page's own requests could not be built: say so, go on
        row.note = f"could not prepare: {exc}"
        say(_line(row))
        return
    found = driver.probe(base_url, requests, marker=page.marker)
    row.queries = found.queries
    if page.placeholder and (404 in found.statuses or not found.has_marker):
        row.note = "not built yet"
        say(_line(row))
        return
    if not found.ok or found.statuses[0] != 200:
        row.note = f"answered {found.statuses} before the load; not measured"
        say(_line(row))
        return
    if opts.warm_up:
        _wrk(base_url, [requests], page.key, opts.warm_up, page.connections, page.threads, 200)
    row.figures = _wrk(
        base_url, [requests], page.key, opts.seconds, page.connections, page.threads, 200
    )
    notes = [ctx.notes.get(page.key, "")]
    if row.figures.requests < FEW and opts.seconds < LONGEST_RUN:
        # So slow that the run saw little more than its first wave: measure it for longer
        # (wrk counts only the requests that finish within the run).
        first = row.figures.requests
        row.figures = _wrk(
            base_url, [requests], page.key, LONGEST_RUN, page.connections, page.threads, 200
        )
        notes.append(f"measured over {LONGEST_RUN} s (only {first} requests in {opts.seconds} s)")
    if row.figures.requests < 100:
        notes.append(f"{row.figures.requests} requests: percentiles are coarse")
    row.note = "; ".join(n for n in notes if n)
    say(_line(row))


def _accept(
    page: Page,
    url: str,
    base_url: str,
    officers: list[driver.Signed],
    opts: Options,
    result: Report,
    size: int,
) -> None:
    row = Row(page.key, page.title, size)
    result.rows.append(row)
    plans = driver.accept_plans(url, officers, seconds=opts.seconds, warm_up=opts.warm_up)
    try:
        _accept_load(plans, base_url, len(officers), opts, row)
    finally:
        driver.discard_unused_batch(url)
    say(_line(row))


def _accept_load(
    plans: driver.AcceptPlans, base_url: str, officers: int, opts: Options, row: Row
) -> None:
    found = driver.probe(base_url, plans.probe)
    row.queries = found.queries
    if found.statuses != [303]:
        row.note = f"accepting one change answered {found.statuses}; not measured"
        return
    if opts.warm_up:
        _wrk(base_url, plans.warm_up, "accept-warm", opts.warm_up, officers, officers, 303)
    row.figures = _wrk(base_url, plans.run, "accept", opts.seconds, officers, officers, 303)
    if plans.inserted < plans.wanted:
        row.note = f"only {plans.inserted} acceptable changes for the {plans.wanted} wanted"


def _wrk(
    base_url: str,
    files: list[list[driver.Request]],
    name: str,
    seconds: int,
    connections: int,
    threads: int,
    expect: int,
) -> report.Figures:
    return driver.wrk(
        base_url,
        files,
        workdir=OUT_DIR / "plans",
        name=name,
        seconds=seconds,
        connections=connections,
        threads=threads,
        expect=expect,
    )
