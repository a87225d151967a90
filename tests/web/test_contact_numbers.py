"""Wherever the portal tells someone to call the council, it gives the number: the housing
options team's (COUNCIL_PHONE) with its hours, the out-of-hours emergency line
(COUNCIL_OUT_OF_HOURS_PHONE), and where someone may have nowhere safe to stay tonight, the
National Domestic Abuse Helpline and 999 too."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.security import OutboxEmail
from tests.support.pages import Page, Pages
from tests.web.test_referral_journey import REFERRER_ANSWERS, SELF_ANSWERS, answer_all

COUNCIL = "01632 960123"
OUT_OF_HOURS = "01632 960987"
HELPLINE = "0808 2000 247"


@pytest.fixture
def settings(test_database, tmp_path):  # type: ignore[no-untyped-def]
    from tests.conftest import make_settings

    return make_settings(
        test_database.url,
        tmp_path,
        BASE_URL="http://testserver",
        COUNCIL_PHONE=COUNCIL,
        COUNCIL_OUT_OF_HOURS_PHONE=OUT_OF_HOURS,
    )


def numbers_on(page: Page) -> set[str]:
    """The numbers a phone can call from the page (its tel: links), as shown."""
    return {
        link.get_text(strip=True)
        for link in page.select("main a[href^='tel:']")
        if link["href"] == "tel:" + link.get_text(strip=True).replace(" ", "")
    }


EVERY_NUMBER = {COUNCIL, OUT_OF_HOURS, HELPLINE, "999"}


def test_the_home_page_gives_every_number_for_help_today(pages: Pages) -> None:
    page = pages.get("home")
    assert numbers_on(page) == EVERY_NUMBER
    assert "Monday to Friday, 9am to 5pm" in page.text
    assert "National Domestic Abuse Helpline" in page.text


@pytest.mark.parametrize("route", ["referral_start", "self_referral_start"])
def test_both_referral_start_pages_give_every_number(pages: Pages, route: str) -> None:
    assert numbers_on(pages.get(route)) == EVERY_NUMBER


@pytest.mark.parametrize(
    ("answers", "route", "heading"),
    [
        (REFERRER_ANSWERS, "referral_step", "Get the person help tonight"),
        (SELF_ANSWERS, "self_referral_step", "Get help tonight"),
    ],
)
def test_not_safe_tonight_shows_every_number_to_call_now(
    pages: Pages, answers: list[tuple[str, dict[str, str]]], route: str, heading: str
) -> None:
    steps = [step for step, _ in answers]
    answer_all(pages, answers, route, upto=steps.index("safe-tonight"))
    page = pages.get(route, step="safe-tonight")
    # The question's hint gives the council's numbers before anything is chosen ...
    hint = page.select_one("#safe_tonight-hint").get_text(" ", strip=True)
    assert COUNCIL in hint and OUT_OF_HOURS in hint and "999" in hint

    # ... and "No" leads to a page with every number to call now, then the next question.
    answered = pages.post(route, {"safe_tonight": "no"}, step="safe-tonight")
    assert answered.location == pages.url(route, step="help-tonight")
    help_page = pages.follow(answered)
    assert help_page.h1 == heading
    assert numbers_on(help_page) == EVERY_NUMBER
    assert "National Domestic Abuse Helpline" in help_page.text
    assert "Monday to Friday, 9am to 5pm" in help_page.text
    onwards = pages.post(route, {}, step="help-tonight")
    assert onwards.location == pages.url(route, step="reason")
    assert pages.follow(onwards).select_one(".govuk-back-link")["href"] == pages.url(
        route, step="help-tonight"
    )


def test_changing_the_answer_to_no_from_the_check_page_shows_the_numbers(pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS)  # "Not known"
    changing = "?change=1"
    changed = pages.submit(
        pages.url("referral_step", step="safe-tonight") + changing, {"safe_tonight": "no"}
    )
    assert changed.location == pages.url("referral_step", step="help-tonight") + changing
    assert numbers_on(pages.follow(changed)) == EVERY_NUMBER
    back = pages.submit(pages.url("referral_step", step="help-tonight") + changing, {})
    assert back.location == pages.url("referral_check")


def test_the_referrers_no_consent_page_gives_the_number_and_the_way_to_ask_online(
    pages: Pages,
) -> None:
    page = pages.post(
        "referral_step",
        {"consent_to_referral": "yes", "consent_to_share": "no"},
        step="consent",
    )
    page = pages.follow(page)
    assert page.h1 == "You cannot send this referral without the person's consent"
    assert {COUNCIL, OUT_OF_HOURS, "999"} <= numbers_on(page)
    assert "Monday to Friday, 9am to 5pm" in page.text
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["http://testserver/refer-yourself"] == "/refer-yourself"


def test_the_self_referral_no_consent_page_gives_the_number_and_online_help(
    pages: Pages,
) -> None:
    page = pages.follow(
        pages.post("self_referral_step", {"consent_to_referral": "no"}, step="consent")
    )
    assert page.h1 == "We need your agreement to help you online"
    assert {COUNCIL, OUT_OF_HOURS, "999"} <= numbers_on(page)
    hrefs = {a["href"] for a in page.select("main a")}
    assert "/refer-yourself" in hrefs
    assert any("shelter.org.uk" in href for href in hrefs)


def test_the_confirmation_and_the_receipt_email_give_the_numbers(db: Session, pages: Pages) -> None:
    answer_all(pages, SELF_ANSWERS, "self_referral_step")
    sent = pages.follow(pages.post("self_referral_check", {}))
    assert sent.h1 == "Request sent"
    assert numbers_on(sent) == EVERY_NUMBER

    db.expire_all()
    receipt = db.scalar(select(OutboxEmail).where(OutboxEmail.kind == "referral.receipt"))
    assert receipt is not None
    body = receipt.body_text
    assert f"call the council's housing options team on {COUNCIL}" in body
    assert OUT_OF_HOURS in body and HELPLINE in body and "call 999" in body


def test_a_referrers_receipt_email_gives_the_numbers(db: Session, pages: Pages) -> None:
    answer_all(pages, REFERRER_ANSWERS)
    pages.post("referral_check", {})
    db.expire_all()
    receipt = db.scalar(select(OutboxEmail).where(OutboxEmail.kind == "referral.receipt"))
    assert receipt is not None and receipt.to_address == "dev.ramsay@justice.example"
    body = receipt.body_text
    assert (
        "If the person has nowhere safe to stay tonight, call the council's housing options "
        f"team on {COUNCIL} (Monday to Friday, 9am to 5pm) now"
    ) in body
    assert OUT_OF_HOURS in body and HELPLINE in body
    assert f"To talk about the referral, call the council's housing options team on {COUNCIL}" in (
        body
    )


@pytest.mark.parametrize("route", ["accessibility", "referral_status"])
def test_other_pages_that_say_call_the_council_give_its_number(pages: Pages, route: str) -> None:
    page = pages.get(route, status=None)
    assert "call the council's housing options team" in page.text
    assert COUNCIL in numbers_on(page)


def test_the_portals_error_page_gives_the_number(app) -> None:  # type: ignore[no-untyped-def]
    """A 500 cannot be caused on purpose, so the page is drawn as the error handler draws it."""
    from bs4 import BeautifulSoup

    template = app.state.hearth.templates.env.get_template("errors/portal.html")
    context = {
        "status": 500,
        "title": "Sorry, there is a problem with the service",
        "detail": None,
        "area": "portal",
        "csrf_token": "",
        "current_user": None,
        "current_account": None,
        "current_path": "/",
        "url_for": lambda name, **kw: "/",
        "error_list": [],
    }
    page = Page(None, BeautifulSoup(template.render(context), "html.parser"))
    assert "If the problem continues, call the council's housing options team" in page.text
    assert numbers_on(page) == {COUNCIL}
