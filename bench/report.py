"""What the benchmark measured, as figures: wrk's result line read, ratios worked out, and the
one table (text for the terminal, Markdown and JSON for notes). No I/O here but the caller's."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

RESULT_PREFIX = "BENCH_RESULT "


@dataclass(frozen=True)
class Figures:
    """One wrk run: throughput, latency (ms) and errors (socket errors, timeouts and responses
    whose status was not the one expected)."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    unexpected: int
    socket_errors: int
    timeouts: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def errors(self) -> int:
        return self.unexpected + self.socket_errors + self.timeouts


def parse_wrk(output: str) -> Figures:
    """The figures of wrk's output (the BENCH_RESULT line bench/wrk.lua prints at the end)."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            return Figures(
                requests=int(data["requests"]),
                seconds=int(data["duration_us"]) / 1e6,
                p50_ms=int(data["p50_us"]) / 1000,
                p95_ms=int(data["p95_us"]) / 1000,
                p99_ms=int(data["p99_us"]) / 1000,
                max_ms=int(data["max_us"]) / 1000,
                unexpected=int(data["unexpected"]),
                socket_errors=int(data["connect"]) + int(data["read"]) + int(data["write"]),
                timeouts=int(data["timeout"]),
            )
    raise ValueError("wrk printed no BENCH_RESULT line:\n" + output[-2000:])


@dataclass
class Row:
    """A page at a size: its figures (None when skipped, with the reason in `note`)."""

    page: str
    title: str
    size: int
    figures: Figures | None = None
    queries: list[int] = field(default_factory=list)  # per request, from the probes
    note: str = ""


@dataclass
class Report:
    sizes: list[int]
    rows: list[Row] = field(default_factory=list)
    rss_mib: dict[int, dict[str, float]] = field(default_factory=dict)  # size → process → MiB
    databases: dict[int, dict[str, Any]] = field(default_factory=dict)  # size → facts
    seconds: float = 10.0
    started_at: str = ""

    def row(self, page: str, size: int) -> Row | None:
        return next((r for r in self.rows if r.page == page and r.size == size), None)


BASELINE = "baseline"
BASELINE_AGAIN = "baseline_again"  # measured again after the pages: the machine may have changed
BASELINES = (BASELINE, BASELINE_AGAIN)


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference <= 0:
        return None
    return value / reference


def baseline_rps(report: Report, size: int) -> float | None:
    """The baseline's req/s at `size`: the mean of its runs before and after the pages."""
    found = [
        row.figures.rps
        for key in BASELINES
        if (row := report.row(key, size)) is not None and row.figures is not None
    ]
    return sum(found) / len(found) if found else None


def to_baseline(report: Report, row: Row) -> float | None:
    """The page's req/s over the baseline's in the same run, at the same size."""
    return ratio(row.figures.rps if row.figures else None, baseline_rps(report, row.size))


def to_smallest(report: Report, row: Row) -> float | None:
    """The page's req/s at this size over its req/s at the smallest size (e.g. 1M ÷ 10k)."""
    smallest = min(report.sizes)
    if row.size == smallest:
        return None
    first = report.row(row.page, smallest)
    return ratio(
        row.figures.rps if row.figures else None,
        first.figures.rps if first and first.figures else None,
    )


def size_name(cases: int) -> str:
    if cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}M"
    if cases % 1000 == 0:
        return f"{cases // 1000}k"
    return str(cases)


def queries_text(queries: list[int]) -> str:
    if not queries:
        return "–"
    low, high = min(queries), max(queries)
    return str(low) if low == high else f"{low}–{high}"


def _fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{suffix}"


def _times(value: float | None) -> str:
    """A ratio: two decimals, three below 0.1 (so 1.3 req/s over 435 is not 0.00×)."""
    return _fmt(value, 3 if value is not None and value < 0.1 else 2, "×")


HEADERS = [
    "page",
    "size",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "queries",
    "÷ baseline",
    "÷ smallest",
]


def table_rows(report: Report) -> list[list[str]]:
    """page × size, pages in the order they ran, each page's sizes together."""
    pages: list[tuple[str, str]] = []
    for row in report.rows:
        if (row.page, row.title) not in pages:
            pages.append((row.page, row.title))
    lines = []
    for page, title in pages:
        for size in report.sizes:
            found = report.row(page, size)
            if found is None:
                continue
            row, f = found, found.figures
            if f is None:
                lines.append([title, size_name(size), row.note or "skipped"] + [""] * 7)
                continue
            lines.append(
                [
                    title,
                    size_name(size),
                    _fmt(f.rps),
                    _fmt(f.p50_ms, 0),
                    _fmt(f.p95_ms, 0),
                    _fmt(f.p99_ms, 0),
                    f"{f.errors:,}",
                    queries_text(row.queries),
                    "" if page in BASELINES else _times(to_baseline(report, row)),
                    _times(to_smallest(report, row)) if size != min(report.sizes) else "",
                ]
            )
    return lines


def markdown(report: Report) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" + "---:|" * (len(HEADERS) - 1)]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(report)]
    return "\n".join([*lines, "", *_footer(report)])


def text(report: Report) -> str:
    rows = [HEADERS, *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    out = []
    for n, cells in enumerate(rows):
        skipped = not cells[3]  # "not built yet" and the like, left-aligned
        padded = [
            c.ljust(widths[i]) if i < 2 or skipped else c.rjust(widths[i])
            for i, c in enumerate(cells)
        ]
        out.append("  ".join(padded).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join([*out, "", *_footer(report)])


def _footer(report: Report) -> list[str]:
    lines = [
        f"{report.seconds:g} s per page at 20 connections (accept: 8 officers, one connection "
        "each); errors are socket errors, timeouts and responses other than the one expected "
        "(200, or 303 for accept). Queries per request come from X-Hearth-Queries (one request "
        "per page, or a few of them, before the load). ÷ baseline: req/s over the bare "
        "Starlette page's at the same size (the mean of its runs before and after the pages); "
        "÷ smallest: req/s over the same page's at the "
        "smallest size.",
    ]
    notes = [r for r in report.rows if r.note and r.figures is not None]
    for row in notes:
        lines.append(f"- {row.title} ({size_name(row.size)}): {row.note}")
    for size, processes in sorted(report.rss_mib.items()):
        peaks = ", ".join(f"{name} {mib:.0f} MiB" for name, mib in processes.items())
        lines.append(f"- Peak RSS per web process at {size_name(size)}: {peaks or 'not sampled'}")
    for size, facts in sorted(report.databases.items()):
        lines.append(
            f"- Database at {size_name(size)}: {facts.get('name')}, "
            f"{facts.get('size_gib', 0):.2f} GiB, "
            + (
                f"generated in {facts.get('seconds', 0):.0f} s"
                if facts.get("generated")
                else f"reused (generated in {facts.get('seconds', 0):.0f} s)"
            )
        )
    return lines


def as_json(report: Report) -> str:
    data: dict[str, Any] = {
        "started_at": report.started_at,
        "seconds_per_page": report.seconds,
        "sizes": report.sizes,
        "rows": [],
        "rss_mib": {str(k): v for k, v in report.rss_mib.items()},
        "databases": {str(k): v for k, v in report.databases.items()},
    }
    for row in report.rows:
        entry: dict[str, Any] = {
            "page": row.page,
            "title": row.title,
            "size": row.size,
            "queries": row.queries,
            "note": row.note,
            "figures": None,
        }
        if row.figures is not None:
            entry["figures"] = {
                **asdict(row.figures),
                "rps": round(row.figures.rps, 2),
                "errors": row.figures.errors,
            }
            entry["to_baseline"] = to_baseline(report, row)
            entry["to_smallest"] = to_smallest(report, row)
        data["rows"].append(entry)
    return json.dumps(data, indent=2)
