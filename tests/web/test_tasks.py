"""Tasks and My work in the back office (SPEC T1-T3): tasks from a template on the case's Notes &
actions tab and the application's page, completed (the next one opens), held with what is wrong
said clearly, released, reassigned, claimed from the team; an ad-hoc task; My work for two
officers and their team with counts, filters, the workload table and a refresh of the list
alone; the home page's counts as links; the morning email chosen and sent; no Cases, no
tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice import work_queries as wq
from domain import strands
from domain.history import SYSTEM
from domain.models import User
from domain.security import OutboxEmail
from domain.tasks import Task
from domain.vocab import Permission
from hearth.work_digest import send_digests
from tests.support.factories import make_case, make_officer, make_person, make_team
from tests.support.pages import Pages
from tests.web.case_fixtures import TODAY

CASES = (Permission.CASES, Permission.PEOPLE)


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


@pytest.fixture
def office(db: Session) -> dict[str, Any]:
    team = make_team(db, "Homelessness")
    rina = make_officer(db, *CASES, name="Rina Patel", team=team)
    sam = make_officer(db, *CASES, name="Sam Whitfield", team=team)
    case = make_case(db, make_person(db, "Amira", "Khan"), team=team, officer=rina)
    application = strands.open_strand(db, SYSTEM, case, "homeless_application")
    db.commit()
    tasks = {t.template_key: t for t in db.scalars(select(Task).where(Task.case_id == case.id))}
    return {
        "team": team,
        "rina": rina,
        "sam": sam,
        "case": case,
        "application": application,
        "tasks": tasks,
    }


def _sign_in(pages: Pages, officer: User) -> None:
    from tests.support.factories import TEST_PASSWORD

    page = pages.post("backoffice:sign_in", {"email": officer.email, "password": TEST_PASSWORD})
    assert page.location == pages.url("backoffice:home")


def test_tasks_from_the_template_show_on_the_case_and_the_application_and_are_worked(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    case, application, made = office["case"], office["application"], office["tasks"]
    _sign_in(pages, office["rina"])
    tab = pages.get("backoffice:case_notes", case_id=case.id)
    names = [a.get_text(strip=True) for a in tab.select("#case-tasks-list li a")]
    assert names == [
        "Medical evaluation",
        "Secure temporary housing",
        "Follow up on the temporary housing",
    ]
    assert tab.select_one("#case-target").get_text(strip=True) == made[
        "medical_evaluation"
    ].target_date.strftime("%-d %B %Y")
    strand_page = pages.get("backoffice:strand", case_id=case.id, strand_id=application.id)
    states = [s.get_text(strip=True) for s in strand_page.select("#strand-tasks [data-state]")]
    assert states[:2] == ["Due soon", "Due soon"] and states[2] == "Waiting"
    assert strand_page.select_one("#strand-target").get_text(strip=True) == made[
        "medical_evaluation"
    ].target_date.strftime("%-d %B %Y")

    housing = made["secure_housing"]
    page = pages.post(
        "backoffice:task_complete", {"version": str(housing.version)}, task_id=housing.id
    )
    assert page.location == pages.url("backoffice:task", task_id=housing.id)
    assert "Next: Follow up on the temporary housing." in pages.follow(page).text
    follow_up = made["follow_up"]
    db.refresh(follow_up)
    assert follow_up.status == "open" and follow_up.target_date is not None

    medical = made["medical_evaluation"]
    page = pages.post(
        "backoffice:task_hold",
        {"version": str(medical.version), "reason": ""},
        status=400,
        task_id=medical.id,
    )
    assert page.error_summary == [
        "Enter why the task is on hold",
        "Enter the date it comes off hold",
    ]
    later = TODAY + dt.timedelta(days=7)
    page = pages.post(
        "backoffice:task_hold",
        {"version": str(medical.version), "reason": "Waiting for the GP", **_date("until", later)},
        task_id=medical.id,
    )
    assert "on hold until" in pages.follow(page).text
    db.refresh(medical)
    assert medical.status == "on_hold"
    # a task on hold sets no target: the case's and the application's are the open follow-up's
    follow_up_target = follow_up.target_date.strftime("%-d %B %Y")
    tab = pages.get("backoffice:case_notes", case_id=case.id)
    assert tab.select_one("#case-target").get_text(strip=True) == follow_up_target
    strand_page = pages.get("backoffice:strand", case_id=case.id, strand_id=application.id)
    assert strand_page.select_one("#strand-target").get_text(strip=True) == follow_up_target
    stale = pages.post(
        "backoffice:task_release",
        {"version": str(medical.version - 1)},
        status=409,
        task_id=medical.id,
    )
    assert stale.error_summary == ["Another officer has changed this task since you opened it"]
    pages.post("backoffice:task_release", {"version": str(medical.version)}, task_id=medical.id)
    db.refresh(medical)
    assert medical.status == "open"

    sam = office["sam"]
    pages.post(
        "backoffice:task_assign",
        {"version": str(medical.version), "assignee": str(sam.id), "team": ""},
        task_id=medical.id,
    )
    db.refresh(medical)
    assert medical.assignee_id == sam.id


def test_an_ad_hoc_task_says_what_is_missing(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    case = office["case"]
    _sign_in(pages, office["rina"])
    page = pages.post(
        "backoffice:task_new",
        {"name": "", "strand": "", "assignee": "", "team": ""},
        status=400,
        case_id=case.id,
    )
    assert page.error_summary == [
        "Enter what needs doing",
        "Choose an officer or a team",
        "Enter the target date",
    ]
    page = pages.post(
        "backoffice:task_new",
        {
            "name": "Ring the landlord",
            "strand": "",
            "assignee": str(office["sam"].id),
            "team": "",
            **_date("target_date", TODAY + dt.timedelta(days=3)),
        },
        case_id=case.id,
    )
    assert "Ring the landlord" in pages.follow(page).select_one("#case-tasks-list").get_text()


def test_my_work_for_two_officers_and_their_team(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    rina, sam, team = office["rina"], office["sam"], office["team"]
    other = make_case(db, make_person(db, "Tariq", "Begum"), team=team, officer=sam)
    referral = strands.open_strand(db, SYSTEM, other, "homeless_referral")
    contact = db.scalars(select(Task).where(Task.strand_id == referral.id)).one()
    overdue = office["tasks"]["medical_evaluation"]
    overdue.target_date = TODAY - dt.timedelta(days=3)
    db.commit()

    # Sam is Primary officer of Tariq's case: the referral's contact task waits in the team,
    # claimed by nobody, so the case needs him
    _sign_in(pages, sam)
    (item,) = pages.get("backoffice:my_work").select("#work-list li")
    assert (item["data-kind"], item["data-id"]) == ("case", str(other.id))
    assert item.select_one("a").get_text(strip=True) == (
        "Nobody has picked up “Contact the person referred”"
    )
    assert item.select_one("a")["href"] == pages.url("backoffice:case", case_id=other.id)
    assert "Tariq Begum" in item.get_text()
    only_cases = pages.get("backoffice:my_work", params={"kind": "case"})
    assert len(only_cases.select("#work-list li")) == 1
    assert pages.get("backoffice:my_work", params={"kind": "task"}).select_one("#nothing")
    pages.post("backoffice:sign_out", {})

    _sign_in(pages, rina)
    home = pages.get("backoffice:home")
    assert home.select_one("#stat-work a")["href"] == pages.url("backoffice:my_work")
    assert "1 overdue" in home.select_one("#stat-work").get_text()
    mine = pages.get("backoffice:my_work")
    items = mine.select("#work-list li")
    assert items[0]["data-state"] == "Overdue"  # overdue first
    assert {i.select_one("a").get_text(strip=True) for i in items} == {
        "Medical evaluation",
        "Secure temporary housing",
    }
    assert "2 to do" in mine.select_one("#work-counts").get_text()
    assert "1 not yet claimed" in mine.select_one("#team-link").get_text()
    # The team's unclaimed pile is counted only as far as its cap (one past it: "more than")
    assert wq.unclaimed_total(db, team.id) == 1
    assert wq.unclaimed_total(db, team.id, cap=0) == 1  # past a cap of 0
    assert wq.unclaimed_total(db, team.id + 1000) == 0  # no such team: nothing
    refreshed = pages.client.get(
        pages.url("backoffice:my_work") + "?refresh=1", headers={"HX-Request": "true"}
    )
    assert refreshed.text.count("<html") == 0 and 'id="work-items"' in refreshed.text  # alone
    poller = mine.select_one("#work-poller")
    assert poller["hx-get"] == pages.url("backoffice:my_work") + "?refresh=1"
    assert poller["hx-target"] == "#work-items" and poller["hx-trigger"] == "every 60s"

    team_page = pages.get("backoffice:team_work", team_id=team.id, params={"unclaimed": "yes"})
    assert [a.get_text(strip=True) for a in team_page.select("#work-list li p a:first-of-type")][
        :1
    ] == ["Contact the person referred"]
    page = pages.post(
        "backoffice:task_claim", {"version": str(contact.version)}, task_id=contact.id
    )
    assert "is yours" in pages.follow(page).text
    team_page = pages.get("backoffice:team_work", team_id=team.id)
    assert len(team_page.select("#work-list li")) == 3
    assert team_page.soup.select_one("#workload") is None  # the workload is for supervisors
    elsewhere = make_team(db, "Housing Register")
    db.commit()
    pages.get("backoffice:team_work", team_id=elsewhere.id, status=403)  # not her team

    pages.post("backoffice:sign_out", {})
    _sign_in(pages, sam)
    assert pages.get("backoffice:my_work").select_one("#nothing")  # the contact task is Rina's

    pages.post("backoffice:sign_out", {})
    lead = make_officer(db, *CASES, Permission.SUPERVISE, name="Tom Adeyemi", team=elsewhere)
    db.commit()
    _sign_in(pages, lead)
    links = pages.get("backoffice:my_work").select("#other-teams a")
    assert [a.get_text() for a in links] == ["Homelessness"]
    team_page = pages.get("backoffice:team_work", team_id=team.id)
    loads = {
        r["data-officer"]: [c.get_text(strip=True) for c in r.select("td")]
        for r in team_page.select("#workload tbody tr")
    }
    assert loads[str(rina.id)] == ["Rina Patel", "3", "1"]
    assert loads[str(sam.id)] == ["Sam Whitfield", "0", "0"]
    assert team_page.select_one("svg.hearth-workload")


def test_the_morning_email_goes_to_officers_with_urgent_work_who_want_it(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    rina, sam = office["rina"], office["sam"]
    monday = dt.date(2026, 11, 30)
    office["tasks"]["medical_evaluation"].target_date = monday - dt.timedelta(days=1)
    for task in office["tasks"].values():
        if task.status == "open":
            task.assignee_id = rina.id
    # Sam is Primary officer of a case whose referral nobody has contacted yet: it needs him
    his = make_case(db, make_person(db, "Tariq", "Begum"), team=office["team"], officer=sam)
    referral = strands.open_strand(db, SYSTEM, his, "homeless_referral")
    contact = db.scalars(select(Task).where(Task.strand_id == referral.id)).one()
    contact.target_date = monday
    db.commit()
    assert send_digests(db, dt.date(2026, 11, 29), "https://housing.example")["sent"] == 0  # Sunday
    assert send_digests(db, monday, "https://housing.example") == {"sent": 2}
    emails = {
        e.to_address: e
        for e in db.scalars(select(OutboxEmail).where(OutboxEmail.kind == "work_digest"))
    }
    email = emails[rina.email]
    assert email.subject.startswith("Your work: 1 overdue")
    assert "https://housing.example/backoffice/tasks/" in email.body_text
    assert emails[sam.email].subject == "Your work: 0 overdue, 1 due soon"
    assert (
        f"- Due soon: Your case ({his.reference}): Nobody has picked up “Contact the person "
        "referred”, target 30 November 2026\n"
        f"  https://housing.example/backoffice/cases/{his.id}\n"
    ) in emails[sam.email].body_text

    _sign_in(pages, rina)
    page = pages.post("backoffice:work_digest", {"digest": "no"})
    assert "no longer get the morning email" in pages.follow(page).text
    db.refresh(rina)
    assert rina.work_digest is False
    sent = send_digests(db, monday + dt.timedelta(days=1), "https://housing.example")
    assert sent == {"sent": 1}  # Sam's, not Rina's


def test_officers_without_cases_reach_no_task(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], office: dict[str, Any]
) -> None:
    task = office["tasks"]["medical_evaluation"]
    sign_in_officer(Permission.PEOPLE)
    pages.get("backoffice:my_work", status=403)
    pages.get("backoffice:task", task_id=task.id, status=403)
    pages.get("backoffice:team_work", team_id=office["team"].id, status=403)
    pages.post(
        "backoffice:task_complete", {"version": str(task.version)}, status=403, task_id=task.id
    )
    db.refresh(task)
    assert task.status == "open"


def test_the_referral_list_shows_each_referrals_service_standard(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    from tests.support.factories import make_referral

    referral = make_referral(db)
    db.commit()
    _sign_in(pages, office["rina"])
    row = pages.get("backoffice:referrals").select_one(
        f'[data-referral="{referral.strand.reference}"]'
    )
    cell = row.select_one("[data-next-task]").get_text(" ", strip=True)
    assert "Contact the person referred" in cell and "Due soon" in cell


def test_my_work_lists_an_officers_actions_among_their_tasks(
    db: Session, pages: Pages, office: dict[str, Any]
) -> None:
    """An action due before any task leads the list (on SQLite a date cast once broke it)."""
    from domain import notes

    rina, case = office["rina"], office["case"]
    action = notes.add_action(
        db,
        SYSTEM,
        rina,
        notes.About(case=case),
        what="Ring the landlord about the notice",
        assignee_id=rina.id,
        team_id=None,
        due_date=TODAY,
        today=TODAY,
    )
    action.due_date = TODAY - dt.timedelta(days=1)  # it was due yesterday
    db.commit()
    _sign_in(pages, rina)
    first = pages.get("backoffice:my_work").select("#work-list li")[0]
    assert (first["data-kind"], first["data-id"], first["data-state"]) == (
        "action",
        str(action.id),
        "Overdue",
    )
    assert "Ring the landlord about the notice" in first.get_text()
    only = pages.get("backoffice:my_work", params={"kind": "action"}).select("#work-list li")
    assert [li["data-kind"] for li in only] == ["action"]
