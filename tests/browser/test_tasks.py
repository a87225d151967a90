"""Tasks and My work in Chromium, axe on every page: an officer opens a homeless application,
whose template sets its tasks going with targets; completing "Secure temporary housing" opens the
follow-up; the medical evaluation goes on hold and the release job (the app's own worker) brings
it back; My work shows the right items for two officers and their team, where the referral's
contact task waits to be claimed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from domain import jobs, tasks
from domain.tasks import Task
from domain.vocab import Permission
from domain.working_days import add_working_days
from tests.browser.conftest import Live, visiting
from tests.browser.test_case_running import _date, _sign_in
from tests.support.factories import (
    make_case,
    make_officer,
    make_person,
    make_referral,
    make_team,
)


@pytest.mark.parametrize("width", [1366, 390])
def test_tasks_from_a_template_are_worked_and_my_work_shows_them(
    browser: object, live: Live, width: int
) -> None:
    with live.sessions.begin() as db:
        team = make_team(db, "Homelessness")
        rina = make_officer(  # the team's supervisor, who sees its workload
            db,
            Permission.CASES,
            Permission.PEOPLE,
            Permission.SUPERVISE,
            name="Rina Patel",
            team=team,
        )
        sam = make_officer(db, Permission.CASES, Permission.PEOPLE, name="Sam Whitfield", team=team)
        case = make_case(db, make_person(db, "Amira", "Khan"), team=team, officer=rina)
        referral = make_referral(db)
        referral.strand.case.responsible_team_id = team.id
        db.flush()
        for task in db.scalars(select(Task).where(Task.strand_id == referral.strand_id)):
            task.team_id = team.id
        rina_email, sam_email, case_id, team_id = rina.email, sam.email, case.id, team.id

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, rina_email)
        visit.goto(f"/backoffice/cases/{case_id}")
        visit.click(page.locator("#add-strand"))
        page.get_by_label("Homeless application").check()
        visit.click(page.get_by_role("button", name="Continue"))
        _date(page, "Application date", dt.date.today())
        visit.click(page.get_by_role("button", name="Add the Homeless application"))
        listed = page.locator("#strand-tasks > li")
        assert listed.locator("a").all_inner_texts() == [
            "Medical evaluation",
            "Secure temporary housing",
            "Follow up on the temporary housing",
        ]
        tomorrow = add_working_days(dt.date.today(), 1).strftime("%-d %B %Y")
        assert f"Target {tomorrow}" in listed.first.inner_text()
        assert "Waiting" in listed.nth(2).inner_text()

        visit.click(page.get_by_role("link", name="Secure temporary housing"))
        visit.click(page.locator("#complete"))
        assert "Next: Follow up on the temporary housing" in page.locator(".moj-alert").inner_text()
        follow_up = page.locator("#strand-tasks > li", has_text="Follow up on the temporary")
        assert follow_up.locator("[data-state]").inner_text() in ("Open", "Due soon")
        done = page.locator("#strand-tasks > li", has_text="Secure temporary housing")
        assert done.locator("[data-state]").inner_text() == "Done"

        visit.click(page.get_by_role("link", name="Medical evaluation"))
        page.get_by_label("Why is it on hold?").fill("Waiting for the GP's letter")
        until = dt.date.today() + dt.timedelta(days=7)
        _date(page, "When does it come off hold?", until)
        visit.click(page.get_by_role("button", name="Put on hold"))
        assert "on hold until" in page.locator(".moj-alert").inner_text()

        # The daily release job, run by the app's own worker for the release date.
        with live.sessions.begin() as db:
            jobs.enqueue(db, tasks.RELEASE_JOB, {"on": until.isoformat()})
        deadline = time.monotonic() + 30
        while True:
            with live.sessions() as db:
                medical = db.scalars(select(Task).where(Task.name == "Medical evaluation")).one()
                if medical.status == "open":
                    break
            assert time.monotonic() < deadline, "the release job did not run"
            time.sleep(0.3)
        assert medical.held_days == 5

        visit.goto("/backoffice/my-work")
        mine = page.locator("#work-list > li p:first-child a").all_inner_texts()
        assert sorted(mine) == ["Follow up on the temporary housing", "Medical evaluation"]
        visit.click(page.locator("#team-link a").first)
        visit.goto(f"/backoffice/my-work/teams/{team_id}?unclaimed=yes")
        assert page.locator("#work-list > li p:first-child a").first.inner_text() == (
            "Contact the person referred"
        )
        visit.goto(f"/backoffice/my-work/teams/{team_id}")
        assert "Rina Patel" in page.locator("#workload").inner_text()

    with visiting(browser, live, {"width": width, "height": 900}) as visit:
        page = visit.page
        _sign_in(visit, sam_email)
        visit.goto("/backoffice/my-work")
        assert page.locator("#nothing").is_visible()
        visit.goto(f"/backoffice/my-work/teams/{team_id}?unclaimed=yes")
        visit.click(page.get_by_role("link", name="Contact the person referred"))
        visit.click(page.locator("#claim"))
        visit.goto("/backoffice/my-work")
        assert page.locator("#work-list > li p:first-child a").all_inner_texts() == [
            "Contact the person referred"
        ]
