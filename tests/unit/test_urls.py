"""The route index gives the very paths Starlette's own (slower) lookup gives, for every route."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.convertors import StringConvertor
from starlette.routing import Mount, NoMatchFound, Route

from hearth.app import build_routes
from web.urls import Urls


def _named(routes: list, names: str = "") -> list[tuple[str, Route]]:  # type: ignore[type-arg]
    found = []
    for route in routes:
        if isinstance(route, Mount):
            found += _named(route.routes, f"{names}{route.name}:" if route.name else names)
        elif isinstance(route, Route):
            found.append((names + route.name, route))
    return found


def test_every_named_route_has_the_path_starlette_gives() -> None:
    routes = build_routes()
    app = Starlette(routes=routes)
    urls = Urls(app.routes)
    named = _named(app.routes)
    assert len(named) > 60
    for name, route in named:
        params = {
            key: "step-one" if isinstance(convertor, StringConvertor) else 123
            for key, convertor in route.param_convertors.items()
        }
        assert urls.path_for(name, **params) == str(app.url_path_for(name, **params)), name


def test_unknown_names_and_wrong_parameters_are_refused_as_starlette_does() -> None:
    urls = Urls(Starlette(routes=build_routes()).routes)
    with pytest.raises(NoMatchFound):
        urls.path_for("backoffice:nowhere")
    with pytest.raises(NoMatchFound):
        urls.path_for("backoffice:case")  # no case_id
    assert urls.path_for("backoffice:case", case_id=7) == "/backoffice/cases/7"
    assert urls.path_for("backoffice:home") == "/backoffice/"
    assert urls.path_for("home") == "/"
