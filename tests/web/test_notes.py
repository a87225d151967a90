"""Notes, alerts and actions (SPEC N1): added from a case or a person, shown where officers look
(the case header, the person page, the review page of every change on the case, search
results), the Notes & actions tab with its filters and paging, a note corrected by its author
only for a while, an alert removed with a reason, an action done, and a strand's open actions
closed when it moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import notes_queries
from domain import notes, paging, strands
from domain.history import SYSTEM, Actor
from domain.history_kinds import HistoryKind
from domain.models import HistoryEvent, User
from domain.notes import About, Action, Alert, Note
from domain.vocab import Permission
from tests.support.factories import TEST_PASSWORD, make_case, make_officer, make_person
from tests.support.pages import Pages
from tests.web.case_fixtures import TODAY, submit

CASES = (Permission.CASES, Permission.PEOPLE, Permission.QUEUE)


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def _kinds(db: Session, kind: HistoryKind) -> list[HistoryEvent]:
    return list(db.scalars(select(HistoryEvent).where(HistoryEvent.kind == kind.value)))


def test_an_alert_shows_wherever_officers_look_until_removed(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case, dad = family["case"], family["dad"]
    change = submit(db, family, "other", {"person_id": family["mum"].id, "details": "see letter"})
    sign_in_officer(*CASES, name="Rina Patel")
    review = pages.get("backoffice:review", change_id=change.id)
    assert (
        review.select_one("#review-alerts-none").get_text(strip=True) == "No alerts on this case."
    )

    page = pages.post("backoffice:alert_new", {"about": "case"}, status=400, case_id=case.id)
    assert page.error_summary == ["Select the type of alert", "Enter the alert's details"]
    form = {
        "about": f"person:{dad.id}",
        "alert_type": "Violent or aggressive",
        "text": "Threatened an officer on 3 November; meet at the civic centre with a colleague",
        **_date("date_until", TODAY - dt.timedelta(days=1)),
    }
    page = pages.post("backoffice:alert_new", form, status=400, case_id=case.id)
    assert page.error_summary == ["The date it ends must be on or after the date it starts"]
    del form["date_until-day"], form["date_until-month"], form["date_until-year"]
    pages.post("backoffice:alert_new", form, case_id=case.id)

    for page in (
        pages.get("backoffice:case", case_id=case.id),
        pages.get("backoffice:review", change_id=change.id),
        pages.get("backoffice:person", person_id=dad.id),
    ):
        text = page.select_one("#case-alerts, #review-alerts, #person-alerts").get_text(
            " ", strip=True
        )
        assert "Violent or aggressive" in text and "civic centre" in text
    found = pages.get("backoffice:people", params={"q": "Tariq Khan"})
    assert found.select(f'[data-person="{dad.id}"] [data-alert-type="Violent or aggressive"]')
    assert not found.select(f'[data-person="{family["mum"].id}"] [data-alert-type]')
    (added,) = _kinds(db, HistoryKind.ALERT_ADDED)
    assert (added.case_id, added.person_id) == (case.id, dad.id)

    alert = db.scalars(select(Alert)).one()
    page = pages.post(
        "backoffice:alert_remove",
        {"version": str(alert.version), "reason": ""},
        status=400,
        case_id=case.id,
        alert_id=alert.id,
    )
    assert page.error_summary == ["Enter the reason for removing it"]
    pages.post(
        "backoffice:alert_remove",
        {"version": str(alert.version), "reason": "Police say the risk has passed"},
        case_id=case.id,
        alert_id=alert.id,
    )
    assert not pages.get("backoffice:case", case_id=case.id).select("#case-alerts")
    review = pages.get("backoffice:review", change_id=change.id)
    assert review.select("#review-alerts-none")
    tab = pages.get("backoffice:case_notes", case_id=case.id)
    assert (
        "Police say the risk has passed"
        in tab.select_one(f'[data-kind="alert"][data-id="{alert.id}"]').get_text()
    )


def test_the_tab_lists_everything_filters_and_pages_newest_first(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case, son, register = family["case"], family["son"], family["housing_register"]
    officer = sign_in_officer(*CASES, name="Sam Whitfield")
    pages.post(
        "backoffice:note_new",
        {"about": "case", "category": "Phone call", "text": "Rang about the band"},
        case_id=case.id,
    )
    pages.post(
        "backoffice:note_new",
        {"about": f"person:{son.id}", "category": "Visit", "text": "Saw Yusuf's room"},
        case_id=case.id,
    )
    pages.post(
        "backoffice:note_new",
        {"about": f"strand:{register.id}", "category": "General", "text": "Band review due"},
        case_id=case.id,
    )
    page = pages.post(
        "backoffice:action_new",
        {
            "about": "case",
            "what": "Chase GP letter",
            **_date("due_date", TODAY - dt.timedelta(days=1)),
        },
        status=400,
        case_id=case.id,
    )
    assert page.error_summary == [
        "Choose the officer or the team who will do it",
        "The date it is due must be today or later",
    ]
    pages.post(
        "backoffice:action_new",
        {
            "about": f"strand:{register.id}",
            "what": "Chase GP letter",
            "assignee": str(officer.id),
            **_date("due_date", TODAY + dt.timedelta(days=5)),
        },
        case_id=case.id,
    )
    # A note written on the person's own page shows on the case's tab too.
    pages.post(
        "backoffice:person_note_new",
        {"category": "Email", "text": "Yusuf's school wrote"},
        person_id=son.id,
    )

    tab = pages.get("backoffice:case_notes", case_id=case.id)
    items = [
        (li["data-kind"], li.get_text(" ", strip=True)) for li in tab.select("#notes-list > li")
    ]
    assert [k for k, _ in items] == ["note", "action", "note", "note", "note"]
    assert "Yusuf's school wrote" in items[0][1]
    by_person = pages.get("backoffice:case_notes", case_id=case.id, params={"person": son.id})
    assert len(by_person.select("#notes-list > li")) == 2
    by_strand = pages.get("backoffice:case_notes", case_id=case.id, params={"strand": register.id})
    assert sorted(li["data-kind"] for li in by_strand.select("#notes-list > li")) == [
        "action",
        "note",
    ]
    actions = pages.get("backoffice:case_notes", case_id=case.id, params={"kind": "action"})
    assert len(actions.select("#notes-list > li")) == 1
    action = db.scalars(select(Action)).one()
    pages.post(
        "backoffice:action_done",
        {"version": str(action.version)},
        case_id=case.id,
        action_id=action.id,
    )
    page = pages.post(
        "backoffice:action_done",
        {"version": str(action.version)},
        status=400,
        case_id=case.id,
        action_id=action.id,
    )
    assert page.error_summary == ["The action is already done"]
    assert _kinds(db, HistoryKind.ACTION_DONE)

    # Paging: 30 more notes, 25 a page, newest first, none twice.
    for n in range(30):
        notes.add_note(
            db,
            Actor.officer(officer),
            officer,
            About(case=case),
            category="General",
            text=f"Note {n}",
        )
    db.commit()
    first = pages.get("backoffice:case_notes", case_id=case.id)
    seen = [li["data-id"] + li["data-kind"] for li in first.select("#notes-list > li")]
    assert len(seen) == 25
    older = first.select_one('a[rel="next"]')["href"]
    second = pages.fetch(pages.url("backoffice:case_notes", case_id=case.id) + older)
    more = [li["data-id"] + li["data-kind"] for li in second.select("#notes-list > li")]
    assert len(more) == 10 and not set(seen) & set(more)  # 4 notes, 1 action, 30 more notes
    # Both pages again: the statements are the ones built for the first requests, the cursor's
    # values parameters of them (building them again each time cost the tab a third of it).
    built = (notes_queries._united.cache_info().misses, paging.builds())
    again = pages.fetch(pages.url("backoffice:case_notes", case_id=case.id) + older)
    assert [li["data-id"] + li["data-kind"] for li in again.select("#notes-list > li")] == more
    pages.get("backoffice:case_notes", case_id=case.id)
    assert (notes_queries._united.cache_info().misses, paging.builds()) == built


def test_a_note_is_corrected_by_its_author_only_and_only_for_a_while(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    author = sign_in_officer(*CASES, name="Sam Whitfield")
    form = {"about": "case", "category": "Phone call", "text": "Rang, no answer"}
    pages.post("backoffice:note_new", form, case_id=case.id)
    note = db.scalars(select(Note)).one()
    form = {"version": str(note.version), "category": "Phone call", "text": "Rang twice"}
    pages.post("backoffice:note_edit", form, case_id=case.id, note_id=note.id)
    (edited,) = _kinds(db, HistoryKind.NOTE_EDITED)
    assert (edited.before["text"], edited.after["text"]) == ("Rang, no answer", "Rang twice")  # type: ignore[index]
    db.expire_all()
    note = db.scalars(select(Note)).one()
    assert (note.text, note.edited_at is not None) == ("Rang twice", True)
    # Another officer may not.
    sign_in_officer(*CASES, name="Rina Patel")
    form = {"version": str(note.version), "category": "General", "text": "Not mine"}
    pages.post("backoffice:note_edit", form, status=403, case_id=case.id, note_id=note.id)
    # Nor the author, once the window has passed.
    note.created_at = note.created_at - dt.timedelta(minutes=notes.NOTE_EDIT_MINUTES + 1)
    db.commit()
    pages.post("backoffice:sign_in", {"email": author.email, "password": TEST_PASSWORD})
    tab = pages.get("backoffice:case_notes", case_id=case.id)
    assert not tab.select(f'a[href$="/notes/{note.id}/edit"]')
    page = pages.post("backoffice:note_edit", form, status=400, case_id=case.id, note_id=note.id)
    assert page.error_summary == [
        "A note can be corrected for 30 minutes after it is written; add another note instead"
    ]
    db.expire_all()
    assert db.get(Note, note.id).text == "Rang twice"  # type: ignore[union-attr]


def test_moving_a_strand_closes_its_open_actions_and_says_so_first(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    a = make_case(db, make_person(db, "Ann", "One"))
    b = make_case(db, make_person(db, "Bea", "Two"))
    review = strands.open_strand(
        db, SYSTEM, a, strands.REVIEW, {"decision_reviewed": "Band", "requested_on": "2026-11-01"}
    )
    officer = make_officer(db, *CASES, Permission.MOVE_STRANDS, name="Mo Mover")
    notes.add_action(
        db,
        SYSTEM,
        officer,
        About(strand=review),
        what="Write to the applicant",
        assignee_id=officer.id,
        team_id=None,
        due_date=TODAY + dt.timedelta(days=3),
        today=TODAY,
    )
    notes.add_note(
        db, SYSTEM, officer, About(strand=review), category="General", text="Asked for the file"
    )
    db.commit()
    sign_in_officer(*CASES, Permission.MOVE_STRANDS, name="Mo Two")
    page = pages.get("backoffice:strand_move", case_id=a.id, strand_id=review.id)
    warning = page.select_one("#left-behind").get_text(" ", strip=True)
    assert "1 note (they stay on this case)" in warning
    assert "the open action “Write to the applicant” (it will be closed)" in warning
    pages.post(
        "backoffice:strand_move",
        {"version": str(review.version), "target": b.reference},
        case_id=a.id,
        strand_id=review.id,
    )
    db.expire_all()
    action = db.scalars(select(Action)).one()
    assert (
        action.done_at is not None
        and action.outcome == f"Closed: {review.reference} moved to case {b.reference}"
    )


def test_an_officer_without_cases_sees_none_of_it(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    sign_in_officer(Permission.PEOPLE)
    pages.get("backoffice:case_notes", status=403, case_id=family["case"].id)
    pages.get("backoffice:person_note_new", status=403, person_id=family["mum"].id)
