"""Applicant accounts: create, confirm email, sign in and out, reset and change password, link
the account to a case. Sign-in, reset, sign-up and linking are throttled."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import Response

from domain import accounts, login_sessions
from domain import signin as signin_rules
from domain.access import applicant_case
from domain.accounts import Mailer
from domain.signin import WRONG_DETAILS, SignedIn, Unverified
from domain.throttle import Throttled
from portal.forms import (
    ChangePasswordForm,
    CreateAccountForm,
    LinkCaseForm,
    NewPasswordForm,
    ResetRequestForm,
    SignInForm,
)
from web import signin
from web.context import Ctx, safe_next
from web.oidc import OIDCClient, OIDCError, finish_flow, start_flow
from web.views import applicant_view, portal_view


def mailer(ctx: Ctx) -> Mailer:
    def link(route: str, token: str) -> str:
        url = ctx.settings.base_url + ctx.url_for(route)
        return f"{url}?token={token}" if token else url

    return Mailer(
        council_name=ctx.settings.council_name,
        service_name=ctx.settings.service_name,
        secret=ctx.settings.secret_key,
        link=link,
        council_phone=ctx.settings.council_phone,
        out_of_hours_phone=ctx.settings.out_of_hours_phone,
    )


def _after_sign_in(ctx: Ctx) -> str:
    default = ctx.url_for("your_case")
    return safe_next(ctx.query.get("next"), default)


@portal_view
def sign_in(ctx: Ctx) -> Response:
    form = SignInForm(ctx.form)
    notice = None
    if ctx.is_post and form.validate():
        outcome = ctx.attempt(
            signin_rules.applicant,
            form.email.data or "",
            form.password.data or "",
            signin.client(ctx.request, signin.APPLICANT_KEY),
            resend_confirmation=lambda db, account: accounts.send_verification(
                db, account, mailer(ctx)
            ),
        ).result
        if isinstance(outcome, SignedIn):
            signin.remember(ctx.request, signin.APPLICANT_KEY, outcome)
            return ctx.redirect_to(_after_sign_in(ctx))
        if isinstance(outcome, Unverified):
            notice = "You need to confirm your email address before you can sign in. " + (
                f"We have sent a new link to {outcome.account.email}."
                if outcome.link_sent
                else f"Use the link we sent to {outcome.account.email}."
            )
        elif isinstance(outcome, Throttled):
            ctx.problems.add(outcome.message, status=429)
        else:
            ctx.problems.add(WRONG_DETAILS, "email")
    elif not ctx.is_post and ctx.account is not None:
        return ctx.redirect_to(_after_sign_in(ctx))
    return ctx.render(
        "portal/account/sign_in.html",
        form=form,
        notice=notice,
        next=ctx.query.get("next"),
        external=ctx.settings.applicant_oidc,
    )


@portal_view
def sign_out(ctx: Ctx) -> Response:
    ctx.attempt(login_sessions.end, signin.forget(ctx.request, signin.APPLICANT_KEY))
    return ctx.redirect("signed_out")


@portal_view
def signed_out(ctx: Ctx) -> Response:
    return ctx.render("portal/account/signed_out.html")


@portal_view
def create_account(ctx: Ctx) -> Response:
    form = CreateAccountForm(ctx.form)
    if ctx.is_post and form.validate():
        email = (form.email.data or "").strip().lower()
        done = ctx.attempt(
            accounts.sign_up,
            email=email,
            password=form.password.data or "",
            mailer=mailer(ctx),
            client=ctx.client_address,
        )
        if done:
            ctx.request.session["check_email"] = email
            return ctx.redirect("account_check_email")
    return ctx.render("portal/account/create.html", form=form)


@portal_view
def check_email(ctx: Ctx) -> Response:
    return ctx.render(
        "portal/account/check_email.html", email=ctx.request.session.get("check_email")
    )


@portal_view
def verify_email(ctx: Ctx) -> Response:
    token = ctx.query.get("token", "")
    verified = ctx.attempt(accounts.verify_email, token, ctx.settings.secret_key).result
    if isinstance(verified, accounts.LinkProblem):
        return ctx.render(
            "portal/account/link_problem.html", status_code=400, expired=verified.expired
        )
    return ctx.render("portal/account/verified.html", email=verified.email)


@portal_view
def password_reset_request(ctx: Ctx) -> Response:
    form = ResetRequestForm(ctx.form)
    if ctx.is_post and form.validate():
        email = (form.email.data or "").strip().lower()
        done = ctx.attempt(accounts.request_password_reset, email, mailer(ctx), ctx.client_address)
        if done:
            ctx.request.session["check_email"] = email
            return ctx.redirect("password_reset_sent")
    return ctx.render("portal/account/reset_request.html", form=form)


@portal_view
def password_reset_sent(ctx: Ctx) -> Response:
    return ctx.render(
        "portal/account/reset_sent.html", email=ctx.request.session.get("check_email")
    )


@portal_view
def password_reset(ctx: Ctx) -> Response:
    posted = ctx.form.get("token") if ctx.form else None
    token = posted if isinstance(posted, str) else ctx.query.get("token", "")
    link = accounts.account_for_reset(ctx.db, token, ctx.settings.secret_key)
    if isinstance(link, accounts.LinkProblem):
        return ctx.render("portal/account/link_problem.html", status_code=400, expired=link.expired)
    form = NewPasswordForm(ctx.form)
    if ctx.is_post and form.validate():
        done = ctx.attempt(
            accounts.reset_password, token, form.password.data or "", ctx.settings.secret_key
        )
        if done:
            signin.forget(ctx.request, signin.APPLICANT_KEY)
            ctx.flash("Your password has been changed. Sign in with it now.")
            return ctx.redirect("sign_in")
    return ctx.render("portal/account/new_password.html", form=form, token=token)


@applicant_view
def account(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    return ctx.render("portal/account/account.html", case=case)


@applicant_view
def change_password(ctx: Ctx) -> Response:
    assert ctx.account is not None
    form = ChangePasswordForm(ctx.form)
    if ctx.is_post and form.validate():
        done = ctx.attempt(
            accounts.change_password,
            ctx.account,
            form.current_password.data or "",
            form.new_password.data or "",
            keep_session=signin.current_token(ctx.request, signin.APPLICANT_KEY),
        )
        if done:
            ctx.flash("Your password has been changed. You have been signed out everywhere else.")
            return ctx.redirect("account")
    return ctx.render("portal/account/change_password.html", form=form)


@applicant_view
def link_case(ctx: Ctx) -> Response:
    assert ctx.account is not None
    form = LinkCaseForm(ctx.form)
    if ctx.is_post and form.validate():
        assert form.date_of_birth.data is not None
        done = ctx.attempt(
            accounts.link_case,
            ctx.account,
            form.reference.data or "",
            form.date_of_birth.data,
            today=ctx.today,
            client=ctx.client_address,
        )
        outcome = done.value
        if isinstance(outcome, accounts.Linked):
            return ctx.redirect("your_case")
        if isinstance(outcome, Throttled):
            ctx.problems.add(outcome.message, status=429)
        elif isinstance(outcome, accounts.LinkDetailsWrong):
            ctx.problems.add(outcome.message)
    return ctx.render("portal/account/link_case.html", form=form)


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
    return ctx.redirect_to(url)


@portal_view
def external_callback(ctx: Ctx) -> Response:
    try:
        identity, next_url = finish_flow(
            _external(ctx),
            ctx.request.session,
            APPLICANT_FLOW_KEY,
            redirect_uri=_external_callback(ctx),
            params=dict(ctx.query),
            require_verified_email=True,  # the email decides which account this is
        )
    except OIDCError as exc:
        return ctx.render("portal/account/external_problem.html", status_code=400, problem=str(exc))
    done = ctx.attempt(
        accounts.applicant_from_provider,
        subject=identity.subject,
        email=identity.email,
        client=signin.client(ctx.request, signin.APPLICANT_KEY),
    )
    if not done:
        problem = ctx.problems.take()[0].message  # shown as the page, not as a form error
        return ctx.render("portal/account/external_problem.html", status_code=400, problem=problem)
    if done.result is None:
        return ctx.render(
            "portal/account/external_problem.html",
            status_code=403,
            problem="This account has been closed. Contact the council's housing options team.",
        )
    signin.remember(ctx.request, signin.APPLICANT_KEY, done.result)
    return ctx.redirect_to(safe_next(next_url, ctx.url_for("your_case")))
