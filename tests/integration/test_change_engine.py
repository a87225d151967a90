"""The pending-change engine against a real database: every kind's effects, rejection,
withdrawal, conflicts, double submits, staleness, and the preview of the bedroom need."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from changes.engine import AlreadyDecided, ChangeConflict, Notifier
from domain.assessments import current_assessment
from domain.models import CasePerson, HistoryEvent, Person
from domain.pending import ChangeStatus, PendingChange
from domain.security import OutboxEmail
from domain.vocab import Permission
from tests.support.factories import (
    link_partners,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    open_housing_register,
)

TODAY = dt.date(2026, 11, 20)  # a Friday
NOTIFIER = Notifier(
    "Housing options",
    "Testshire District Council",
    "http://testserver/your-changes",
    "01632 960000",
)


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2), email="amira@example.com")
    dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
    daughter = make_person(db, "Noor", "Khan", born=dt.date(2016, 5, 5), sex="F")
    case = make_case(
        db,
        mum,
        [(dad, "Partner"), (son, "Son"), (daughter, "Daughter")],
        joined=dt.date(2024, 1, 1),
    )
    link_partners(db, case, mum, dad)
    open_housing_register(db, case)
    account = make_portal_account(db, mum, email="amira@example.com")
    officer = make_officer(db, Permission.QUEUE, name="Quinn Harper")
    return {
        "case": case,
        "mum": mum,
        "dad": dad,
        "son": son,
        "daughter": daughter,
        "account": account,
        "officer": officer,
    }


def submit(
    db: Session, f: dict[str, Any], kind: str, payload: dict[str, Any], key: str | None = None
) -> PendingChange:
    return engine.submit(
        db,
        f["account"],
        f["case"],
        kind,
        payload,
        idempotency_key=key or uuid.uuid4().hex,
        today=TODAY,
    )


def accept(db: Session, f: dict[str, Any], change: PendingChange) -> list[str]:
    return engine.accept(
        db, f["officer"], change, expected_version=change.version, today=TODAY, notifier=NOTIFIER
    )


def kinds_of_history(db: Session, case_id: int) -> list[str]:
    return [
        e.kind
        for e in db.scalars(
            select(HistoryEvent).where(HistoryEvent.case_id == case_id).order_by(HistoryEvent.id)
        )
    ]


def test_member_left_sets_date_left_recalculates_and_notifies(
    db: Session, family: dict[str, Any]
) -> None:
    before = current_assessment(db, family["case"].id)
    assert before is not None
    change = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    assert change.status == "pending" and change.reference.startswith("PC-")
    assert change.target_date == dt.date(2026, 12, 4)  # 10 working days
    # nothing changes until an officer decides
    link = next(cp for cp in family["case"].people if cp.person_id == family["dad"].id)
    assert link.date_left is None

    effects = accept(db, family, change)
    db.expire_all()
    link = db.get(CasePerson, link.id)
    assert link is not None and link.date_left == dt.date(2026, 11, 1)
    assert change.status == ChangeStatus.ACCEPTED and change.decided_by_id == family["officer"].id
    after = current_assessment(db, family["case"].id)
    assert after is not None and after.number == before.number + 1
    assert after.cause == "household_change" and after.cause_ref == change.reference
    assert any("Bedroom need recalculated" in e for e in effects)
    history = kinds_of_history(db, family["case"].id)
    assert history[-4:] == [
        "change.submitted",
        "household.left",
        "bedroom.recalculated",
        "change.accepted",
    ]
    (email,) = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "change.accepted")).all()
    assert email.to_address == "amira@example.com" and change.reference in email.subject


def test_joined_adds_a_person_and_a_couple(db: Session, family: dict[str, Any]) -> None:
    # make it a lone-parent household first, then a new partner joins
    dad_link = next(cp for cp in family["case"].people if cp.person_id == family["dad"].id)
    from domain import household
    from domain.history import SYSTEM

    household.record_leaving(db, SYSTEM, dad_link, dt.date(2025, 1, 1))
    change = submit(
        db,
        family,
        "joined",
        {
            "first_name": "Marek",
            "last_name": "Nowak",
            "date_of_birth": "1985-03-03",
            "sex": "M",
            "relationship": "Partner",
            "date_joined": "2026-10-01",
        },
    )
    accept(db, family, change)
    db.expire_all()
    marek = db.scalar(select(Person).where(Person.first_name == "Marek"))
    assert marek is not None and marek.date_of_birth == dt.date(1985, 3, 3)
    links = {cp.person_id: cp for cp in family["case"].people}
    assert links[marek.id].date_joined == dt.date(2026, 10, 1)
    assert links[marek.id].relationship_to_primary == "Partner"
    assert links[family["mum"].id].partner_person_id == marek.id
    assert links[marek.id].partner_person_id == family["mum"].id
    assert change.target_person_id == marek.id


def test_relationship_change_updates_the_case_and_the_couple(
    db: Session, family: dict[str, Any]
) -> None:
    change = submit(
        db, family, "relationship", {"person_id": family["dad"].id, "relationship": "Spouse"}
    )
    accept(db, family, change)
    db.expire_all()
    links = {cp.person_id: cp for cp in family["case"].people}
    assert links[family["dad"].id].relationship_to_primary == "Spouse"
    assert links[family["dad"].id].partner_person_id == family["mum"].id  # still a couple
    change = submit(
        db,
        family,
        "relationship",
        {"person_id": family["dad"].id, "relationship": "Friend or lodger"},
    )
    accept(db, family, change)
    db.expire_all()
    links = {cp.person_id: cp for cp in family["case"].people}
    assert links[family["dad"].id].partner_person_id is None
    assert links[family["mum"].id].partner_person_id is None
    assert "household.couple_ended" in kinds_of_history(db, family["case"].id)


def test_pregnancy_then_birth(db: Session, family: dict[str, Any]) -> None:
    accept(
        db,
        family,
        submit(db, family, "pregnancy", {"person_id": family["mum"].id, "due_date": "2027-03-01"}),
    )
    db.expire_all()
    assert db.get(Person, family["mum"].id).pregnancy_due_date == dt.date(2027, 3, 1)  # type: ignore[union-attr]
    change = submit(
        db,
        family,
        "birth",
        {
            "person_id": family["mum"].id,
            "first_name": "Zara",
            "last_name": "Khan",
            "date_of_birth": "2026-11-10",
            "sex": "F",
            "relationship": "Daughter",
        },
    )
    accept(db, family, change)
    db.expire_all()
    assert db.get(Person, family["mum"].id).pregnancy_due_date is None  # type: ignore[union-attr]
    zara = db.scalar(select(Person).where(Person.first_name == "Zara"))
    assert zara is not None
    link = next(cp for cp in family["case"].people if cp.person_id == zara.id)
    assert link.date_joined == dt.date(2026, 11, 10) and link.relationship_to_primary == "Daughter"


def test_contact_details_change(db: Session, family: dict[str, Any]) -> None:
    accept(
        db,
        family,
        submit(
            db,
            family,
            "contact",
            {
                "person_id": family["mum"].id,
                "email": "amira.new@example.com",
                "phone": "07700 900123",
                "preferred_contact": "Text message",
            },
        ),
    )
    db.expire_all()
    mum = db.get(Person, family["mum"].id)
    assert mum is not None
    assert (mum.email, mum.phone, mum.preferred_contact) == (
        "amira.new@example.com",
        "07700 900123",
        "Text message",
    )
    event = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "person.contact")).one()
    assert (
        event.before["email"] == "amira@example.com"
        and event.after["email"] == "amira.new@example.com"
    )


def test_address_change_moves_the_household_and_keeps_the_old_address(
    db: Session, family: dict[str, Any]
) -> None:
    payload = {
        "person_id": family["mum"].id,
        "line_1": "4 Canal Walk",
        "line_2": None,
        "town": "Northbridge",
        "postcode": "NB3 2QT",
        "moved_on": "2026-11-15",
    }
    accept(db, family, submit(db, family, "address", payload))
    db.expire_all()
    for key in ("mum", "dad", "son", "daughter"):
        person = db.get(Person, family[key].id)
        assert person is not None
        assert (
            person.current_address is not None
            and person.current_address.one_line == "4 Canal Walk, Northbridge, NB3 2QT"
        )
        (old,) = person.previous_addresses
        assert old.line_1 == "1 Test Street" and old.date_to == dt.date(2026, 11, 15)


def test_other_change_is_noted_in_history_only(db: Session, family: dict[str, Any]) -> None:
    accept(
        db,
        family,
        submit(
            db,
            family,
            "other",
            {"person_id": family["mum"].id, "details": "I have started a new job."},
        ),
    )
    event = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "case.circumstances")).one()
    assert event.after == {"details": "I have started a new job."}


def test_rejection_changes_nothing_but_the_change_and_history(
    db: Session, family: dict[str, Any]
) -> None:
    change = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    versions_before = current_assessment(db, family["case"].id)
    with pytest.raises(Exception, match="reason"):
        engine.reject(
            db,
            family["officer"],
            change,
            reason="  ",
            expected_version=change.version,
            notifier=NOTIFIER,
        )
    engine.reject(
        db,
        family["officer"],
        change,
        reason="Tariq is still on the tenancy.",
        expected_version=change.version,
        notifier=NOTIFIER,
    )
    db.expire_all()
    assert all(cp.date_left is None for cp in family["case"].people)
    assert current_assessment(db, family["case"].id).number == versions_before.number  # type: ignore[union-attr]
    assert (
        change.status == "rejected" and change.decision_reason == "Tariq is still on the tenancy."
    )
    assert kinds_of_history(db, family["case"].id)[-2:] == ["change.submitted", "change.rejected"]
    (email,) = db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "change.rejected")).all()
    assert "Tariq is still on the tenancy." in email.body_text
    assert (
        "If you think this is wrong, call the council's housing options team on 01632 960000 "
        "(Monday to Friday, 9am to 5pm)"
    ) in email.body_text


def test_a_decided_change_cannot_be_decided_again(db: Session, family: dict[str, Any]) -> None:
    change = submit(db, family, "other", {"person_id": family["mum"].id, "details": "x"})
    version = change.version
    accept(db, family, change)
    with pytest.raises(
        AlreadyDecided, match=r"already accepted by Quinn Harper at \d+(:\d\d)?[ap]m on"
    ):
        engine.reject(
            db, family["officer"], change, reason="no", expected_version=version, notifier=NOTIFIER
        )


def test_withdraw(db: Session, family: dict[str, Any]) -> None:
    change = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    other = make_portal_account(db, email="someone.else@example.com")
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        engine.withdraw(db, other, change)
    engine.withdraw(db, family["account"], change)
    assert change.status == "withdrawn"
    with pytest.raises(AlreadyDecided, match="withdrawn by the applicant"):
        accept(db, family, change)
    # withdrawing frees the subject for a new report
    submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-02"})


def test_same_submission_twice_makes_one_change(db: Session, family: dict[str, Any]) -> None:
    payload = {"person_id": family["dad"].id, "date_left": "2026-11-01"}
    first = submit(db, family, "left", payload, key="same-key")
    second = submit(db, family, "left", payload, key="same-key")
    assert first.id == second.id
    assert len(db.scalars(select(PendingChange)).all()) == 1


def test_a_conflicting_change_is_refused_with_a_clear_message(
    db: Session, family: dict[str, Any]
) -> None:
    first = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    with pytest.raises(
        ChangeConflict, match=f"You already told us about this in change {first.reference}"
    ):
        submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-05"})
    # a different person is not a conflict
    submit(db, family, "left", {"person_id": family["son"].id, "date_left": "2026-11-05"})


def test_database_refuses_two_pending_changes_with_one_conflict_key(
    db: Session, family: dict[str, Any]
) -> None:
    from sqlalchemy.exc import IntegrityError

    first = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": "2026-11-01"})
    db.add(
        PendingChange(
            case_id=first.case_id,
            kind="left",
            payload={},
            basis={},
            conflict_key=first.conflict_key,
            target_date=TODAY,
            status="pending",
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_stale_change_says_what_differs(db: Session, family: dict[str, Any]) -> None:
    change = submit(
        db, family, "relationship", {"person_id": family["dad"].id, "relationship": "Spouse"}
    )
    assert not engine.staleness(db, change, TODAY)
    link = next(cp for cp in family["case"].people if cp.person_id == family["dad"].id)
    link.relationship_to_primary = "Civil partner"  # an officer changed the record meanwhile
    db.flush()
    stale = engine.staleness(db, change, TODAY)
    assert stale.reasons == (
        "Relationship was Partner when this was sent, and is now Civil partner",
    )
    assert stale.blocking is None  # the officer may still accept it, once they confirm


def test_preview_shows_before_and_after_including_bedrooms_and_changes_nothing(
    db: Session, family: dict[str, Any]
) -> None:
    # son 12 and daughter 10 (on TODAY) under the size criteria: need 3 bedrooms (couple, boy, girl)
    change = submit(
        db, family, "left", {"person_id": family["daughter"].id, "date_left": "2026-11-01"}
    )
    preview = engine.preview(db, change, TODAY)
    assert preview.need_before is not None and preview.need_after is not None
    assert (preview.need_before, preview.need_after) == ("3 bedrooms", "2 bedrooms")
    assert [(r.before, r.after) for r in preview.rows] == [
        ("Still in the household", "1 November 2026")
    ]
    db.expire_all()
    assert all(cp.date_left is None for cp in family["case"].people)  # the preview was rolled back
    assert db.scalar(select(Person).where(Person.id == family["daughter"].id)) is not None


def test_files_of_changes_never_sent_are_pruned(
    db: Session, family: dict[str, Any], tmp_path: Any
) -> None:
    from changes import evidence
    from domain.models import utcnow
    from domain.pending import EvidenceFile
    from web.storage import FolderStore

    store = FolderStore(tmp_path)

    def upload(name: str) -> EvidenceFile:
        return evidence.store(
            db,
            store,
            evidence.Upload.of(name, b"%PDF-1.4 x"),
            case_id=family["case"].id,
            max_bytes=1000,
            account_id=family["account"].id,
        )

    sent, abandoned = upload("sent.pdf"), upload("abandoned.pdf")
    upload("recent.pdf")  # an unsent draft from today stays
    submit_with = engine.submit(
        db,
        family["account"],
        family["case"],
        "other",
        {"person_id": family["mum"].id, "details": "x"},
        idempotency_key="files",
        today=TODAY,
        file_ids=[sent.id],
    )
    assert submit_with.files == [sent]
    for record in (sent, abandoned):
        record.created_at = utcnow() - dt.timedelta(days=3)
    db.flush()
    assert evidence.prune_unsent(db, store, now=utcnow()) == 1
    db.flush()
    left = {f.original_name for f in db.scalars(select(EvidenceFile))}
    assert left == {"sent.pdf", "recent.pdf"}
    assert not (tmp_path / abandoned.storage_key).exists()
    assert (tmp_path / sent.storage_key).exists()
