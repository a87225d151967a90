"""Sign-in journeys in a real browser, against real peers: npm's oidc-provider for officers, an
aiosmtpd mail server for applicants' emails. Every page of ours is checked by axe."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from sqlalchemy import select

from domain.models import User
from domain.vocab import Permission
from tests.browser.conftest import StartLive, visit_at
from tests.support.browser import DESKTOP, PHONE, free_port
from tests.support.factories import (
    TEST_PASSWORD,
    make_case,
    make_officer,
    make_person,
    make_portal_account,
)
from tests.support.oidc import (
    block_external,
    confirm_provider_logout,
    login_through_provider,
    oidc_provider,
)
from tests.support.smtp import smtp_server

CLIENT_ID = "hearth-backoffice"
CLIENT_SECRET = "a-client-secret-for-tests-only"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_officer_signs_in_and_out_through_the_councils_provider(
    browser, start_live: StartLive
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        oidc_provider(
            CLIENT_ID,
            CLIENT_SECRET,
            [f"{base}/backoffice/sign-in/callback"],
            [f"{base}/backoffice/signed-out"],
        ) as provider,
        start_live(
            port=port,
            OIDC_ISSUER=provider.issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
            OIDC_LABEL="your Northbridge account",
        ) as live,
    ):
        with live.sessions.begin() as session:
            make_officer(
                session,
                Permission.CASES,
                name="A Okafor",
                email="ada.okafor@northbridge.example",
                password=None,
            )
        for visit in visit_at(browser, live, DESKTOP):
            block_external(visit.page.context)
            page = visit.goto("/backoffice/")
            assert path_of(page.url) == "/backoffice/sign-in?next=%2Fbackoffice%2F"
            assert page.locator("input[type=password]").count() == 0  # no local passwords now
            visit.click(
                page.get_by_role("button", name="Sign in with your Northbridge account"),
                check=False,
            )
            assert page.url.startswith(provider.issuer)
            login_through_provider(page, "ada.okafor@northbridge.example")
            visit.check()
            assert path_of(page.url) == "/backoffice/"
            # the provider's name for the officer replaces ours
            assert page.locator(".hearth-officer-name").inner_text() == "Ada Okafor"

            visit.click(page.get_by_role("button", name="Sign out"), check=False)
            assert page.url.startswith(provider.issuer)  # signed out at the provider too
            confirm_provider_logout(page)
            visit.check()
            assert path_of(page.url) == "/backoffice/signed-out"
            visit.goto("/backoffice/")
            assert path_of(page.url).startswith("/backoffice/sign-in")


def test_someone_unknown_to_hearth_is_held_for_an_administrator(
    browser, start_live: StartLive
) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        oidc_provider(
            CLIENT_ID, CLIENT_SECRET, [f"{base}/backoffice/sign-in/callback"]
        ) as provider,
        start_live(
            port=port,
            OIDC_ISSUER=provider.issuer,
            OIDC_CLIENT_ID=CLIENT_ID,
            OIDC_CLIENT_SECRET=CLIENT_SECRET,
        ) as live,
    ):
        for visit in visit_at(browser, live, DESKTOP):
            block_external(visit.page.context)
            page = visit.goto("/backoffice/sign-in")
            visit.click(
                page.get_by_role("button", name="Sign in with your council account"), check=False
            )
            login_through_provider(page, "new.starter@northbridge.example")
            visit.check()
            assert page.locator("h1").inner_text() == "You do not have access yet"
        with live.sessions() as session:
            user = session.scalar(
                select(User).where(User.email == "new.starter@northbridge.example")
            )
            assert user is not None and user.active is False and user.name == "New Starter"


def test_applicant_signs_up_confirms_links_their_case_and_signs_out(
    browser, start_live: StartLive
) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as mail, start_live(SMTP_HOST=mail.host, SMTP_PORT=str(mail.port)) as live:
        with live.sessions.begin() as session:
            amira = make_person(session, "Amira", "Khan", born=dt.date(1988, 4, 2))
            yusuf = make_person(session, "Yusuf", "Khan", born=dt.date(2014, 9, 1), sex="M")
            reference = make_case(session, amira, [(yusuf, "Son")]).reference
        for visit in visit_at(browser, live, PHONE):
            page = visit.goto("/")
            visit.click(page.get_by_role("link", name="Sign in", exact=True))
            visit.click(page.get_by_role("link", name="create an account"))
            page.get_by_label("Email address").fill("amira.khan@example.com")
            page.get_by_label("Create a password").fill("short")
            visit.click(page.get_by_role("button", name="Create account"))
            assert (
                "Password must be 10 characters or more"
                in page.locator(".govuk-error-summary").inner_text()
            )
            page.get_by_label("Create a password").fill(TEST_PASSWORD)
            visit.click(page.get_by_role("button", name="Create account"))
            assert page.locator("h1").inner_text() == "Check your email"

            message = mail.wait_for(lambda m: m.to == ["amira.khan@example.com"])
            assert message.subject.startswith("Confirm your email address")
            (link,) = [u for u in mail.links(message) if "/confirm-email?token=" in u]
            visit.goto(path_of(link))
            assert page.locator("h1").inner_text() == "Email address confirmed"

            visit.click(page.get_by_role("button", name="Sign in"))
            page.get_by_label("Email address").fill("amira.khan@example.com")
            page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
            visit.click(page.get_by_role("button", name="Sign in"))
            assert page.locator("h1").inner_text() == "Find your housing case"

            page.get_by_label("Case reference").fill(reference)
            page.get_by_label("Day").fill("2")
            page.get_by_label("Month").fill("4")
            page.get_by_label("Year").fill("1988")
            visit.click(page.get_by_role("button", name="Continue"))
            assert page.locator("h1").inner_text() == "Your case"
            keys = page.locator(".govuk-summary-list__key").all_inner_texts()
            assert keys[:2] == ["Amira Khan", "Yusuf Khan"]
            visit.screenshot("portal-your-case-390")

            page.get_by_role("button", name="Menu").click()  # the phone-sized navigation is folded
            visit.click(page.get_by_role("button", name="Sign out"))
            assert page.locator("h1").inner_text() == "You have signed out"
            visit.goto("/your-case")
            assert path_of(page.url) == "/sign-in?next=%2Fyour-case"


def test_applicant_resets_a_forgotten_password(browser, start_live: StartLive) -> None:  # type: ignore[no-untyped-def]
    with smtp_server() as mail, start_live(SMTP_HOST=mail.host, SMTP_PORT=str(mail.port)) as live:
        with live.sessions.begin() as session:
            make_portal_account(session, email="forgetful@example.com")
        for visit in visit_at(browser, live, PHONE):
            page = visit.goto("/sign-in")
            visit.click(page.get_by_role("link", name="I have forgotten my password"))
            page.get_by_label("Email address").fill("forgetful@example.com")
            visit.click(page.get_by_role("button", name="Send the link"))
            assert page.locator("h1").inner_text() == "Check your email"
            message = mail.wait_for(lambda m: m.to == ["forgetful@example.com"])
            (link,) = [u for u in mail.links(message) if "/reset-password?token=" in u]
            visit.goto(path_of(link))
            page.get_by_label("New password").fill("my new long passphrase")
            visit.click(page.get_by_role("button", name="Save password"))
            assert (
                "Your password has been changed"
                in page.locator(".govuk-notification-banner").inner_text()
            )
            page.get_by_label("Email address").fill("forgetful@example.com")
            page.get_by_label("Password", exact=True).fill("my new long passphrase")
            visit.click(page.get_by_role("button", name="Sign in"))
            assert page.locator("h1").inner_text() == "Find your housing case"
            visit.goto(path_of(link))  # the link worked once only
            assert page.locator("h1").inner_text() == "This link does not work"


def test_applicant_signs_in_with_an_external_provider(browser, start_live: StartLive) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        oidc_provider(
            "hearth-portal", CLIENT_SECRET, [f"{base}/sign-in/external/callback"]
        ) as provider,
        start_live(
            port=port,
            APPLICANT_OIDC_ISSUER=provider.issuer,
            APPLICANT_OIDC_CLIENT_ID="hearth-portal",
            APPLICANT_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            APPLICANT_OIDC_LABEL="your ID account",
        ) as live,
    ):
        with live.sessions.begin() as session:
            existing = make_portal_account(session, email="grace.mensah@example.com")
            existing_id = existing.id
        for visit in visit_at(browser, live, PHONE):
            block_external(visit.page.context)
            page = visit.goto("/sign-in")
            visit.click(page.get_by_role("link", name="Sign in with your ID account"), check=False)
            login_through_provider(page, "grace.mensah@example.com")
            visit.check()
            assert path_of(page.url) == "/account/link-case"  # signed in, not linked yet
        from domain.models import PortalAccount

        with live.sessions() as session:
            account = session.get(PortalAccount, existing_id)
            assert account is not None and account.external_subject == "grace.mensah@example.com"
