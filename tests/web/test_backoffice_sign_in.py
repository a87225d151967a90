"""Local officer sign-in (the embedded default) and the back-office layout."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.vocab import Permission
from tests.support.factories import TEST_PASSWORD, make_officer
from tests.support.pages import Pages


def test_back_office_needs_sign_in_and_returns_to_the_page_asked_for(pages: Pages) -> None:
    page = pages.get("backoffice:home", status=303)
    assert page.location == "/backoffice/sign-in?next=%2Fbackoffice%2F"


def test_sign_in_with_a_local_account_shows_the_officer_in_the_header(
    db: Session, pages: Pages
) -> None:
    user = make_officer(db, Permission.CASES, name="Sam Whitfield")
    db.commit()
    page = pages.post(
        "backoffice:sign_in", {"email": user.email.upper(), "password": TEST_PASSWORD}
    )
    home = pages.follow(page)
    assert home.h1 == "Home"
    assert home.select_one(".hearth-officer-name").get_text(strip=True) == "Sam Whitfield"
    navigation = [a.get_text(strip=True) for a in home.select(".moj-primary-navigation__link")]
    assert navigation[:3] == ["Home", "My work", "Cases"]
    assert "Admin" not in navigation and "Review queue" not in navigation
    assert "Cases" in home.texts(".govuk-list li")


def test_sign_in_follows_a_local_next_but_not_another_site(db: Session, pages: Pages) -> None:
    user = make_officer(db)
    db.commit()
    creds = {"email": user.email, "password": TEST_PASSWORD}
    page = pages.submit("/backoffice/sign-in?next=//evil.example/steal", creds)
    assert page.location == "/backoffice/"
    pages.post("backoffice:sign_out", {})
    page = pages.submit("/backoffice/sign-in?next=/backoffice/?tab=1", creds)
    assert page.location == "/backoffice/?tab=1"


def test_wrong_password_or_unknown_email_get_the_same_message(db: Session, pages: Pages) -> None:
    user = make_officer(db)
    db.commit()
    for email, password in ((user.email, "not the password"), ("nobody@council.example", "x" * 12)):
        page = pages.post("backoffice:sign_in", {"email": email, "password": password}, status=400)
        assert page.error_summary == ["Enter a correct email address and password"]
        assert page.select_one("title").get_text().startswith("Error: Sign in")
        assert page.select_one("#email")["value"] == email  # what they typed is kept


def test_empty_sign_in_form_says_what_is_missing(pages: Pages) -> None:
    page = pages.post("backoffice:sign_in", {"email": "", "password": ""}, status=400)
    assert page.error_summary == ["Enter your work email address", "Enter your password"]
    assert [a["href"] for a in page.select(".govuk-error-summary__list a")] == [
        "#email",
        "#password",
    ]


def test_inactive_officer_cannot_sign_in_and_is_signed_out(db: Session, pages: Pages) -> None:
    user = make_officer(db)
    db.commit()
    pages.post("backoffice:sign_in", {"email": user.email, "password": TEST_PASSWORD})
    pages.get("backoffice:home")
    db.refresh(user)  # signing in stamped last_sign_in_at, a new version of the record
    user.active = False
    db.commit()
    assert pages.get("backoffice:home", status=303).location.startswith("/backoffice/sign-in")
    page = pages.post(
        "backoffice:sign_in", {"email": user.email, "password": TEST_PASSWORD}, status=400
    )
    assert page.error_summary == ["Enter a correct email address and password"]


def test_sign_out_ends_the_session(db: Session, pages: Pages) -> None:
    user = make_officer(db)
    db.commit()
    pages.post("backoffice:sign_in", {"email": user.email, "password": TEST_PASSWORD})
    pages.get("backoffice:home")
    page = pages.post("backoffice:sign_out", {})
    assert page.location == "/backoffice/signed-out"
    assert pages.get("backoffice:home", status=303).location.startswith("/backoffice/sign-in")
