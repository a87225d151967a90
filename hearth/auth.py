"""Signing people in and out of the web session (both apps).

The signed cookie holds only a random session token per area ("officer_sid", "applicant_sid")
and the CSRF token; who is signed in lives in the `login_session` table (domain.login_sessions).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session
from starlette.requests import Request

from domain import login_sessions
from domain.models import PortalAccount, User

OFFICER_KEY = "officer_sid"
APPLICANT_KEY = "applicant_sid"
CSRF_KEY = "csrf"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _start(request: Request, db: Session, key: str, **who: object) -> None:
    # A new session token, and a new CSRF token, at every sign-in (no session fixation).
    login_sessions.end(db, request.session.get(key))
    token = login_sessions.start(
        db,
        client_address=client_address(request),
        user_agent=request.headers.get("user-agent"),
        **who,  # type: ignore[arg-type]
    )
    request.session[key] = token
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)


def sign_in_officer(request: Request, db: Session, user: User, id_token: str | None = None) -> None:
    _start(request, db, OFFICER_KEY, user=user, id_token_hint=id_token)


def sign_in_applicant(request: Request, db: Session, account: PortalAccount) -> None:
    _start(request, db, APPLICANT_KEY, account=account)


def sign_out(request: Request, db: Session, key: str) -> str | None:
    """End this browser's session for the area; returns the ID token hint if there was one."""
    row = login_sessions.end(db, request.session.pop(key, None))
    request.session[CSRF_KEY] = secrets.token_urlsafe(32)
    return row.id_token_hint if row is not None else None


def current_officer(request: Request, db: Session, idle: dt.timedelta) -> User | None:
    row = login_sessions.resolve(db, request.session.get(OFFICER_KEY), idle=idle)
    user = db.get(User, row.user_id) if row is not None and row.user_id else None
    if user is None or not user.active:
        request.session.pop(OFFICER_KEY, None)
        return None
    return user


def current_applicant(request: Request, db: Session, idle: dt.timedelta) -> PortalAccount | None:
    row = login_sessions.resolve(db, request.session.get(APPLICANT_KEY), idle=idle)
    account = (
        db.get(PortalAccount, row.portal_account_id)
        if row is not None and row.portal_account_id
        else None
    )
    if account is None or not account.active:
        request.session.pop(APPLICANT_KEY, None)
        return None
    return account
