"""The Admin pages: officers, their teams and permission groups, and teams — with history,
optimistic locking, and no way for an administrator to lock themselves out."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import HistoryEvent, Team, User
from domain.vocab import Permission
from tests.support.factories import make_officer, make_team
from tests.support.pages import Pages


def form_data(page, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "name": page.select_one("#name")["value"],
        "team": (page.select_one("#team option[selected]") or {"value": ""})["value"],
        "version": page.select_one('input[name="version"]')["value"],
        "permissions": [i["value"] for i in page.select('input[name="permissions"][checked]')],
    }
    if page.select('input[name="active"][checked]'):
        data["active"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_pages_need_the_admin_permission(
    pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.CASES, Permission.PEOPLE)
    page = pages.get("backoffice:admin_users", status=403)
    assert "You need the “Admin” permission" in page.text
    assert "Admin" not in page.texts(".moj-primary-navigation__link")


def test_admin_lists_officers_and_teams(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    make_team(db, "Housing Register")
    make_officer(db, Permission.QUEUE, name="Quinn Harper")
    db.commit()
    sign_in_officer(Permission.ADMIN, name="Ada Okafor")
    page = pages.get("backoffice:admin_users")
    assert "Admin" in page.texts(".moj-primary-navigation__link")
    names = page.texts("table:first-of-type tbody tr td:first-child")
    assert "Quinn Harper" in names and "Ada Okafor" in names
    assert "Housing Register" in page.text


def test_admin_changes_permissions_with_history(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    team = make_team(db, "Homelessness Prevention")
    officer = make_officer(db, Permission.CASES, name="Sam Whitfield")
    db.commit()
    admin = sign_in_officer(Permission.ADMIN)
    page = pages.get("backoffice:admin_user", user_id=officer.id)
    data = form_data(
        page, team=str(team.id), permissions=["Cases", "Queue", "Cases: bedroom assessments"]
    )
    result = pages.post("backoffice:admin_user", data, user_id=officer.id)
    assert result.location == "/backoffice/admin/users"
    assert "Sam Whitfield's account has been saved." in pages.follow(result).text
    db.expire_all()
    saved = db.get(User, officer.id)
    assert saved is not None and saved.team_id == team.id
    assert saved.permissions == {Permission.CASES, Permission.QUEUE, Permission.BEDROOM_ASSESSMENTS}
    event = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "officer.updated")).one()
    assert event.actor_user_id == admin.id
    assert event.before == {"permissions": ["Cases"], "team": None}
    assert event.after == {
        "permissions": ["Cases", "Cases: bedroom assessments", "Queue"],
        "team": "Homelessness Prevention",
    }


def test_two_admins_editing_one_officer_the_second_is_told(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    officer = make_officer(db, Permission.CASES, name="Sam Whitfield")
    db.commit()
    sign_in_officer(Permission.ADMIN)
    page = pages.get("backoffice:admin_user", user_id=officer.id)
    first = form_data(page, permissions=["Cases", "People"])
    second = form_data(page, permissions=["Export"])  # made from the same, now old, version
    pages.post("backoffice:admin_user", first, user_id=officer.id)
    result = pages.post("backoffice:admin_user", second, user_id=officer.id, status=409)
    assert "changed by someone else while you were editing it" in result.text
    db.expire_all()
    assert db.get(User, officer.id).permissions == {Permission.CASES, Permission.PEOPLE}  # type: ignore[union-attr]


def test_admin_cannot_lock_themselves_out(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    admin = sign_in_officer(Permission.ADMIN, Permission.CASES)
    page = pages.get("backoffice:admin_user", user_id=admin.id)
    result = pages.post(
        "backoffice:admin_user",
        form_data(page, permissions=["Cases"]),
        user_id=admin.id,
        status=400,
    )
    assert result.error_summary == [
        "You cannot remove your own Admin permission or deactivate yourself"
    ]


def test_deactivating_an_officer_signs_them_out(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], client
) -> None:  # type: ignore[no-untyped-def]
    from domain import login_sessions

    officer = make_officer(db, Permission.CASES)
    login_sessions.start(db, user=officer)
    db.commit()
    assert login_sessions.count_for(db, user_id=officer.id) == 1
    sign_in_officer(Permission.ADMIN)
    page = pages.get("backoffice:admin_user", user_id=officer.id)
    data = form_data(page)
    data.pop("active")
    pages.post("backoffice:admin_user", data, user_id=officer.id)
    db.expire_all()
    assert db.get(User, officer.id).active is False  # type: ignore[union-attr]
    assert login_sessions.count_for(db, user_id=officer.id) == 0
    event = db.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.kind == "officer.updated")
        .order_by(HistoryEvent.id.desc())
    ).first()
    assert event is not None and event.after == {"active": False}


def test_admin_edit_form_errors(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    officer = make_officer(db, Permission.CASES)
    db.commit()
    sign_in_officer(Permission.ADMIN)
    page = pages.get("backoffice:admin_user", user_id=officer.id)
    assert pages.post(
        "backoffice:admin_user", form_data(page, name=""), user_id=officer.id, status=400
    ).error_summary == ["Enter the officer's name"]
    assert pages.post(
        "backoffice:admin_user",
        form_data(page, permissions=["Wizard"]),
        user_id=officer.id,
        status=400,
    ).error_summary == ["'Wizard' is not a valid choice for this field."]
    assert pages.post(
        "backoffice:admin_user", form_data(page, team="99999"), user_id=officer.id, status=400
    ).error_summary == ["Not a valid choice."]
    pages.get("backoffice:admin_user", user_id=99999, status=404)


def test_admin_adds_an_officer_and_a_team(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.ADMIN)
    result = pages.post(
        "backoffice:admin_team_new", {"name": "Rough Sleeper Outreach", "allows_cases": "y"}
    )
    assert result.location == "/backoffice/admin/users"
    team = db.scalar(select(Team).where(Team.name == "Rough Sleeper Outreach"))
    assert team is not None and team.allows_cases
    dup = pages.post("backoffice:admin_team_new", {"name": "rough sleeper outreach"}, status=400)
    assert dup.error_summary == ["There is already a team called rough sleeper outreach"]
    result = pages.post(
        "backoffice:admin_user_new",
        {
            "email": "New.Person@Council.example",
            "name": "New Person",
            "team": str(team.id),
            "permissions": ["People"],
            "password": "a long enough password",
        },
    )
    assert result.location == "/backoffice/admin/users"
    created = db.scalar(select(User).where(User.email == "new.person@council.example"))
    assert created is not None and created.permissions == {Permission.PEOPLE}
    again = pages.post(
        "backoffice:admin_user_new",
        {"email": "new.person@council.example", "name": "Again"},
        status=400,
    )
    assert again.error_summary == [
        "An officer with the email new.person@council.example already exists"
    ]
    assert {e.kind for e in db.scalars(select(HistoryEvent))} >= {"team.created", "officer.created"}
