"""Paths for named routes, looked up in a dictionary built once.

Starlette's `url_path_for` tries every route in turn (raising and catching an exception for each
miss), which made links a visible share of a list page's time. `Urls` walks the same routes once
and answers by name; it gives exactly the paths Starlette would (tests/unit/test_urls.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.routing import BaseRoute, Mount, NoMatchFound, Route


class Urls:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._routes: dict[str, tuple[str, Route]] = {}
        self._walk(routes, "", "")

    def _walk(self, routes: Iterable[BaseRoute], prefix: str, names: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                inner = f"{names}{route.name}:" if route.name else names
                self._walk(route.routes, prefix + route.path.rstrip("/"), inner)
            elif isinstance(route, Route):
                self._routes.setdefault(names + route.name, (prefix, route))

    def path_for(self, name: str, /, **path_params: Any) -> str:
        found = self._routes.get(name)
        if found is None:
            raise NoMatchFound(name, path_params)
        prefix, route = found
        return prefix + str(route.url_path_for(route.name, **path_params))


__all__ = ["Urls"]
