"""Officer sign-in: through the council's OpenID Connect provider when one is configured,
otherwise with local accounts (the embedded default). Sign-out ends the session here and, for
provider sign-ins, at the provider too."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from backoffice.forms import SignInForm
from domain import accounts, login_sessions
from domain import signin as signin_rules
from domain.history import SYSTEM
from domain.signin import WRONG_DETAILS, SignedIn
from domain.throttle import Throttled
from web import signin
from web.context import Ctx, safe_next
from web.oidc import OIDCClient, OIDCError, finish_flow, start_flow
from web.views import officer_view

OIDC_FLOW_KEY = "officer_oidc_flow"


def _callback_url(ctx: Ctx) -> str:
    return ctx.settings.base_url + ctx.url_for("backoffice:oidc_callback")


@officer_view(None, public=True)
def sign_in(ctx: Ctx) -> Response:
    next_url = ctx.query.get("next")
    home = ctx.url_for("backoffice:home")
    if ctx.user is not None and not ctx.is_post:
        return ctx.redirect_to(safe_next(next_url, home))
    provider = ctx.state.officer_oidc
    if provider is not None:
        # Local passwords are switched off when the council's provider is configured.
        problem = ctx.request.session.pop("oidc_problem", None)
        if problem:
            ctx.problems.add(str(problem))
        return ctx.render(
            "backoffice/sign_in_oidc.html", label=provider.config.label, next=next_url
        )
    form = SignInForm(ctx.form)
    if ctx.is_post and form.validate():
        done = ctx.attempt(
            signin_rules.officer,
            form.email.data or "",
            form.password.data or "",
            signin.client(ctx.request, signin.OFFICER_KEY),
        )
        outcome = done.result
        if isinstance(outcome, SignedIn):
            signin.remember(ctx.request, signin.OFFICER_KEY, outcome)
            return ctx.redirect_to(safe_next(next_url, home))
        if isinstance(outcome, Throttled):
            ctx.problems.add(outcome.message, status=429)
        else:
            ctx.problems.add(WRONG_DETAILS, "email")
    return ctx.render("backoffice/sign_in.html", form=form, next=next_url)


def _provider(ctx: Ctx) -> OIDCClient:
    provider = ctx.state.officer_oidc
    if provider is None:
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    return provider


@officer_view(None, public=True)
def oidc_start(ctx: Ctx) -> Response:
    home = ctx.url_for("backoffice:home")
    try:
        url = start_flow(
            _provider(ctx),
            ctx.request.session,
            OIDC_FLOW_KEY,
            redirect_uri=_callback_url(ctx),
            next_url=safe_next(ctx.query.get("next"), home),
        )
    except OIDCError as exc:
        ctx.request.session["oidc_problem"] = str(exc)
        return ctx.redirect("backoffice:sign_in")
    return RedirectResponse(url, status_code=303)


@officer_view(None, public=True)
def oidc_callback(ctx: Ctx) -> Response:
    try:
        identity, next_url = finish_flow(
            _provider(ctx),
            ctx.request.session,
            OIDC_FLOW_KEY,
            redirect_uri=_callback_url(ctx),
            params=dict(ctx.query),
        )
    except OIDCError as exc:
        ctx.request.session["oidc_problem"] = str(exc)
        return ctx.redirect("backoffice:sign_in")
    outcome = ctx.attempt(
        accounts.officer_from_provider,
        SYSTEM,
        email=identity.email,
        name=identity.name,
        client=signin.client(ctx.request, signin.OFFICER_KEY),
        id_token=identity.id_token,
    ).result
    if outcome is None:  # known to the provider, waiting for an administrator
        return ctx.render("backoffice/no_access.html", status_code=403, email=identity.email)
    signin.remember(ctx.request, signin.OFFICER_KEY, outcome)
    return ctx.redirect_to(safe_next(next_url, ctx.url_for("backoffice:home")))


@officer_view(None)
def sign_out(ctx: Ctx) -> Response:
    ended = ctx.attempt(login_sessions.end, signin.forget(ctx.request, signin.OFFICER_KEY)).result
    id_token = ended.id_token_hint if ended is not None else None
    provider = ctx.state.officer_oidc
    if provider is not None:
        after = ctx.settings.base_url + ctx.url_for("backoffice:signed_out")
        url = provider.logout_url(id_token, after)
        if url:
            return ctx.redirect_to(url)
    return ctx.redirect("backoffice:signed_out")


@officer_view(None, public=True)
def signed_out(ctx: Ctx) -> Response:
    return ctx.render("backoffice/signed_out.html")
