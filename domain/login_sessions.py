"""Server-side sign-in sessions: a random token in the cookie, its hash in the database.

Signing out deletes the row, so the session ends everywhere at once; a session also ends after a
period without use (set by SESSION_IDLE_MINUTES).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import ORMOption

from domain.models import PortalAccount, User, utcnow
from domain.security import LoginSession

TOUCH_EVERY = dt.timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session,
    *,
    user: User | None = None,
    account: PortalAccount | None = None,
    client_address: str | None = None,
    user_agent: str | None = None,
    id_token_hint: str | None = None,
    replacing: str | None = None,
) -> str:
    """Create a session and return the token to put in the cookie. The browser's previous
    session (`replacing`, its token) ends: a new token at every sign-in, no fixation."""
    if (user is None) == (account is None):
        raise ValueError("a session belongs to exactly one officer or applicant")
    end(session, replacing)
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            id=_hash(token),
            user_id=user.id if user else None,
            portal_account_id=account.id if account else None,
            client_address=(client_address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
            id_token_hint=id_token_hint,
        )
    )
    return token


def lookup(*options: ORMOption) -> Select[LoginSession]:
    """The statement that finds a session by its token's hash, loading with it what `options`
    say (its officer or account). Built once by each caller and reused for every request."""
    return select(LoginSession).where(LoginSession.id == bindparam("id")).options(*options)


_PLAIN = lookup()


def resolve(
    session: Session,
    token: str | None,
    *,
    idle: dt.timedelta,
    now: dt.datetime | None = None,
    statement: Select[LoginSession] = _PLAIN,
) -> LoginSession | None:
    """The live session for a cookie token, or None (expired sessions are deleted), found by
    the primary key with `statement` (see `lookup`): one query for the session and its user."""
    if not token:
        return None
    now = now or utcnow()
    row = session.execute(statement, {"id": _hash(token)}).unique().scalar_one_or_none()
    if row is None:
        return None
    if row.last_seen_at + idle < now:
        session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        _touch(session, row, now)
    return row


def _touch(session: Session, row: LoginSession, now: dt.datetime) -> None:
    """Note that the session is in use. Concurrent requests of one session do not queue for
    this: on PostgreSQL the row is taken only if no other request holds it (SKIP LOCKED), and a
    request that finds it taken leaves the touch to the one that has it."""
    stmt = select(LoginSession.id).where(LoginSession.id == row.id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    if session.scalar(stmt) is not None:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == row.id)
            .values(last_seen_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(row, "last_seen_at", now)


def end(session: Session, token: str | None) -> LoginSession | None:
    if not token:
        return None
    row = session.get(LoginSession, _hash(token))
    if row is not None:
        session.delete(row)
    return row


def end_all(
    session: Session,
    *,
    user_id: int | None = None,
    account_id: int | None = None,
    keep_token: str | None = None,
) -> int:
    """End every session of an officer or applicant (except the one whose token is kept)."""
    stmt = delete(LoginSession)
    if keep_token:
        stmt = stmt.where(LoginSession.id != _hash(keep_token))
    if user_id is not None:
        stmt = stmt.where(LoginSession.user_id == user_id)
    elif account_id is not None:
        stmt = stmt.where(LoginSession.portal_account_id == account_id)
    else:
        raise ValueError("say whose sessions to end")
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def count_for(
    session: Session, *, user_id: int | None = None, account_id: int | None = None
) -> int:
    """How many live sessions an officer or an applicant has."""
    stmt = select(func.count()).select_from(LoginSession)
    if user_id is not None:
        stmt = stmt.where(LoginSession.user_id == user_id)
    else:
        stmt = stmt.where(LoginSession.portal_account_id == account_id)
    return int(session.scalar(stmt) or 0)
