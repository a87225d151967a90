"""Signing in with an email and password, for officers and applicants alike.

Each function throttles (domain.throttle), checks the password at the same cost whether or not
the account exists, starts a server-side session (domain.login_sessions) and returns what
happened as a typed outcome — never raising for wrong details, so the record of a failed attempt
stands. The web layer turns an outcome into a page or a cookie.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import login_sessions, throttle
from domain.clock import now
from domain.models import PortalAccount, User
from domain.passwords import verify_password

WRONG_DETAILS = "Enter a correct email address and password"


@dataclass(frozen=True)
class SignedIn:
    user: User | None
    account: PortalAccount | None
    token: str  # for the cookie; the database keeps only its hash


@dataclass(frozen=True)
class WrongDetails:
    message: str = WRONG_DETAILS


@dataclass(frozen=True)
class Unverified:
    """The password was right, but the email address has not been confirmed yet."""

    account: PortalAccount
    link_sent: bool  # a new confirmation link was queued (unless that is throttled too)


Outcome = SignedIn | WrongDetails | Unverified | throttle.Throttled


@dataclass(frozen=True)
class Client:
    """Where the attempt comes from, and the browser's session it would replace."""

    address: str
    user_agent: str | None = None
    replacing: str | None = None  # the browser's current session token for this area


def _officer(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _applicant(session: Session, email: str) -> PortalAccount | None:
    return session.scalar(
        select(PortalAccount).where(func.lower(PortalAccount.email) == email.strip().lower())
    )


def officer(session: Session, email: str, password: str, client: Client) -> Outcome:
    """Sign an officer in with their local password."""
    gate = throttle.reserve(session, "officer_sign_in", email, client.address)
    if isinstance(gate, throttle.Throttled):
        return gate
    user = _officer(session, email)
    if not verify_password(user.password_hash if user else None, password):
        return WrongDetails()
    if user is None or not user.active:
        return WrongDetails()
    gate.succeeded()
    user.last_sign_in_at = now()
    token = login_sessions.start(
        session,
        user=user,
        client_address=client.address,
        user_agent=client.user_agent,
        replacing=client.replacing,
    )
    return SignedIn(user, None, token)


def applicant(
    session: Session,
    email: str,
    password: str,
    client: Client,
    *,
    resend_confirmation: object = None,
) -> Outcome:
    """Sign an applicant in. An unconfirmed account gets a new confirmation link instead
    (`resend_confirmation(session, account)` queues it; it is throttled separately)."""
    gate = throttle.reserve(session, "applicant_sign_in", email, client.address)
    if isinstance(gate, throttle.Throttled):
        return gate
    account = _applicant(session, email)
    if not verify_password(account.password_hash if account else None, password):
        return WrongDetails()
    if account is None or not account.active:
        return WrongDetails()
    gate.succeeded()
    if account.email_verified_at is None:
        again = throttle.reserve(session, "verify_resend", email, client.address)
        sent = False
        if isinstance(again, throttle.Reservation) and callable(resend_confirmation):
            again.succeeded()
            resend_confirmation(session, account)
            sent = True
        return Unverified(account, sent)
    account.last_sign_in_at = now()
    token = login_sessions.start(
        session,
        account=account,
        client_address=client.address,
        user_agent=client.user_agent,
        replacing=client.replacing,
    )
    return SignedIn(None, account, token)


def start_for(
    session: Session,
    *,
    user: User | None = None,
    account: PortalAccount | None = None,
    client: Client,
    id_token_hint: str | None = None,
) -> SignedIn:
    """A session for someone already proved by other means (an OpenID Connect provider)."""
    token = login_sessions.start(
        session,
        user=user,
        account=account,
        client_address=client.address,
        user_agent=client.user_agent,
        id_token_hint=id_token_hint,
        replacing=client.replacing,
    )
    return SignedIn(user, account, token)


__all__ = [
    "WRONG_DETAILS",
    "Client",
    "Outcome",
    "SignedIn",
    "Unverified",
    "WrongDetails",
    "applicant",
    "officer",
    "start_for",
]
