"""Bedroom assessments recalculated: thresholds and the daily job, overrides, the council's policy
and the background jobs."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain import assessments, household, strands
from domain.assessments import (
    BedroomAssessmentVersion,
    choose_bedroom_policy,
    current_assessment,
    find_threshold_crossings,
    recalculate,
    run_daily_recalculation,
)
from domain.bedrooms import LocalPolicy, pregnancy_week
from domain.clock import today as council_today
from domain.council_settings import get_setting
from domain.errors import PermissionDenied, RuleBroken
from domain.history import SYSTEM, Actor
from domain.models import Case, HistoryEvent, Job, User
from domain.strands import BEDROOM_ASSESSMENT, HOUSING_REGISTER, Strand, open_strand
from domain.vocab import CaseStatus, JobStatus, Permission
from hearth.app import create_app
from hearth.settings import load_settings
from hearth.worker import Worker
from tests.conftest import make_settings
from tests.integration.bedroom_helpers import (
    DAY,
    ON,
    D,
    bedroom_strand,
    events,
    family_with_children,
    officer,
    versions,
)
from tests.support.factories import TEST_PASSWORD, make_case, make_officer, make_person
from tests.support.pages import Pages
from tests.support.postgres import wait_for_a_blocked_transaction
from web.errors import WRITE_CLASH

# --- thresholds and the daily recalculation -------------------------------------------------


def test_a_child_turning_10_is_found_on_the_day_and_the_need_changes(db: Session) -> None:
    # a boy of 9 and a girl of 8 share; at 10 the boy cannot share with his sister
    case = family_with_children(
        db, ("Yusuf", D(2016, 6, 15), "M"), ("Noor", D(2018, 2, 1), "F"), on=ON - DAY
    )
    assert current_assessment(db, case.id).bedrooms == 2  # type: ignore[union-attr]
    assert find_threshold_crossings(db, ON - DAY) == []
    assert find_threshold_crossings(db, ON) == [(case.id, "Yusuf Khan turned 10")]

    counts = run_daily_recalculation(db, ON)
    assert counts == {
        "on": "2026-06-15",
        "cases": 1,
        "unchanged": 0,
        "recalculated": 0,
        "changed": 1,
        "failed": 0,
        "skipped": 0,
    }
    version = current_assessment(db, case.id)
    assert version is not None
    assert (version.number, version.bedrooms, version.cause) == (2, 3, "birthday")
    assert version.cause_detail == "Yusuf Khan turned 10"
    flag = bedroom_strand(db, case).data["flag"]
    assert flag["raised_on"] == "2026-06-15"
    assert flag["reason"] == "Bedroom need changed from 2 to 3 — Yusuf Khan turned 10"
    (changed,) = events(db, case, "bedroom.need_changed")
    assert changed.actor_kind == "system"

    # running the same day again changes nothing
    assert run_daily_recalculation(db, ON)["unchanged"] == 1
    assert len(versions(db, case)) == 2

    assessments.clear_flag(db, Actor.officer(officer(db)), bedroom_strand(db, case))
    assert "flag" not in bedroom_strand(db, case).data
    assert len(events(db, case, "bedroom.flag_cleared")) == 1


def test_turning_16_under_the_size_criteria(db: Session) -> None:
    case = family_with_children(
        db, ("Adam", D(2010, 6, 15), "M"), ("Zaid", D(2012, 1, 1), "M"), on=ON - DAY
    )
    assert current_assessment(db, case.id).bedrooms == 2  # type: ignore[union-attr]
    assert find_threshold_crossings(db, ON - DAY) == []
    assert find_threshold_crossings(db, ON) == [(case.id, "Adam Khan turned 16")]
    assert run_daily_recalculation(db, ON)["changed"] == 1
    assert current_assessment(db, case.id).bedrooms == 3  # type: ignore[union-attr]


def test_turning_21_under_the_bedroom_standard(db: Session) -> None:
    choose_bedroom_policy(db, SYSTEM, "bedroom-standard")
    case = family_with_children(
        db,
        ("Omar", D(2005, 6, 15), "M"),
        ("Idris", D(2008, 1, 1), "M"),
        on=ON - DAY,
        primary_born=D(1975, 1, 1),
    )
    first = current_assessment(db, case.id)
    assert first is not None
    assert (first.policy, first.bedrooms) == ("bedroom-standard", 2)
    assert find_threshold_crossings(db, ON - DAY) == []
    assert find_threshold_crossings(db, ON) == [(case.id, "Omar Khan turned 21")]
    assert run_daily_recalculation(db, ON)["changed"] == 1
    assert current_assessment(db, case.id).bedrooms == 3  # type: ignore[union-attr]


def test_a_29_february_birthday_is_reached_on_1_march(db: Session) -> None:
    case = family_with_children(
        db, ("Leap", D(2016, 2, 29), "M"), ("Sara", D(2019, 5, 5), "F"), on=D(2026, 2, 1)
    )
    assert find_threshold_crossings(db, D(2026, 2, 28)) == []
    assert find_threshold_crossings(db, D(2026, 3, 1)) == [(case.id, "Leap Khan turned 10")]
    assert run_daily_recalculation(db, D(2026, 3, 1))["changed"] == 1


def test_only_members_of_active_cases_with_an_open_assessment_are_found(db: Session) -> None:
    case = family_with_children(db, ("Yusuf", D(2016, 6, 15), "M"), on=ON - DAY)
    no_assessment = make_case(
        db, make_person(db), [(make_person(db, born=D(2016, 6, 15), sex="M"), "Son")]
    )
    assert no_assessment.id != case.id
    left = make_person(db, "Gone", "Khan", born=D(2016, 6, 15))
    link = household.add_member(
        db, SYSTEM, case, left, relationship="Other relative", date_joined=ON - 30 * DAY
    )
    household.record_leaving(db, SYSTEM, link, ON - 5 * DAY)
    assert find_threshold_crossings(db, ON) == [(case.id, "Yusuf Khan turned 10")]
    case.status = CaseStatus.CLOSED.value
    db.flush()
    assert find_threshold_crossings(db, ON) == []


def test_a_pregnancy_due_date_is_a_trigger(db: Session) -> None:
    case = family_with_children(db, ("Yusuf", D(2018, 3, 10), "M"), on=ON - DAY)
    mum = case.primary.person  # type: ignore[union-attr]
    mum.pregnancy_due_date = ON
    db.flush()
    assert find_threshold_crossings(db, ON - DAY) == []
    assert find_threshold_crossings(db, ON) == [
        (case.id, "Amira Khan's baby is due on 15 June 2026")
    ]
    # the size criteria do not count an expected baby: nothing changes, nothing is stored
    assert run_daily_recalculation(db, ON)["unchanged"] == 1
    assert len(versions(db, case)) == 1


def test_a_local_policy_counting_pregnancies_changes_the_need_on_the_right_days(
    db: Session,
) -> None:
    choose_bedroom_policy(db, SYSTEM, "local", LocalPolicy(count_pregnancy_from_week=28))
    due = D(2026, 9, 1)
    early = due - 300 * DAY
    starts = next(early + n * DAY for n in range(300) if pregnancy_week(due, early + n * DAY) >= 28)
    mum = make_person(db, "Amira", "Khan", born=D(1990, 1, 1))
    mum.pregnancy_due_date = due
    case = make_case(db, mum)
    open_strand(db, SYSTEM, case, HOUSING_REGISTER, on=starts - DAY)
    assert current_assessment(db, case.id).bedrooms == 1  # type: ignore[union-attr]

    assert find_threshold_crossings(db, starts - DAY) == []
    assert find_threshold_crossings(db, starts) == [
        (case.id, "Amira Khan's pregnancy reached week 28")
    ]
    assert run_daily_recalculation(db, starts)["changed"] == 1
    counted = current_assessment(db, case.id)
    assert counted is not None
    assert (counted.bedrooms, counted.cause) == (2, "pregnancy_due")
    assert (
        "Bedroom 2 for the expected baby of Amira Khan: expected baby with no one to share with"
        in (counted.explanation())
    )

    lapsed = due + 15 * DAY
    assert find_threshold_crossings(db, lapsed - DAY) == []
    ((case_id, detail),) = find_threshold_crossings(db, lapsed)
    assert case_id == case.id
    assert "was due on 1 September 2026, over two weeks ago" in detail
    assert run_daily_recalculation(db, lapsed)["changed"] == 1
    assert current_assessment(db, case.id).bedrooms == 1  # type: ignore[union-attr]


def test_a_recorded_date_left_is_a_trigger_on_that_day(db: Session) -> None:
    case = family_with_children(db, ("Yusuf", D(2018, 3, 10), "M"), on=ON)
    lodger = make_person(db, "Pat", "Lodger", born=D(1970, 1, 1))
    link = household.add_member(
        db, SYSTEM, case, lodger, relationship="Friend or lodger", date_joined=ON
    )
    recalculate(db, SYSTEM, case, cause="household_change", cause_detail="Pat joined", on=ON)
    household.record_leaving(db, SYSTEM, link, ON + 30 * DAY)  # recorded ahead of time
    assert current_assessment(db, case.id).bedrooms == 3  # type: ignore[union-attr]
    counts = run_daily_recalculation(db, ON + 30 * DAY)
    assert counts["changed"] == 1
    version = current_assessment(db, case.id)
    assert version is not None
    assert (version.bedrooms, version.cause) == (2, "household_change")
    assert version.cause_detail == "Pat Lodger left the household on 15 July 2026"


def test_a_background_recalculation_that_cannot_be_done_flags_the_case(db: Session) -> None:
    case = family_with_children(
        db, ("Yusuf", D(2016, 6, 15), "M"), ("Noor", D(2018, 2, 1), "F"), on=ON - DAY
    )
    next(cp for cp in case.people if cp.person.first_name == "Noor").person.date_of_birth = None
    db.flush()
    counts = run_daily_recalculation(db, ON)
    assert counts["failed"] == 1
    assert len(versions(db, case)) == 1
    flag = bedroom_strand(db, case).data["flag"]
    assert "Record the date of birth of Noor Khan" in flag["reason"]
    (failed,) = events(db, case, "bedroom.recalculation_failed")
    assert "Yusuf Khan turned 10" in failed.summary


# --- overrides -----------------------------------------------------------------------------


def test_an_override_keeps_the_calculation_and_needs_a_reason(db: Session) -> None:
    case = family_with_children(db, ("Yusuf", D(2018, 3, 10), "M"))
    strand = bedroom_strand(db, case)
    user = officer(db)
    actor = Actor.officer(user)
    with pytest.raises(RuleBroken, match="Give the reason"):
        assessments.record_override(db, actor, strand, 3, "  ")
    with pytest.raises(RuleBroken, match="from 0 to 15"):
        assessments.record_override(db, actor, strand, 16, "Too many")
    with pytest.raises(PermissionDenied):
        assessments.record_override(db, SYSTEM, strand, 3, "Because")
    with pytest.raises(RuleBroken, match="no override to remove"):
        assessments.clear_override(db, actor, strand)

    overridden = assessments.record_override(db, actor, strand, 3, "Medical equipment needs a room")
    assert (overridden.number, overridden.cause) == (2, "override")
    assert (overridden.bedrooms, overridden.override_bedrooms) == (2, 3)
    assert overridden.effective_bedrooms == 3
    assert overridden.officer_id == user.id
    assert overridden.summary() == "3 bedrooms (override; calculated 2 bedrooms)"
    assert overridden.explanation()[-1] == (
        "An officer set the need to 3 bedrooms: Medical equipment needs a room"
    )
    (event,) = events(db, case, "bedroom.overridden")
    assert event.summary == (
        "Bedroom need overridden: 3 bedrooms (calculated 2 bedrooms) — "
        "Medical equipment needs a room"
    )

    # a new calculation keeps the override, and shows the calculated value beside it
    nephew = make_person(db, "Rafi", "Khan", born=D(2000, 1, 1), sex="M")
    household.add_member(db, SYSTEM, case, nephew, relationship="Other relative", date_joined=ON)
    later = recalculate(
        db, SYSTEM, case, cause="household_change", cause_detail="Rafi joined", on=ON
    )
    assert later is not None
    assert (later.bedrooms, later.effective_bedrooms) == (3, 3)
    assert events(db, case, "bedroom.recalculated")[-1].summary.endswith(
        "(was 2); the override of 3 bedrooms still applies — Rafi joined"
    )

    cleared = assessments.clear_override(db, actor, strand, "Equipment no longer needed")
    assert (cleared.number, cleared.override_bedrooms, cleared.override_reason) == (4, None, None)
    assert cleared.effective_bedrooms == 3
    assert cleared.cause_detail == "Override removed: Equipment no longer needed"
    assert len(events(db, case, "bedroom.override_removed")) == 1
    assert [v.number for v in assessments.assessment_history(db, strand.id)] == [4, 3, 2, 1]

    with pytest.raises(IntegrityError), db.begin_nested():  # an override needs its reason
        db.add(
            BedroomAssessmentVersion(
                strand_id=strand.id,
                number=5,
                assessed_on=ON,
                policy="size-criteria",
                bedrooms=2,
                result={},
                cause="override",
                cause_detail="x",
                override_bedrooms=4,
                household_snapshot=[],
            )
        )


# --- the council's policy ------------------------------------------------------------------


def test_choosing_a_policy_validates_it_and_records_history(db: Session) -> None:
    actor = Actor.officer(officer(db))
    assert assessments.bedroom_policy(db) == ("size-criteria", None)
    with pytest.raises(RuleBroken, match="not a bedroom policy"):
        choose_bedroom_policy(db, actor, "roomy")
    with pytest.raises(RuleBroken, match="own_room_age"):
        choose_bedroom_policy(db, actor, "local", {"own_room_age": "twenty"})
    with pytest.raises(RuleBroken, match="Unknown local policy setting 'pets'"):
        choose_bedroom_policy(db, actor, "local", {"pets": True})
    assert choose_bedroom_policy(db, actor, "size-criteria") is None  # no change

    job = choose_bedroom_policy(db, actor, "local", {"max_bedrooms": 4})
    assert job is not None
    assert job.kind == "bedrooms.policy_change"
    policy, local = assessments.bedroom_policy(db)
    assert policy == "local"
    assert local == LocalPolicy(max_bedrooms=4)
    assert get_setting(db, "bedroom_policy", None) == "local"
    changed = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "bedroom.policy_changed")
    ).one()
    assert changed.summary.startswith(
        "Council bedroom policy changed from the size criteria to the council's local policy"
    )
    assert changed.actor_label == "Bea Lindqvist"
    assert (
        len(
            db.scalars(
                select(HistoryEvent).where(HistoryEvent.kind == "council_setting.changed")
            ).all()
        )
        == 2
    )
    # local settings given with another policy are kept for later
    assert choose_bedroom_policy(db, actor, "size-criteria", {"max_bedrooms": 5}) is not None
    assert assessments.bedroom_policy(db) == ("size-criteria", None)
    assert get_setting(db, "bedroom_local_policy", None)["max_bedrooms"] == 5


# --- background jobs in the worker ----------------------------------------------------------


def worker(committed: sessionmaker[Session], tmp_path: Path, today: dt.date) -> Worker:
    """A worker whose clock stands at midday on `today` in England, or later that day if the real
    clock is past midday: jobs queued "now" (a policy change) must be due to it, and tomorrow's
    daily job must not."""
    settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "SECRET_KEY": "s" * 40})
    midday = dt.datetime.combine(today, dt.time(12), ZoneInfo("Europe/London"))
    return Worker(
        committed, settings, name="test-worker", now=lambda: max(midday, dt.datetime.now(dt.UTC))
    )


def test_the_daily_job_runs_once_a_day_in_the_worker(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    today = council_today()
    born_ten_years_ago = min(assessments.birth_dates_turning(today, [10]))
    with committed.begin() as session:
        case = family_with_children(
            session,
            ("Yusuf", born_ten_years_ago, "M"),
            ("Noor", today - dt.timedelta(days=8 * 365), "F"),
            on=today - DAY,
        )
        case_id = case.id
        assert assessments.schedule_daily(session, today) is not None
        assert assessments.schedule_daily(session, today) is None

    assert worker(committed, tmp_path, today).run_until_idle() == 1  # tomorrow's is not due yet

    with committed() as session:
        version = current_assessment(session, case_id)
        assert version is not None
        assert (version.number, version.cause, version.bedrooms) == (2, "birthday", 3)
        jobs = session.scalars(
            select(Job).where(Job.kind == "bedrooms.daily").order_by(Job.id)
        ).all()
        assert [(j.payload["on"], j.status) for j in jobs] == [
            (today.isoformat(), JobStatus.DONE.value),
            ((today + DAY).isoformat(), JobStatus.QUEUED.value),
        ]
        assert jobs[0].result is not None
        assert jobs[0].result["changed"] == 1
        # due from the first moment of the next day in England
        midnight = dt.datetime.combine(today + DAY, dt.time(0, 0), ZoneInfo("Europe/London"))
        assert jobs[1].run_after == midnight.astimezone(dt.UTC)
        assert "flag" in bedroom_strand(session, session.get(Case, case_id)).data  # type: ignore[arg-type]

    with committed.begin() as session:
        assert assessments.schedule_daily(session, today) is None
    assert worker(committed, tmp_path, today).run_until_idle() == 0


def test_a_stopped_worker_catches_up_on_missed_days(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    today = council_today()
    with committed.begin() as session:
        assessments.schedule_daily(session, today - 2 * DAY)
    assert worker(committed, tmp_path, today).run_until_idle() == 3
    with committed() as session:
        done = session.scalars(
            select(Job.payload).where(Job.kind == "bedrooms.daily", Job.status == "done")
        ).all()
        assert sorted(p["on"] for p in done) == [(today - n * DAY).isoformat() for n in (2, 1, 0)]


def test_a_policy_change_recalculates_every_open_assessment(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    today = council_today()
    with committed.begin() as session:
        # two teenage brothers: a room each under the size criteria, one between them under the
        # bedroom standard; a girl of 12 and a boy of 8 cannot share under either
        brothers = family_with_children(
            session,
            ("Omar", today - dt.timedelta(days=int(19.5 * 365)), "M"),
            ("Idris", today - dt.timedelta(days=int(17.5 * 365)), "M"),
            on=today,
        )
        mixed = family_with_children(
            session,
            ("Sara", today - dt.timedelta(days=int(12.5 * 365)), "F"),
            ("Musa", today - dt.timedelta(days=int(8.5 * 365)), "M"),
            on=today,
        )
        closed = family_with_children(session, ("Lone", D(2015, 1, 1), "M"), on=today)
        strands.change_status(session, SYSTEM, bedroom_strand(session, closed), "Closed")
        ids = brothers.id, mixed.id, closed.id
        actor = Actor.officer(officer(session))
        assert choose_bedroom_policy(session, actor, "bedroom-standard") is not None

    assert worker(committed, tmp_path, council_today()).run_until_idle() == 1

    with committed() as session:
        job = session.scalars(select(Job).where(Job.kind == "bedrooms.policy_change")).one()
        assert job.status == "done"
        assert job.result is not None
        assert (job.result["changed"], job.result["recalculated"]) == (1, 1)
        first, second = (current_assessment(session, case_id) for case_id in ids[:2])
        assert first is not None
        assert second is not None
        assert (first.number, first.cause, first.policy, first.bedrooms) == (
            2,
            "policy_change",
            "bedroom-standard",
            2,
        )
        assert first.cause_detail == "Council bedroom policy changed to the bedroom standard"
        assert (second.number, second.bedrooms) == (2, 3)
        assert "flag" in bedroom_strand(session, session.get(Case, ids[0])).data  # type: ignore[arg-type]
        assert "flag" not in bedroom_strand(session, session.get(Case, ids[1])).data  # type: ignore[arg-type]
        closed_versions = session.scalars(
            select(BedroomAssessmentVersion).join(Strand).where(Strand.case_id == ids[2])
        ).all()
        assert len(closed_versions) == 1

    # changing back and forth before the worker runs ends where it started: nothing to redo
    with committed.begin() as session:
        actor = Actor.officer(session.scalars(select(User)).first())  # type: ignore[arg-type]
        choose_bedroom_policy(session, actor, "size-criteria")
        choose_bedroom_policy(session, actor, "bedroom-standard")
    assert worker(committed, tmp_path, council_today()).run_until_idle() == 2
    with committed() as session:
        assert current_assessment(session, ids[0]).number == 2  # type: ignore[union-attr]


@pytest.mark.postgresql_only
def test_concurrent_openings_of_a_bedroom_assessment_let_exactly_one_win(
    committed: sessionmaker[Session],
) -> None:
    """The second opening passes the code check (the first is not committed yet), so the
    database's unique index makes it wait, then refuses it; the refusal reads as the rule."""
    with committed.begin() as session:
        case_id = make_case(session, make_person(session)).id
    outcome: list[str] = []

    def open_second() -> None:
        try:
            with committed.begin() as session:
                case = session.get(Case, case_id)
                assert case is not None
                open_strand(session, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)
            outcome.append("opened")
        except RuleBroken as error:
            outcome.append(str(error))

    with committed.begin() as first:
        case = first.get(Case, case_id)
        assert case is not None
        open_strand(first, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)
        second = threading.Thread(target=open_second)
        second.start()
        wait_for_a_blocked_transaction(committed)  # the second is now waiting on the first
    second.join(timeout=30)
    assert len(outcome) == 1
    assert "already has an open Bedroom assessment" in outcome[0]
    with committed() as session:
        assert len(strands.open_strands(session, case_id, BEDROOM_ASSESSMENT)) == 1


@pytest.mark.postgresql_only
def test_two_officers_overriding_one_need_at_once_land_one_version(
    committed: sessionmaker[Session],
) -> None:
    """Both read version 1 and write version 2: the second waits on the first's row in the
    unique (strand, number) index, then its whole transaction is refused — no second version,
    no history of it (the web's all-or-nothing attempt shows that as a write clash)."""
    with committed.begin() as session:
        case = family_with_children(session, ("Yusuf", D(2018, 3, 10), "M"))
        case_id, strand_id = case.id, bedroom_strand(session, case).id
        officer_id = officer(session).id
    outcome: list[str] = []

    def override(session: Session, bedrooms: int) -> None:
        strand = session.get(Strand, strand_id)
        user = session.get(User, officer_id)
        assert strand is not None and user is not None
        assessments.record_override(session, Actor.officer(user), strand, bedrooms, "Equipment")

    def second() -> None:
        try:
            with committed.begin() as session:
                override(session, 4)
            outcome.append("landed")
        except IntegrityError:
            outcome.append("refused")

    with committed.begin() as first:
        override(first, 3)
        first.flush()
        other = threading.Thread(target=second)
        other.start()
        wait_for_a_blocked_transaction(committed)  # the second waits on the first's version 2
    other.join(timeout=30)
    assert outcome == ["refused"]
    with committed() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert [(v.number, v.override_bedrooms) for v in versions(session, case)] == [
            (1, None),
            (2, 3),
        ]
        assert len(events(session, case, "bedroom.overridden")) == 1


@pytest.mark.postgresql_only
def test_an_override_that_meets_another_writers_version_is_refused_on_the_page(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    """Through the back office: while another officer's override (version 2) is written but not
    yet committed, this officer's override reads version 1 and writes its own version 2, waits
    on the other's, and is refused as a clash once that commits — the page says so, and nothing
    this officer sent is saved."""
    with committed.begin() as session:
        case = family_with_children(session, ("Yusuf", D(2018, 3, 10), "M"))
        case_id, strand_id = case.id, bedroom_strand(session, case).id
        email = officer(session).email
        other_id = make_officer(session, Permission.CASES, Permission.BEDROOM_ASSESSMENTS).id
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(make_settings(url, tmp_path), run_jobs=False, session_factory=committed)
    answered: list[Any] = []
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        pages = Pages(client)
        pages.post("backoffice:sign_in", {"email": email, "password": TEST_PASSWORD})

        def override() -> None:
            answered.append(
                pages.post(
                    "backoffice:bedroom_override",
                    {"bedrooms": "3", "reason": "Medical equipment"},
                    case_id=case_id,
                    status=None,
                )
            )

        with committed.begin() as other:
            strand, user = other.get(Strand, strand_id), other.get(User, other_id)
            assert strand is not None and user is not None
            assessments.record_override(other, Actor.officer(user), strand, 4, "Carer stays")
            other.flush()
            request = threading.Thread(target=override)
            request.start()
            wait_for_a_blocked_transaction(committed)  # the page's version 2 waits on this one
        request.join(timeout=30)
    (page,) = answered
    assert page.status == 409
    assert page.error_summary == [WRITE_CLASH]
    with committed() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert [(v.number, v.override_bedrooms) for v in versions(session, case)] == [
            (1, None),
            (2, 4),
        ]
        (overridden,) = events(session, case, "bedroom.overridden")
        assert "Carer stays" in overridden.summary
