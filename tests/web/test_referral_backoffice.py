"""The back office's referral pages: permission, the list, the workflow page with its blocked
reasons, case actions, the Primary outcome, emails to the referrer, and a 409 for a stale move."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import User
from domain.referrals import Referral
from domain.security import OutboxEmail
from domain.strands import Strand, open_strand
from domain.vocab import Permission
from tests.support.factories import make_case, make_referral
from tests.support.pages import Page, Pages

OUTCOME = "HS03 Found supported accommodation"


def strand_of(db: Session, referral: Referral) -> Strand:
    db.expire_all()
    strand = db.get(Strand, referral.strand_id)
    assert strand is not None
    return strand


def version_on(page: Page) -> str:
    return str(page.select_one('input[name="version"]')["value"])


def act(pages: Pages, strand_id: int, action: str, notes: str = "") -> Page:
    return pages.post(
        "backoffice:referral_action", {"action": action, "notes": notes}, strand_id=strand_id
    )


def move(pages: Pages, strand_id: int, to: str, *, status: int = 303, **extra: str) -> Page:
    page = pages.get("backoffice:referral", strand_id=strand_id)
    data = {"to_status": to, "version": version_on(page), **extra}
    return pages.post("backoffice:referral_move", data, strand_id=strand_id, status=status)


def test_referral_pages_need_the_cases_permission(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    db.commit()
    signed_out = pages.get("backoffice:referrals", status=303)
    assert signed_out.location == "/backoffice/sign-in?next=%2Fbackoffice%2Freferrals"
    sign_in_officer(Permission.PEOPLE)
    assert "Referrals" not in pages.get("backoffice:home").texts(".moj-primary-navigation__link")
    for name in ("backoffice:referral",):
        page = pages.get(name, strand_id=referral.strand_id, status=403)
        assert "You need the “Cases” permission" in page.text
    pages.get("backoffice:referrals", status=403)
    for name in ("backoffice:referral_action", "backoffice:referral_move"):
        pages.post(name, {"action": "update_referrer"}, strand_id=referral.strand_id, status=403)
    pages.post(
        "backoffice:referral_outcome",
        {"outcome": OUTCOME},
        strand_id=referral.strand_id,
        status=403,
    )


def test_the_list_shows_referrals_newest_first_with_their_status(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    newer = make_referral(db, first_name="Ben")
    older = make_referral(db, first_name="Ada", self_referral=True)
    # Sent in the other order from the one they were made in: the list goes by when they came.
    older.submitted_at = newer.submitted_at - dt.timedelta(hours=2)
    db.commit()
    sign_in_officer(Permission.CASES)
    page = pages.get("backoffice:referrals")
    assert "Referrals" in page.texts(".moj-primary-navigation__link[aria-current]")
    rows = page.select("tbody tr")
    assert [r["data-referral"] for r in rows] == [newer.reference, older.reference]
    first = [" ".join(td.get_text(" ").split()) for td in rows[0].select("td")]
    assert first[1].startswith("Ben Doyle") and "Not safe tonight" in first[1]
    assert first[2] == "Northbridge General Hospital"
    assert first[4] == "01 Referral Entered"
    assert [" ".join(td.get_text(" ").split()) for td in rows[1].select("td")][2] == (
        "Self-referral"
    )


def test_the_list_pages_through_older_referrals(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    from backoffice.referrals import PAGE_SIZE

    made = [make_referral(db, first_name=f"P{n}") for n in range(PAGE_SIZE + 1)]
    db.commit()
    sign_in_officer(Permission.CASES)
    page = pages.get("backoffice:referrals")
    rows = [r["data-referral"] for r in page.select("tbody tr")]
    assert rows == [r.reference for r in reversed(made[1:])]  # newest first, a page's worth
    older = page.select_one('a[href*="after="]')["href"]
    rest = pages.fetch(older)
    assert [r["data-referral"] for r in rest.select("tbody tr")] == [made[0].reference]
    assert not rest.select('a[href*="after="]')
    assert rest.select_one('a[href="/backoffice/referrals"]')  # back to the newest
    for odd in ("not-a-cursor", "²", "٣", "9" * 30):
        again = pages.get("backoffice:referrals", params={"after": odd})
        assert [r["data-referral"] for r in again.select("tbody tr")] == rows


def test_the_workflow_page_shows_blocked_moves_with_their_reasons(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    db.commit()
    sign_in_officer(Permission.CASES)
    page = pages.get("backoffice:referral", strand_id=referral.strand_id)
    assert page.h1 == f"Homeless referral {referral.reference}"
    assert page.select_one("#status").get_text() == "01 Referral Entered"
    assert page.select('form[action$="/move"]') == []  # nothing can move yet
    (blocked,) = page.select("#blocked-moves li")
    assert blocked["data-to"] == "02 Contact Client"
    assert "Record the “Update referrer” case action" in blocked.get_text()
    assert page.select_one(f'a[href="/backoffice/cases/{referral.strand.case_id}"]')
    assert "Northbridge General Hospital" in page.text and "Kieran Doyle" in page.text
    assert [i["value"] for i in page.select('input[name="action"]')] == ["update_referrer"]


def test_a_blocked_move_is_refused_with_the_reasons(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    db.commit()
    sign_in_officer(Permission.CASES)
    page = pages.post(
        "backoffice:referral_move",
        {"to_status": "02 Contact Client", "version": "1"},
        strand_id=referral.strand_id,
        status=400,
    )
    assert page.soup.title is not None and page.soup.title.get_text().startswith("Error: ")
    assert page.error_summary == [
        "Record the “Update referrer” case action to confirm the referral has been "
        "acknowledged (a self-referral does not need it)."
    ]
    page = pages.post(
        "backoffice:referral_move",
        {"to_status": "Closed", "version": "1"},
        strand_id=referral.strand_id,
        status=400,
    )
    assert page.error_summary == [
        "A Homeless referral cannot move from “01 Referral Entered” to “Closed”."
    ]
    page = pages.post(
        "backoffice:referral_move",
        {"to_status": "Housed"},
        strand_id=referral.strand_id,
        status=400,
    )
    assert page.error_summary == ["Reload the page and try again"]
    assert strand_of(db, referral).status == "01 Referral Entered"


def test_an_officer_takes_a_referral_to_closed_and_the_referrer_is_told(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    db.commit()
    sign_in_officer(Permission.CASES, name="Sam Whitfield")
    sid = referral.strand_id

    done = act(pages, sid, "update_referrer", "Rang the ward to say we have it")
    assert done.location == f"/backoffice/referrals/{sid}"
    page = pages.follow(done)
    assert (
        "“Update referrer” recorded. An update has been emailed to nia.adebayo@nhs.example."
        in page.text
    )
    timeline = page.texts(".moj-timeline__title")
    assert timeline[:2] == ["Update referrer", "Referral received"]
    assert "Rang the ward to say we have it" in page.text
    assert [e.kind for e in db.scalars(select(OutboxEmail))] == ["referral.update"]

    move(pages, sid, "02 Contact Client")
    page = pages.get("backoffice:referral", strand_id=sid)
    assert [i["value"] for i in page.select('input[name="action"]')] == [
        "update_referrer",
        "contact_attempt",
        "client_contacted",
    ]
    blocked = {li["data-to"]: li.get_text(" ") for li in page.select("#blocked-moves li")}
    assert set(blocked) == {"03 Triage", "98 Closure"}
    assert "Client contacted" in blocked["03 Triage"]
    assert "Contact attempt" in blocked["98 Closure"]

    act(pages, sid, "contact_attempt", "No answer")
    act(pages, sid, "client_contacted")
    # Once the person has been contacted, closing "without contact" is no longer offered.
    page = pages.get("backoffice:referral", strand_id=sid)
    offered = [i["value"] for i in page.select('form[action$="/move"] input[name="to_status"]')]
    assert offered == ["03 Triage"]
    blocked = {li["data-to"]: li.get_text(" ") for li in page.select("#blocked-moves li")}
    assert "The person has been contacted" in blocked["98 Closure"]
    move(pages, sid, "98 Closure", status=400)
    move(pages, sid, "03 Triage")
    page = pages.get("backoffice:referral", strand_id=sid)
    assert [
        f.select_one('input[name="to_status"]')["value"]
        for f in page.select('form[action$="/move"]')
    ] == [
        "04 IAG only",
        "05 HNA booked",
        "98 Closure",
    ]
    move(pages, sid, "05 HNA booked")
    move(pages, sid, "08 HNA completed")
    move(pages, sid, "98 Closure")

    page = pages.get("backoffice:referral", strand_id=sid)
    blocked = page.select_one("#blocked-moves li").get_text(" ")
    assert "Confirm closure" in blocked and "Choose the Primary outcome" in blocked
    wrong = pages.post(
        "backoffice:referral_outcome",
        {"outcome": "Housed", "version": version_on(page)},
        strand_id=sid,
        status=400,
    )
    assert wrong.error_summary == ["Choose the Primary outcome from the list"]
    chosen = pages.post(
        "backoffice:referral_outcome",
        {"outcome": OUTCOME, "version": version_on(page)},
        strand_id=sid,
    )
    saved = pages.follow(chosen)
    assert "Primary outcome saved." in saved.text
    assert saved.texts(".moj-timeline__title")[0] == f"Primary outcome set to {OUTCOME}"
    act(pages, sid, "confirm_closure")
    closed = move(pages, sid, "Closed")
    page = pages.follow(closed)
    assert "The outcome has been emailed to nia.adebayo@nhs.example." in page.text
    assert page.select_one("#status").get_text() == "Closed"
    assert page.select_one("#primary-outcome").get_text() == OUTCOME
    assert page.select('input[name="action"]') == []  # nothing to record on a closed referral

    strand = strand_of(db, referral)
    assert strand.is_open is False
    db.expire_all()
    assert db.get(Referral, referral.id).outcome == OUTCOME  # type: ignore[union-attr]
    kinds = [e.kind for e in db.scalars(select(OutboxEmail).order_by(OutboxEmail.id))]
    assert kinds == ["referral.update", "referral.closed"]

    # reopening needs a reason
    page = pages.get("backoffice:referral", strand_id=sid)
    assert page.select_one('form[action$="/move"] textarea[name="reason"]')
    refused = move(pages, sid, "03 Triage", status=400)
    assert refused.error_summary == ["Give the reason: why it is being reopened."]
    move(pages, sid, "03 Triage", reason="Closed in error")
    page = pages.get("backoffice:referral", strand_id=sid)
    assert page.select_one("#status").get_text() == "03 Triage"
    assert "Reason: Closed in error" in page.text
    # The referrer, told it had closed, is told it is open again.
    emails = list(db.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
    assert [e.kind for e in emails] == ["referral.update", "referral.closed", "referral.reopened"]
    assert emails[-1].to_address == "nia.adebayo@nhs.example"
    assert f"has reopened referral {referral.reference}" in emails[-1].body_text


def test_a_move_from_a_stale_page_is_a_409_that_says_who_moved_it(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db, self_referral=True)
    db.commit()
    sign_in_officer(Permission.CASES, name="Quinn Harper")
    sid = referral.strand_id
    stale = pages.get("backoffice:referral", strand_id=sid)
    version = version_on(stale)
    pages.post(
        "backoffice:referral_move",
        {"to_status": "02 Contact Client", "version": version},
        strand_id=sid,
    )
    clash = pages.post(
        "backoffice:referral_move",
        {"to_status": "02 Contact Client", "version": version},
        strand_id=sid,
        status=409,
    )
    # The page is shown again, as it is now, with what happened in the error summary.
    assert clash.h1 == referral.reference or referral.reference in clash.h1
    assert (
        f"{referral.reference} was already moved from “01 Referral Entered” to "
        "“02 Contact Client” by Quinn Harper at "
    ) in clash.text
    assert strand_of(db, referral).status == "02 Contact Client"
    assert strand_of(db, referral).version == int(version) + 1


def test_a_strand_that_is_not_a_referral_is_not_found(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    from domain.history import SYSTEM

    other = open_strand(db, SYSTEM, make_case(db), "health_assessment", on=dt.date(2026, 1, 1))
    db.commit()
    sign_in_officer(Permission.CASES)
    pages.get("backoffice:referral", strand_id=other.id, status=404)
    pages.get("backoffice:referral", strand_id=999999, status=404)
    pages.post(
        "backoffice:referral_move",
        {"to_status": "x", "version": "1"},
        strand_id=other.id,
        status=404,
    )


def test_bad_case_action_input_is_an_error_not_a_500(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    referral = make_referral(db)
    db.commit()
    sign_in_officer(Permission.CASES)
    sid = referral.strand_id
    page = pages.post("backoffice:referral_action", {}, strand_id=sid, status=400)
    assert page.error_summary == ["Choose the case action to record"]
    page = pages.post(
        "backoffice:referral_action", {"action": "client_contacted"}, strand_id=sid, status=400
    )
    assert page.error_summary == ["“Client contacted” can only be recorded at “02 Contact Client”."]
    page = pages.post(
        "backoffice:referral_action",
        {"action": "update_referrer", "notes": "x" * 2001},
        strand_id=sid,
        status=400,
    )
    assert page.error_summary == ["Notes must be 2000 characters or fewer"]
    for odd in ("²", "-1", "9" * 20):
        page = pages.post(
            "backoffice:referral_move",
            {"to_status": "02 Contact Client", "version": odd},
            strand_id=sid,
            status=400,
        )
        assert page.error_summary == ["Reload the page and try again"]
