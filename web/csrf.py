"""CSRF: every POST carries the session's token, in the form or in htmx's header."""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_KEY = "csrf"

EXPIRED = (
    "This form could not be sent because it had expired. Go back, refresh the page and try again."
)


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return str(token)


def new_token(request: Request) -> None:
    """A fresh token (at sign-in and sign-out)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)


def check_csrf(request: Request, form: FormData) -> None:
    expected = request.session.get(SESSION_KEY)
    given = form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(expected, given):
        raise HTTPException(403, EXPIRED)


__all__ = ["CSRF_FIELD", "CSRF_HEADER", "check_csrf", "csrf_token", "new_token"]
