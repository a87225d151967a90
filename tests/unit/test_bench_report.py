"""The scale benchmark's pure parts: reading wrk's result line, the ratios, the table, the
sizes and settings it is run with (bench/report.py, bench/run.py, bench/generate.py)."""

from __future__ import annotations

import json

import pytest

from bench import driver, report
from bench.generate import Council, database_name, size_label
from bench.pages import PAGES, Ctx, Fixture, by_keys
from bench.report import BASELINE, BASELINE_AGAIN, Figures, Report, Row, parse_wrk
from bench.run import options

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000
  2 threads and 20 connections
  1000 requests in 10.00s, 1.00MB read
Requests/sec:    100.00
BENCH_RESULT {"requests": 1000, "duration_us": 10000000, "p50_us": 150000, "p95_us": 400000, \
"p99_us": 900000, "max_us": 1200000, "unexpected": 3, "connect": 1, "read": 2, "write": 0, \
"timeout": 4, "status": 3}
"""


def figures(rps: float, p95: float = 100.0) -> Figures:
    return Figures(
        requests=int(rps * 10),
        seconds=10.0,
        p50_ms=50.0,
        p95_ms=p95,
        p99_ms=p95 * 2,
        max_ms=p95 * 3,
        unexpected=0,
        socket_errors=0,
        timeouts=0,
    )


def test_wrk_result_line_becomes_figures() -> None:
    f = parse_wrk(WRK_OUTPUT)
    assert f.requests == 1000
    assert f.rps == pytest.approx(100.0)
    assert (f.p50_ms, f.p95_ms, f.p99_ms, f.max_ms) == (150.0, 400.0, 900.0, 1200.0)
    # unexpected statuses, socket errors (connect, read, write) and timeouts all count
    assert (f.unexpected, f.socket_errors, f.timeouts, f.errors) == (3, 3, 4, 10)


def test_output_without_a_result_line_is_refused() -> None:
    with pytest.raises(ValueError, match="BENCH_RESULT"):
        parse_wrk("unable to connect to 127.0.0.1:8000 Connection refused\n")


def sample_report() -> Report:
    r = Report([10_000, 1_000_000], seconds=10)
    r.rows = [
        Row(BASELINE, "baseline", 10_000, figures(400)),
        Row("queue", "review queue", 10_000, figures(40), queries=[40, 41]),
        Row(BASELINE, "baseline", 1_000_000, figures(450)),
        Row(BASELINE_AGAIN, "baseline again", 1_000_000, figures(550)),  # mean 500
        Row("queue", "review queue", 1_000_000, figures(20, p95=1900), queries=[41]),
        Row("my_work", "My work", 10_000, note="not built yet"),
        Row("my_work", "My work", 1_000_000, note="not built yet"),
    ]
    r.rss_mib = {10_000: {"worker 1": 137.0, "worker 2": 201.4}}
    return r


def test_ratios_to_the_baseline_of_the_same_size_and_to_the_smallest_size() -> None:
    r = sample_report()
    queue_10k, queue_1m = r.row("queue", 10_000), r.row("queue", 1_000_000)
    assert queue_10k is not None and queue_1m is not None
    assert report.to_baseline(r, queue_10k) == pytest.approx(0.1)
    assert report.to_baseline(r, queue_1m) == pytest.approx(0.04)
    assert report.to_smallest(r, queue_10k) is None
    assert report.to_smallest(r, queue_1m) == pytest.approx(0.5)


def test_a_missing_or_zero_figure_gives_no_ratio() -> None:
    assert report.ratio(None, 10.0) is None
    assert report.ratio(5.0, 0.0) is None
    assert report.ratio(5.0, None) is None


def test_the_table_has_a_line_per_page_and_size_with_skips_said() -> None:
    r = sample_report()
    rows = report.table_rows(r)
    assert [cells[:2] for cells in rows] == [
        ["baseline", "10k"],
        ["baseline", "1M"],
        ["review queue", "10k"],
        ["review queue", "1M"],
        ["baseline again", "1M"],
        ["My work", "10k"],
        ["My work", "1M"],
    ]
    queue_1m = rows[3]
    assert queue_1m[2] == "20.0"  # req/s
    assert queue_1m[4] == "1,900"  # p95 ms
    assert queue_1m[7] == "41"  # queries
    assert queue_1m[8] == "0.040×"  # ÷ baseline (three decimals below 0.1)
    assert queue_1m[9] == "0.50×"  # ÷ smallest
    assert rows[2][7] == "40–41"
    assert rows[5][2] == "not built yet"
    text = report.text(r)
    assert "Peak RSS per web process at 10k: worker 1 137 MiB, worker 2 201 MiB" in text
    assert report.markdown(r).startswith("| page | size | req/s |")


def test_json_keeps_every_figure_and_ratio() -> None:
    data = json.loads(report.as_json(sample_report()))
    queue_1m = next(r for r in data["rows"] if r["page"] == "queue" and r["size"] == 1_000_000)
    assert queue_1m["figures"]["rps"] == 20.0
    assert queue_1m["to_smallest"] == pytest.approx(0.5)
    assert data["rss_mib"]["10000"]["worker 2"] == 201.4


def test_sizes_name_their_databases_never_the_test_one() -> None:
    assert (size_label(10_000), size_label(1_000_000), size_label(250)) == ("10k", "1m", "250")
    assert database_name(10_000) == "hearth_bench_10k"
    assert report.size_name(1_000_000) == "1M"


def test_the_council_keeps_issue_19s_proportions() -> None:
    council = Council(1_000_000)
    assert council.changes == 100_000
    assert council.pending == 60_000
    assert council.change_cases >= council.pending  # one pending change per case at most
    assert 1 in council.queue_officers() and 8 in council.queue_officers()


def test_settings_come_from_the_environment_and_flags() -> None:
    opts = options([], {"BENCH_SIZES": "1000000,10000", "BENCH_SECONDS": "5"})
    assert opts.sizes == [10_000, 1_000_000]
    assert opts.seconds == 5
    assert not opts.regenerate
    assert options(["--sizes", "200", "--regenerate"], {}).sizes == [200]
    assert options([], {"BENCH_REGENERATE": "1"}).regenerate


def test_pages_are_chosen_by_key_in_the_registrys_order() -> None:
    assert [p.key for p in by_keys(["accept", "queue"])] == ["queue", "accept"]
    assert len(by_keys(None)) == len(PAGES)
    with pytest.raises(ValueError, match="unknown pages: nope"):
        by_keys(["nope"])


def test_a_pages_requests_rotate_paths_and_sessions_together() -> None:
    fixture = Fixture(1, [11, 12, 13], [], [], [], [])
    ctx = Ctx("http://127.0.0.1:1", fixture, ["a=1", "a=2"], ["b=1"])
    review = next(p for p in PAGES if p.key == "review")
    assert driver.plan(review, ctx) == [
        ("GET", "/backoffice/queue/11", "a=1", ""),
        ("GET", "/backoffice/queue/12", "a=2", ""),
        ("GET", "/backoffice/queue/13", "a=1", ""),
    ]
    your_case = next(p for p in PAGES if p.key == "your_case")
    assert driver.plan(your_case, ctx) == [("GET", "/your-case", "b=1", "")]


def test_the_csrf_token_is_read_from_a_form_or_the_back_offices_body() -> None:
    assert driver._csrf('<input type="hidden" name="csrf_token" value="t0k">') == "t0k"
    assert driver._csrf('<body class="x" data-csrf-token="abc">') == "abc"
    with pytest.raises(RuntimeError):
        driver._csrf("<p>no form</p>")
