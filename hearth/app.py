"""The service: portal at /, back office at /backoffice, /healthz, static assets, error pages."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hearth.db import make_engine, make_session_factory
from hearth.query_count import QueryCountHeader, count_statements
from hearth.settings import load_settings
from web.activity import ActivityBuffer
from web.context import AppState
from web.csrf import csrf_token
from web.oidc import OIDCClient
from web.settings import Settings
from web.storage import store_for
from web.templating import Assets, brand_css_path, build_templates
from web.urls import Urls

log = logging.getLogger("hearth")

ERROR_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "This page cannot do that",
    409: "Somebody else got there first",
    413: "That file is too large",
    500: "Sorry, there is a problem with the service",
}


class SecurityHeaders:
    """Adds security headers to every response, error pages included (pure ASGI, so streaming
    bodies pass through). A response that does not say how it may be cached is not cached at
    all (`Cache-Control: no-store`): pages carry personal data; the fingerprinted assets and the
    brand stylesheet set their own long caching."""

    def __init__(self, app: ASGIApp, *, https: bool, form_action: str = "'self'") -> None:
        self.app = app
        csp = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            f"form-action {form_action}; frame-ancestors 'none'"
        )
        headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (
                b"permissions-policy",
                b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cache-control", b"no-store"),
        ]
        if https:
            headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in existing]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FingerprintedStatic(StaticFiles):
    """Assets whose names carry a content hash never change, so browsers may keep them a year."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=31536000, immutable"
        return response


class PlainStatic(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "public, max-age=86400"
        return response


class ServerErrors:
    """The "Sorry, there is a problem" page for anything a view did not expect, rendered inside
    the security headers (Starlette's own handler sits outside every middleware, so its 500s
    would go out bare). The error is logged with the request; the page says nothing of it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except Exception:
            request = Request(scope)
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            if started:
                raise
            await _render_error(request, 500, None)(scope, receive, send)


async def healthz(request: Request) -> Response:
    state: AppState = request.app.state.hearth

    def probe() -> None:
        with state.session_factory() as session:
            session.execute(text("SELECT 1"))

    from starlette.concurrency import run_in_threadpool

    try:
        await run_in_threadpool(probe)
    except Exception as exc:  # any database failure means unhealthy
        log.error("health check failed: %s", exc)
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def brand_css(request: Request) -> Response:
    """The council's colour as a CSS custom property (no inline styles under our CSP)."""
    settings: Settings = request.app.state.hearth.settings
    body = f":root{{--hearth-brand:{settings.council_colour}}}\n"
    return PlainTextResponse(
        body,
        media_type="text/css",
        headers={"cache-control": "public, max-age=31536000, immutable"},
    )


def _render_error(request: Request, status: int, detail: str | None) -> Response:
    state: AppState = request.app.state.hearth
    area = "backoffice" if request.url.path.startswith("/backoffice") else "portal"
    title = ERROR_TITLES.get(status, "Sorry, there is a problem")
    context: dict[str, Any] = {
        "request": request,
        "status": status,
        "title": title,
        "detail": detail if detail and status != 500 else None,
        "area": area,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        # Whoever the view had signed in, so an error page keeps their navigation.
        "current_user": getattr(request.state, "signed_in_user", None),
        "current_account": getattr(request.state, "signed_in_account", None),
        "current_path": request.url.path,
        "url_for": lambda name, **kw: str(request.app.url_path_for(name, **kw)),
        "error_list": [],
    }
    return state.templates.TemplateResponse(
        request, f"errors/{area}.html", context, status_code=status
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.headers.get("hx-request") and exc.status_code in (400, 409):
        # htmx swaps nothing on errors by default; send the message for the error summary.
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail in {"Not Found", "Method Not Allowed", "Forbidden"}:  # Starlette's defaults
        detail = None
    return _render_error(request, exc.status_code, detail)


def build_routes(*, embedded: bool = True) -> list[BaseRoute]:
    from backoffice.routes import routes as backoffice_routes
    from portal.routes import embedded_routes
    from portal.routes import routes as portal_routes

    return [
        Route("/healthz", healthz, name="healthz"),
        Route("/brand-{colour}.css", brand_css, name="brand_css"),
        Mount("/backoffice", routes=backoffice_routes, name="backoffice"),
        *portal_routes,
        *(embedded_routes if embedded else []),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    run_jobs: bool | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> Starlette:
    """Build the service. Tests may pass their own `session_factory` (e.g. bound to a
    connection whose transaction they roll back)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    if session_factory is None:
        session_factory = make_session_factory(engine)
    assets = Assets(settings.static_dir)
    templates = build_templates(settings, assets)
    state = AppState(
        settings,
        session_factory,
        templates,
        assets,
        officer_oidc=OIDCClient(settings.officer_oidc) if settings.officer_oidc else None,
        applicant_oidc=OIDCClient(settings.applicant_oidc) if settings.applicant_oidc else None,
        files=store_for(settings),
        activity=ActivityBuffer(session_factory, settings.activity_batch_seconds),
    )
    # Signing out redirects a POSTed form to the provider, which form-action must allow.
    providers = {c.origin for c in (settings.officer_oidc, settings.applicant_oidc) if c}
    form_action = " ".join(["'self'", *sorted(providers)])
    in_process_jobs = settings.run_jobs_in_web if run_jobs is None else run_jobs

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if in_process_jobs:
            from hearth.worker import Worker

            worker = Worker(session_factory, settings, name="web-inprocess")
            thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
            if state.activity is not None:
                state.activity.flush()  # what is still waiting, before the process goes
            engine.dispose()

    static_dir = settings.static_dir
    routes = build_routes(embedded=settings.embedded)
    routes[1:1] = [
        Mount(
            "/static", app=FingerprintedStatic(directory=static_dir, check_dir=False), name="static"
        ),
        Mount(
            "/assets",
            app=PlainStatic(directory=static_dir / "assets", check_dir=False),
            name="assets",
        ),
    ]
    counting: list[Middleware] = []
    if settings.query_count_header:
        count_statements(session_factory.kw.get("bind") or engine)
        counting.append(Middleware(QueryCountHeader))
    app = Starlette(
        routes=routes,
        middleware=[
            *counting,
            Middleware(SecurityHeaders, https=not settings.embedded, form_action=form_action),
            Middleware(ServerErrors),
            Middleware(GZipMiddleware, minimum_size=500, compresslevel=6),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="hearth_session",
                max_age=None,
                same_site="lax",
                https_only=not settings.embedded,
            ),
        ],
        exception_handlers={HTTPException: http_exception},
        lifespan=lifespan,
    )
    app.state.hearth = replace(state, urls=Urls(app.routes))
    app.state.engine = engine
    return app


__all__ = ["brand_css_path", "create_app"]
