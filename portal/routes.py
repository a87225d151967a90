"""Portal routes. Route names are used by templates and tests (`url_for("home")`)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from portal import pages

routes: list[BaseRoute] = [
    Route("/", pages.home, name="home"),
    Route("/accessibility", pages.accessibility, name="accessibility"),
    Route("/privacy", pages.privacy, name="privacy"),
]
