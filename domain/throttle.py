"""Throttling of sign-in, password reset, sign-up, email confirmation, case linking and referrals.

Every attempt is a row of `auth_attempt` (so the same table is the security log). Before an
attempt is evaluated it is *reserved*: :func:`reserve` takes a lock per key it counts (PostgreSQL
advisory locks, held to the end of the transaction; SQLite's writers already take turns), counts
the recent attempts for each rule, and either refuses — :class:`Throttled` — or records the
attempt as failed before anything slow (a password hash) happens. The caller marks the
reservation succeeded when it was. So with any number of parallel requests the limits hold
exactly: the sixth of five allowed guesses is refused whatever the timing.

The reservation is a write that must survive the request's outcome, so the commands that use it
never raise after reserving for an attempt that should count: they return typed outcomes (see
domain.signin and domain.accounts.link_case).

Rules for sign-in, with OWASP ASVS 4 §2.2 in mind (anti-automation without a lockout anyone can
trigger): wrong guesses are limited per account *and* client address together (5 in 15 minutes),
per client address (30 in 15 minutes, whatever the accounts), and per account from anywhere (100
an hour, ASVS 2.2.1). Beyond 10 wrong guesses on one account within 15 minutes, from anywhere,
each further guess waits a delay that doubles (2 s, 4 s, … up to 5 minutes) after the last one.
So guessing from one address stops after five, spreading guesses over many addresses slows to a
crawl, and someone who knows an officer's email cannot lock them out for long: the officer, from
their own address, waits at most the current delay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from domain.clock import now as clock_now
from domain.security import AuthAttempt

log = logging.getLogger("hearth.security")

PAIR, CLIENT, ACCOUNT = "pair", "client", "account"


@dataclass(frozen=True)
class Rule:
    scope: str  # PAIR (account and client together), CLIENT or ACCOUNT
    limit: int
    window: dt.timedelta


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    count_successes: bool = False  # sign-up, reset and referrals count every attempt
    delay_after: int | None = None  # account failures after which a growing delay applies
    delay_window: dt.timedelta = dt.timedelta(minutes=15)
    max_delay: dt.timedelta = dt.timedelta(minutes=5)


_15M = dt.timedelta(minutes=15)
_1H = dt.timedelta(hours=1)
SIGN_IN = Policy(
    rules=(Rule(PAIR, 5, _15M), Rule(CLIENT, 30, _15M), Rule(ACCOUNT, 100, _1H)),
    delay_after=10,
)
POLICIES: dict[str, Policy] = {
    "officer_sign_in": SIGN_IN,
    "applicant_sign_in": SIGN_IN,
    "password_reset": Policy((Rule(ACCOUNT, 3, _1H), Rule(CLIENT, 10, _1H)), True),
    "sign_up": Policy((Rule(ACCOUNT, 3, _1H), Rule(CLIENT, 10, _1H)), True),
    "verify_resend": Policy((Rule(ACCOUNT, 3, _1H), Rule(CLIENT, 10, _1H)), True),
    "link_case": Policy((Rule(ACCOUNT, 5, _1H), Rule(CLIENT, 20, _1H))),
    "referral": Policy((Rule(ACCOUNT, 10, _1H), Rule(CLIENT, 20, _1H)), True),
}


@dataclass(frozen=True)
class Throttled:
    """The attempt was refused before being evaluated; wait `retry_after`."""

    action: str
    retry_after: dt.timedelta

    @property
    def seconds(self) -> int:
        return max(1, int(self.retry_after.total_seconds() + 0.999))

    @property
    def message(self) -> str:
        seconds = self.seconds
        if seconds < 60:
            unit = "second" if seconds == 1 else "seconds"
            return f"Too many attempts. Wait {seconds} {unit} and try again."
        minutes = seconds // 60 + (seconds % 60 > 0)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many attempts. Wait {minutes} {unit} and try again."


@dataclass
class Reservation:
    """An attempt recorded as failed until :meth:`succeeded` says otherwise."""

    attempt: AuthAttempt

    def succeeded(self) -> None:
        self.attempt.succeeded = True


def key_of(value: str) -> str:
    return value.strip().lower()[:100]


def _lock(session: Session, action: str, keys: Iterable[str]) -> None:
    """Make concurrent reservations on the same keys take turns (until this transaction ends)."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: every write transaction begins IMMEDIATE, so writers already take turns
    for key in sorted(set(keys)):  # one order everywhere, so two requests never deadlock
        digest = hashlib.sha256(f"throttle:{action}:{key}".encode()).digest()
        session.execute(
            text("SELECT pg_advisory_xact_lock(:k)"),
            {"k": int.from_bytes(digest[:8], "big", signed=True)},
        )


def _matching(scope: str, account: str, client: str) -> list[object]:
    if scope == PAIR:
        return [AuthAttempt.account_key == account, AuthAttempt.client_address == client]
    if scope == CLIENT:
        return [AuthAttempt.client_address == client]
    return [AuthAttempt.account_key == account]


def _times(
    session: Session, action: str, policy: Policy, conditions: list[object], since: dt.datetime
) -> list[dt.datetime]:
    stmt = select(AuthAttempt.at).where(
        AuthAttempt.action == action,
        AuthAttempt.at > since,
        *conditions,  # type: ignore[arg-type]
    )
    if not policy.count_successes:
        stmt = stmt.where(AuthAttempt.succeeded.is_(False))
    return sorted(session.scalars(stmt))


def reserve(
    session: Session,
    action: str,
    account_key: str,
    client: str,
    *,
    now: dt.datetime | None = None,
) -> Reservation | Throttled:
    """Reserve an attempt at `action` for `account_key` from `client`, or refuse it."""
    now = now or clock_now()
    policy = POLICIES[action]
    account, client = key_of(account_key), client[:64]
    _lock(session, action, [f"a:{account}", f"c:{client}"])
    for rule in policy.rules:
        times = _times(
            session, action, policy, _matching(rule.scope, account, client), now - rule.window
        )
        if len(times) >= rule.limit:
            log.warning("throttled %s (%s) for %s from %s", action, rule.scope, account, client)
            return Throttled(action, times[-rule.limit] + rule.window - now)
    if policy.delay_after is not None:
        failures = _times(
            session, action, policy, _matching(ACCOUNT, account, client), now - policy.delay_window
        )
        beyond = len(failures) - policy.delay_after
        if beyond >= 0:
            delay = min(dt.timedelta(seconds=2 ** min(beyond + 1, 20)), policy.max_delay)
            ready = failures[-1] + delay
            if ready > now:
                log.warning("slowed %s for %s from %s: wait %s", action, account, client, delay)
                return Throttled(action, ready - now)
    attempt = AuthAttempt(
        action=action, account_key=account, client_address=client, succeeded=False, at=now
    )
    session.add(attempt)
    session.flush()
    log.info("%s attempt for %s from %s", action, account, client)
    return Reservation(attempt)


def record(
    session: Session, action: str, account_key: str, client: str, *, succeeded: bool
) -> None:
    """Record an attempt without checking (demo data and tests of the limits)."""
    session.add(
        AuthAttempt(
            action=action,
            account_key=key_of(account_key),
            client_address=client[:64],
            succeeded=succeeded,
        )
    )
    session.flush()


def prune(session: Session, older_than: dt.timedelta = dt.timedelta(days=90)) -> int:
    """Attempts are kept 90 days for the security log, then removed."""
    result = session.execute(delete(AuthAttempt).where(AuthAttempt.at < clock_now() - older_than))
    return int(result.rowcount)  # type: ignore[attr-defined]


def attempts_count(session: Session, action: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuthAttempt).where(AuthAttempt.action == action)
        )
        or 0
    )


__all__ = [
    "POLICIES",
    "Reservation",
    "Throttled",
    "attempts_count",
    "key_of",
    "prune",
    "record",
    "reserve",
]
