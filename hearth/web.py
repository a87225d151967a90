"""What every page shares: the request context, the view decorators, CSRF and templating.

A view is a plain (synchronous) function taking a `Ctx`. The decorators read the form, check the
CSRF token, sign the user in from the session, check the permission, open one database
transaction for the request, run the view in a worker thread, and commit once when it returns.
Views never commit by themselves.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from domain.errors import Conflict, NotFound, PermissionDenied, RuleBroken
from domain.models import PortalAccount, User
from domain.vocab import Permission
from hearth import auth
from hearth.oidc import OIDCClient
from hearth.settings import PROJECT_ROOT, Settings

log = logging.getLogger("hearth.web")

TEMPLATES_DIR = PROJECT_ROOT / "templates"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_CSRF_KEY = auth.CSRF_KEY

View = Callable[["Ctx"], Response]


class Assets:
    """Fingerprinted asset names from static/manifest.json (written by `npm run build`)."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        self._manifest: dict[str, str] | None = None

    @property
    def manifest(self) -> dict[str, str]:
        if self._manifest is None:
            path = self.static_dir / "manifest.json"
            if not path.exists():
                raise RuntimeError(
                    f"{path} is missing: build the front-end assets "
                    "(npm ci && npm run build, or make install)"
                )
            self._manifest = json.loads(path.read_text())
        return self._manifest

    def url(self, logical_name: str) -> str:
        return "/static/" + self.manifest[logical_name]


def build_templates(settings: Settings, assets: Assets) -> Jinja2Templates:
    loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader(
                {"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}
            ),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals.update(
        settings=settings,
        council_name=settings.council_name,
        service_name=settings.service_name,
        asset_url=assets.url,
        brand_css_url=brand_css_path(settings),
        Permission=Permission,
    )
    env.filters.update(date=format_date, datetime=format_datetime)
    return Jinja2Templates(env=env)


def brand_css_path(settings: Settings) -> str:
    return f"/brand-{settings.council_colour.lstrip('#')}.css"


def format_date(value: dt.date | None, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return ""
    return value.strftime(fmt)


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(_london())
    return local.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def _london() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return str(token)


def check_csrf(request: Request, form: FormData) -> None:
    expected = request.session.get(SESSION_CSRF_KEY)
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(
            403,
            "This form could not be sent because it had expired. Go back, refresh the page "
            "and try again.",
        )


@dataclass
class Ctx:
    """Everything a view needs for one request."""

    request: Request
    db: Session
    settings: Settings
    templates: Jinja2Templates
    form: FormData | None = None
    user: User | None = None
    account: PortalAccount | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> AppState:
        return app_state(self.request)

    @property
    def settings_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.session_idle_minutes)

    @property
    def client_address(self) -> str:
        return auth.client_address(self.request)

    @property
    def today(self) -> dt.date:
        return dt.datetime.now(_london()).date()

    def url_for(self, name: str, /, **path_params: Any) -> str:
        return str(self.request.app.url_path_for(name, **path_params))

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        base = {
            "request": self.request,
            "csrf_token": csrf_token(self.request),
            "current_user": self.user,
            "current_account": self.account,
            "url_for": self.url_for,
            "current_path": self.request.url.path,
            "today": self.today,
        }
        base.update(context)
        return self.templates.TemplateResponse(
            self.request, template, base, status_code=status_code
        )

    def redirect(
        self, name: str, /, query: Mapping[str, str] | None = None, **path_params: Any
    ) -> RedirectResponse:
        url = self.url_for(name, **path_params)
        if query:
            url += "?" + urlencode(query)
        return RedirectResponse(url, status_code=303)


@dataclass(frozen=True)
class AppState:
    settings: Settings
    session_factory: sessionmaker[Session]
    templates: Jinja2Templates
    assets: Assets
    officer_oidc: OIDCClient | None = None
    applicant_oidc: OIDCClient | None = None


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.hearth
    return state


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
            form = await request.form(max_files=10, max_fields=200)
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
            with db.begin():
                if area == "backoffice":
                    denied = _authorise_officer(ctx, permission, public, also)
                    if denied is not None:
                        return denied
                else:
                    _load_applicant(ctx)
                return view(ctx)
        except StaleDataError:
            raise HTTPException(
                409,
                "Someone else changed this record while you were working on it. "
                "Nothing you sent was saved: reload the page to see the latest version.",
            ) from None
        except Conflict as exc:
            raise HTTPException(409, str(exc)) from None
        except OperationalError as exc:
            if not _is_write_clash(exc):
                raise
            log.warning("write clash on %s: %s", request.url.path, exc.orig)
            raise HTTPException(
                409,
                "Someone else was saving a change to the same records at the same moment. "
                "Nothing you sent was saved: go back and try again.",
            ) from None
        except IntegrityError:
            log.warning("integrity error on %s", request.url.path, exc_info=True)
            raise HTTPException(
                409,
                "This could not be saved because it clashes with a change made at the same time. "
                "Nothing you sent was saved: reload the page and try again.",
            ) from None
        except NotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except PermissionDenied as exc:
            raise HTTPException(403, str(exc)) from None
        except RuleBroken as exc:
            raise HTTPException(400, str(exc)) from None


def _is_write_clash(exc: OperationalError) -> bool:
    """SQLite's 'database is locked' and PostgreSQL's serialization failure or deadlock."""
    text = str(exc.orig).lower()
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return "database is locked" in text or sqlstate in {"40001", "40P01"}


def _authorise_officer(
    ctx: Ctx, permission: Permission | None, public: bool, also: tuple[Permission, ...] = ()
) -> Response | None:
    ctx.user = auth.current_officer(ctx.request, ctx.db, ctx.settings_idle)
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


def _load_applicant(ctx: Ctx) -> None:
    ctx.account = auth.current_applicant(ctx.request, ctx.db, ctx.settings_idle)


def officer_view(
    permission: Permission | None, *, public: bool = False, also: tuple[Permission, ...] = ()
) -> Callable[[View], Callable[[Request], Any]]:
    """Back-office view needing `permission` (None: any signed-in officer; public: no sign-in),
    and every permission in `also` as well."""

    def decorate(view: View) -> Callable[[Request], Any]:
        endpoint = _make_endpoint(
            view, area="backoffice", permission=permission, public=public, also=also
        )
        endpoint.hearth_also = also  # type: ignore[attr-defined]
        return endpoint

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
    return endpoint


def safe_next(target: str | None, default: str) -> str:
    """Only follow a `next` that stays on this site (a path, not //host or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
