"""Officer sign-in with a local account (the embedded default), and sign-out."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from backoffice.forms import SignInForm
from domain.accounts import authenticate_officer
from hearth.web import OFFICER_SESSION_KEY, Ctx, officer_view, safe_next


@officer_view(None, public=True)
def sign_in(ctx: Ctx) -> Response:
    form = SignInForm(ctx.form)
    next_url = ctx.request.query_params.get("next")
    home = ctx.url_for("backoffice:home")
    if ctx.request.method == "POST" and form.validate():
        user = authenticate_officer(ctx.db, form.email.data or "", form.password.data or "")
        if user is not None:
            ctx.request.session.clear()
            ctx.request.session[OFFICER_SESSION_KEY] = user.id
            return RedirectResponse(safe_next(next_url, home), status_code=303)
        form.email.errors = [*form.email.errors, "Enter a correct email address and password"]
    if ctx.user is not None and ctx.request.method == "GET":
        return RedirectResponse(home, status_code=303)
    status = 400 if form.errors else 200
    return ctx.render("backoffice/sign_in.html", status_code=status, form=form, next=next_url)


@officer_view(None)
def sign_out(ctx: Ctx) -> Response:
    ctx.request.session.clear()
    return ctx.redirect("backoffice:sign_in")
