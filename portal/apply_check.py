"""The application's "Check your answers" page, sending it, and the confirmation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from domain import applying, clock
from domain.clock import long_date
from domain.models import Case
from domain.strands import Strand
from domain.vocab import Sex
from portal import journeys
from portal.account import mailer
from portal.apply_journey import (
    APPLY,
    SECTIONS,
    SENT_KEY,
    _draft,
    _j,
    application_from,
    eligible,
    people_in,
)
from portal.referrals import Row
from web.context import Ctx
from web.views import applicant_view


def _date_text(value: Any) -> str:
    if isinstance(value, str) and value:
        return long_date(dt.date.fromisoformat(value))
    return ""


def _address_lines(values: Mapping[str, Any]) -> list[str]:
    lines = [str(values.get(k) or "") for k in ("line_1", "line_2", "town", "postcode")]
    return [line for line in lines if line]


def check_sections(answers: Mapping[str, Any], council: str) -> list[tuple[str, list[Row]]]:
    """What the check page lists, section by section (each row with the page that changes it)."""

    def get(key: str) -> str:
        value = answers.get(key)
        return str(value) if value else ""

    sexes = {s.value: s.label for s in Sex}
    members = [
        f"{m.get('first_name')} {m.get('last_name')}: {m.get('relationship')}, "
        f"born {_date_text(m.get('date_of_birth'))}"
        for m in answers.get("household") or []
    ]
    homes = [
        ", ".join(_address_lines(h)) + f" (moved there {_date_text(h.get('moved_in'))})"
        for h in answers.get("previous_addresses") or []
    ]
    names = dict(people_in(answers))
    medical = answers.get("medical") == "yes"
    eligibility = [
        Row("Aged 18 or over", ["Yes" if get("over_18") == "yes" else "No"], "age"),
        Row(
            "Right to live in the UK",
            [applying.immigration_words(get("immigration"))],
            "immigration",
        ),
        Row(
            f"Connection with {applying.area_of(council)}",
            [applying.connection_words(get("connection"), council)],
            "connection",
        ),
        Row(
            "Already on the register", ["Yes" if get("registered") == "yes" else "No"], "registered"
        ),
    ]
    you = [
        Row("Name", [f"{get('first_name')} {get('last_name')}"], "your-details"),
        Row("Date of birth", [_date_text(answers.get("date_of_birth"))], "your-details"),
        Row("Sex", [sexes.get(get("sex"), get("sex"))], "your-details"),
        Row("National Insurance number", [get("ni_number") or "Not given"], "your-details"),
    ]
    where = [
        Row(
            "Address",
            [*_address_lines(answers), f"Moved in {_date_text(answers.get('moved_in'))}"],
            "address",
        )
    ]
    if applying.needs_previous_addresses(
        dt.date.fromisoformat(answers["moved_in"]) if answers.get("moved_in") else None,
        clock.today(),
    ):
        where.append(Row("Previous addresses", homes or ["None given"], "previous-addresses"))
    contact = [
        Row("Email address", [get("email") or "Not given"], "contact"),
        Row("Phone number", [get("phone") or "Not given"], "contact"),
        Row("Preferred contact", [get("preferred_contact")], "contact"),
        Row(
            "Help to talk to us",
            (get("communication_needs") or "None").splitlines(),
            "preferences",
        ),
        Row(
            "Areas you would like",
            (get("preferred_areas") or "None given").splitlines(),
            "preferences",
        ),
    ]
    health = [Row("Medical condition or disability", ["Yes" if medical else "No"], "medical")]
    if medical:
        health += [
            Row(
                "Who",
                [names.get(str(i), "") for i in answers.get("medical_people") or []],
                "medical-details",
            ),
            Row(
                "How it affects where you can live",
                get("medical_details").splitlines(),
                "medical-details",
            ),
        ]
    return [
        (SECTIONS[0].title, eligibility),
        (SECTIONS[1].title, you),
        (SECTIONS[2].title, [Row("People", members or ["No one else"], "household")]),
        (SECTIONS[3].title, where),
        (SECTIONS[4].title, contact),
        (SECTIONS[5].title, health),
    ]


@applicant_view
def check(ctx: Ctx) -> Response:
    assert ctx.account is not None
    current = _draft(ctx)
    if current is None:
        if ctx.is_post and ctx.request.session.get(SENT_KEY):
            return ctx.redirect("apply_sent")  # sent already (a second click)
        return ctx.redirect("apply_start")
    answers = dict(current.answers)
    if not eligible(answers) or APPLY.first_incomplete(answers) is not None:
        return ctx.redirect("apply_tasks")
    council = ctx.settings.council_name
    if ctx.is_post:
        sent = ctx.attempt(
            applying.submit,
            ctx.account,
            current.id,
            application_from(answers, council),
            mailer=mailer(ctx),
            today=ctx.today,
        )
        if sent:
            ctx.request.session.pop(APPLY.draft_key, None)
            ctx.request.session[SENT_KEY] = sent.result.application.id
            return ctx.redirect("apply_sent")
    return ctx.render(
        "portal/apply/check.html",
        journey=_j(ctx),
        sections=check_sections(answers, council),
        change_url=lambda slug: journeys.step_url(ctx, APPLY, slug, change=True),
        back_url=ctx.url_for("apply_tasks"),
    )


@applicant_view
def sent(ctx: Ctx) -> Response:
    assert ctx.account is not None
    strand_id = ctx.request.session.get(SENT_KEY)
    strand = ctx.db.get(Strand, strand_id) if isinstance(strand_id, int) else None
    case = ctx.db.get(Case, strand.case_id) if strand is not None else None
    mine = (
        case is not None
        and ctx.account.person_id is not None
        and any(cp.person_id == ctx.account.person_id for cp in case.people)
    )
    if strand is None or case is None or not mine:
        return ctx.redirect("apply_start")
    return ctx.render("portal/apply/sent.html", journey=APPLY, application=strand, case=case)


__all__ = ["check", "check_sections", "sent"]
