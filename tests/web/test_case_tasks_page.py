"""Admin → Case tasks (SPEC T1): an administrator reads and edits the tasks opening a case sets
going. A template that does not read is refused on the page with what is wrong (the text kept as
typed); a good one is saved, listed in words, and set going by the next case an officer opens."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import case_tasks
from domain.models import User
from domain.tasks import Task
from domain.vocab import Permission
from tests.support.factories import make_case, make_person
from tests.support.pages import Pages

BAD = '[[tasks]]\nkey = "letter"\nname = "Send a letter"\nwhen = "status:Closed"\ndays = 1\n'


def test_an_administrator_sets_the_case_tasks_and_the_next_case_gets_them(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    admin = sign_in_officer(Permission.ADMIN, Permission.CASES)
    page = pages.get("backoffice:admin_case_tasks")
    assert "sets no tasks of its own" in page.select_one("#case-task-templates").get_text()
    assert pages.get("backoffice:admin_users").select_one("#case-tasks-link")

    refused = pages.post(
        "backoffice:admin_case_tasks", {"definition": BAD, "version": "0"}, status=400
    )
    summary = refused.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert "task 'letter': a case's task starts when the case is opened" in summary
    assert refused.select_one("#definition").get_text() == BAD  # kept as typed
    assert case_tasks.text(db) == ""

    saved = pages.post(
        "backoffice:admin_case_tasks", {"definition": case_tasks.EXAMPLE, "version": "0"}
    )
    assert saved.location == pages.url("backoffice:admin_case_tasks")
    page = pages.follow(saved)
    assert "cases opened from now on get 2 tasks" in page.text
    listed = [li.get_text(" ", strip=True) for li in page.select("#case-task-templates li")]
    assert listed == [
        "Check the household's identity documents : 5 working days after opening, "
        "for the case's Primary officer",
        "Agree a personalised housing plan : 10 working days after “Check the household's identity "
        "documents” is completed, "
        "for the case's Primary officer",
    ]

    # another administrator's page, opened before that save, is out of date
    stale = pages.post(
        "backoffice:admin_case_tasks", {"definition": "", "version": "0"}, status=409
    )
    assert "Another administrator changed the case tasks" in stale.text
    assert case_tasks.text(db) == case_tasks.EXAMPLE

    db.expire_all()
    case = make_case(db, make_person(db, "Zofia", "Nowak"), officer=admin)
    db.commit()
    names = db.scalars(select(Task.name).where(Task.case_id == case.id).order_by(Task.id)).all()
    assert names == [
        "Check the household's identity documents",
        "Agree a personalised housing plan",
    ]
    tab = pages.get("backoffice:case_notes", case_id=case.id)
    assert [a.get_text(strip=True) for a in tab.select("#case-tasks-list li a")][:1] == [
        "Check the household's identity documents"
    ]


def test_only_an_administrator_reaches_the_case_tasks(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.CASES, Permission.PEOPLE, Permission.SUPERVISE)
    pages.get("backoffice:admin_case_tasks", status=403)
    pages.post("backoffice:admin_case_tasks", {"definition": "", "version": "0"}, status=403)
    assert case_tasks.version(db) == 0
