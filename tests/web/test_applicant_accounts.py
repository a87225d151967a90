"""Applicant accounts on the portal: create, confirm, sign in and out, reset and change the
password, with throttling and no way to find out who has an account."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from domain.models import PortalAccount
from domain.security import AuthAttempt, LoginSession, OutboxEmail
from tests.conftest import TEST_SECRET
from tests.support.factories import TEST_PASSWORD, make_portal_account
from tests.support.pages import Pages

NEW_PASSWORD = "a brand new passphrase"


def outbox(db: Session, to: str) -> list[OutboxEmail]:
    db.expire_all()
    return list(
        db.scalars(select(OutboxEmail).where(OutboxEmail.to_address == to).order_by(OutboxEmail.id))
    )


def link_in(email: OutboxEmail) -> str:
    match = re.search(r"http://testserver(/\S+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


@pytest.fixture
def settings(test_database, tmp_path):  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    return make_settings(test_database.url, tmp_path, BASE_URL="http://testserver")


def test_create_confirm_and_sign_in(db: Session, pages: Pages) -> None:
    page = pages.post("create_account", {"email": "Grace@Example.com", "password": TEST_PASSWORD})
    assert page.location == "/create-account/check-email"
    assert "grace@example.com" in pages.follow(page).text
    account = db.scalar(select(PortalAccount).where(PortalAccount.email == "grace@example.com"))
    assert account is not None and account.email_verified_at is None

    # Signing in before confirming says so, and sends a fresh link.
    page = pages.post(
        "sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD}, status=200
    )
    assert "You need to confirm your email address" in page.text
    emails = outbox(db, "grace@example.com")
    assert [e.kind for e in emails] == ["account.verify", "account.verify"]

    confirmed = pages.fetch(link_in(emails[0]))
    assert confirmed.h1 == "Email address confirmed"
    page = pages.post("sign_in", {"email": "grace@example.com", "password": TEST_PASSWORD})
    assert page.location == "/your-case"
    # Not linked to a case yet, so "your case" asks for the case details.
    assert pages.follow(page, status=303).location == "/account/link-case"


def test_signing_up_twice_reveals_nothing_and_warns_the_owner(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="taken@example.com")
    db.commit()
    page = pages.post("create_account", {"email": "taken@example.com", "password": TEST_PASSWORD})
    assert page.location == "/create-account/check-email"
    assert [e.kind for e in outbox(db, "taken@example.com")] == ["account.exists"]
    assert (
        len(
            db.scalars(
                select(PortalAccount).where(PortalAccount.email == "taken@example.com")
            ).all()
        )
        == 1
    )


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"email": "", "password": ""}, ["Enter your email address", "Create a password"]),
        (
            {"email": "not-an-email", "password": TEST_PASSWORD},
            ["Enter an email address in the correct format, like name@example.com"],
        ),
        (
            {"email": "a@example.com", "password": "short"},
            ["Password must be 10 characters or more"],
        ),
        (
            {"email": "a@example.com", "password": "x" * 300},
            ["Password must be 256 characters or fewer"],
        ),
        (
            {"email": "a" * 400 + "@example.com", "password": TEST_PASSWORD},
            ["Email address must be 320 characters or fewer"],
        ),
    ],
)
def test_create_account_errors(
    db: Session, pages: Pages, data: dict[str, str], errors: list[str]
) -> None:
    page = pages.post("create_account", data, status=400)
    assert page.error_summary == errors
    assert db.scalar(select(PortalAccount.id)) is None


def test_a_common_password_is_refused_on_the_password_field(db: Session, pages: Pages) -> None:
    page = pages.post(
        "create_account", {"email": "a@example.com", "password": "password123"}, status=400
    )
    message = (
        "Password is too common. Choose one that would be hard to guess, such as three random "
        "words together"
    )
    assert page.error_summary == [message]
    assert page.select_one(".govuk-error-summary a")["href"] == "#password"
    assert page.select_one("#password-error").get_text(" ", strip=True) == f"Error: {message}"
    assert db.scalar(select(PortalAccount.id)) is None


def test_wrong_password_and_unknown_email_look_the_same(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="known@example.com")
    db.commit()
    for email in ("known@example.com", "unknown@example.com"):
        page = pages.post("sign_in", {"email": email, "password": "wrong password"}, status=400)
        assert page.error_summary == ["Enter a correct email address and password"]


def test_sign_in_is_throttled_per_account(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="target@example.com")
    db.commit()
    for _ in range(5):
        pages.post(
            "sign_in", {"email": "target@example.com", "password": "guess guess"}, status=400
        )
    page = pages.post(
        "sign_in", {"email": "target@example.com", "password": TEST_PASSWORD}, status=429
    )
    assert page.error_summary == ["Too many attempts. Wait 15 minutes and try again."]
    attempts = db.scalars(
        select(AuthAttempt).where(AuthAttempt.account_key == "target@example.com")
    ).all()
    assert len(attempts) == 5 and not any(a.succeeded for a in attempts)


def test_sign_in_is_throttled_per_client_address(db: Session, pages: Pages) -> None:
    for n in range(30):
        db.add(
            AuthAttempt(
                action="applicant_sign_in",
                account_key=f"x{n}@example.com",
                client_address="testclient",
                succeeded=False,
            )
        )
    make_portal_account(db, email="innocent@example.com")
    db.commit()
    page = pages.post(
        "sign_in", {"email": "innocent@example.com", "password": TEST_PASSWORD}, status=429
    )
    assert page.error_summary[0].startswith("Too many attempts.")


def test_password_reset_is_single_use_and_ends_other_sessions(db: Session, pages: Pages) -> None:
    account = make_portal_account(db, email="forgetful@example.com")
    db.commit()
    pages.post("sign_in", {"email": "forgetful@example.com", "password": TEST_PASSWORD})
    assert db.scalar(select(LoginSession.id).where(LoginSession.portal_account_id == account.id))

    for email in ("forgetful@example.com", "nobody@example.com"):
        page = pages.post("password_reset_request", {"email": email})
        assert page.location == "/forgotten-password/sent"
    assert outbox(db, "nobody@example.com") == []
    (email,) = outbox(db, "forgetful@example.com")
    link = link_in(email)

    form = pages.fetch(link)
    assert form.h1 == "Choose a new password"
    token = form.select_one('input[name="token"]')["value"]
    page = pages.post("password_reset", {"token": token, "password": "short"}, status=400)
    assert page.error_summary == ["Password must be 10 characters or more"]
    page = pages.post("password_reset", {"token": token, "password": NEW_PASSWORD})
    assert page.location == "/sign-in"
    assert "Your password has been changed" in pages.follow(page).text
    # every session of the account has ended, and the link cannot be used again
    assert (
        db.scalar(select(LoginSession.id).where(LoginSession.portal_account_id == account.id))
        is None
    )
    assert pages.fetch(link, status=400).h1 == "This link does not work"
    pages.post("sign_in", {"email": "forgetful@example.com", "password": TEST_PASSWORD}, status=400)
    assert (
        pages.post("sign_in", {"email": "forgetful@example.com", "password": NEW_PASSWORD}).location
        == "/your-case"
    )


def test_expired_and_forged_reset_links(db: Session, pages: Pages) -> None:
    from domain.tokens import password_fingerprint

    account = make_portal_account(db, email="late@example.com")
    db.commit()

    class TwoHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 7200

    old = URLSafeTimedSerializer(TEST_SECRET, salt="reset-password", signer=TwoHoursAgo).dumps(
        {"a": account.id, "p": password_fingerprint(account.password_hash)}
    )
    assert (
        pages.get("password_reset", params={"token": old}, status=400).h1 == "This link has expired"
    )
    forged = URLSafeTimedSerializer("another secret entirely", salt="reset-password").dumps(
        {"a": account.id, "p": "x"}
    )
    assert (
        pages.get("password_reset", params={"token": forged}, status=400).h1
        == "This link does not work"
    )
    page = pages.post("password_reset", {"token": forged, "password": NEW_PASSWORD}, status=400)
    assert page.h1 == "This link does not work"


def test_change_password(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="careful@example.com")
    db.commit()
    pages.post("sign_in", {"email": "careful@example.com", "password": TEST_PASSWORD})
    page = pages.post(
        "change_password",
        {"current_password": "wrong one!!", "new_password": NEW_PASSWORD},
        status=400,
    )
    assert page.error_summary == ["Your current password is not right"]
    page = pages.post(
        "change_password", {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert page.location == "/account"
    assert "Your password has been changed." in pages.follow(page).text


def test_sign_out_ends_the_session_even_for_a_copied_cookie(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="leaving@example.com")
    db.commit()
    pages.post("sign_in", {"email": "leaving@example.com", "password": TEST_PASSWORD})
    pages.get("account")
    copied = pages.client.cookies.get("hearth_session")
    page = pages.post("sign_out", {})
    assert page.location == "/signed-out"
    pages.client.cookies.set("hearth_session", copied)
    assert pages.get("account", status=303).location == "/sign-in?next=%2Faccount"


def test_session_ends_after_inactivity(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="idle@example.com")
    db.commit()
    pages.post("sign_in", {"email": "idle@example.com", "password": TEST_PASSWORD})
    pages.get("account")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61)
    db.execute(update(LoginSession).values(last_seen_at=long_ago))
    db.commit()
    assert pages.get("account", status=303).location.startswith("/sign-in")


def test_account_pages_need_sign_in(pages: Pages) -> None:
    for name in ("account", "change_password", "link_case", "your_case"):
        page = pages.get(name, status=303)
        assert page.location.startswith("/sign-in?next=")


def test_applicant_cannot_use_the_back_office(db: Session, pages: Pages) -> None:
    make_portal_account(db, email="curious@example.com")
    db.commit()
    pages.post("sign_in", {"email": "curious@example.com", "password": TEST_PASSWORD})
    assert pages.get("backoffice:home", status=303).location.startswith("/backoffice/sign-in")


def test_developer_mail_page_answers_only_this_machine(db: Session, pages: Pages, app) -> None:  # type: ignore[no-untyped-def]
    pages.post("create_account", {"email": "dev@example.com", "password": TEST_PASSWORD})
    # The test client is another machine ("testclient"): the page is not there for it.
    pages.get("dev_mail", status=404)
    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        page = Pages(local).get("dev_mail")
    assert "Confirm your email address" in page.text
    assert page.select_one(".hearth-mail__body a")["href"].startswith(
        "http://testserver/confirm-email?token="
    )


def test_developer_mail_page_does_not_exist_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hearth.app import build_routes
    from tests.web.test_route_table import walk

    names = {name for _, name, _ in walk(build_routes(embedded=False))}
    assert "dev_mail" not in names and "home" in names
