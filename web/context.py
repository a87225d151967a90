"""The request context a view is given, and the one way a view changes data.

A view reads the request, runs one command through :meth:`Ctx.attempt`, and renders or
redirects. `attempt` runs the command in a savepoint: when it returns, its writes stand and are
committed once, with the request; when the domain refuses (RuleBroken, FieldErrors, Conflict,
TooManyAttempts) or the database reports a clash, the savepoint is rolled back — nothing of the
command is left — and the refusal is kept in :attr:`Ctx.problems` for :meth:`Ctx.render`, which
puts it on the page. Writes that must survive a refusal are named as such in the domain (e.g. a
throttle's record of an attempt) and made by the command before it refuses.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar
from urllib.parse import urlencode

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import NoMatchFound
from starlette.templating import Jinja2Templates
from wtforms import Form

from domain import clock
from domain.errors import Conflict, RuleBroken
from domain.models import PortalAccount, User
from domain.storage import FileStore
from web.activity import ActivityBuffer
from web.csrf import csrf_token
from web.errors import Problems, is_write_clash, summary_items
from web.oidc import OIDCClient
from web.parsing import clean_query
from web.settings import Settings
from web.templating import Assets
from web.urls import Urls

log = logging.getLogger("hearth.web")

P = ParamSpec("P")
T = TypeVar("T")

FLASH_KEY = "flash"
REFUSALS = (RuleBroken, Conflict, StaleDataError, IntegrityError, OperationalError)


@dataclass(frozen=True)
class Attempt(Generic[T]):
    """What became of a command: `ok` (truthy) with its `value`, or refused (see ctx.problems)."""

    ok: bool
    value: T | None = None

    def __bool__(self) -> bool:
        return self.ok

    @property
    def result(self) -> T:
        """The command's value; only for a command that succeeded."""
        if not self.ok:
            raise RuntimeError("the command was refused; it has no result")
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class AppState:
    settings: Settings
    session_factory: sessionmaker[Session]
    templates: Jinja2Templates
    assets: Assets
    officer_oidc: OIDCClient | None = None
    applicant_oidc: OIDCClient | None = None
    urls: Urls | None = None  # the app's named routes (set once the routes are built)
    files: FileStore | None = None  # where file bytes live (folder or bucket)
    activity: ActivityBuffer | None = None  # the activity log's entries waiting to be written


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.hearth
    return state


@dataclass
class Ctx:
    """Everything a view needs for one request."""

    request: Request
    db: Session
    settings: Settings
    templates: Jinja2Templates
    form: Any = None  # the posted FormData, for POST requests
    user: User | None = None
    account: PortalAccount | None = None
    problems: Problems = field(default_factory=Problems)
    # The page checks some fields as they are left (dates, postcodes, phone numbers, email
    # addresses): set by a view that answers such a check (`checking`) without acting on it.
    offers_field_checks: bool = False

    @property
    def checking(self) -> bool:
        """This POST only asks whether a field just left is right (htmx, `Hearth-Check`): the
        view validates the form as it would on submit, keeps nothing and shows the page; the
        browser takes the field's part of it."""
        headers = self.request.headers
        return (
            self.is_post
            and headers.get("HX-Request") == "true"
            and bool(headers.get(FIELD_CHECK_HEADER))
        )

    @property
    def state(self) -> AppState:
        return app_state(self.request)

    @property
    def files(self) -> FileStore:
        """The file store the settings chose (one per app, shared by its requests)."""
        store = self.state.files
        assert store is not None, "the app was built without a file store"
        return store

    @property
    def settings_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.session_idle_minutes)

    @property
    def client_address(self) -> str:
        from web.signin import client_address

        return client_address(self.request)

    @property
    def today(self) -> dt.date:
        return clock.today()

    @property
    def is_post(self) -> bool:
        return self.request.method == "POST"

    @property
    def query(self) -> Mapping[str, str]:
        """The query string, cleaned of control characters (web.parsing.clean_query)."""
        return clean_query(self.request.query_params)

    # --- the one way to change data ------------------------------------------------------

    def attempt(
        self,
        command: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> Attempt[T]:
        """Run `command(ctx.db, *args, **kwargs)` all-or-nothing (see the module notes)."""
        try:
            with self.db.begin_nested():
                value = command(self.db, *args, **kwargs)
                self.db.flush()
        except REFUSALS as exc:
            if isinstance(exc, OperationalError) and not is_write_clash(exc):
                raise
            if isinstance(exc, IntegrityError | OperationalError):
                log.warning("write clash on %s: %s", self.request.url.path, exc)
            self.db.expire_all()
            self.problems.add_refusal(exc)
            return Attempt(False)
        return Attempt(True, value)

    # --- answering ---------------------------------------------------------------------------

    def flash(self, message: str) -> None:
        """A message for the next page shown (e.g. after a redirect)."""
        self.request.session[FLASH_KEY] = message

    def field_problem(self, name: str) -> str | None:
        """The refusal's message for a field no WTForms form holds (e.g. a file input)."""
        return next((p.message for p in self.problems if p.field == name), None)

    def url_for(self, name: str, /, **path_params: Any) -> str:
        urls = self.state.urls
        if urls is not None:
            try:
                return urls.path_for(name, **path_params)
            except NoMatchFound:
                pass  # (a mounted app such as the static files: Starlette knows it)
        return str(self.request.app.url_path_for(name, **path_params))

    def render(self, template: str, status_code: int | None = None, **context: Any) -> HTMLResponse:
        """Render a page. Errors — the forms' own and the commands' refusals — go to the
        error summary and the fields; the status is 400 (409, 429) when there are any."""
        forms: list[Form] = []
        for value in context.values():
            if isinstance(value, Form) and all(value is not f for f in forms):
                forms.append(value)
        errors = summary_items(self.problems, forms)
        if status_code is None:
            status_code = (self.problems.status if self.problems else 400) if errors else 200
        partial = self.swaps_page
        base = {
            "partial": partial,
            "field_checks": self.offers_field_checks,
            # Portal pages load htmx only where it moves someone along: a signed-in applicant's
            # pages and the referral journey. The front page, sign-in and the fixed pages do
            # not download it.
            "boost": self.account is not None
            or (template.startswith(BOOSTED_TEMPLATES) and template not in UNBOOSTED_TEMPLATES),
            "request": self.request,
            "csrf_token": csrf_token(self.request),
            "current_user": self.user,
            "current_account": self.account,
            "url_for": self.url_for,
            "current_path": self.request.url.path,
            "today": self.today,
            "error_list": errors,
            "field_problem": self.field_problem,
        }
        if "flash" not in context:
            base["flash"] = self.request.session.pop(FLASH_KEY, None)
        base.update(context)
        response = self.templates.TemplateResponse(
            self.request, template, base, status_code=status_code
        )
        response.headers["Vary"] = "HX-Request"
        if partial and self.request.headers.get("HX-Target") == PAGE_TARGET:
            # The address bar follows a page that was asked for (GET); a form shown again with
            # its errors keeps the address of the page it was on.
            response.headers["HX-Push-Url"] = (
                str(self.request.url.path)
                + (f"?{self.request.url.query}" if self.request.url.query else "")
                if self.request.method == "GET" and status_code == 200
                else "false"
            )
        return response

    @property
    def swaps_page(self) -> bool:
        """htmx asked for content to swap into the page showing (a boosted link or form, or a
        part of the page that refreshes itself): answer with the page's content only (title,
        back link, main, navigation), not the whole document; htmx picks out what it swaps. A
        browser restoring history gets the whole page."""
        headers = self.request.headers
        return (
            headers.get("HX-Request") == "true"
            and headers.get("HX-History-Restore-Request") != "true"
        )

    def redirect(
        self, name: str, /, query: Mapping[str, str] | None = None, **path_params: Any
    ) -> RedirectResponse:
        url = self.url_for(name, **path_params)
        if query:
            url += "?" + urlencode(query)
        return RedirectResponse(url, status_code=303)

    def redirect_to(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


# The element a boosted portal page swaps: back link, error summary and main content.
PAGE_TARGET = "hearth-page"
BOOSTED_TEMPLATES = ("portal/referral/",)
# A journey's start page is often someone's first page: it stays light (no htmx); the journey's
# own pages load it.
UNBOOSTED_TEMPLATES = frozenset({"portal/referral/start.html"})
FIELD_CHECK_HEADER = "Hearth-Check"


def safe_next(target: str | None, default: str) -> str:
    """Only follow a `next` that stays on this site (a path, not //host or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


__all__ = ["AppState", "Attempt", "Ctx", "app_state", "safe_next"]
