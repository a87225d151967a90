"""The demo data includes homeless referrals at different points of their workflow."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import Case
from domain.referrals import Referral, progress
from domain.security import OutboxEmail
from hearth.demo import seed_demo


def test_demo_referrals_sit_at_different_statuses_on_existing_cases(db: Session) -> None:
    seed_demo(db)
    referrals = db.scalars(select(Referral).order_by(Referral.id)).all()
    statuses = Counter(r.strand.status for r in referrals)
    assert statuses == {
        "01 Referral Entered": 1,
        "02 Contact Client": 1,
        "03 Triage": 1,
        "05 HNA booked": 1,
        "Closed": 1,
    }
    assert sum(r.is_self_referral for r in referrals) == 1
    closed = next(r for r in referrals if r.strand.status == "Closed")
    assert closed.outcome is not None and closed.outcome.startswith("HS")
    assert progress(db, closed).outcome == closed.outcome
    # matched to the people already on demo cases: no new cases, no emails
    assert db.scalar(select(func.count()).select_from(Case)) == 24
    assert all(r.person_id == r.strand.case.primary.person_id for r in referrals)  # type: ignore[union-attr]
    assert not any(e.kind.startswith("referral.") for e in db.scalars(select(OutboxEmail)))
