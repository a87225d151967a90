"""The review queue and review page in the back office."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from domain import clock
from domain.models import CasePerson, User
from domain.pending import PendingChange
from domain.vocab import Permission
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
    make_team,
    open_housing_register,
)
from tests.support.pages import Pages
from web.storage import FolderStore

TODAY = clock.today()


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    team = make_team(db, "Housing Register")
    mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
    case = make_case(db, mum, [(dad, "Partner"), (son, "Son")], team=team)
    link_partners(db, case, mum, dad)
    open_housing_register(db, case)
    account = make_portal_account(db, mum, email="amira@example.com")
    db.commit()
    return {"case": case, "mum": mum, "dad": dad, "son": son, "account": account, "team": team}


def submit(
    db: Session, f: dict[str, Any], kind: str, payload: dict[str, Any], *, days_ago: int = 0
) -> PendingChange:
    change = engine.submit(
        db,
        f["account"],
        f["case"],
        kind,
        payload,
        idempotency_key=uuid.uuid4().hex,
        today=TODAY - dt.timedelta(days=days_ago),
    )
    change.submitted_at = change.submitted_at - dt.timedelta(days=days_ago)
    db.commit()
    return change


def test_queue_needs_the_queue_permission(
    pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.CASES)
    assert "You need the “Queue” permission" in pages.get("backoffice:queue", status=403).text


def test_queue_lists_oldest_first_with_targets_and_overdue_badges(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    old = submit(
        db,
        family,
        "left",
        {"person_id": family["dad"].id, "date_left": str(TODAY - dt.timedelta(days=40))},
        days_ago=30,
    )
    new = submit(db, family, "other", {"person_id": family["mum"].id, "details": "New job"})
    sign_in_officer(Permission.QUEUE)
    page = pages.get("backoffice:queue")
    assert page.h1 == "Review queue"
    rows = page.select("tbody tr")
    assert [r.select_one("td").get_text(" ", strip=True).split()[-1] for r in rows] == [
        old.reference,
        new.reference,
    ]
    assert "Overdue" in rows[0].get_text() and "Overdue" not in rows[1].get_text()
    assert "2 pending changes" in page.text and "1 overdue" in page.text
    assert page.texts("tbody tr td:nth-child(3)") == ["Amira Khan", "Amira Khan"]

    overdue = pages.get("backoffice:queue", params={"overdue": "yes"})
    assert len(overdue.select("tbody tr")) == 1
    by_kind = pages.get("backoffice:queue", params={"kind": "other"})
    assert next(r.get_text() for r in by_kind.select("tbody tr")).count(new.reference) >= 1
    other_team = make_team(db, "Elsewhere")
    db.commit()
    assert (
        "No pending changes match these filters"
        in pages.get("backoffice:queue", params={"team": str(other_team.id)}).text
    )
    # nonsense in the query string is said so by each filter, never a 500 or silently ignored
    bad = pages.get(
        "backoffice:queue",
        params={"kind": "<script>", "team": "abc", "after": "garbage"},
        status=400,
    )
    assert bad.error_summary == [
        "Choose a kind of change from the list",
        "Choose a team from the list",
    ]
    bad = pages.get("backoffice:queue", params={"team": "²", "assigned": "³"}, status=400)
    assert "Choose who the changes are assigned to from the list" in bad.error_summary
    # the list still shows, without the filters it could not use
    assert len(bad.select("tbody tr")) == 2


def test_keyset_paging(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    people = [make_person(db, f"P{n}", "Khan", born=dt.date(2000, 1, 1)) for n in range(30)]
    for person in people:
        from domain import household
        from domain.history import SYSTEM

        household.add_member(
            db,
            SYSTEM,
            family["case"],
            person,
            relationship="Other relative",
            date_joined=dt.date(2024, 1, 1),
        )
    db.commit()
    for n, person in enumerate(people):
        submit(
            db, family, "left", {"person_id": person.id, "date_left": str(TODAY)}, days_ago=30 - n
        )
    sign_in_officer(Permission.QUEUE)
    first = pages.get("backoffice:queue")
    assert len(first.select("tbody tr")) == 25
    second = pages.fetch("/backoffice/queue" + first.select_one('a[rel="next"]')["href"])
    assert len(second.select("tbody tr")) == 5
    seen = first.texts("tbody tr td:first-child") + second.texts("tbody tr td:first-child")
    assert len(set(seen)) == 30


def test_next_assigns_the_oldest_unassigned_change(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    old = submit(db, family, "other", {"person_id": family["mum"].id, "details": "a"}, days_ago=3)
    submit(db, family, "other", {"person_id": family["mum"].id, "details": "b"}, days_ago=1)
    officer = sign_in_officer(Permission.QUEUE)
    page = pages.post("backoffice:queue_next", {})
    assert page.location == f"/backoffice/queue/{old.id}"
    db.expire_all()
    assert db.get(PendingChange, old.id).assigned_to_id == officer.id  # type: ignore[union-attr]
    mine = pages.get("backoffice:queue", params={"assigned": "me"})
    assert len(mine.select("tbody tr")) == 1


def test_review_shows_before_after_bedrooms_and_accept_applies_it(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(
        db,
        family,
        "left",
        {"person_id": family["son"].id, "date_left": str(TODAY - dt.timedelta(days=2))},
    )
    sign_in_officer(Permission.QUEUE, name="Quinn Harper")
    page = pages.get("backoffice:review", change_id=change.id)
    assert page.h1 == f"Member left {change.reference}"
    table = page.texts("table tbody tr")
    assert table[0].startswith("Yusuf Khan: date left Still in the household")
    assert table[1] == "Bedroom need 2 bedrooms 1 bedroom Changes"
    assert "Amira Khan" in page.select_one(".govuk-grid-column-one-third-from-desktop").get_text()

    result = pages.post(
        "backoffice:review_accept", {"version": str(change.version)}, change_id=change.id
    )
    assert result.location == "/backoffice/queue"
    assert f"Change {change.reference} accepted." in pages.follow(result).text
    db.expire_all()
    link = db.scalar(select(CasePerson).where(CasePerson.person_id == family["son"].id))
    assert link is not None and link.date_left == TODAY - dt.timedelta(days=2)
    # a second decision on the same form is told who decided, and when
    again = pages.post(
        "backoffice:review_accept",
        {"version": str(change.version)},
        change_id=change.id,
        status=409,
    )
    assert f"Change {change.reference} was already accepted by Quinn Harper at" in again.text


def test_reject_needs_a_reason_and_changes_nothing_else(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(db, family, "left", {"person_id": family["dad"].id, "date_left": str(TODAY)})
    sign_in_officer(Permission.QUEUE)
    for reason in ("", "   ", "\n\t "):  # nothing, or only spaces: the same message, inline
        page = pages.post(
            "backoffice:review_reject",
            {"version": str(change.version), "reason": reason},
            change_id=change.id,
            status=400,
        )
        assert page.error_summary == ["Enter the reason the applicant will read"]
        assert page.select_one("#reason-error")
        assert page.h1.endswith(change.reference)  # still on the review page, the form kept
    pages.post(
        "backoffice:review_reject",
        {"version": str(change.version), "reason": "Still on the tenancy"},
        change_id=change.id,
    )
    db.expire_all()
    saved = db.get(PendingChange, change.id)
    assert (
        saved is not None
        and saved.status == "rejected"
        and saved.decision_reason == "Still on the tenancy"
    )
    assert all(cp.date_left is None for cp in db.scalars(select(CasePerson)))


def test_stale_version_in_the_form_is_a_conflict(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(db, family, "other", {"person_id": family["mum"].id, "details": "x"})
    sign_in_officer(Permission.QUEUE)
    pages.post("backoffice:review_assign", {"version": str(change.version)}, change_id=change.id)
    page = pages.post(
        "backoffice:review_accept",
        {"version": str(change.version)},
        change_id=change.id,
        status=409,
    )
    assert "was updated (assigned or edited) since you opened it" in page.text
    pages.post("backoffice:review_accept", {"version": "nonsense"}, change_id=change.id, status=400)


def test_stale_change_is_flagged_with_what_differs(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(
        db, family, "relationship", {"person_id": family["dad"].id, "relationship": "Spouse"}
    )
    link = db.scalar(select(CasePerson).where(CasePerson.person_id == family["dad"].id))
    assert link is not None
    link.relationship_to_primary = "Civil partner"
    db.commit()
    sign_in_officer(Permission.QUEUE)
    page = pages.get("backoffice:review", change_id=change.id)
    assert "The record has moved on since this change was sent." in page.text
    assert "Relationship was Partner when this was sent, and is now Civil partner" in page.text


def test_officers_can_download_evidence_and_applicants_cannot_reach_others(
    db: Session,
    pages: Pages,
    family: dict[str, Any],
    sign_in_officer: Callable[..., User],
    settings,
) -> None:  # type: ignore[no-untyped-def]
    from changes import evidence

    record = evidence.store(
        db,
        FolderStore(settings.files_dir),
        evidence.Upload.of("letter.pdf", b"%PDF-1.4 test"),
        case_id=family["case"].id,
        max_bytes=10_000,
        account_id=family["account"].id,
    )
    change = engine.submit(
        db,
        family["account"],
        family["case"],
        "other",
        {"person_id": family["mum"].id, "details": "see letter"},
        idempotency_key="k1",
        today=TODAY,
        file_ids=[record.id],
    )
    db.commit()
    sign_in_officer(Permission.QUEUE, Permission.CASES)
    review = pages.get("backoffice:review", change_id=change.id)
    href = review.select_one('a[href^="/backoffice/files/"]')["href"]
    response = pages.client.get(href)
    assert response.status_code == 200 and response.content == b"%PDF-1.4 test"
    pages.get("backoffice:review", change_id=999999, status=404)
    # Another applicant, signed in on the portal, cannot reach the file by its address.
    other = make_portal_account(db, make_person(db, "Other", "Applicant"), email="x@example.com")
    db.commit()
    pages.post("sign_in", {"email": other.email, "password": TEST_PASSWORD})
    pages.get("change_file", change_id=change.id, file_id=record.id, status=404)


def test_next_change_skips_one_another_officer_has_taken(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    submit(db, family, "other", {"person_id": family["mum"].id, "details": "only one"})
    sign_in_officer(Permission.QUEUE)
    from tests.support.factories import make_officer as officer_factory

    other = officer_factory(db, Permission.QUEUE)
    change = db.scalars(select(PendingChange)).one()
    change.assigned_to_id = other.id
    db.commit()
    page = pages.post("backoffice:queue_next", {})
    assert page.location == "/backoffice/queue"
    assert "There are no unassigned changes waiting." in pages.follow(page).text
    db.expire_all()
    assert db.get(PendingChange, change.id).assigned_to_id == other.id  # type: ignore[union-attr]


def test_kind_counts_follow_the_other_filters_and_age_and_case_narrow_the_list(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    old = submit(
        db, family, "other", {"person_id": family["mum"].id, "details": "Old"}, days_ago=20
    )
    submit(db, family, "other", {"person_id": family["mum"].id, "details": "New"})
    other_mum = make_person(db, "Beth", "Jones", born=dt.date(1990, 1, 1))
    other_case = make_case(db, other_mum, [])
    other_account = make_portal_account(db, other_mum, email="beth@example.com")
    db.commit()
    theirs = submit(
        db,
        {"account": other_account, "case": other_case},
        "other",
        {"person_id": other_mum.id, "details": "Elsewhere"},
        days_ago=20,
    )
    sign_in_officer(Permission.QUEUE)

    def kind_count(page: Any) -> str:
        return page.select_one("#filter-kind option[value=other]").get_text(" ", strip=True)

    everything = pages.get("backoffice:queue")
    assert "(3)" in kind_count(everything)

    waited = pages.get("backoffice:queue", params={"age": "10"})
    refs = [
        r.select_one("td").get_text(" ", strip=True).split()[-1] for r in waited.select("tbody tr")
    ]
    assert refs == [old.reference, theirs.reference]
    assert "(2)" in kind_count(waited)  # the kind counts say what the other filters leave

    one_case = pages.get("backoffice:queue", params={"case": other_case.reference, "age": "5"})
    refs = [
        r.select_one("td").get_text(" ", strip=True).split()[-1]
        for r in one_case.select("tbody tr")
    ]
    assert refs == [theirs.reference]
    assert "(1)" in kind_count(one_case)
    assert "1 pending change matches these filters" in one_case.text
    # the case reference in each row opens the case
    link = one_case.select_one("tbody tr td:nth-child(2) a")
    assert link["href"] == pages.url("backoffice:case", case_id=other_case.id)

    bad = pages.get("backoffice:queue", params={"case": "HC-12x", "age": "7"}, status=400)
    assert bad.error_summary == [
        "Enter a case reference, like HC-000123",
        "Choose how long the changes have waited from the list",
    ]
    assert bad.select_one("#filter-case")["value"] == "HC-12x"  # what was typed stays


def test_an_officer_assigns_a_change_to_a_colleague_or_releases_it(
    db: Session, pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    change = submit(db, family, "other", {"person_id": family["mum"].id, "details": "x"})
    team = family["case"].responsible_team
    assert team is not None
    colleague = make_officer(db, Permission.QUEUE, name="Colin Reviewer", team=team)
    no_queue = make_officer(db, Permission.CASES, name="Nadia Casework", team=team)
    elsewhere = make_officer(
        db, Permission.QUEUE, name="Olu Elsewhere", team=make_team(db, "Allocations")
    )
    db.commit()
    sign_in_officer(Permission.QUEUE)
    review = pages.get("backoffice:review", change_id=change.id)
    choices = review.texts("#to option")
    # the case's team's officers with Queue (a council has hundreds; the list names one team)
    assert f"Colin Reviewer ({team.name})" in choices
    assert not any(("Nadia Casework" in c or "Olu Elsewhere" in c) for c in choices)
    assert review.texts("#to-hint") == [f"Officers in {team.name}, the case's team"]
    # the queue's filter offers the chosen team's officers, and accepts any officer's id
    other = pages.get("backoffice:queue", params={"team": str(elsewhere.team_id)})
    assert "Olu Elsewhere" in other.texts("#filter-assigned option")
    assert "Colin Reviewer" not in other.texts("#filter-assigned option")
    by_id = pages.get("backoffice:queue", params={"assigned": str(elsewhere.id)})
    assert by_id.error_summary == []

    page = pages.post(
        "backoffice:review_assign",
        {"version": str(change.version), "to": str(colleague.id)},
        change_id=change.id,
    )
    page = pages.follow(page)
    assert f"Change {change.reference} is now assigned to Colin Reviewer." in page.text
    db.expire_all()
    change = db.get(PendingChange, change.id)  # type: ignore[assignment]
    assert change.assigned_to_id == colleague.id
    assert pages.get("backoffice:queue", params={"assigned": str(colleague.id)}).select("tbody tr")

    # someone without Queue cannot be given it, even by a hand-made form
    refused = pages.post(
        "backoffice:review_assign",
        {"version": str(change.version), "to": str(no_queue.id)},
        change_id=change.id,
        status=400,
    )
    assert refused.error_summary == [
        "Nadia Casework cannot review changes (they do not have Queue)"
    ]
    db.expire_all()
    assert db.get(PendingChange, change.id).assigned_to_id == colleague.id  # type: ignore[union-attr]

    page = pages.follow(
        pages.post(
            "backoffice:review_assign",
            {"version": str(change.version), "to": "nobody"},
            change_id=change.id,
        )
    )
    assert f"Change {change.reference} is no longer assigned to anyone." in page.text
    db.expire_all()
    assert db.get(PendingChange, change.id).assigned_to_id is None  # type: ignore[union-attr]
    unassigned = pages.get("backoffice:queue", params={"assigned": "unassigned"})
    assert len(unassigned.select("tbody tr")) == 1
