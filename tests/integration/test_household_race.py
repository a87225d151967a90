"""Officers accepting changes to one household at the same instant: each new bedroom assessment
version is worked out from the household as the change before it left it, and the current
version is the last one. (Without the case's lock, a version could miss a member another
change had just added.)"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from changes import engine
from changes.engine import Notifier
from domain import assessments, household
from domain.assessments import BedroomAssessmentVersion
from domain.models import Case, User
from domain.pending import PendingChange
from domain.vocab import Permission
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)

NOTIFIER = Notifier(
    "Housing options", "Testshire", "http://testserver/your-changes", "01632 960000"
)
ROUNDS = 5
TODAY = dt.date(2026, 11, 30)
D = dt.date


def _household(committed: sessionmaker[Session]) -> tuple[int, list[int], list[int]]:
    """A family of ten with a bedroom assessment, four changes waiting, four officers."""
    with committed.begin() as db:
        mum = make_person(db, "Amira", "Khan", born=D(1980, 1, 1))
        others = [
            (make_person(db, f"Child{n}", "Khan", born=D(2005 + n, 3, 1), sex="MF"[n % 2]), "Son")
            for n in range(9)
        ]
        case = make_case(db, mum, others, joined=D(2024, 1, 1))
        open_housing_register(db, case)
        account = make_portal_account(db, mum)
        payloads = [
            (
                "joined",
                {
                    "first_name": "Ana",
                    "last_name": "Khan",
                    "date_of_birth": "1950-05-05",
                    "sex": "F",
                    "relationship": "Parent",
                    "date_joined": "2026-11-20",
                },
            ),
            (
                "joined",
                {
                    "first_name": "Bo",
                    "last_name": "Khan",
                    "date_of_birth": "1955-05-05",
                    "sex": "M",
                    "relationship": "Other relative",
                    "date_joined": "2026-11-20",
                },
            ),
            ("left", {"person_id": others[0][0].id, "date_left": "2026-11-20"}),
            (
                "birth",
                {
                    "person_id": mum.id,
                    "first_name": "Cy",
                    "last_name": "Khan",
                    "date_of_birth": "2026-11-19",
                    "sex": "M",
                    "relationship": "Son",
                },
            ),
        ]
        change_ids = [
            engine.submit(
                db, account, case, kind, payload, idempotency_key=uuid.uuid4().hex, today=TODAY
            ).id
            for kind, payload in payloads
        ]
        officers = [make_officer(db, Permission.QUEUE).id for _ in payloads]
        return case.id, change_ids, officers


def _accept_together(
    committed: sessionmaker[Session], change_ids: list[int], officer_ids: list[int]
) -> None:
    barrier = threading.Barrier(len(change_ids))
    errors: list[BaseException] = []

    def accept(change_id: int, officer_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with committed() as db, db.begin():
                officer = db.get(User, officer_id)
                assert officer is not None
                change = engine.lock_change(db, change_id)
                engine.accept(
                    db,
                    officer,
                    change,
                    expected_version=change.version,
                    today=TODAY,
                    notifier=NOTIFIER,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=accept, args=pair)
        for pair in zip(change_ids, officer_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def test_versions_follow_one_another_when_changes_are_accepted_at_once(
    committed: sessionmaker[Session],
) -> None:
    stale = 0
    for _ in range(ROUNDS):
        case_id, change_ids, officer_ids = _household(committed)
        _accept_together(committed, change_ids, officer_ids)
        with committed() as db:
            assert all(
                db.get(PendingChange, i).status == "accepted"  # type: ignore[union-attr]
                for i in change_ids
            )
            strand = assessments.open_bedroom_assessment(db, case_id)
            assert strand is not None
            versions = db.scalars(
                select(BedroomAssessmentVersion)
                .where(BedroomAssessmentVersion.strand_id == strand.id)
                .order_by(BedroomAssessmentVersion.number)
            ).all()
            counted = [{entry["person_id"] for entry in v.household_snapshot} for v in versions]
            # Each accepted change adds or removes exactly one person from the version before.
            for before, after in itertools.pairwise(counted):
                if len(before ^ after) != 1:
                    stale += 1
            case = db.get(Case, case_id)
            assert case is not None
            now = {cp.person_id for cp in household.members_on(case, TODAY)}
            assert counted[-1] == now  # the current version counts the household as it is
            assert len(now) == 10 + 2 - 1 + 1
    print(f"\nhousehold race: {ROUNDS} rounds of 4 accepts at once, {stale} stale versions")
    assert stale == 0
