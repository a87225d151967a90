"""Throttling of sign-in, password reset, sign-up and case linking.

Each action has limits per account (the email or account it targets) and per client address,
counted over a sliding window of recorded attempts. Every attempt is stored and logged, so the
same table is the security log.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import utcnow
from domain.security import AuthAttempt

log = logging.getLogger("hearth.security")


@dataclass(frozen=True)
class Limit:
    per_account: int
    per_client: int
    window: dt.timedelta
    count_successes: bool = False  # sign-up and reset requests count every attempt


LIMITS: dict[str, Limit] = {
    "officer_sign_in": Limit(5, 30, dt.timedelta(minutes=15)),
    "applicant_sign_in": Limit(5, 30, dt.timedelta(minutes=15)),
    "password_reset": Limit(3, 10, dt.timedelta(hours=1), count_successes=True),
    "sign_up": Limit(3, 10, dt.timedelta(hours=1), count_successes=True),
    "verify_resend": Limit(3, 10, dt.timedelta(hours=1), count_successes=True),
    "link_case": Limit(5, 20, dt.timedelta(hours=1)),
    "referral": Limit(10, 20, dt.timedelta(hours=1), count_successes=True),
}


@dataclass(frozen=True)
class Throttled:
    action: str
    retry_after: dt.timedelta

    @property
    def message(self) -> str:
        minutes = max(1, int(self.retry_after.total_seconds() // 60) + 1)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many attempts. Wait {minutes} {unit} and try again."


def _recent(
    session: Session, action: str, limit: Limit, now: dt.datetime, **match: str
) -> list[dt.datetime]:
    since = now - limit.window
    stmt = select(AuthAttempt.at).where(AuthAttempt.action == action, AuthAttempt.at > since)
    for column, value in match.items():
        stmt = stmt.where(getattr(AuthAttempt, column) == value)
    if not limit.count_successes:
        stmt = stmt.where(AuthAttempt.succeeded.is_(False))
    return list(session.scalars(stmt.order_by(AuthAttempt.at)))


def check(
    session: Session, action: str, account_key: str, client: str, now: dt.datetime | None = None
) -> Throttled | None:
    """None if the attempt may go ahead, else how long to wait."""
    now = now or utcnow()
    limit = LIMITS[action]
    for count, match in (
        (limit.per_account, {"account_key": account_key.lower()[:100]}),
        (limit.per_client, {"client_address": client[:64]}),
    ):
        times = _recent(session, action, limit, now, **match)
        if len(times) >= count:
            oldest_that_counts = times[-count]
            log.warning("throttled %s for %s from %s", action, match, client)
            return Throttled(action, oldest_that_counts + limit.window - now)
    return None


def record(
    session: Session, action: str, account_key: str, client: str, *, succeeded: bool
) -> None:
    session.add(
        AuthAttempt(
            action=action,
            account_key=account_key.lower()[:100],
            client_address=client[:64],
            succeeded=succeeded,
        )
    )
    log.info(
        "%s attempt for %s from %s: %s",
        action,
        account_key.lower()[:100],
        client,
        "succeeded" if succeeded else "failed",
    )


def prune(session: Session, older_than: dt.timedelta = dt.timedelta(days=90)) -> int:
    """Attempts are kept 90 days for the security log, then removed."""
    from sqlalchemy import delete

    result = session.execute(delete(AuthAttempt).where(AuthAttempt.at < utcnow() - older_than))
    return int(result.rowcount)  # type: ignore[attr-defined]


def attempts_count(session: Session, action: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuthAttempt).where(AuthAttempt.action == action)
        )
        or 0
    )
