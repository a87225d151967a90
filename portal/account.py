"""Applicant accounts: create, confirm email, sign in and out, reset and change password, link
the account to a case. Sign-in, reset, sign-up and linking are throttled."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from domain import accounts, throttle
from domain.access import applicant_case
from domain.accounts import LinkDetailsWrong, Mailer
from domain.errors import RuleBroken
from domain.tokens import LinkExpired, LinkInvalid
from hearth import auth
from hearth.oidc import OIDCClient, OIDCError, finish_flow, start_flow
from hearth.web import Ctx, applicant_view, portal_view, safe_next
from portal.forms import (
    ChangePasswordForm,
    CreateAccountForm,
    LinkCaseForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)

WRONG_SIGN_IN = "Enter a correct email address and password"


def mailer(ctx: Ctx) -> Mailer:
    def link(route: str, token: str) -> str:
        url = ctx.settings.base_url + ctx.url_for(route)
        return f"{url}?token={token}" if token else url

    return Mailer(
        council_name=ctx.settings.council_name,
        service_name=ctx.settings.service_name,
        secret=ctx.settings.secret_key,
        link=link,
    )


def _after_sign_in(ctx: Ctx) -> str:
    default = ctx.url_for("your_case")
    return safe_next(ctx.request.query_params.get("next"), default)


@portal_view
def sign_in(ctx: Ctx) -> Response:
    form = SignInForm(ctx.form)
    notice = None
    if ctx.request.method == "POST" and form.validate():
        email = (form.email.data or "").strip().lower()
        blocked = throttle.check(ctx.db, "applicant_sign_in", email, ctx.client_address)
        if blocked:
            form.form_errors.append(blocked.message)
        else:
            account = accounts.authenticate_applicant(ctx.db, email, form.password.data or "")
            throttle.record(
                ctx.db, "applicant_sign_in", email, ctx.client_address, succeeded=bool(account)
            )
            if account is None:
                form.email.errors = [*form.email.errors, WRONG_SIGN_IN]
            elif account.email_verified_at is None:
                again = throttle.check(ctx.db, "verify_resend", email, ctx.client_address)
                if again is None:
                    throttle.record(
                        ctx.db, "verify_resend", email, ctx.client_address, succeeded=True
                    )
                    accounts.send_verification(ctx.db, account, mailer(ctx))
                notice = (
                    "You need to confirm your email address before you can sign in. We have "
                    f"sent a new link to {account.email}."
                )
            else:
                auth.sign_in_applicant(ctx.request, ctx.db, account)
                return RedirectResponse(_after_sign_in(ctx), status_code=303)
    elif ctx.request.method == "GET" and ctx.account is not None:
        return RedirectResponse(_after_sign_in(ctx), status_code=303)
    return ctx.render(
        "portal/account/sign_in.html",
        status_code=400 if form.errors else 200,
        form=form,
        notice=notice,
        flash=ctx.request.session.pop("flash", None),
        next=ctx.request.query_params.get("next"),
        external=ctx.settings.applicant_oidc,
    )


@portal_view
def sign_out(ctx: Ctx) -> Response:
    auth.sign_out(ctx.request, ctx.db, auth.APPLICANT_KEY)
    return ctx.redirect("signed_out")


@portal_view
def signed_out(ctx: Ctx) -> Response:
    return ctx.render("portal/account/signed_out.html")


@portal_view
def create_account(ctx: Ctx) -> Response:
    form = CreateAccountForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        email = (form.email.data or "").strip().lower()
        blocked = throttle.check(ctx.db, "sign_up", email, ctx.client_address)
        if blocked:
            form.form_errors.append(blocked.message)
        else:
            try:
                accounts.sign_up(
                    ctx.db, email=email, password=form.password.data or "", mailer=mailer(ctx)
                )
            except RuleBroken as exc:
                field = form.password if "assword" in str(exc) else form.email
                field.errors = [*field.errors, str(exc)]
            else:
                throttle.record(ctx.db, "sign_up", email, ctx.client_address, succeeded=True)
                ctx.request.session["check_email"] = email
                return ctx.redirect("account_check_email")
    return ctx.render(
        "portal/account/create.html", status_code=400 if form.errors else 200, form=form
    )


@portal_view
def check_email(ctx: Ctx) -> Response:
    return ctx.render(
        "portal/account/check_email.html", email=ctx.request.session.get("check_email")
    )


@portal_view
def verify_email(ctx: Ctx) -> Response:
    token = ctx.request.query_params.get("token", "")
    try:
        account = accounts.verify_email(ctx.db, token, ctx.settings.secret_key)
    except LinkExpired:
        return ctx.render("portal/account/link_problem.html", status_code=400, expired=True)
    except LinkInvalid:
        return ctx.render("portal/account/link_problem.html", status_code=400, expired=False)
    return ctx.render("portal/account/verified.html", email=account.email)


@portal_view
def password_reset_request(ctx: Ctx) -> Response:
    form = ResetRequestForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        email = (form.email.data or "").strip().lower()
        blocked = throttle.check(ctx.db, "password_reset", email, ctx.client_address)
        if blocked:
            form.form_errors.append(blocked.message)
        else:
            throttle.record(ctx.db, "password_reset", email, ctx.client_address, succeeded=True)
            accounts.request_password_reset(ctx.db, email, mailer(ctx))
            ctx.request.session["check_email"] = email
            return ctx.redirect("password_reset_sent")
    return ctx.render(
        "portal/account/reset_request.html", status_code=400 if form.errors else 200, form=form
    )


@portal_view
def password_reset_sent(ctx: Ctx) -> Response:
    return ctx.render(
        "portal/account/reset_sent.html", email=ctx.request.session.get("check_email")
    )


@portal_view
def password_reset(ctx: Ctx) -> Response:
    token = (ctx.form.get("token") if ctx.form else None) or ctx.request.query_params.get(
        "token", ""
    )
    assert isinstance(token, str)
    try:
        accounts.account_for_reset(ctx.db, token, ctx.settings.secret_key)
    except LinkExpired:
        return ctx.render("portal/account/link_problem.html", status_code=400, expired=True)
    except LinkInvalid:
        return ctx.render("portal/account/link_problem.html", status_code=400, expired=False)
    form = NewPasswordForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        try:
            accounts.reset_password(
                ctx.db, token, form.password.data or "", ctx.settings.secret_key
            )
        except RuleBroken as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            auth.sign_out(ctx.request, ctx.db, auth.APPLICANT_KEY)
            ctx.request.session["flash"] = "Your password has been changed. Sign in with it now."
            return ctx.redirect("sign_in")
    return ctx.render(
        "portal/account/new_password.html",
        status_code=400 if form.errors else 200,
        form=form,
        token=token,
    )


@applicant_view
def account(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    return ctx.render(
        "portal/account/account.html", case=case, flash=ctx.request.session.pop("flash", None)
    )


@applicant_view
def change_password(ctx: Ctx) -> Response:
    assert ctx.account is not None
    form = ChangePasswordForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        try:
            accounts.change_password(
                ctx.db, ctx.account, form.current_password.data or "", form.new_password.data or ""
            )
        except RuleBroken as exc:
            field = form.current_password if "current" in str(exc) else form.new_password
            field.errors = [*field.errors, str(exc)]
        else:
            ctx.request.session["flash"] = "Your password has been changed."
            return ctx.redirect("account")
    return ctx.render(
        "portal/account/change_password.html", status_code=400 if form.errors else 200, form=form
    )


@applicant_view
def link_case(ctx: Ctx) -> Response:
    assert ctx.account is not None
    form = LinkCaseForm(ctx.form)
    if ctx.request.method == "POST" and form.validate():
        key = ctx.account.email
        blocked = throttle.check(ctx.db, "link_case", key, ctx.client_address)
        if blocked:
            form.form_errors.append(blocked.message)
        else:
            try:
                assert form.date_of_birth.data is not None
                accounts.link_case(
                    ctx.db,
                    ctx.account,
                    form.reference.data or "",
                    form.date_of_birth.data,
                    today=ctx.today,
                )
            except LinkDetailsWrong as exc:
                throttle.record(ctx.db, "link_case", key, ctx.client_address, succeeded=False)
                form.form_errors.append(str(exc))
            except RuleBroken as exc:
                form.form_errors.append(str(exc))
            else:
                throttle.record(ctx.db, "link_case", key, ctx.client_address, succeeded=True)
                return ctx.redirect("your_case")
    return ctx.render(
        "portal/account/link_case.html", status_code=400 if form.errors else 200, form=form
    )


APPLICANT_FLOW_KEY = "applicant_oidc_flow"


def _external(ctx: Ctx) -> OIDCClient:
    provider = ctx.state.applicant_oidc
    if provider is None:
        raise HTTPException(404)
    return provider


def _external_callback(ctx: Ctx) -> str:
    return ctx.settings.base_url + ctx.url_for("applicant_oidc_callback")


@portal_view
def external_start(ctx: Ctx) -> Response:
    try:
        url = start_flow(
            _external(ctx),
            ctx.request.session,
            APPLICANT_FLOW_KEY,
            redirect_uri=_external_callback(ctx),
            next_url=_after_sign_in(ctx),
        )
    except OIDCError as exc:
        ctx.request.session["flash"] = str(exc)
        return ctx.redirect("sign_in")
    return RedirectResponse(url, status_code=303)


@portal_view
def external_callback(ctx: Ctx) -> Response:
    try:
        identity, next_url = finish_flow(
            _external(ctx),
            ctx.request.session,
            APPLICANT_FLOW_KEY,
            redirect_uri=_external_callback(ctx),
            params=dict(ctx.request.query_params),
            require_verified_email=True,  # the email decides which account this is
        )
    except OIDCError as exc:
        return ctx.render("portal/account/external_problem.html", status_code=400, problem=str(exc))
    try:
        account = accounts.applicant_from_provider(
            ctx.db, subject=identity.subject, email=identity.email
        )
    except RuleBroken as exc:
        return ctx.render("portal/account/external_problem.html", status_code=400, problem=str(exc))
    if not account.active:
        return ctx.render(
            "portal/account/external_problem.html",
            status_code=403,
            problem="This account has been closed. Contact the council's housing options team.",
        )
    auth.sign_in_applicant(ctx.request, ctx.db, account)
    return RedirectResponse(safe_next(next_url, ctx.url_for("your_case")), status_code=303)
