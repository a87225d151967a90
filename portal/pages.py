"""The portal's general pages."""

from __future__ import annotations

from starlette.responses import Response

from web.context import Ctx
from web.views import portal_view


@portal_view
def home(ctx: Ctx) -> Response:
    return ctx.render("portal/home.html")


@portal_view
def accessibility(ctx: Ctx) -> Response:
    return ctx.render("portal/accessibility.html")


@portal_view
def privacy(ctx: Ctx) -> Response:
    return ctx.render("portal/privacy.html")
