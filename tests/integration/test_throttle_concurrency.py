"""Limits that hold under parallel requests: many attempts at once, each in its own transaction
on its own connection, as many web processes would make them (on PostgreSQL they really run side
by side; SQLite's writers take turns, and the limits must hold there too).

Each test starts N attempts together (a barrier), counts how many were evaluated (a password or
the details actually checked, a referral actually received) and how many were refused unread,
and prints the figures for the closing note. The limit must hold exactly.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain import accounts, signin, throttle
from domain.models import PortalAccount
from domain.referrals import Referral, ReferralThrottled, submit_referral
from domain.security import AuthAttempt
from domain.vocab import Permission
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    make_team,
    referral_submission,
)

N = 30
CLIENT = signin.Client("198.51.100.7")


def at_once(
    committed: sessionmaker[Session], attempt: Callable[[Session, int], str], n: int = N
) -> Counter[str]:
    """Run `attempt(session, i)` n times in parallel, each in its own transaction; count the
    outcomes it names."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        with committed() as session:
            barrier.wait(timeout=30)
            with session.begin():
                outcome = attempt(session, i)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == n, "every attempt finished"
    return Counter(outcomes)


def _kind(outcome: Any) -> str:
    return "refused unread" if isinstance(outcome, throttle.Throttled) else "evaluated"


def test_thirty_parallel_officer_guesses_get_five_evaluated(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        officer = make_officer(session, Permission.CASES, email="lead@council.example")
        email = officer.email

    counts = at_once(committed, lambda s, i: _kind(signin.officer(s, email, f"guess {i}", CLIENT)))
    print(f"\nofficer sign-in: {counts['evaluated']} of {N} parallel guesses evaluated")
    assert counts == Counter({"evaluated": 5, "refused unread": N - 5})
    with committed.begin() as session:
        late = signin.officer(session, email, TEST_PASSWORD, CLIENT)
    assert isinstance(late, throttle.Throttled)  # the right password, too late, from there


def test_thirty_parallel_applicant_guesses_get_five_evaluated(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        make_portal_account(session, email="target@example.com")

    counts = at_once(
        committed,
        lambda s, i: _kind(signin.applicant(s, "target@example.com", f"guess {i}", CLIENT)),
    )
    print(f"\napplicant sign-in: {counts['evaluated']} of {N} parallel guesses evaluated")
    assert counts == Counter({"evaluated": 5, "refused unread": N - 5})


def test_twenty_parallel_case_link_guesses_get_five_evaluated(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        primary = make_person(session, "Leah", "Mensah", born=dt.date(1991, 2, 3))
        case = make_case(session, primary)
        account = make_portal_account(session, None, email="guesser@example.com")
        reference, account_id = case.reference, account.id

    def guess(session: Session, i: int) -> str:
        holder = session.get(PortalAccount, account_id)
        assert holder is not None
        wrong_birthday = dt.date(1991, 2, 3) + dt.timedelta(days=i + 1)
        outcome = accounts.link_case(
            session, holder, reference, wrong_birthday, today=dt.date(2026, 11, 30), client="x"
        )
        return _kind(outcome)

    counts = at_once(committed, guess, n=20)
    print(f"\ncase linking: {counts['evaluated']} of 20 parallel guesses evaluated")
    assert counts == Counter({"evaluated": 5, "refused unread": 15})
    with committed() as session:
        failures = session.scalar(
            select(func.count()).where(
                AuthAttempt.action == "link_case", AuthAttempt.succeeded.is_(False)
            )
        )
        assert failures == 5


def test_sixteen_parallel_self_referrals_with_one_email_get_ten_received(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        make_team(session, "Housing Options")

    def refer(session: Session, i: int) -> str:
        submission = referral_submission(
            self_referral=True,
            first_name=f"Person{i}",
            email="same@example.com",
            preferred_contact="Email",
        )
        try:
            submit_referral(session, submission, mailer=None, client=f"203.0.113.{i}")
        except ReferralThrottled:
            return "refused unread"
        return "evaluated"

    counts = at_once(committed, refer, n=16)
    print(f"\nself-referrals: {counts['evaluated']} of 16 parallel referrals received")
    assert counts == Counter({"evaluated": 10, "refused unread": 6})
    with committed() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 10


def test_guessing_from_elsewhere_cannot_lock_an_officer_out(
    committed: sessionmaker[Session],
) -> None:
    """Five wrong guesses from an attacker's address stop that address, not the officer; past
    ten from anywhere, each guess waits a growing delay (never an hours-long lock)."""
    with committed.begin() as session:
        officer = make_officer(session, Permission.CASES, email="known@council.example")
        email = officer.email
    attacker, office = signin.Client("203.0.113.66"), signin.Client("192.0.2.10")
    outcomes = []
    for i in range(6):
        with committed.begin() as session:
            outcomes.append(_kind(signin.officer(session, email, f"guess {i}", attacker)))
    assert outcomes == ["evaluated"] * 5 + ["refused unread"]
    with committed.begin() as session:
        assert isinstance(signin.officer(session, email, TEST_PASSWORD, office), signin.SignedIn)

    # Ten wrong guesses spread over many addresses: the eleventh attempt waits two seconds,
    # whoever makes it — a delay that grows with every further failure, capped at five minutes.
    for i in range(10):
        with committed.begin() as session:
            signin.officer(session, email, "wrong", signin.Client(f"198.18.0.{i}"))
    with committed.begin() as session:
        slowed = signin.officer(session, email, TEST_PASSWORD, office)
    assert isinstance(slowed, throttle.Throttled)
    assert slowed.seconds <= 2
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    with committed.begin() as session:
        waited = throttle.reserve(session, "officer_sign_in", email, office.address, now=soon)
    assert isinstance(waited, throttle.Reservation)  # after the delay, the attempt is heard
    with committed.begin() as session:  # that attempt failed too: the next delay doubles
        again = throttle.reserve(
            session, "officer_sign_in", email, office.address, now=soon + dt.timedelta(seconds=1)
        )
    assert isinstance(again, throttle.Throttled) and again.seconds == 3  # 4 s after the last
