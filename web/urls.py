"""Paths for named routes, looked up in a dictionary built once.

Starlette's `url_path_for` tries every route in turn (raising and catching an exception for each
miss), which made links a visible share of a list page's time. `Urls` walks the same routes once
and answers by name, each path split into its parts once; it gives exactly the paths Starlette
would (tests/unit/test_urls.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.routing import PARAM_FORMAT_REGEX, BaseRoute, Mount, NoMatchFound, Route


class Urls:
    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self._routes: dict[str, _Path] = {}
        self._walk(routes, "", "")

    def _walk(self, routes: Iterable[BaseRoute], prefix: str, names: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                inner = f"{names}{route.name}:" if route.name else names
                self._walk(route.routes, prefix + route.path.rstrip("/"), inner)
            elif isinstance(route, Route):
                self._routes.setdefault(names + route.name, _Path(prefix, route))

    def path_for(self, name: str, /, **path_params: Any) -> str:
        found = self._routes.get(name)
        if found is None or path_params.keys() != found.params:
            raise NoMatchFound(name, path_params)
        if not path_params:
            return found.fixed
        parts = list(found.parts)
        for i in range(1, len(parts), 2):
            key = parts[i]
            parts[i] = found.convertors[key].to_string(path_params[key])
        return found.prefix + "".join(parts)


class _Path:
    """A route's path, split once into its fixed text and its parameters (as Starlette's
    `replace_params` splits it on every call)."""

    def __init__(self, prefix: str, route: Route) -> None:
        self.prefix = prefix
        self.convertors = route.param_convertors
        self.params = set(route.param_convertors)
        self.parts = tuple(PARAM_FORMAT_REGEX.split(route.path_format))
        self.fixed = prefix + route.path_format


__all__ = ["Urls"]
