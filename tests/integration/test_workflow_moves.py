"""The transition service on a real database: moves, case actions, history, cycles, optimistic
locking, the referrer's emails, and concurrent moves on PostgreSQL."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain import referrals, workflows
from domain.accounts import Mailer
from domain.errors import Conflict, RuleBroken
from domain.history import Actor
from domain.models import HistoryEvent, User
from domain.referrals import Referral
from domain.security import OutboxEmail
from domain.strands import Strand
from domain.vocab import Permission
from domain.workflows import (
    CLIENT_CONTACTED,
    CLOSED,
    CLOSURE,
    CONFIRM_CLOSURE,
    CONTACT_ATTEMPT,
    CONTACT_CLIENT,
    ENTERED,
    PRIMARY_OUTCOME,
    TRIAGE,
    UPDATE_REFERRER,
    ActionNotAvailable,
    CaseAction,
    MoveBlocked,
    MoveNotAllowed,
    StrandMove,
)
from tests.conftest import TEST_SECRET
from tests.support.factories import make_officer, make_referral
from tests.support.postgres import wait_for_a_blocked_transaction

OUTCOME = "HS02 Helped to move to a settled home for 6 months or more"
MAILER = Mailer(
    council_name="Testshire District Council",
    service_name="Housing options",
    secret=TEST_SECRET,
    link=lambda route, token: f"http://testserver/referral-status?token={token}",
    council_phone="01632 960000",
    out_of_hours_phone="01632 960999",
)


def officer(db: Session, name: str = "Sam Whitfield") -> Actor:
    return Actor.officer(make_officer(db, Permission.CASES, name=name))


def go(db: Session, actor: Actor, strand: Strand, to: str, reason: str | None = None) -> None:
    referrals.move(
        db, actor, strand, to, reason=reason, expected_version=strand.version, mailer=MAILER
    )


def act(db: Session, actor: Actor, strand: Strand, action: str, notes: str | None = None) -> None:
    referrals.record_action(db, actor, strand, action, notes=notes, mailer=MAILER)


def to_closure(db: Session, actor: Actor, strand: Strand) -> None:
    act(db, actor, strand, UPDATE_REFERRER)
    go(db, actor, strand, CONTACT_CLIENT)
    act(db, actor, strand, CLIENT_CONTACTED, "Spoke on the ward")
    go(db, actor, strand, TRIAGE)
    go(db, actor, strand, CLOSURE)


def emails(db: Session) -> list[OutboxEmail]:
    return list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_a_move_changes_the_status_bumps_the_version_and_records_who_when_from_to(
    db: Session,
) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    act(db, sam, strand, UPDATE_REFERRER, "Acknowledged by phone")
    version = strand.version
    record = workflows.move(db, sam, strand, CONTACT_CLIENT, expected_version=version)
    assert strand.status == CONTACT_CLIENT and strand.is_open
    assert strand.version == version + 1
    assert (record.from_status, record.to_status, record.reason) == (ENTERED, CONTACT_CLIENT, None)
    assert record.actor_label == "Sam Whitfield" and record.actor_user_id == sam.user_id
    assert record.strand_version == strand.version
    (event,) = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "strand.status_changed")
    ).all()
    assert event.actor_user_id == sam.user_id
    assert event.before == {"status": ENTERED, "is_open": True}
    assert event.after is not None
    assert event.after["status"] == CONTACT_CLIENT and event.after["reason"] is None
    (recorded,) = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "strand.action_recorded")
    ).all()
    assert "“Update referrer” recorded" in recorded.summary
    assert recorded.after == {
        "strand": strand.reference,
        "action": "update_referrer",
        "notes": "Acknowledged by phone",
    }


def test_a_blocked_move_changes_nothing_and_says_why(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    version = strand.version
    with pytest.raises(MoveBlocked) as refused:
        workflows.move(db, sam, strand, CONTACT_CLIENT, expected_version=version)
    assert "Update referrer" in refused.value.reasons[0]
    with pytest.raises(MoveNotAllowed):
        workflows.move(db, sam, strand, CLOSED, expected_version=version)
    assert (strand.status, strand.version) == (ENTERED, version)
    assert db.scalars(select(StrandMove)).all() == []


def test_a_stale_version_is_a_conflict_naming_who_moved_it_and_when(db: Session) -> None:
    sam, quinn = officer(db), officer(db, "Quinn Harper")
    strand = make_referral(db).strand
    act(db, sam, strand, UPDATE_REFERRER)
    seen = strand.version
    workflows.move(db, sam, strand, CONTACT_CLIENT, expected_version=seen)
    with pytest.raises(Conflict) as clash:
        workflows.move(db, quinn, strand, CONTACT_CLIENT, expected_version=seen)
    message = str(clash.value)
    assert message.startswith(
        f"{strand.reference} was already moved from “01 Referral Entered” to "
        "“02 Contact Client” by Sam Whitfield at "
    )
    assert re.search(r"at \d{1,2}(:\d\d)?[ap]m on \d{1,2} \w+ \d{4}\.", message)
    assert "Nothing was changed" in message
    assert strand.status == CONTACT_CLIENT


def test_a_stale_version_after_another_kind_of_change_is_a_conflict_too(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    to_closure(db, sam, strand)
    seen = strand.version
    workflows.set_field(db, sam, strand, PRIMARY_OUTCOME, OUTCOME, expected_version=seen)
    with pytest.raises(Conflict, match="was changed by someone else"):
        workflows.move(db, sam, strand, CLOSED, expected_version=seen)


def test_case_actions_only_where_the_workflow_offers_them(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    with pytest.raises(ActionNotAvailable, match="can only be recorded at “02 Contact Client”"):
        workflows.record_action(db, sam, strand, CLIENT_CONTACTED)
    with pytest.raises(ActionNotAvailable, match="not a case action"):
        workflows.record_action(db, sam, strand, "made_tea")
    with pytest.raises(RuleBroken, match="2000 characters or fewer"):
        workflows.record_action(db, sam, strand, UPDATE_REFERRER, notes="x" * 2001)
    row = workflows.record_action(db, sam, strand, UPDATE_REFERRER, notes="  ")
    assert row.notes is None and row.status == ENTERED and row.cycle == 0


def test_the_whole_referral_from_01_to_closed_and_reopened(db: Session) -> None:
    sam = officer(db)
    referral = make_referral(db)
    strand = referral.strand
    act(db, sam, strand, UPDATE_REFERRER)
    go(db, sam, strand, CONTACT_CLIENT)
    act(db, sam, strand, CONTACT_ATTEMPT, "No answer")
    act(db, sam, strand, CONTACT_ATTEMPT, "Voicemail left")
    act(db, sam, strand, CLIENT_CONTACTED)
    go(db, sam, strand, TRIAGE)
    go(db, sam, strand, "05 HNA booked")
    go(db, sam, strand, "08 HNA completed")
    go(db, sam, strand, CLOSURE)

    with pytest.raises(MoveBlocked) as refused:
        go(db, sam, strand, CLOSED)
    assert len(refused.value.reasons) == 2
    act(db, sam, strand, CONFIRM_CLOSURE)
    with pytest.raises(RuleBroken, match="Choose a Primary outcome from the list"):
        workflows.set_field(db, sam, strand, PRIMARY_OUTCOME, "Housed", expected_version=1)
    workflows.set_field(db, sam, strand, PRIMARY_OUTCOME, OUTCOME, expected_version=strand.version)
    go(db, sam, strand, CLOSED)

    assert strand.is_open is False and strand.closed_at is not None
    assert referral.outcome == OUTCOME
    shown = referrals.progress(db, referral)
    assert (shown.status, shown.closed, shown.outcome) == ("Closed", True, OUTCOME)
    assert [e.kind for e in emails(db)] == ["referral.update", "referral.closed"]
    assert OUTCOME in emails(db)[-1].body_text
    with pytest.raises(ActionNotAvailable, match="is closed"):
        act(db, sam, strand, UPDATE_REFERRER)
    with pytest.raises(RuleBroken, match="is closed"):
        workflows.set_field(
            db, sam, strand, PRIMARY_OUTCOME, OUTCOME, expected_version=strand.version
        )

    # reopening needs a reason, goes back to triage, and starts a new cycle
    with pytest.raises(MoveBlocked, match="Give the reason"):
        go(db, sam, strand, TRIAGE)
    go(db, sam, strand, TRIAGE, reason="Closed too early: the HNA outcome was wrong")
    assert strand.is_open and strand.closed_at is None
    assert referral.outcome is None
    assert referrals.progress(db, referral).outcome is None
    event = db.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.kind == "strand.status_changed")
        .order_by(HistoryEvent.id.desc())
    ).first()
    assert event is not None and event.after is not None
    assert event.after["reason"] == "Closed too early: the HNA outcome was wrong"
    assert event.summary.endswith("reason: Closed too early: the HNA outcome was wrong")
    assert workflows.current_cycle(db, strand.id) == 1

    go(db, sam, strand, CLOSURE)
    with pytest.raises(MoveBlocked) as again:
        go(db, sam, strand, CLOSED)  # the earlier "Confirm closure" was for the earlier closing
    assert again.value.reasons == ("Record the “Confirm closure” case action.",)
    act(db, sam, strand, CONFIRM_CLOSURE)
    go(db, sam, strand, CLOSED)

    moves = workflows.moves_of(db, strand.id)
    assert [m.to_status for m in moves][:3] == [CLOSED, CLOSURE, TRIAGE]
    assert len(moves) == 9
    actions = workflows.actions_of(db, strand.id)
    assert [a.action for a in actions].count(CONTACT_ATTEMPT) == 2
    assert [a.cycle for a in actions if a.action == CONFIRM_CLOSURE] == [1, 0]


def test_contact_lost_closure_after_attempts(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    act(db, sam, strand, UPDATE_REFERRER)
    go(db, sam, strand, CONTACT_CLIENT)
    with pytest.raises(MoveBlocked, match="Contact attempt"):
        go(db, sam, strand, CLOSURE)
    act(db, sam, strand, CONTACT_ATTEMPT)
    go(db, sam, strand, CLOSURE)
    assert strand.status == CLOSURE


def test_a_self_referral_moves_on_without_update_referrer(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db, self_referral=True).strand
    go(db, sam, strand, CONTACT_CLIENT)
    assert strand.status == CONTACT_CLIENT
    assert emails(db) == []  # no email address given


def test_the_self_referral_field_is_not_for_officers(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    with pytest.raises(RuleBroken, match="set when the Homeless referral is received"):
        workflows.set_field(
            db, sam, strand, "self_referral", "yes", expected_version=strand.version
        )


def test_available_moves_show_the_blocked_reasons(db: Session) -> None:
    sam = officer(db)
    strand = make_referral(db).strand
    (only,) = workflows.available_moves(db, strand)
    assert only.to_status == CONTACT_CLIENT and not only.allowed
    act(db, sam, strand, UPDATE_REFERRER)
    (only,) = workflows.available_moves(db, strand)
    assert only.allowed


# --- concurrency (real concurrent transactions) -----------------------------------------------


@pytest.mark.postgresql_only
def test_two_officers_moving_the_same_referral_at_once_exactly_one_wins(
    committed: sessionmaker[Session],
) -> None:
    """The first move holds the strand's row lock; the second waits on it, then sees the new
    version and is told who moved it — the status is never half-moved or moved twice."""
    with committed.begin() as session:
        strand = make_referral(session).strand
        sam = make_officer(session, Permission.CASES, name="Sam Whitfield")
        quinn = make_officer(session, Permission.CASES, name="Quinn Harper")
        workflows.record_action(session, Actor.officer(sam), strand, UPDATE_REFERRER)
        workflows.move(session, Actor.officer(sam), strand, CONTACT_CLIENT, expected_version=1)
        workflows.record_action(session, Actor.officer(sam), strand, CLIENT_CONTACTED)
        workflows.move(session, Actor.officer(sam), strand, TRIAGE, expected_version=2)
        strand_id, seen, sam_id, quinn_id = strand.id, strand.version, sam.id, quinn.id
    outcome: list[str] = []

    def second_officer() -> None:
        try:
            with committed.begin() as session:
                loaded = session.get(Strand, strand_id)
                user = session.get(User, quinn_id)
                assert loaded is not None and user is not None
                workflows.move(
                    session, Actor.officer(user), loaded, "05 HNA booked", expected_version=seen
                )
            outcome.append("moved")
        except Conflict as error:
            outcome.append(str(error))

    with committed.begin() as first:
        loaded = first.get(Strand, strand_id)
        user = first.get(User, sam_id)
        assert loaded is not None and user is not None
        workflows.move(first, Actor.officer(user), loaded, "04 IAG only", expected_version=seen)
        second = threading.Thread(target=second_officer)
        second.start()
        wait_for_a_blocked_transaction(committed)  # the second is now waiting on the first
    second.join(timeout=30)
    assert len(outcome) == 1
    assert outcome[0].startswith(
        f"RF-{strand_id:06d} was already moved from “03 Triage” to “04 IAG only” by "
        "Sam Whitfield at "
    )
    with committed() as session:
        final = session.get(Strand, strand_id)
        assert final is not None
        assert (final.status, final.version) == ("04 IAG only", seen + 1)
        moves = session.scalars(
            select(StrandMove).where(StrandMove.strand_id == strand_id).order_by(StrandMove.id)
        ).all()
        assert [m.to_status for m in moves] == [CONTACT_CLIENT, TRIAGE, "04 IAG only"]
        changed = session.scalars(
            select(HistoryEvent).where(HistoryEvent.kind == "strand.status_changed")
        ).all()
        assert len(changed) == 3


@pytest.mark.postgresql_only
def test_many_officers_racing_to_move_one_referral_leave_one_move(
    committed: sessionmaker[Session],
) -> None:
    with committed.begin() as session:
        referral = make_referral(session)
        strand = referral.strand
        sam = make_officer(session, Permission.CASES)
        workflows.record_action(session, Actor.officer(sam), strand, UPDATE_REFERRER)
        strand_id, seen, sam_id = strand.id, strand.version, sam.id
    barrier = threading.Barrier(4)
    results: list[str] = []

    def race() -> None:
        barrier.wait()
        try:
            with committed.begin() as session:
                loaded = session.get(Strand, strand_id)
                user = session.get(User, sam_id)
                assert loaded is not None and user is not None
                workflows.move(
                    session, Actor.officer(user), loaded, CONTACT_CLIENT, expected_version=seen
                )
            results.append("moved")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["conflict", "conflict", "conflict", "moved"]
    with committed() as session:
        assert len(session.scalars(select(StrandMove)).all()) == 1
        assert session.scalars(select(CaseAction)).one().action == UPDATE_REFERRER
        assert session.scalars(select(Referral)).one().strand.status == CONTACT_CLIENT
