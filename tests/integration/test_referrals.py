"""Receiving homeless referrals: matching the person, the case used or opened, the strand,
history, the receipt email with its signed link, duplicates, consent and throttling."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain import drafts, household, relationships, throttle
from domain.accounts import Mailer
from domain.council_settings import set_setting
from domain.errors import RuleBroken
from domain.history import SYSTEM
from domain.models import Case, HistoryEvent, Person, utcnow
from domain.referrals import (
    CONSENT_MESSAGE,
    ConsentMissing,
    Referral,
    ReferralThrottled,
    progress,
    referral_from_token,
    submit_referral,
)
from domain.security import OutboxEmail
from domain.strands import Strand
from domain.tokens import LinkExpired, LinkInvalid, make_signed
from domain.vocab import CaseStatus
from tests.conftest import TEST_SECRET
from tests.support.factories import (
    make_case,
    make_person,
    make_team,
    referral_submission,
)

MAILER = Mailer(
    council_name="Testshire District Council",
    service_name="Housing options",
    secret=TEST_SECRET,
    link=lambda route, token: f"http://testserver/{route}?token={token}",
    council_phone="01632 960000",
    out_of_hours_phone="01632 960999",
)


def count(db: Session, model: type) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def submit(db: Session, *, client: str | None = "203.0.113.9", now=None, **overrides):  # type: ignore[no-untyped-def]
    return submit_referral(
        db, referral_submission(**overrides), mailer=MAILER, client=client, now=now
    )


def test_a_new_person_gets_a_new_case_and_a_referral_strand_at_01(db: Session) -> None:
    make_team(db, "Customer Services", allows_cases=False)
    options = make_team(db, "Housing Options")
    result = submit(db)
    assert result.duplicate is False
    referral = result.referral
    strand = referral.strand
    assert strand.type_code == "homeless_referral"
    assert strand.status == "01 Referral Entered"
    assert strand.data == {"self_referral": False}
    assert referral.reference == strand.reference
    assert re.fullmatch(r"RF-\d{6}", referral.reference)

    person = referral.person
    assert (person.first_name, person.last_name) == ("Kieran", "Doyle")
    assert person.date_of_birth == dt.date(1979, 3, 14)
    assert person.phone == "07700 900123"
    assert person.addresses == []  # no fixed address
    case = strand.case
    assert case.status == CaseStatus.ACTIVE.value
    assert case.primary is not None and case.primary.person_id == person.id
    assert case.responsible_team_id == options.id  # the first active team that holds cases
    assert case.created_by_kind == "referrer"

    assert referral.household == [
        {"name": "Sadie Doyle", "relationship": "Daughter", "date_of_birth": "2012-06-02"}
    ]
    assert referral.org_name == "Northbridge General Hospital"
    assert referral.referred_by == "Northbridge General Hospital"

    # The daughter the referral names is a person on the case, related to her father.
    sadie = next(cp for cp in case.people if not cp.is_primary)
    assert (sadie.person.first_name, sadie.person.last_name) == ("Sadie", "Doyle")
    assert sadie.person.date_of_birth == dt.date(2012, 6, 2)
    assert sadie.relationship_to_primary == "Daughter"
    (related,) = relationships.related_to(db, person.id)
    assert (related.person.id, related.words()) == (sadie.person_id, "Daughter")

    events = db.scalars(select(HistoryEvent).order_by(HistoryEvent.id)).all()
    assert [e.kind for e in events] == [
        "person.created",
        "case.created",
        "strand.opened",
        "task.created",  # the service standard: contact the person within a working day
        "person.created",
        "household.joined",
        "person.relationship",
        "referral.received",
    ]
    received = events[-1]
    assert received.actor_kind == "referrer"
    assert received.actor_label == "Nia Adebayo (Northbridge General Hospital)"
    assert received.case_id == case.id
    assert "from Northbridge General Hospital" in received.summary


def test_the_receipt_email_carries_the_reference_and_a_signed_status_link(db: Session) -> None:
    referral = submit(db).referral
    (email,) = db.scalars(select(OutboxEmail)).all()
    assert email.to_address == "nia.adebayo@nhs.example"
    assert email.kind == "referral.receipt"
    assert referral.reference in email.subject and referral.reference in email.body_text
    assert "Kieran" not in email.body_text and "Doyle" not in email.body_text  # no personal data
    (token,) = re.findall(r"referral_status\?token=(\S+)", email.body_text)
    assert referral_from_token(db, TEST_SECRET, token).id == referral.id
    with pytest.raises(LinkInvalid):
        referral_from_token(db, "another-secret-that-is-long-enough-12345", token)
    with pytest.raises(LinkInvalid):
        referral_from_token(db, TEST_SECRET, make_signed(TEST_SECRET, "verify-email", {"r": 1}))


def test_status_links_expire_after_180_days(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    referral = submit(db).referral
    token = make_signed(TEST_SECRET, "referral-status", {"r": referral.id})
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 181 * 24 * 3600)
    with pytest.raises(LinkExpired):
        referral_from_token(db, TEST_SECRET, token)


def test_an_existing_person_is_matched_by_name_ignoring_case_and_date_of_birth(
    db: Session,
) -> None:
    mother = make_person(db, "Aoife", "Doyle", born=dt.date(1981, 1, 9))
    kieran = make_person(db, "Kieran", "Doyle", born=dt.date(1979, 3, 14))
    case = make_case(db, mother, [(kieran, "Partner")], joined=dt.date(2020, 1, 1))
    people, cases = count(db, Person), count(db, Case)

    referral = submit(db, first_name="  kIERAN ", last_name="DOYLE").referral

    assert referral.person_id == kieran.id
    assert referral.strand.case_id == case.id  # his active case, where he is a current member
    # No new case; the daughter the referral names joins his household (her relationship to
    # the primary applicant, his partner, is not known: "Other relative"), his daughter.
    assert (count(db, Person), count(db, Case)) == (people + 1, cases)
    sadie = next(cp for cp in case.people if cp.person.first_name == "Sadie")
    assert sadie.relationship_to_primary == "Other relative"
    assert [(r.person.id, r.words()) for r in relationships.related_to(db, kieran.id)] == [
        (sadie.person_id, "Daughter")
    ]
    assert (referral.first_name, referral.last_name) == ("kIERAN", "DOYLE")  # kept as sent


def test_same_name_with_another_date_of_birth_is_someone_else(db: Session) -> None:
    other = make_person(db, "Kieran", "Doyle", born=dt.date(1979, 3, 15))
    make_case(db, other)
    referral = submit(db).referral
    assert referral.person_id != other.id
    assert referral.strand.case.primary.person_id == referral.person_id  # type: ignore[union-attr]


def test_someone_who_left_their_case_or_whose_case_closed_gets_a_new_case(db: Session) -> None:
    kieran = make_person(db, "Kieran", "Doyle", born=dt.date(1979, 3, 14))
    partner = make_person(db, "Aoife", "Doyle", born=dt.date(1981, 1, 9))
    old = make_case(db, partner, [(kieran, "Partner")], joined=dt.date(2020, 1, 1))
    link = next(cp for cp in old.people if cp.person_id == kieran.id)
    household.record_leaving(db, SYSTEM, link, dt.date(2024, 5, 1))
    closed = make_case(db, make_person(db))
    closed.status = CaseStatus.CLOSED.value
    db.flush()

    referral = submit(db).referral
    assert referral.person_id == kieran.id
    new_case = referral.strand.case
    assert new_case.id not in (old.id, closed.id)
    assert new_case.primary is not None and new_case.primary.person_id == kieran.id


def test_the_council_can_choose_the_team_for_referral_cases(db: Session) -> None:
    make_team(db, "Housing Options")
    prevention = make_team(db, "Homelessness Prevention")
    set_setting(db, SYSTEM, "referrals.team_id", prevention.id)
    assert submit(db).referral.strand.case.responsible_team_id == prevention.id


def test_a_person_with_an_address_is_created_with_it(db: Session) -> None:
    referral = submit(
        db,
        housing_situation="address",
        address_line_1="4 Canal Walk",
        town="Northbridge",
        postcode="NB3 2QT",
    ).referral
    address = referral.person.current_address
    assert address is not None
    assert address.one_line == "4 Canal Walk, Northbridge, NB3 2QT"


def test_a_repeat_within_minutes_is_recognised_as_a_duplicate(db: Session) -> None:
    first = submit(db)
    again = submit(db, reason="Sent twice by mistake", first_name="KIERAN")
    assert again.duplicate is True
    assert again.referral.id == first.referral.id
    assert count(db, Referral) == 1
    assert count(db, Strand) == 1
    assert count(db, OutboxEmail) == 1  # one receipt
    # another referrer, or the same referrer after the window, is a new referral
    other = submit(db, referrer_email="ward7@nhs.example")
    assert other.duplicate is False
    later = submit(db, now=utcnow() + dt.timedelta(minutes=11))
    assert later.duplicate is False
    assert later.referral.person_id == first.referral.person_id
    assert count(db, Referral) == 3


@pytest.mark.parametrize(("to_refer", "to_share"), [(False, True), (True, False), (False, False)])
def test_without_both_consents_the_referral_is_refused_and_nothing_saved(
    db: Session, to_refer: bool, to_share: bool
) -> None:
    with pytest.raises(ConsentMissing) as refused:
        submit(db, consent_to_referral=to_refer, consent_to_share=to_share)
    assert str(refused.value) == CONSENT_MESSAGE
    assert (count(db, Person), count(db, Case), count(db, Referral), count(db, OutboxEmail)) == (
        0,
        0,
        0,
        0,
    )


def test_the_database_refuses_a_referral_row_without_consent(db: Session) -> None:
    referral = submit(db).referral
    referral.consent_to_share = False
    with pytest.raises(IntegrityError), db.begin_nested():
        db.flush()


def test_referrals_are_throttled_per_client_address(db: Session) -> None:
    for n in range(20):
        throttle.record(db, "referral", f"referrer{n}@nhs.example", "198.51.100.7", succeeded=True)
    with pytest.raises(ReferralThrottled, match="Too many referrals have been sent from here"):
        submit(db, client="198.51.100.7")
    assert count(db, Referral) == 0
    assert submit(db, client="198.51.100.8").duplicate is False  # another address is fine
    assert throttle.attempts_count(db, "referral") == 21


def test_an_incomplete_referral_is_refused_with_what_it_needs(db: Session) -> None:
    with pytest.raises(RuleBroken) as refused:
        submit(
            db,
            reason=" ",
            preferred_contact="Email",
            housing_situation="address",
            org_name="",
            date_of_birth=dt.date.today() + dt.timedelta(days=1),
        )
    message = str(refused.value)
    for needed in (
        "a date of birth in the past",
        "the reason for the referral",
        "the person's address",
        "an email address to contact the person by",
        "the referring organisation",
    ):
        assert needed in message


def test_a_self_referral_has_no_referrer_and_the_receipt_goes_to_the_person(db: Session) -> None:
    referral = submit(
        db,
        self_referral=True,
        org_type="hospital_inpatient",  # ignored: a self-referral has no referrer
        referrer_email="someone@else.example",
        email="kieran.doyle@example.com",
        preferred_contact="Email",
    ).referral
    assert referral.is_self_referral
    assert referral.referrer_email is None and referral.org_type is None
    assert referral.strand.data == {"self_referral": True}
    assert referral.referred_by == "Self-referral"
    (email,) = db.scalars(select(OutboxEmail)).all()
    assert email.to_address == "kieran.doyle@example.com"
    assert "your request for help with housing" in email.body_text


def test_a_self_referral_without_an_email_sends_nothing(db: Session) -> None:
    submit(db, self_referral=True)
    assert count(db, OutboxEmail) == 0


def test_a_self_referral_cannot_ask_to_be_contacted_through_a_referrer(db: Session) -> None:
    with pytest.raises(RuleBroken, match="how to contact the person"):
        submit(db, self_referral=True, preferred_contact="Through the referrer")


def test_progress_shows_only_reference_status_dates_and_outcome(db: Session) -> None:
    referral = submit(db).referral
    shown = progress(db, referral)
    assert shown.reference == referral.reference
    assert shown.status == "Received"
    assert shown.received_at == referral.submitted_at == shown.updated_at
    assert shown.closed is False and shown.outcome is None and shown.closed_at is None
    assert set(vars(shown)) == {
        "reference",
        "self_referral",
        "received_at",
        "status",
        "updated_at",
        "closed",
        "closed_at",
        "outcome",
    }


def test_drafts_keep_answers_between_pages_and_are_consumed_once(db: Session) -> None:
    draft = drafts.start(db, "referrer")
    drafts.save(db, draft, {"first_name": "Kieran", "date_of_birth": dt.date(1979, 3, 14)})
    drafts.save(db, draft, {"last_name": "Doyle"})
    found = drafts.find(db, draft.id, "referrer")
    assert found is not None
    assert found.answers == {
        "first_name": "Kieran",
        "date_of_birth": "1979-03-14",
        "last_name": "Doyle",
    }
    assert drafts.find(db, draft.id, "self") is None  # another journey's draft
    assert drafts.find(db, None, "referrer") is None
    assert drafts.find(db, draft.id, "referrer", now=utcnow() + dt.timedelta(days=2)) is None
    assert drafts.consume(db, draft.id) is True
    assert drafts.consume(db, draft.id) is False


def test_old_drafts_are_removed_when_a_new_one_starts(db: Session) -> None:
    old = drafts.start(db, "referrer", now=utcnow() - dt.timedelta(days=3))
    old_id = old.id
    drafts.start(db, "self")
    db.expire_all()
    assert drafts.find(db, old_id, "referrer", now=utcnow() - dt.timedelta(days=3)) is None


@pytest.mark.postgresql_only
def test_two_sends_of_one_draft_at_once_make_one_referral(
    committed: sessionmaker[Session],
) -> None:
    """A double click on "Send": both requests delete the draft first; the second waits on the
    first's row lock, deletes nothing, and then finds the first referral as a duplicate."""
    with committed.begin() as session:
        make_team(session, "Housing Options")
        draft_id = drafts.start(session, "referrer").id
    barrier = threading.Barrier(2)
    duplicates: list[bool] = []

    def send() -> None:
        with committed.begin() as session:
            barrier.wait()
            drafts.consume(session, draft_id)
            result = submit_referral(session, referral_submission(), mailer=MAILER, client="x")
            duplicates.append(result.duplicate)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(duplicates) == [False, True]
    with committed() as session:
        assert count(session, Referral) == 1
        assert count(session, Strand) == 1
        assert count(session, OutboxEmail) == 1
