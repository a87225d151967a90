"""The floor the pages are compared with: a bare Starlette app on Hearth's stack (uvicorn,
SQLAlchemy on psycopg, a synchronous view in the thread pool, Jinja), whose one page runs one
indexed query of 25 rows (the cases after a given id, by primary key) and renders a tiny template.

    BENCH_BASELINE_DATABASE_URL=postgresql+psycopg://… \
        python -m bench.baseline --port 8100 --workers 2
"""

from __future__ import annotations

import argparse
import os
from functools import cache

import uvicorn
from jinja2 import Environment
from sqlalchemy import Engine, create_engine, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

ENV_URL = "BENCH_BASELINE_DATABASE_URL"

TEMPLATE = Environment(autoescape=True).from_string(
    "<!doctype html><html lang=en><title>Cases</title><h1>Cases</h1><ul>"
    "{% for case in cases %}<li>HC-{{ '%06d' % case.id }} {{ case.status }} "
    "{{ case.created_at.date() }}</li>{% endfor %}</ul></html>"
)

QUERY = text(
    "SELECT id, status, created_at FROM housing_case WHERE id > :after ORDER BY id LIMIT 25"
)


@cache
def engine() -> Engine:
    return create_engine(os.environ[ENV_URL], pool_pre_ping=True)


def cases(request: Request) -> HTMLResponse:
    try:
        after = max(0, int(request.query_params.get("after", "0")))
    except ValueError:
        after = 0
    with engine().connect() as connection:
        rows = connection.execute(QUERY, {"after": after}).all()
    return HTMLResponse(TEMPLATE.render(cases=rows))


app = Starlette(routes=[Route("/", cases)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    # As `hearth serve` runs the service (hearth.cli.server_options), so the two compare.
    uvicorn.run(
        "bench.baseline:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        server_header=False,
    )


if __name__ == "__main__":
    main()
