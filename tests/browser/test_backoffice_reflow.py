"""Every back-office page reflows (WCAG 1.4.10). At 320 CSS px (a 1280 px screen at 400% zoom),
390 px (a phone), 768 px (a laptop at 175%) and 1366 px: the page never scrolls sideways, the
header, primary navigation and footer span the whole width, headers and labels wrap between
words (never inside one), and axe (WCAG 2.2 AA) passes. A wide data table may scroll sideways
inside its own focusable region (templates/components/tables.html).

The pages come from the route table, so a new back-office GET route is visited (or must be
listed in NOT_PAGES with a reason). The server runs once, seeded with the demo council, and each
width gets one browser context. Full-page screenshots of the busiest pages go to test-results/.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import case_export, case_list, evidence_requests, exports, files, letters, lists, notes
from domain.history import Actor
from domain.message_templates import MessageTemplate
from domain.models import Case, CasePerson, Team
from domain.pending import PendingChange
from domain.referrals.model import Referral
from domain.storage import FileStore
from domain.strands import Strand, council_types
from domain.tasks import Task
from domain.vocab import Permission
from hearth.app import build_routes
from hearth.demo import seed_demo
from tests.browser.conftest import Live
from tests.support.browser import Visit, new_visit
from tests.support.factories import TEST_PASSWORD, make_officer
from tests.unit.test_strand_types import TENANCY
from tests.web.test_letters import OFFER as WORD
from tests.web.test_route_table import walk
from web.storage import store_for

WIDTHS = (320, 390, 768, 1366)  # 390: the phone the portal is tested on
HEIGHT = 900
# Full-page screenshots (test-results/reflow-<page>-<width>.png) of the busiest pages.
SCREENSHOTS = {
    "backoffice:queue": "queue",
    "backoffice:review": "review",
    "backoffice:case_people": "case-people",
    "backoffice:referral": "referral",
    "backoffice:person": "person",
}

# Back-office GET routes that are not pages to look at.
NOT_PAGES = {
    "backoffice:oidc_start": "redirects to the council's identity provider (not configured here)",
    "backoffice:oidc_callback": "the identity provider's redirect back; no page of its own",
    "backoffice:evidence_file": "a file download",
    "backoffice:admin_letter_template_file": "a file download (the template's Word document)",
    "backoffice:export_download": "a file download (a list's spreadsheet)",
    "backoffice:case_export_download": "a file download (a case's zip)",
}
# Pages seen before signing in (signed in, the sign-in page redirects home).
SIGNED_OUT = ("backoffice:sign_in", "backoffice:signed_out")
# More states of some pages, whose layout differs from the plain URL's.
VARIANTS = {
    # The send page with a template and a recipient chosen: the merged message to check.
    "backoffice:message_new": [
        "/backoffice/cases/{case_id}/messages/new?template={template_id}&recipient={person_id}"
    ],
    "backoffice:admin_message_template_preview": [
        "/backoffice/admin/message-templates/{template_id}/preview?case=HC-{case_id}"
    ],
    "backoffice:case": ["/backoffice/cases/{case_id}?closed=1"],
    # A saved list of many columns (the table scrolls inside its region).
    "backoffice:case_list": ["/backoffice/lists/cases?view={list_id}"],
    "backoffice:people": ["/backoffice/people?q=HC-{case_id}"],
    "backoffice:case_people": ["/backoffice/cases/{case_with_leavers_id}/people?past=1"],
    "backoffice:case_switch_primary": [
        "/backoffice/cases/{case_id}/people/switch-primary?person={other_person_id}"
    ],
}
# The page furniture that must span the viewport exactly (the primary navigation is only there
# for a signed-in officer, and not on error pages).
FULL_WIDTH = {
    "header": "header.moj-header",
    "primary navigation": "div.moj-primary-navigation",
    "footer": "footer.govuk-footer",
}
OPTIONAL = {"primary navigation"}
# Text that must wrap between words, never inside one.
WHOLE_WORDS = (
    "th, .govuk-summary-list__key, .govuk-label, .govuk-fieldset__legend, "
    ".moj-sub-navigation__link, .moj-primary-navigation__link, .moj-header__link, "
    ".govuk-button, .govuk-tag, .moj-badge"
)

MEASURE = """
([fullWidth, wholeWords]) => {
  const root = document.documentElement;
  const viewport = root.clientWidth;  // (the same as innerWidth when no scroll bar takes room)
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  const scrolls = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  // Where the page starts to overflow: elements sticking out whose parent does not, outside any
  // scrolling region; failing that, positioned elements, which can escape a scrolling region.
  const culprits = [], escapees = [];
  if (root.scrollWidth > viewport) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (!box.width || box.right <= viewport + 0.5) continue;
      const line = `${describe(el)} (right edge at ${Math.round(box.right)} px)`;
      if (el.parentElement.getBoundingClientRect().right <= viewport + 0.5 && !scrolls(el)) {
        culprits.push(line);
      } else if (["absolute", "fixed"].includes(getComputedStyle(el).position)) {
        escapees.push(line);
      }
    }
  }
  const furniture = {};
  for (const [name, selector] of Object.entries(fullWidth)) {
    const el = document.querySelector(selector);
    if (el) {
      const box = el.getBoundingClientRect();
      furniture[name] = {left: box.left, width: box.width};
    }
  }
  const broken = [];
  for (const el of document.querySelectorAll(wholeWords)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s\\-\u2010]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
          .map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(`"${word[0]}" in ${describe(el)}`);
      }
    }
  }
  return {
    viewport: Math.min(viewport, window.innerWidth),
    scrollWidth: root.scrollWidth,
    culprits: (culprits.length ? culprits : escapees).slice(0, 5),
    furniture,
    broken: [...new Set(broken)].slice(0, 5),
  };
}
"""


def back_office_pages() -> list[tuple[str, str]]:
    """(route name, path with {parameters}) of every back-office GET page."""
    return [
        (name, path)
        for path, name, route in walk(build_routes())
        if path.startswith("/backoffice")
        and "GET" in (route.methods or ())
        and name not in NOT_PAGES
    ]


def seed(db: Session, store: FileStore) -> tuple[str, dict[str, Any]]:
    """The demo council plus an officer with every permission; returns the officer's email and
    ids for the path parameters, picking the records that make the fullest pages."""
    seed_demo(db, store=store)
    officer = make_officer(db, *Permission, name="Reflow Officer")
    busiest_case, case_with_leavers = (
        db.scalars(
            select(CasePerson.case_id)
            .group_by(CasePerson.case_id)
            .having(func.count(CasePerson.date_left) >= least_gone)
            .order_by(func.count().desc(), CasePerson.case_id)
            .limit(1)
        ).one()
        for least_gone in (0, 1)
    )
    others = db.scalars(
        select(CasePerson.person_id).where(
            CasePerson.case_id == busiest_case,
            CasePerson.is_primary.is_(False),
            CasePerson.date_left.is_(None),
        )
    ).all()
    change = db.scalars(
        select(PendingChange.id).where(PendingChange.status == "pending").order_by(PendingChange.id)
    ).first()
    referral = db.scalars(
        select(Referral.strand_id)
        .where(Referral.is_self_referral.is_(False))
        .order_by(func.length(Referral.org_name).desc(), Referral.id)
    ).first()
    primary = db.scalars(
        select(CasePerson.person_id).where(
            CasePerson.case_id == busiest_case, CasePerson.is_primary.is_(True)
        )
    ).first()
    team = db.scalars(select(Team.id).order_by(Team.id)).first()
    # The strand pages of the busiest case: its Housing Register application (the fullest).
    case_strand = db.scalars(
        select(Strand.id)
        .where(Strand.case_id == busiest_case)
        .order_by((Strand.type_code == "housing_register").desc(), Strand.id)
    ).first()
    council_types.save(db, Actor.officer(officer), TENANCY)  # a council's own type to edit
    # A note and an alert on the busiest case, for their pages (the demo's are elsewhere).
    on_case = notes.About(case=db.get(Case, busiest_case))
    note = notes.add_note(
        db, Actor.officer(officer), officer, on_case, category="Visit", text="Home visit: " * 40
    )
    alert = notes.add_alert(
        db,
        Actor.officer(officer),
        officer,
        on_case,
        alert_type="Risk to staff: do not visit alone",
        text="Dog on the premises; visit in pairs",
        date_from=None,
        date_until=None,
        today=dt.date.today(),
    )
    # A file with a long name on the busiest case, for the Files tab and its remove page.
    (upload,) = files.upload_to_case(
        db,
        store,
        Actor.officer(officer),
        officer,
        db.get(Case, busiest_case),
        [files.Upload.of("scan_of_the_tenancy_agreement_and_notice_to_quit_2026.pdf", b"%PDF-1.4")],
        category="Notice to quit or eviction",
        description="Handed in at the civic centre " * 5,
        person_id=primary,
        strand_id=None,
        max_bytes=10**6,
    )
    letter = letters.save_template(
        db,
        store,
        Actor.officer(officer),
        officer,
        template=None,
        name="Offer of accommodation",
        description="When a nomination is accepted",
        upload=files.Upload.of("offer.docx", WORD),
    )
    wide = case_list.ListSpec(
        columns=tuple(list(case_list.case_columns())[:12]),
        filters=(case_list.Filter("status", "equals", "Active"),),
        sort="applicant",
    )
    saved_list = lists.save_view(
        db,
        Actor.officer(officer),
        officer,
        wide,
        name="Every detail",
        shared=False,
        make_default=False,
    )
    export = exports.request_list_export(
        db, Actor.officer(officer), officer, wide, name="Every detail", today=dt.date.today()
    )
    case_export.request(  # the case's Export tab lists one, being made
        db, Actor.officer(officer), officer, db.get_one(Case, busiest_case), exports.CASE
    )
    asked = evidence_requests.ask(  # evidence asked for on the Housing Register application
        db,
        Actor.officer(officer),
        officer,
        db.get_one(Case, busiest_case),
        what="Bank statements for every account held by anyone in the household, last 3 months",
        why="To check the household's savings are under the limit in the allocation scheme. " * 3,
        due_date=dt.date.today() + dt.timedelta(days=14),
        strand=db.get(Strand, case_strand),
        person_id=primary,
        today=dt.date.today(),
    )
    assert others and change and referral and team and primary and case_strand, (
        "the demo data has changed shape"
    )
    ids = {
        "case_id": busiest_case,
        "case_with_leavers_id": case_with_leavers,
        "other_person_id": others[0],
        "person_id": primary,
        "change_id": change,
        "strand_id": referral,
        "user_id": officer.id,
        "team_id": team,
        "case_strand_id": case_strand,
        "type_code": "health_assessment",
        "code": "tenancy_sustainment",
        "note_id": note.id,
        "alert_id": alert.id,
        "file_id": upload.id,
        "letter_template_id": letter.id,
        "list_id": saved_list.id,
        "export_id": export.id,
        "request_id": asked.id,
        "task_id": db.scalars(select(Task.id).order_by(Task.id)).first(),
        # The demo's email template (its text message one is shorter).
        "template_id": db.scalars(
            select(MessageTemplate.id).where(MessageTemplate.channel == "email")
        ).first(),
    }
    return officer.email, ids


def fill(path: str, ids: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "strand_id" and "/applications/" in path:
            name = "case_strand_id"  # a strand on the case the path names
        if name == "template_id" and "/letter-templates/" in path:
            name = "letter_template_id"
        assert name in ids, f"no seeded record for the path parameter {{{name}}} in {path}"
        return str(ids[name])

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def problems_with(visit: Visit, label: str) -> list[str]:
    """What is wrong with the page now shown, each line naming the page and width."""
    found = []
    # Open every <details> (e.g. the history's before-and-after tables) to check what is in it.
    visit.page.evaluate("() => document.querySelectorAll('details').forEach((d) => d.open = true)")
    try:
        visit.check()
    except AssertionError as axe:
        found.append(f"{label}: axe: {axe}")
    m: dict[str, Any] = visit.page.evaluate(MEASURE, [FULL_WIDTH, WHOLE_WORDS])
    viewport, page_width = m["viewport"], m["scrollWidth"]
    short = []
    for name, selector in FULL_WIDTH.items():
        box = m["furniture"].get(name)
        if box is None:
            if name not in OPTIONAL:
                found.append(f"{label}: there is no {name} ({selector})")
        elif (
            abs(box["left"]) > 0.5
            or abs(box["left"] + box["width"] - max(viewport, page_width)) > 0.5
        ):
            short.append(f"the {name} spans {box['left']:.0f}–{box['left'] + box['width']:.0f} px")
    if page_width > viewport:
        found.append(
            f"{label}: the page is {page_width} px wide, so it scrolls sideways; sticking out: "
            f"{', '.join(m['culprits']) or 'nothing measurable'}; {', '.join(short)}"
        )
    elif short:
        found.append(f"{label}: {', '.join(short)} of the {viewport} px viewport")
    if m["broken"]:
        found.append(f"{label}: words broken across lines: {', '.join(m['broken'])}")
    return found


@pytest.mark.layout_only
def test_every_back_office_page_reflows_from_320_to_1366_px(browser, live: Live) -> None:  # type: ignore[no-untyped-def]
    with live.sessions.begin() as db:
        email, ids = seed(db, store_for(live.settings))
    pages = back_office_pages()
    assert len(pages) > 15, pages

    problems: list[str] = []
    for width in WIDTHS:
        visit, context = new_visit(browser, live.base_url, {"width": width, "height": HEIGHT})
        try:
            for name in SIGNED_OUT:
                path = dict(pages)[name]
                visit.goto(path, check=False)
                problems += problems_with(visit, f"{name} {path} at {width} px (signed out)")
            page = visit.goto("/backoffice/sign-in", check=False)
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
            visit.click(page.get_by_role("button", name="Sign in"), check=False)
            assert page.url == live.url("/backoffice/"), f"signing in failed at {width} px"

            for name, template in pages:
                if name in SIGNED_OUT:
                    continue
                for url in [fill(t, ids) for t in [template, *VARIANTS.get(name, [])]]:
                    response = visit.page.goto(live.url(url))
                    label = f"{name} {url} at {width} px"
                    assert response is not None and response.ok, f"{label}: {response}"
                    problems += problems_with(visit, label)
                    if name in SCREENSHOTS and "?" not in url:
                        visit.screenshot(f"reflow-{SCREENSHOTS[name]}-{width}")
            visit.goto("/backoffice/cases/999999999", check=False)  # the error page
            problems += problems_with(visit, f"the 404 page at {width} px")
            visit.finish()
        finally:
            context.close()

    assert not problems, f"{len(problems)} reflow problems:\n" + "\n".join(problems)
