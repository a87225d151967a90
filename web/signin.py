"""Signing people in and out of the web session (both apps).

The signed cookie holds only a random session token per area ("officer_sid", "applicant_sid")
and the CSRF token; who is signed in lives in the `login_session` table (domain.login_sessions).
The rules — throttling, password checks, typed outcomes — are in domain.signin; this module only
moves tokens between the cookie and those functions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, joinedload
from starlette.requests import Request

from domain import login_sessions
from domain.models import PortalAccount, User
from domain.security import LoginSession
from domain.signin import Client, SignedIn
from web.csrf import new_token

OFFICER_KEY = "officer_sid"
APPLICANT_KEY = "applicant_sid"


def client_address(request: Request) -> str:
    """The client's address as the server sees it. Behind a proxy, uvicorn rewrites it from
    X-Forwarded-For only for the proxies listed in FORWARDED_ALLOW_IPS."""
    return request.client.host if request.client else "unknown"


def client(request: Request, key: str) -> Client:
    """The attempt's origin, and the browser's current session for the area (to replace)."""
    return Client(
        address=client_address(request),
        user_agent=request.headers.get("user-agent"),
        replacing=request.session.get(key),
    )


def remember(request: Request, key: str, signed_in: SignedIn) -> None:
    """Put the new session's token in the cookie, with a new CSRF token (no fixation)."""
    request.session[key] = signed_in.token
    new_token(request)


def current_token(request: Request, key: str) -> str | None:
    token = request.session.get(key)
    return token if isinstance(token, str) else None


def forget(request: Request, key: str) -> str | None:
    """Take the area's token out of the cookie (the caller ends the session row)."""
    token = request.session.pop(key, None)
    new_token(request)
    return token if isinstance(token, str) else None


# A signed-in request's session with its officer, their permissions and team, or its
# applicant's account, in one query by primary key (built once).
_OFFICER_SESSION = login_sessions.lookup(
    joinedload(LoginSession.user).joinedload(User.permission_rows),
    joinedload(LoginSession.user).joinedload(User.team),
)
_APPLICANT_SESSION = login_sessions.lookup(joinedload(LoginSession.portal_account))


def current_officer(request: Request, db: Session, idle: dt.timedelta) -> User | None:
    row = login_sessions.resolve(
        db, current_token(request, OFFICER_KEY), idle=idle, statement=_OFFICER_SESSION
    )
    user = row.user if row is not None else None
    if user is None or not user.active:
        request.session.pop(OFFICER_KEY, None)
        return None
    return user


def current_applicant(request: Request, db: Session, idle: dt.timedelta) -> PortalAccount | None:
    row = login_sessions.resolve(
        db, current_token(request, APPLICANT_KEY), idle=idle, statement=_APPLICANT_SESSION
    )
    account = row.portal_account if row is not None else None
    if account is None or not account.active:
        request.session.pop(APPLICANT_KEY, None)
        return None
    return account


__all__ = [
    "APPLICANT_KEY",
    "OFFICER_KEY",
    "client",
    "client_address",
    "current_applicant",
    "current_officer",
    "current_token",
    "forget",
    "remember",
]
