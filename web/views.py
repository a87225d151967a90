"""View decorators: sign the user in from the session, check the permission, read the form,
check CSRF, open the request's transaction, run the view in a worker thread, commit once.

A view is a plain (synchronous) function taking a :class:`~web.context.Ctx`. It changes data
only through `ctx.attempt` (see web.context); an exception that escapes the view rolls the whole
request back and becomes an error page: NotFound → 404, PermissionDenied → 403, a conflict → 409,
any other refusal → 400.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.errors import Conflict, NotFound, PermissionDenied, RuleBroken
from domain.strands import council_types
from domain.vocab import Permission
from web import signin
from web.activity import entry_for
from web.context import AppState, Ctx, app_state
from web.csrf import check_csrf
from web.errors import STALE_RECORD, WRITE_CLASH, is_write_clash
from web.parsing import clean_form

log = logging.getLogger("hearth.web")

View = Callable[[Ctx], Response]


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as plain values an error page can use after the request's session
    has gone (the records themselves are expired by then)."""

    name: str
    permissions: frozenset[Permission] = frozenset()

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


# Files one request may carry; the pages set their own, lower limits and say so on the page.
MAX_FILES = 25
MAX_FIELDS = 200


def _make_endpoint(
    view: View,
    *,
    area: str,
    permission: Permission | None,
    public: bool,
    also: tuple[Permission, ...] = (),
) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        form: FormData | None = None
        if request.method == "POST":
            form = clean_form(await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS))
            check_csrf(request, form)
        state = app_state(request)
        return await run_in_threadpool(
            _run_view, view, request, form, state, area, permission, public, also
        )

    endpoint.__name__ = view.__name__
    endpoint.__doc__ = view.__doc__
    endpoint.hearth_area = area  # type: ignore[attr-defined]
    endpoint.hearth_permission = permission  # type: ignore[attr-defined]
    endpoint.hearth_public = public  # type: ignore[attr-defined]
    endpoint.hearth_also = also  # type: ignore[attr-defined]
    endpoint.hearth_view = view  # type: ignore[attr-defined]
    return endpoint


def _run_view(
    view: View,
    request: Request,
    form: FormData | None,
    state: AppState,
    area: str,
    permission: Permission | None,
    public: bool,
    also: tuple[Permission, ...] = (),
) -> Response:
    with state.session_factory() as db:
        ctx = Ctx(
            request=request, db=db, settings=state.settings, templates=state.templates, form=form
        )
        try:
            response = _answer(ctx, view, area, permission, public, also)
        except HTTPException as exc:  # refused, not found: recorded too
            _record(ctx, state, exc.status_code)
            raise
        _record(ctx, state, response.status_code)
        return response


def _record(ctx: Ctx, state: AppState, status: int) -> None:
    """The activity log's entry for a signed-in officer's request (after its transaction)."""
    if ctx.user is not None and state.activity is not None:
        # the id without loading the officer again (a refused request's session rolled back)
        identity = inspect(ctx.user).identity
        if identity is None:
            return
        entry = entry_for(ctx.request, int(identity[0]), status)
        if entry is not None:
            state.activity.add(entry)


def _answer(
    ctx: Ctx,
    view: View,
    area: str,
    permission: Permission | None,
    public: bool,
    also: tuple[Permission, ...],
) -> Response:
    request, db = ctx.request, ctx.db
    try:
        with db.begin():
            if area == "backoffice":
                denied = _authorise_officer(ctx, permission, public, also)
                if denied is not None:
                    return denied
            else:
                ctx.account = signin.current_applicant(request, db, ctx.settings_idle)
                if ctx.account is not None:
                    request.state.signed_in_account = SignedIn(ctx.account.email)
            if ctx.user is not None or ctx.account is not None:
                # A council's own strand types, saved in any process (a signed-in page
                # may show strands; the public pages need no database).
                council_types.sync(db)
            return view(ctx)
    except StaleDataError:
        raise HTTPException(409, STALE_RECORD) from None
    except Conflict as exc:
        raise HTTPException(409, str(exc)) from None
    except OperationalError as exc:
        if not is_write_clash(exc):
            raise
        log.warning("write clash on %s: %s", request.url.path, exc.orig)
        raise HTTPException(409, WRITE_CLASH) from None
    except IntegrityError:
        log.warning("integrity error on %s", request.url.path, exc_info=True)
        raise HTTPException(409, WRITE_CLASH) from None
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from None
    except RuleBroken as exc:
        raise HTTPException(400, str(exc)) from None


def _authorise_officer(
    ctx: Ctx, permission: Permission | None, public: bool, also: tuple[Permission, ...] = ()
) -> Response | None:
    ctx.user = signin.current_officer(ctx.request, ctx.db, ctx.settings_idle)
    if ctx.user is not None:  # what an error page needs to keep the navigation
        ctx.request.state.signed_in_user = SignedIn(ctx.user.name, ctx.user.permissions)
    if public:
        return None
    if ctx.user is None:
        target = ctx.url_for("backoffice:sign_in")
        if ctx.request.method == "GET":
            here = ctx.request.url.path
            if ctx.request.url.query:
                here += f"?{ctx.request.url.query}"
            target += "?" + urlencode({"next": here})
        return RedirectResponse(target, status_code=303)
    for needed in (permission, *also):
        if needed is not None and not ctx.user.can(needed):
            raise HTTPException(
                403,
                f"You need the “{needed.value}” permission to see this page. Ask an administrator.",
            )
    return None


def officer_view(
    permission: Permission | None, *, public: bool = False, also: tuple[Permission, ...] = ()
) -> Callable[[View], Callable[[Request], Any]]:
    """Back-office view needing `permission` (None: any signed-in officer; public: no sign-in),
    and every permission in `also` as well."""

    def decorate(view: View) -> Callable[[Request], Any]:
        return _make_endpoint(
            view, area="backoffice", permission=permission, public=public, also=also
        )

    return decorate


def portal_view(view: View) -> Callable[[Request], Any]:
    """Portal view: open to the public; `ctx.account` is the signed-in applicant, if any."""
    return _make_endpoint(view, area="portal", permission=None, public=True)


def applicant_view(view: View) -> Callable[[Request], Any]:
    """Portal view for a signed-in applicant; anyone else is sent to sign in first."""

    def guarded(ctx: Ctx) -> Response:
        if ctx.account is None:
            here = ctx.request.url.path
            if ctx.request.method != "GET":
                here = ctx.url_for("account")
            return ctx.redirect("sign_in", query={"next": here})
        return view(ctx)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    endpoint = _make_endpoint(guarded, area="portal", permission=None, public=False)
    endpoint.hearth_applicant = True  # type: ignore[attr-defined]
    endpoint.hearth_view = view  # type: ignore[attr-defined]
    return endpoint


__all__ = ["View", "applicant_view", "officer_view", "portal_view"]
