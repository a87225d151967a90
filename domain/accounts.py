"""Officer and applicant accounts."""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import history
from domain.errors import RuleBroken
from domain.history import Actor
from domain.models import PortalAccount, Team, User, UserPermission, utcnow
from domain.passwords import hash_password, password_problem, verify_password
from domain.vocab import Permission


def normalise_email(email: str) -> str:
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise RuleBroken(
            "Enter an email address in the correct format, like name@example.com"
        ) from None
    return result.normalized.lower()


def create_officer(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    permissions: Iterable[Permission],
    password: str | None = None,
    team: Team | None = None,
) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise RuleBroken("Enter the officer's name")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise RuleBroken(f"An officer with the email {email} already exists")
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise RuleBroken(problem)
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        team=team,
        permission_rows=[UserPermission(permission=p.value) for p in sorted(set(permissions))],
    )
    session.add(user)
    session.flush()
    history.record(
        session,
        actor,
        "officer.created",
        f"Officer {name} <{email}> created",
        after={"email": email, "permissions": sorted(p.value for p in permissions)},
    )
    return user


def authenticate_officer(session: Session, email: str, password: str) -> User | None:
    """The active officer with this email and password, or None (same cost either way)."""
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    user.last_sign_in_at = utcnow()
    return user


def create_portal_account(
    session: Session, *, email: str, password: str, verified: bool = False
) -> PortalAccount:
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise RuleBroken(problem)
    account = PortalAccount(
        email=email,
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    session.add(account)
    session.flush()
    return account
