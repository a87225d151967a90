"""Back-office routes, mounted at /backoffice. Every endpoint is wrapped by `officer_view`,
which declares the permission it needs (a meta-test checks this)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from backoffice import auth, home

routes: list[BaseRoute] = [
    Route("/", home.home, name="home"),
    Route("/sign-in", auth.sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/sign-out", auth.sign_out, methods=["POST"], name="sign_out"),
]
