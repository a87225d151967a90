"""Opt-in (HEARTH_QUERY_COUNT_HEADER=1, off by default): every response says how many SQL
statements its request ran, in the header `X-Hearth-Queries`, for the scale benchmark and for
anyone looking for N+1 queries.

The middleware gives each request a counter in a context variable; views run in a worker thread
with a copy of the request's context, so they see the same counter, and the engine's
`before_cursor_execute` event adds one per statement. Statements run outside a request (the
worker, start-up) find no counter and are not counted.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-hearth-queries"

_counter: ContextVar[list[int] | None] = ContextVar("hearth_query_counter", default=None)


def _count(*_args: Any) -> None:
    counter = _counter.get()
    if counter is not None:
        counter[0] += 1


def count_statements(bind: Engine | Connection) -> None:
    """Count the statements run on `bind` (an engine, or a test's connection)."""
    event.listen(bind, "before_cursor_execute", _count)


class QueryCountHeader:
    """Pure ASGI (a contextvar set here reaches the view's thread)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = _counter.set(counter)

        async def send_with_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((HEADER, str(counter[0]).encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            _counter.reset(token)


__all__ = ["HEADER", "QueryCountHeader", "count_statements"]
