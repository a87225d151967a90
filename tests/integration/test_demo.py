"""Demo data makes the product feel alive, and is only added to an empty database."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import clock, signin
from domain.evidence_requests import EvidenceRequest
from domain.models import Case, CasePerson, PortalAccount, Team, User
from domain.vocab import Permission
from hearth.demo import DEMO_PASSWORD, OFFICERS, seed_demo
from hearth.demo.data import NEW_APPLICANT


def test_seed_demo_builds_varied_households_once(db: Session) -> None:
    assert seed_demo(db) is True
    assert seed_demo(db) is False  # never twice

    cases = db.scalars(select(Case)).all()
    assert len(cases) >= 20
    sizes = Counter(len(c.people) for c in cases)
    assert sizes[1] >= 2
    assert max(sizes) >= 5
    relationships = {cp.relationship_to_primary for c in cases for cp in c.people}
    assert {"Partner", "Spouse", "Son", "Daughter", "Parent", "Grandchild"} <= relationships
    leavers = db.scalar(select(func.count()).where(CasePerson.date_left.is_not(None)))
    assert leavers >= 3
    assert (
        db.scalar(select(func.count()).select_from(Team).where(Team.allows_cases.is_(False))) == 1
    )

    # one officer per role, each able to sign in with the documented password
    officers = db.scalars(select(User)).all()
    assert len(officers) == len(OFFICERS)
    held = set().union(*(u.permissions for u in officers))
    assert held == set(Permission)
    signed_in = signin.officer(db, OFFICERS[0][0], DEMO_PASSWORD, signin.Client("192.0.2.1"))
    assert isinstance(signed_in, signin.SignedIn)

    accounts = db.scalars(select(PortalAccount)).all()
    linked = [a for a in accounts if a.email != NEW_APPLICANT]
    assert len(linked) >= 3
    assert all(a.person_id is not None and a.email_verified_at is not None for a in linked)
    # one account has no case yet: it is there to apply to the register with
    (new,) = [a for a in accounts if a.email == NEW_APPLICANT]
    assert new.person_id is None and new.email_verified_at is not None
    # the first portal applicant has been asked for evidence, now overdue
    (asked,) = db.scalars(select(EvidenceRequest)).all()
    assert asked.status == "waiting" and asked.overdue_on(clock.today())


def test_demo_has_assessments_and_changes_to_review(db: Session) -> None:
    from domain.assessments import BedroomAssessmentVersion
    from domain.clock import today as council_today
    from domain.pending import PendingChange

    seed_demo(db)
    assert db.scalar(select(func.count()).select_from(BedroomAssessmentVersion)) >= 15
    changes = db.scalars(select(PendingChange)).all()
    statuses = Counter(c.status for c in changes)
    assert statuses["pending"] >= 4 and statuses["accepted"] == 1 and statuses["rejected"] == 1
    assert any(c.status == "pending" and c.target_date < council_today() for c in changes)
    assert len({c.kind for c in changes}) >= 5


def test_every_demo_assessment_is_the_need_of_the_household_today(db: Session) -> None:
    """What the portal and the back office show as the need is what a fresh calculation of the
    seeded household gives today (HC-000005: Hannah Taylor and her daughter Zara, born this
    year, need 2 bedrooms, not the 1 of the day she applied)."""
    from domain import assessments
    from domain.clock import today as council_today
    from domain.models import Case

    seed_demo(db)
    checked = 0
    for case in db.scalars(select(Case).order_by(Case.id)):
        current = assessments.current_assessment(db, case.id)
        if current is None:
            continue
        fresh = assessments.preview_need(db, case, council_today())
        assert fresh is not None, case.reference
        assert current.assessed_on == council_today(), case.reference
        assert (current.bedrooms, current.result["rooms"]) == (
            fresh.bedrooms,
            fresh.to_dict()["rooms"],
        ), case.reference
        checked += 1
    assert checked >= 15


def test_demo_decision_emails_link_to_the_configured_portal(db: Session) -> None:
    """The seeded accepted and rejected changes email their applicants a link that works from a
    mail client: absolute, on the address the council configured."""
    from dataclasses import replace

    from domain.security import OutboxEmail
    from web.settings import Settings

    seed_demo(db, settings=replace(Settings(), base_url="https://housing.example.gov.uk"))
    bodies = db.scalars(
        select(OutboxEmail.body_text).where(
            OutboxEmail.kind.in_(["change.accepted", "change.rejected"])
        )
    ).all()
    assert len(bodies) == 2
    for body in bodies:
        assert "See all your changes: https://housing.example.gov.uk/your-changes" in body
