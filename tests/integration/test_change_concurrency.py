"""Two officers deciding the same change at the same moment, with real concurrent
transactions on PostgreSQL: exactly one decision lands; the other is told who got there first."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from changes import engine
from changes.engine import AlreadyDecided, Notifier
from domain.models import HistoryEvent, User
from domain.pending import PendingChange
from domain.vocab import Permission
from tests.support.factories import make_case, make_officer, make_person, make_portal_account

NOTIFIER = Notifier(
    "Housing options", "Testshire", "http://testserver/your-changes", "01632 960000"
)


@pytest.mark.postgresql_only
def test_two_officers_accept_and_reject_at_once(committed: sessionmaker[Session]) -> None:
    with committed.begin() as db:
        mum = make_person(db, "Amira", "Khan")
        dad = make_person(db, "Tariq", "Khan", sex="M")
        case = make_case(db, mum, [(dad, "Partner")])
        account = make_portal_account(db, mum)
        change = engine.submit(
            db,
            account,
            case,
            "left",
            {"person_id": dad.id, "date_left": "2026-11-01"},
            idempotency_key=uuid.uuid4().hex,
            today=dt.date(2026, 11, 20),
        )
        change_id, version = change.id, change.version
        officers = [
            make_officer(db, Permission.QUEUE, name=n).id for n in ("Quinn Harper", "Tom Adeyemi")
        ]

    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(officer_id: int, action: str) -> None:
        with committed() as db:
            try:
                with db.begin():
                    officer = db.get(User, officer_id)
                    assert officer is not None
                    barrier.wait()
                    locked = engine.lock_change(db, change_id)
                    if action == "accept":
                        engine.accept(
                            db,
                            officer,
                            locked,
                            expected_version=version,
                            today=dt.date(2026, 11, 20),
                            notifier=NOTIFIER,
                        )
                    else:
                        engine.reject(
                            db,
                            officer,
                            locked,
                            reason="Not so",
                            expected_version=version,
                            notifier=NOTIFIER,
                        )
                outcomes[action] = "landed"
            except AlreadyDecided as exc:
                outcomes[action] = str(exc)

    threads = [
        threading.Thread(target=decide, args=(officers[0], "accept")),
        threading.Thread(target=decide, args=(officers[1], "reject")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    landed = [a for a, o in outcomes.items() if o == "landed"]
    assert len(landed) == 1, outcomes
    (loser,) = [o for o in outcomes.values() if o != "landed"]
    winner_name = "Quinn Harper" if landed == ["accept"] else "Tom Adeyemi"
    assert (
        f"was already {'accepted' if landed == ['accept'] else 'rejected'} by {winner_name} at"
        in loser
    )
    with committed() as db:
        saved = db.get(PendingChange, change_id)
        assert saved is not None and saved.status == (
            "accepted" if landed == ["accept"] else "rejected"
        )
        decisions = db.scalars(
            select(HistoryEvent.kind).where(
                HistoryEvent.kind.in_(["change.accepted", "change.rejected"])
            )
        ).all()
        assert len(decisions) == 1
