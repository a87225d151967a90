"""Demo pending changes, some decided and one overdue, so the queue has work in it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from changes import engine
from changes.engine import Notifier
from domain import clock
from domain.models import Case, PortalAccount, User
from domain.pending import PendingChange


def _seed_changes(
    session: Session,
    accounts: dict[int, tuple[PortalAccount, Case]],
    *,
    reviewer: User,
    notifier: Notifier,
) -> None:
    """A few changes reported through the portal: some waiting (one overdue), some decided."""
    today = clock.today()

    def primary_id(case: Case) -> int:
        assert case.primary is not None
        return case.primary.person_id

    def member_id(case: Case, relationship: str) -> int:
        return next(
            cp.person_id for cp in case.people if cp.relationship_to_primary == relationship
        )

    def report(index: int, kind: str, payload: dict[str, object], days_ago: int) -> PendingChange:
        account, case = accounts[index]
        change = engine.submit(
            session,
            account,
            case,
            kind,
            payload,
            idempotency_key=f"demo-{index}-{kind}-{days_ago}",
            today=today - dt.timedelta(days=days_ago),
        )
        change.submitted_at = change.submitted_at - dt.timedelta(days=days_ago)
        return change

    account, case = accounts[0]
    report(
        0,
        "contact",
        {
            "person_id": primary_id(case),
            "email": account.email,
            "phone": "07700 900555",
            "preferred_contact": "Text message",
        },
        2,
    )
    _, case = accounts[3]
    report(
        3,
        "left",
        {
            "person_id": member_id(case, "Spouse"),
            "date_left": (today - dt.timedelta(days=25)).isoformat(),
        },
        20,
    )
    report(
        4,
        "joined",
        {
            "first_name": "Callum",
            "last_name": "Hughes",
            "date_of_birth": "1999-07-14",
            "sex": "M",
            "relationship": "Partner",
            "date_joined": (today - dt.timedelta(days=10)).isoformat(),
        },
        6,
    )
    _, case = accounts[9]
    report(
        9, "relationship", {"person_id": member_id(case, "Partner"), "relationship": "Spouse"}, 1
    )
    _, case = accounts[7]
    applicant = primary_id(case)
    accepted = report(
        7,
        "other",
        {
            "person_id": applicant,
            "details": "I have started work at the hospital, 20 hours a week.",
        },
        30,
    )
    engine.accept(
        session,
        reviewer,
        accepted,
        expected_version=accepted.version,
        today=today - dt.timedelta(days=25),
        notifier=notifier,
    )
    rejected = report(
        7,
        "pregnancy",
        {"person_id": applicant, "due_date": (today + dt.timedelta(weeks=20)).isoformat()},
        14,
    )
    engine.reject(
        session,
        reviewer,
        rejected,
        reason="We need the MATB1 form or a letter from your midwife. Please report it again with one of these.",
        expected_version=rejected.version,
        notifier=notifier,
    )
    session.flush()
