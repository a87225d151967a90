"""Officer sign-in: through the council's OpenID Connect provider when one is configured,
otherwise with local accounts (the embedded default). Sign-out ends the session here and, for
provider sign-ins, at the provider too."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from backoffice.forms import SignInForm
from domain import accounts, throttle
from domain.history import SYSTEM
from hearth import auth
from hearth.oidc import OIDCClient, OIDCError, finish_flow, start_flow
from hearth.web import Ctx, officer_view, safe_next

WRONG_SIGN_IN = "Enter a correct email address and password"
OIDC_FLOW_KEY = "officer_oidc_flow"


def _callback_url(ctx: Ctx) -> str:
    return ctx.settings.base_url + ctx.url_for("backoffice:oidc_callback")


@officer_view(None, public=True)
def sign_in(ctx: Ctx) -> Response:
    next_url = ctx.request.query_params.get("next")
    home = ctx.url_for("backoffice:home")
    if ctx.user is not None and ctx.request.method == "GET":
        return RedirectResponse(safe_next(next_url, home), status_code=303)
    provider = ctx.state.officer_oidc
    if provider is not None:
        # Local passwords are switched off when the council's provider is configured.
        return ctx.render(
            "backoffice/sign_in_oidc.html",
            label=provider.config.label,
            next=next_url,
            problem=ctx.request.session.pop("oidc_problem", None),
        )
    form = SignInForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        email = (form.email.data or "").strip().lower()
        blocked = throttle.check(ctx.db, "officer_sign_in", email, ctx.client_address)
        if blocked:
            form.form_errors.append(blocked.message)
        else:
            user = accounts.authenticate_officer(ctx.db, email, form.password.data or "")
            throttle.record(
                ctx.db, "officer_sign_in", email, ctx.client_address, succeeded=bool(user)
            )
            if user is not None:
                auth.sign_in_officer(ctx.request, ctx.db, user)
                return RedirectResponse(safe_next(next_url, home), status_code=303)
            form.email.errors = [*form.email.errors, WRONG_SIGN_IN]
    status = 400 if form.errors else 200
    return ctx.render("backoffice/sign_in.html", status_code=status, form=form, next=next_url)


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
            next_url=safe_next(ctx.request.query_params.get("next"), home),
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
            params=dict(ctx.request.query_params),
        )
    except OIDCError as exc:
        ctx.request.session["oidc_problem"] = str(exc)
        return ctx.redirect("backoffice:sign_in")
    user = accounts.officer_from_provider(ctx.db, SYSTEM, email=identity.email, name=identity.name)
    if not user.active:
        return ctx.render("backoffice/no_access.html", status_code=403, email=identity.email)
    auth.sign_in_officer(ctx.request, ctx.db, user, id_token=identity.id_token)
    home = ctx.url_for("backoffice:home")
    return RedirectResponse(safe_next(next_url, home), status_code=303)


@officer_view(None)
def sign_out(ctx: Ctx) -> Response:
    id_token = auth.sign_out(ctx.request, ctx.db, auth.OFFICER_KEY)
    provider = ctx.state.officer_oidc
    if provider is not None:
        after = ctx.settings.base_url + ctx.url_for("backoffice:signed_out")
        url = provider.logout_url(id_token, after)
        if url:
            return RedirectResponse(url, status_code=303)
    return ctx.redirect("backoffice:signed_out")


@officer_view(None, public=True)
def signed_out(ctx: Ctx) -> Response:
    return ctx.render("backoffice/signed_out.html")
