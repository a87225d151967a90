"""Restricted records: a member split into a private case of their own is seen by nobody but the
case's officers and holders of "Cases: restricted" (every view recorded); another officer sees
"Restricted record"; the household they left sees neither the new case nor their new address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import people, restricted
from domain.history import Actor
from domain.models import Case, User
from domain.vocab import CaseStatus, Permission
from tests.support.factories import TEST_PASSWORD, make_officer
from tests.support.pages import Pages
from tests.web.case_fixtures import TODAY


def _split(db: Session, family: dict[str, Any], officer: User) -> Case:
    new = restricted.split_privately(
        db,
        Actor.officer(officer),
        family["case"].id,
        family["dad"].id,
        officer=officer,
        today=TODAY,
        reason="Domestic abuse; must not be found",
        new_address=people.NewAddress("7 Hidden Close", None, "Elsewhere", "ZZ9 9ZZ", TODAY),
    )
    db.commit()
    return new


def test_a_split_household_member_is_restricted_from_other_officers_and_the_household(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    caseworker = make_officer(db, Permission.CASES, Permission.PEOPLE, name="Bea Lindqvist")
    db.commit()
    new = _split(db, family, caseworker)
    dad = family["dad"]
    assert new.restricted and dad.restricted and new.status == CaseStatus.ACTIVE.value
    assert [(cp.person_id, cp.is_primary) for cp in new.people] == [(dad.id, True)]

    # Another officer: refused, and shown "Restricted record" in searches and lists.
    other = sign_in_officer(Permission.CASES, Permission.PEOPLE, Permission.QUEUE)
    refused = pages.get("backoffice:case", case_id=new.id, status=403)
    assert "This is a restricted record" in refused.text
    for name in ("case_people", "case_summary", "case_history", "case_details"):
        pages.get(f"backoffice:{name}", case_id=new.id, status=403)
    pages.get("backoffice:person", person_id=dad.id, status=403)
    pages.get("backoffice:person_edit", person_id=dad.id, status=403)
    found = pages.get("backoffice:people", params={"q": "tariq khan"})
    row = found.select_one(f'tr[data-person="{dad.id}"]').get_text(" ", strip=True)
    assert "Restricted record" in row
    assert "Hidden Close" not in found.text and new.reference not in found.text
    listed = pages.get("backoffice:cases", params={"q": "tariq"})
    assert "Restricted record" in listed.text and new.reference not in listed.text
    # The household he left: his old case shows him as gone, nothing of the new one.
    old = pages.get("backoffice:person", person_id=family["mum"].id)
    assert new.reference not in old.text and "Hidden Close" not in old.text
    assert restricted.views_of(db, case_id=new.id) == []
    assert other.id

    # The household member on the portal sees neither the new case nor where he lives now.
    with pages.client as client:
        client.cookies.clear()
    applicant = pages
    applicant.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
    your_case = applicant.get("your_case")
    assert "Tariq Khan" in your_case.text  # a past member, as he left today
    for secret in ("Hidden Close", "ZZ9 9ZZ", new.reference):
        assert secret not in your_case.text
        assert secret not in applicant.get("your_changes").text


def test_officers_on_the_case_and_holders_of_the_permission_open_it_and_are_recorded(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    caseworker = make_officer(db, Permission.CASES, Permission.PEOPLE, name="Bea Lindqvist")
    db.commit()
    new = _split(db, family, caseworker)
    holder = sign_in_officer(
        Permission.CASES, Permission.PEOPLE, Permission.RESTRICTED, name="Rhona Safe"
    )
    page = pages.get("backoffice:case", case_id=new.id)
    assert page.select("#restricted")
    person = pages.get("backoffice:person", person_id=family["dad"].id)
    assert "7 Hidden Close, Elsewhere, ZZ9 9ZZ" in person.select_one("#addresses").text
    views = restricted.views_of(db, case_id=new.id)
    assert [(v.user_id, v.page, who) for v, who in views] == [
        (holder.id, f"/backoffice/cases/{new.id}", "Rhona Safe")
    ]
    assert restricted.views_of(db, person_id=family["dad"].id)[0][1] == "Rhona Safe"
    shown = pages.get("backoffice:case_restriction", case_id=new.id)
    assert "Rhona Safe" in shown.select_one("#views").text
    # An officer on the case opens it without the permission.
    assert restricted.may_open_case(db, caseworker, new)
    assert restricted.may_open_person(db, caseworker, family["dad"])
    assert not restricted.may_open_case(db, make_officer(db, Permission.CASES), new)


def test_any_caseworker_may_restrict_a_case_but_only_holders_lift_it(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    from domain.models import CaseOfficer

    case = family["case"]
    sam = sign_in_officer(Permission.CASES, name="Sam Whitfield")
    refused = pages.post(
        "backoffice:case_restriction", {"restricted": "yes"}, case_id=case.id, status=400
    )
    assert refused.error_summary == ["Enter why"]
    pages.post(
        "backoffice:case_restriction",
        {"restricted": "yes", "reason": "Risk from an ex-partner"},
        case_id=case.id,
    )
    db.expire_all()
    assert case.restricted
    # Sam is not on the case and holds no permission: he can no longer open it.
    pages.get("backoffice:case", case_id=case.id, status=403)
    # On the case, he opens it, but cannot lift the restriction.
    db.add(CaseOfficer(case_id=case.id, user_id=sam.id, role="Secondary"))
    db.commit()
    pages.get("backoffice:case", case_id=case.id)
    lifted = pages.post(
        "backoffice:case_restriction", {"reason": "Safe now"}, case_id=case.id, status=403
    )
    assert "Only officers with the “Cases: restricted” permission" in lifted.text
    db.expire_all()
    assert case.restricted
    # A holder lifts it.
    sign_in_officer(Permission.CASES, Permission.RESTRICTED, name="Rhona Safe")
    pages.post("backoffice:case_restriction", {"reason": "Safe now"}, case_id=case.id)
    db.expire_all()
    assert not case.restricted
    assert db.scalars(select(Case).where(Case.restricted)).all() == []


def test_the_queue_names_no_one_on_a_restricted_case(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    import uuid

    from changes import engine
    from tests.support.factories import make_portal_account

    caseworker = make_officer(db, Permission.CASES, name="Bea Lindqvist")
    db.commit()
    new = _split(db, family, caseworker)
    account = make_portal_account(db, family["dad"], email="tariq@example.com")
    change = engine.submit(
        db,
        account,
        new,
        "other",
        {"details": "A new job"},
        idempotency_key=uuid.uuid4().hex,
        today=TODAY,
    )
    db.commit()
    sign_in_officer(Permission.QUEUE, Permission.CASES)
    queue = pages.get("backoffice:queue")
    row = next(tr for tr in queue.select("table tbody tr") if change.reference in tr.get_text())
    assert "Restricted record" in row.get_text() and "Tariq" not in row.get_text()
    assert new.reference not in queue.text
    pages.get("backoffice:review", change_id=change.id, status=403)
