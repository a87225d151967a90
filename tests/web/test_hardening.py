"""What an attacker or an unlucky applicant tried, and what must happen instead of a 500, a lost
draft or a leak: ids beyond any record, NUL bytes, long answers, other sessions after a password
change, personal pages in a shared computer's cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import login_sessions
from domain.models import PortalAccount, User
from domain.pending import PendingChange
from domain.vocab import Permission
from hearth.app import build_routes
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_person,
    make_portal_account,
    open_housing_register,
)
from tests.support.pages import Pages
from tests.web.test_route_table import walk

TOO_BIG = 2**31  # one past the largest id an INTEGER column holds


@pytest.fixture
def family(db: Session) -> dict[str, Any]:
    mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2), email="amira@example.com")
    dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
    case = make_case(db, mum, [(dad, "Partner")], joined=dt.date(2024, 1, 1))
    link_partners(db, case, mum, dad)
    open_housing_register(db, case)
    account = make_portal_account(db, mum, email="amira@example.com")
    db.commit()
    return {"case": case, "mum": mum, "dad": dad, "account": account}


def _signed_in(pages: Pages) -> Pages:
    pages.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
    return pages


# --- ids beyond any record ---------------------------------------------------------------------


def test_ids_past_the_columns_range_are_not_found_on_every_route(
    pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    _signed_in(pages)
    sign_in_officer(*Permission)
    routes = [(path, r) for path, _, r in walk(build_routes()) if ":id}" in path]
    assert routes
    for path, route in routes:
        url = path
        for name in list(route.param_convertors):
            url = url.replace(f"{{{name}:id}}", str(TOO_BIG))
        assert pages.client.get(url, follow_redirects=False).status_code == 404, url
        if "POST" in (route.methods or ()):
            page = pages.submit(url, {"version": "1"}, status=None)
            assert page.status == 404, url


def test_a_case_reference_past_the_range_is_a_field_error(
    pages: Pages, family: dict[str, Any]
) -> None:
    _signed_in(pages)
    page = pages.post(
        "link_case",
        {
            "reference": f"HC-{TOO_BIG}",
            "date_of_birth-day": "2",
            "date_of_birth-month": "4",
            "date_of_birth-year": "1988",
        },
        status=400,
    )
    assert page.error_summary[0].startswith("We could not find a case with those details")


# --- control characters ----------------------------------------------------------------------


def test_a_nul_byte_in_an_answer_never_reaches_the_database(
    db: Session, pages: Pages, family: dict[str, Any]
) -> None:
    _signed_in(pages)
    pages.post("report_change_form", {"details": "Lost my job\x00 last week\x07"}, kind="other")
    sent = pages.post("report_change_check", {}, kind="other")
    assert sent.location and sent.location.startswith("/your-changes/")
    change = db.scalars(select(PendingChange)).one()
    assert change.payload["details"] == "Lost my job last week"


@pytest.mark.parametrize(
    ("route", "data"),
    [
        ("sign_in", {"email": "x\x00@example.com", "password": "p\x00"}),
        ("create_account", {"email": "\x00", "password": "\x00" * 12}),
        ("password_reset_request", {"email": "a\x00b@example.com"}),
    ],
)
def test_nul_bytes_in_account_forms_get_an_answer_not_a_500(
    pages: Pages, route: str, data: dict[str, str]
) -> None:
    page = pages.post(route, data, status=None)
    assert page.status < 500


# --- long drafts -------------------------------------------------------------------------------


@pytest.mark.parametrize("details", ["x" * 3000, "é" * 700, "ü" * 3000])
def test_a_long_change_survives_to_the_check_page_and_sends(
    db: Session, pages: Pages, family: dict[str, Any], details: str
) -> None:
    _signed_in(pages)
    pages.post("report_change_form", {"details": details}, kind="other")
    check = pages.get("report_change_check", kind="other")
    assert details[:200] in check.text  # the whole answer is still there to check
    pages.post("report_change_check", {}, kind="other")
    db.expire_all()
    assert db.scalars(select(PendingChange)).one().payload["details"] == details
    # the session cookie stayed small: the draft lives on the server
    assert len(pages.client.cookies.get("hearth_session") or "") < 1000


# --- sessions after a password change ---------------------------------------------------------


def test_changing_the_password_signs_out_every_other_session(
    db: Session, pages: Pages, family: dict[str, Any], app: Any
) -> None:
    from starlette.testclient import TestClient

    account = family["account"]
    with TestClient(app) as elsewhere:
        other = Pages(elsewhere)
        other.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
        other.get("account")
        _signed_in(pages)
        assert login_sessions.count_for(db, account_id=account.id) == 2
        pages.post(
            "change_password",
            {"current_password": TEST_PASSWORD, "new_password": "a brand new passphrase"},
        )
        assert other.get("account", status=303).location == "/sign-in?next=%2Faccount"
    pages.get("account")  # this one stays signed in
    assert login_sessions.count_for(db, account_id=account.id) == 1


# --- caching -----------------------------------------------------------------------------------


def test_pages_with_personal_data_are_never_cached(
    pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    _signed_in(pages)
    for name in ("your_case", "your_changes", "account"):
        assert pages.get(name).response.headers["cache-control"] == "no-store", name
    sign_in_officer(Permission.CASES, Permission.QUEUE)
    for url in (
        pages.url("backoffice:home"),
        pages.url("backoffice:queue"),
        pages.url("backoffice:case", case_id=family["case"].id),
        pages.url("backoffice:case_people", case_id=family["case"].id),
    ):
        assert pages.fetch(url).response.headers["cache-control"] == "no-store", url


def test_sign_up_does_the_same_work_for_a_known_and_a_new_email(
    db: Session, pages: Pages, family: dict[str, Any]
) -> None:
    """Each answers with the same page and queues one email (sent later by the worker), so
    neither the page nor the time it takes tells anyone who has an account. (The timing itself
    is measured by `make bench`.)"""
    from domain.security import OutboxEmail

    known = pages.post(
        "create_account", {"email": "amira@example.com", "password": "a known applicant"}
    )
    new = pages.post(
        "create_account", {"email": "new@example.com", "password": "somebody quite new"}
    )
    assert known.location == new.location == "/create-account/check-email"
    db.expire_all()
    kinds = db.scalars(select(OutboxEmail.kind).order_by(OutboxEmail.id)).all()
    assert kinds == ["account.exists", "account.verify"]
    assert db.scalar(select(func.count()).select_from(PortalAccount)) == 2


def test_an_error_page_keeps_the_signed_in_navigation(
    pages: Pages, family: dict[str, Any], sign_in_officer: Callable[..., User]
) -> None:
    _signed_in(pages)
    missing = pages.fetch("/your-changes/999999", status=404)
    nav = missing.texts(".govuk-service-navigation a, .govuk-service-navigation button")
    assert "Your case" in nav and "Sign out" in nav and "Sign in" not in nav
    officer = sign_in_officer(Permission.CASES)
    denied = pages.get("backoffice:queue", status=403)
    assert officer.name in denied.text  # the header still says who is signed in
    assert "Cases" in denied.texts(".moj-primary-navigation__link")
