"""Applications and assessments worked from their type's definition in the back office: adding
(only what the rules allow, the rest with the reason), fields validated by kind and status,
optimistic locking, status moves, a council's own type added as data, and moving a strand to
another case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import strands
from domain.history import SYSTEM
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, User
from domain.referrals.model import Referral
from domain.strands import Strand, council_types
from domain.vocab import Permission
from tests.support.factories import make_case, make_person, make_referral
from tests.support.pages import Pages
from tests.unit.test_strand_types import TENANCY

CASES = (Permission.CASES, Permission.PEOPLE)


def _strand(db: Session, reference_prefix: str, case_id: int) -> Strand:
    db.expire_all()
    found = [
        s
        for s in db.scalars(select(Strand).where(Strand.case_id == case_id).order_by(Strand.id))
        if s.reference.startswith(reference_prefix)
    ]
    return found[-1]


def _events(db: Session, case_id: int, kind: HistoryKind) -> list[HistoryEvent]:
    return list(
        db.scalars(
            select(HistoryEvent)
            .where(HistoryEvent.case_id == case_id, HistoryEvent.kind == kind.value)
            .order_by(HistoryEvent.id)
        )
    )


def test_add_offers_only_what_the_rules_allow_and_says_why_not(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    grace = make_person(db, "Grace", "Mensah")
    case = make_case(db, grace)
    other = make_case(db, grace)
    held = strands.open_strand(db, SYSTEM, other, strands.HOUSING_REGISTER)
    strands.open_strand(db, SYSTEM, case, strands.ROUGH_SLEEPER)
    db.commit()
    sign_in_officer(*CASES)

    page = pages.get("backoffice:strand_add", case_id=case.id)
    offered = {i["value"] for i in page.select("input[name=type]")}
    refused = {
        row["data-type"]: row.get_text(" ", strip=True)
        for row in page.select("#refused-types [data-type]")
    }
    assert strands.HEALTH_ASSESSMENT in offered and strands.HOUSING_REGISTER not in offered
    assert f"({held.reference}) on case {other.reference}" in refused[strands.HOUSING_REGISTER]
    assert "already has an open Rough sleeper" in refused[strands.ROUGH_SLEEPER]
    page = pages.post("backoffice:strand_add", {}, status=400, case_id=case.id)
    assert page.error_summary == ["Select the kind of application or assessment to add"]
    # Posting a refused type straight at its form is refused by the domain, with the reason.
    page = pages.post(
        "backoffice:strand_new",
        {
            "application_date-day": "1",
            "application_date-month": "11",
            "application_date-year": "2026",
        },
        status=400,
        case_id=case.id,
        type_code=strands.HOUSING_REGISTER,
    )
    assert any(held.reference in e for e in page.error_summary)
    assert len(strands.open_strands(db, case.id, strands.HOUSING_REGISTER)) == 0


def test_a_health_assessment_is_added_edited_and_moved_through_its_statuses(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan")
    son = make_person(db, "Yusuf", "Khan", sex="M")
    case = make_case(db, mum, [(son, "Son")])
    db.commit()
    officer = sign_in_officer(*CASES, name="Rina Patel")

    # Required and wrong values are refused field by field, nothing saved, the typing kept.
    page = pages.post(
        "backoffice:strand_new",
        {"assessed_on-day": "31", "assessed_on-month": "2", "assessed_on-year": "2026"},
        status=400,
        case_id=case.id,
        type_code=strands.HEALTH_ASSESSMENT,
    )
    assert page.error_summary == ["Select person assessed", "Date assessed must be a real date"]
    assert page.select_one("#assessed_on-day")["value"] == "31"
    assert strands.open_strands(db, case.id) == []
    form = {"person": str(son.id), "mobility_needs": "Cannot manage stairs"}
    page = pages.post(
        "backoffice:strand_new", form, case_id=case.id, type_code=strands.HEALTH_ASSESSMENT
    )
    health = _strand(db, "HE-", case.id)
    assert (health.status, health.data) == (
        "Requested",
        {"person": son.id, "mobility_needs": "Cannot manage stairs"},
    )
    page = pages.follow(page)
    assert "Yusuf Khan" in page.select_one("#strand-facts").get_text()
    # Dashboard: the key facts, in words.
    dash = pages.get("backoffice:case", case_id=case.id)
    row = dash.select_one(f'[data-strand="{health.reference}"]').get_text(" ", strip=True)
    assert "Person assessed: Yusuf Khan" in row

    # Edit: before → after in history; a stale version is told and saves nothing.
    version = health.version
    edit = {
        "version": str(version),
        "person": str(son.id),
        "mobility_needs": "Needs a level-access home",
        "medical_condition": "Asthma, worse in damp rooms",
    }
    pages.post("backoffice:strand_edit", edit, case_id=case.id, strand_id=health.id)
    (event,) = _events(db, case.id, HistoryKind.STRAND_UPDATED)
    assert event.before["mobility_needs_text"] == "Cannot manage stairs"  # type: ignore[index]
    assert event.after["mobility_needs_text"] == "Needs a level-access home"  # type: ignore[index]
    assert "Mobility needs “Cannot manage stairs” → “Needs a level-access home”" in event.summary
    stale = {**edit, "mobility_needs": "None"}
    page = pages.post(
        "backoffice:strand_edit", stale, status=409, case_id=case.id, strand_id=health.id
    )
    assert "changed by someone else" in page.error_summary[0]
    assert _strand(db, "HE-", case.id).data["mobility_needs"] == "Needs a level-access home"

    # Status: completing needs the recommendation and date first, then a reason to close.
    health = _strand(db, "HE-", case.id)
    move = {"version": str(health.version), "to": "In progress", "confirm": "yes"}
    pages.post("backoffice:strand_status", move, case_id=case.id, strand_id=health.id)
    health = _strand(db, "HE-", case.id)
    move = {"version": str(health.version), "to": "Completed", "confirm": "yes", "reason": "Done"}
    page = pages.post(
        "backoffice:strand_status", move, status=400, case_id=case.id, strand_id=health.id
    )
    assert any("Fill in “Recommendation” first" in e for e in page.error_summary)
    assert _strand(db, "HE-", case.id).status == "In progress"
    edit = {
        **edit,
        "version": str(health.version),
        "recommendation": "Medical priority",
        "assessed_on-day": "2",
        "assessed_on-month": "11",
        "assessed_on-year": "2026",
        "assessed_by": str(officer.id),
    }
    pages.post("backoffice:strand_edit", edit, case_id=case.id, strand_id=health.id)
    health = _strand(db, "HE-", case.id)
    move = {"version": str(health.version), "to": "Completed", "confirm": "yes", "reason": ""}
    page = pages.post(
        "backoffice:strand_status", move, status=400, case_id=case.id, strand_id=health.id
    )
    assert page.error_summary == ["Give the reason: why it is being closed."]
    move["reason"] = "Evidence from the GP considered"
    pages.post("backoffice:strand_status", move, case_id=case.id, strand_id=health.id)
    health = _strand(db, "HE-", case.id)
    assert (health.status, health.is_open) == ("Completed", False)
    (closed,) = _events(db, case.id, HistoryKind.STRAND_STATUS_CHANGED)[-1:]
    assert "reason: Evidence from the GP considered" in closed.summary
    # Closed strands hide behind "Show all" on the dashboard.
    dash = pages.get("backoffice:case", case_id=case.id)
    assert not dash.select(f'[data-strand="{health.reference}"]')
    dash = pages.get("backoffice:case", case_id=case.id, params={"closed": "1"})
    assert dash.select(f'[data-strand="{health.reference}"]')


def test_a_council_type_added_as_data_works_end_to_end_without_code(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    case = make_case(db, make_person(db, "Lee", "Grant"))
    db.commit()
    officer = sign_in_officer(*CASES, Permission.ADMIN, name="Ola Admin")

    # An administrator adds it: a bad definition is refused naming the type and the field.
    bad = TENANCY.replace('kind = "officer"', 'kind = "person_or_officer"')
    page = pages.post("backoffice:admin_strand_type_new", {"definition": bad}, status=400)
    assert page.error_summary == [
        "Strand type 'tenancy_sustainment', field 'worker': kind 'person_or_officer' is not one "
        "of text, long_text, number, money, date, yes_no, choice, person, officer"
    ]
    one_per_case = TENANCY.replace('cardinality = "many"', 'cardinality = "one_open_per_case"')
    one_per_case += (
        '\n[[fields]]\nname = "hours"\nlabel = "Hours a week"\nkind = "number"\nmax = 40\n'
    )
    pages.post("backoffice:admin_strand_type_new", {"definition": one_per_case})
    listed = pages.get("backoffice:admin_strand_types")
    assert listed.select('[data-type="tenancy_sustainment"]')

    # It is offered on the case, its fields are checked by kind, and it opens.
    page = pages.get("backoffice:strand_add", case_id=case.id)
    assert "tenancy_sustainment" in {i["value"] for i in page.select("input[name=type]")}
    page = pages.post(
        "backoffice:strand_new",
        {"hours": "41"},
        status=400,
        case_id=case.id,
        type_code="tenancy_sustainment",
    )
    assert page.error_summary == ["Hours a week must be 40 or less"]
    pages.post(
        "backoffice:strand_new",
        {"hours": "12", "worker": str(officer.id)},
        case_id=case.id,
        type_code="tenancy_sustainment",
    )
    ts = _strand(db, "TS-", case.id)
    assert (ts.status, ts.data) == ("Referred", {"hours": 12, "worker": officer.id})
    # Key facts on the dashboard; status moves from the definition.
    dash = pages.get("backoffice:case", case_id=case.id)
    assert "Support worker: Ola Admin" in dash.select_one(
        f'[data-strand="{ts.reference}"]'
    ).get_text(" ", strip=True)
    move = {"version": str(ts.version), "to": "Supporting", "confirm": "yes"}
    pages.post("backoffice:strand_status", move, case_id=case.id, strand_id=ts.id)
    assert _strand(db, "TS-", case.id).status == "Supporting"
    # Its cardinality: one open per case, held by the database's key.
    assert _strand(db, "TS-", case.id).current_key == f"c{case.id}"
    page = pages.get("backoffice:strand_add", case_id=case.id)
    refused = {
        r["data-type"]: r.get_text(" ", strip=True)
        for r in page.select("#refused-types [data-type]")
    }
    assert (
        f"already has an open Tenancy sustainment ({ts.reference})"
        in refused["tenancy_sustainment"]
    )
    # The code and prefix stay once saved.
    row = council_types.get(db, "tenancy_sustainment")
    page = pages.post(
        "backoffice:admin_strand_type",
        {
            "definition": one_per_case.replace('prefix = "TS"', 'prefix = "TX"'),
            "version": str(row.version),
        },
        status=400,
        code="tenancy_sustainment",
    )
    assert page.error_summary == ["The prefix stays 'TS': references already given out use it"]


def test_a_homeless_referral_moves_to_another_case_with_journals_on_both(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    source = referral.strand.case
    target = make_case(db, make_person(db, "Dee", "Hart"))
    closed = make_case(db, make_person(db, "Old", "Case"))
    closed.status = "Closed"
    db.commit()
    original = referral.strand
    status_before = original.status
    sign_in_officer(*CASES)
    page = pages.get("backoffice:strand_move", status=403, case_id=source.id, strand_id=original.id)
    sign_in_officer(*CASES, Permission.MOVE_STRANDS, name="Mo Mover")
    page = pages.get("backoffice:strand_move", case_id=source.id, strand_id=original.id)
    assert "Nothing else is recorded against it" in page.select_one("#left-behind").get_text()
    form = {"version": str(original.version), "target": closed.reference}
    page = pages.post(
        "backoffice:strand_move", form, status=400, case_id=source.id, strand_id=original.id
    )
    assert page.error_summary == [
        f"Case {closed.reference} is closed: it can only move to an active case"
    ]
    form["target"] = target.reference.lower()
    page = pages.post("backoffice:strand_move", form, case_id=source.id, strand_id=original.id)

    db.expire_all()
    moved = db.get(Strand, original.id)
    assert moved is not None and (moved.status, moved.is_open) == ("Closed (moved)", False)
    copy = _strand(db, "RF-", target.id)
    assert (copy.status, copy.is_open) == (status_before, True)
    assert db.scalar(select(Referral.strand_id).where(Referral.id == referral.id)) == copy.id
    (out,) = _events(db, source.id, HistoryKind.STRAND_MOVED_OUT)
    (into,) = _events(db, target.id, HistoryKind.STRAND_MOVED_IN)
    for event in (out, into):
        assert event.after["from_case"] == source.reference  # type: ignore[index]
        assert event.after["from_strand"] == moved.reference  # type: ignore[index]
        assert event.after["to_case"] == target.reference  # type: ignore[index]
        assert event.after["to_strand"] == copy.reference  # type: ignore[index]
    page = pages.follow(page)
    journal = page.select_one("#strand-journal").get_text(" ", strip=True)
    assert f"moved in from case {source.reference}, where it was {moved.reference}" in journal
    page = pages.get("backoffice:strand", case_id=source.id, strand_id=original.id)
    assert f"moved to case {target.reference}, where it is {copy.reference}" in page.select_one(
        "#strand-journal"
    ).get_text(" ", strip=True)
    assert not page.select("#move-strand")  # moved once: not again
    # A homeless application closes with its own words.
    application = strands.open_strand(
        db, SYSTEM, target, strands.HOMELESS_APPLICATION, {"application_date": "2026-11-01"}
    )
    db.commit()
    form = {"version": str(application.version), "target": source.reference}
    pages.post("backoffice:strand_move", form, case_id=target.id, strand_id=application.id)
    db.expire_all()
    assert db.get(Strand, application.id).status == "Closed (moved to another case)"  # type: ignore[union-attr]


def test_a_move_is_refused_where_the_target_already_holds_one(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    a = make_case(db, make_person(db, "Ann", "One"))
    b = make_case(db, make_person(db, "Bea", "Two"))
    mine = strands.open_strand(
        db, SYSTEM, a, strands.FINANCIAL_ASSISTANCE, {"amount": 50000, "purpose": "Deposit"}
    )
    theirs = strands.open_strand(
        db, SYSTEM, b, strands.FINANCIAL_ASSISTANCE, {"amount": 100, "purpose": "Other"}
    )
    db.commit()
    sign_in_officer(*CASES, Permission.MOVE_STRANDS)
    form: dict[str, Any] = {"version": str(mine.version), "target": b.reference}
    page = pages.post("backoffice:strand_move", form, status=400, case_id=a.id, strand_id=mine.id)
    assert page.error_summary == [
        f"Case {b.reference} already has an open Financial assistance ({theirs.reference}); "
        "close it before opening another"
    ]
    db.expire_all()
    assert db.get(Strand, mine.id).status == "Requested"  # type: ignore[union-attr]  # nothing moved


def test_the_dashboard_marks_strands_with_changes_waiting_and_reviews_requested(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    import datetime as dt
    import uuid

    from changes import engine
    from tests.support.factories import make_portal_account, open_housing_register

    mum = make_person(db, "Amira", "Khan")
    case = make_case(db, mum)
    register = open_housing_register(db, case)
    health = strands.open_strand(db, SYSTEM, case, strands.HEALTH_ASSESSMENT, {"person": mum.id})
    account = make_portal_account(db, mum, email="amira@example.com")
    engine.submit(
        db,
        account,
        case,
        "other",
        {"person_id": mum.id, "details": "new baby due"},
        idempotency_key=uuid.uuid4().hex,
        today=dt.date(2026, 11, 30),
    )
    review = strands.open_strand(
        db,
        SYSTEM,
        case,
        strands.REVIEW,
        {"reviewed_reference": register.reference.lower(), "decision_reviewed": "Band"},
    )
    db.commit()
    sign_in_officer(*CASES)
    dash = pages.get("backoffice:case", case_id=case.id)

    def flags(reference: str) -> list[str]:
        row = dash.select_one(f'[data-strand="{reference}"]')
        return [f.get_text(" ", strip=True) for f in row.select(".hearth-strand-flag")]

    assert flags(register.reference) == [
        "1 change waiting",
        f"Review requested ({review.reference})",
    ]
    assert flags(health.reference) == []
    assert "Person assessed: Amira Khan" in dash.select_one(
        f'[data-strand="{health.reference}"]'
    ).get_text(" ", strip=True)
