"""The referral journeys (no account needed) and the referrer's progress page.

Two journeys share the pages: a public body referring someone (`/refer/…`) and a person
referring themselves (`/refer-yourself/…`, the same core questions in plain words, with no
referrer section). One question, or one small group, per page; answers are kept between pages in
a server-side draft named in the session; a check-your-answers page with "Change" links; a
confirmation with the reference. Sending is throttled per client address, and a second "Send"
of the same referral shows the first one's confirmation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from starlette.responses import Response
from wtforms import Form

from domain import referrals
from domain.clock import long_date
from domain.referrals import (
    HouseholdMember,
    ReferralSubmission,
    organisation_label,
    safe_tonight_label,
    situation_label,
)
from domain.tokens import LinkExpired, LinkInvalid
from portal import journeys
from portal import referral_forms as forms
from portal.account import mailer
from portal.journeys import Journey, Step
from web.context import Ctx
from web.parsing import parse_index
from web.views import portal_view


@dataclass(frozen=True)
class ReferralJourney(Journey):
    self_referral: bool = False


def _form(build: Callable[[bool], type[Form]]) -> Callable[[Journey], type[Form]]:
    return lambda journey: build(_is_self(journey))


def _fixed(form: type[Form]) -> Callable[[Journey], type[Form]]:
    return lambda journey: form


def _heading(for_referrer: str, for_self: str) -> Callable[[Journey], str]:
    return lambda journey: for_self if _is_self(journey) else for_referrer


def _is_self(journey: Journey) -> bool:
    return isinstance(journey, ReferralJourney) and journey.self_referral


def _referrer_only(journey: Journey) -> bool:
    return not _is_self(journey)


HELP_SEEN = "help_tonight_seen"  # shown again whenever "safe tonight" is answered anew
STEPS: tuple[Step, ...] = (
    Step(
        "consent", _form(forms.consent_form), _heading("The person's consent", "Before you start")
    ),
    Step(
        "organisation",
        _fixed(forms.OrganisationForm),
        _heading("Your organisation", ""),
        for_journey=_referrer_only,
    ),
    Step(
        "your-details",
        _fixed(forms.ReferrerForm),
        _heading("Your details", ""),
        for_journey=_referrer_only,
    ),
    Step(
        "person", _form(forms.person_form), _heading("The person you are referring", "Your details")
    ),
    Step(
        "contact",
        _form(forms.contact_form),
        _heading("How to contact them", "How can we contact you?"),
    ),
    Step(
        "address",
        _form(forms.address_form),
        _heading("Where is the person living now?", "Where are you living now?"),
    ),
    Step(
        "home-address",
        _form(forms.home_address_form),
        _heading("What is their address?", "What is your address?"),
        when=lambda answers: answers.get("housing_situation") == "address",
        filled=("address_line_1", "town", "postcode"),
    ),
    Step(
        "safe-tonight",
        _form(forms.safe_tonight_form),
        _heading(
            "Does the person have somewhere safe to stay tonight?",
            "Do you have somewhere safe to stay tonight?",
        ),
    ),
    # Answering "No" leads to every number to call now, before the rest of the questions.
    Step(
        "help-tonight",
        _fixed(forms.NothingToAnswer),
        _heading("Get the person help tonight", "Get help tonight"),
        when=lambda answers: answers.get("safe_tonight") == "no",
        done_when=(HELP_SEEN,),
        filled=(HELP_SEEN,),
    ),
    Step(
        "reason",
        _form(forms.reason_form),
        _heading(
            "Why is the person homeless or at risk of homelessness?",
            "Why do you need help with housing?",
        ),
    ),
    Step(
        "leaving-date",
        _form(forms.leaving_date_form),
        _heading(
            "When do they leave your care or custody?",
            "Do you have to leave where you are staying by a certain date?",
        ),
    ),
    Step(
        "household",
        _form(forms.household_form),
        _heading("People who need housing with them", "People who need housing with you"),
        done_when=("household_complete",),
    ),
    Step(
        "household-member",
        _form(forms.member_form),
        _heading("Add a household member", "Add someone who needs housing with you"),
        in_sequence=False,
    ),
    Step(
        "support",
        _form(forms.support_form),
        _heading("Do they have any support needs?", "Do you need support?"),
    ),
)
# Pages reached from another page, and that page (for "Back").
PARENTS = {"household-member": "household", "home-address": "address"}
TEMPLATES = "portal/referral"

REFERRER = ReferralJourney("referrer", "referral", "Refer someone", TEMPLATES, STEPS)
SELF = ReferralJourney(
    "self", "self_referral", "Ask for help with housing", TEMPLATES, STEPS, self_referral=True
)


def _sent_key(journey: Journey) -> str:
    return f"referral_sent_{journey.code}"


# --- answers ----------------------------------------------------------------------------------


def _without_stale_address(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("housing_situation") not in (None, "address"):
        values.update(address_line_1=None, address_line_2=None, town=None, postcode=None)
    return values


def _consented(journey: Journey, answers: Mapping[str, Any]) -> bool:
    keys = (
        ("consent_to_referral",)
        if _is_self(journey)
        else ("consent_to_referral", "consent_to_share")
    )
    return all(answers.get(key) == "yes" for key in keys)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def submission_from(journey: Journey, answers: Mapping[str, Any]) -> ReferralSubmission:
    """The typed referral from a complete draft's answers."""
    consented = _consented(journey, answers)
    members = tuple(
        HouseholdMember(str(m["name"]), str(m["relationship"]), _date(m.get("date_of_birth")))
        for m in answers.get("household") or []
    )

    def text(key: str) -> str | None:
        value = answers.get(key)
        return str(value) if value else None

    return ReferralSubmission(
        self_referral=_is_self(journey),
        consent_to_referral=consented,
        consent_to_share=consented,
        first_name=text("first_name") or "",
        last_name=text("last_name") or "",
        date_of_birth=_date(answers.get("date_of_birth")),
        preferred_contact=text("preferred_contact") or "",
        housing_situation=text("housing_situation") or "",
        safe_tonight=text("safe_tonight") or "",
        reason=text("reason") or "",
        email=text("email"),
        phone=text("phone"),
        address_line_1=text("address_line_1"),
        address_line_2=text("address_line_2"),
        town=text("town"),
        postcode=text("postcode"),
        leaving_date=_date(answers.get("leaving_date")),
        household=members,
        support_needs=text("support_needs"),
        org_type=text("org_type"),
        org_name=text("org_name"),
        referrer_name=text("referrer_name"),
        referrer_role=text("referrer_role"),
        referrer_email=text("referrer_email"),
        referrer_phone=text("referrer_phone"),
    )


# --- pages ------------------------------------------------------------------------------------


def _render_step(
    ctx: Ctx, journey: Journey, step: Step, form: Form, answers: Mapping[str, Any], **extra: Any
) -> Response:
    return ctx.render(
        step.template(journey),
        form=form,
        journey=journey,
        step=step,
        heading=step.heading(journey),
        action=journeys.form_action(ctx),
        back_url=journeys.back_url(ctx, journey, step, answers, parents=PARENTS),
        answers=answers,
        **extra,
    )


def start(ctx: Ctx, journey: Journey) -> Response:
    return ctx.render(
        "portal/referral/start.html",
        journey=journey,
        first_step=journeys.step_url(ctx, journey, journey.sequence({})[0].slug),
    )


def step_page(ctx: Ctx, journey: Journey) -> Response:
    step = journey.step(ctx.request.path_params["step"])
    if step.slug == "household":
        return _household(ctx, journey, step)
    if step.slug == "household-member":
        return _household_member(ctx, journey, step)

    def after(values: dict[str, Any], answers: dict[str, Any]) -> Response | None:
        if step.slug == "consent" and not _consented(journey, answers):
            return ctx.redirect(f"{journey.prefix}_no_consent")
        return None

    def adjust(values: dict[str, Any]) -> dict[str, Any]:
        if step.slug == "consent" and _is_self(journey):
            values["consent_to_share"] = values["consent_to_referral"]
        if step.slug in ("safe-tonight", "help-tonight"):
            values[HELP_SEEN] = step.slug == "help-tonight"
        return _without_stale_address(values)

    return journeys.question(
        ctx,
        journey,
        step,
        render=lambda form, answers: _render_step(ctx, journey, step, form, answers),
        after=after,
        adjust=adjust,
    )


def _members(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(answers.get("household") or [])


def _household(ctx: Ctx, journey: Journey, step: Step) -> Response:
    current = journeys.draft(ctx, journey)
    answers: dict[str, Any] = dict(current.answers) if current else {}
    form_class = step.form(journey)
    members = _members(answers)
    changing = journeys.changing(ctx)
    here = journeys.step_url(ctx, journey, "household", change=changing)
    if ctx.is_post:
        assert ctx.form is not None
        remove = parse_index(ctx.form.get("remove"))
        if remove is not None:
            if current is not None and remove < len(members):
                del members[remove]
                journeys.keep(ctx, journey, current, {"household": members})
            return ctx.redirect_to(here)
        form = form_class(ctx.form)
        if form.validate():
            if form.add_member.data == "yes":  # type: ignore[attr-defined]
                if len(members) < forms.HOUSEHOLD_MAX:
                    return ctx.redirect_to(
                        journeys.step_url(ctx, journey, "household-member", change=changing)
                    )
                form.add_member.errors = [  # type: ignore[attr-defined]
                    f"You can add up to {forms.HOUSEHOLD_MAX} people. Tell us about anyone else "
                    "in the reason for the referral"
                ]
            else:
                values = {"household_complete": True, "household": members}
                journeys.keep(ctx, journey, current, values)
                answers.update(values)
                return ctx.redirect_to(journeys.next_url(ctx, journey, step, answers))
    else:
        form = form_class()
    return _render_step(ctx, journey, step, form, answers, members=members)


def _household_member(ctx: Ctx, journey: Journey, step: Step) -> Response:
    current = journeys.draft(ctx, journey)
    answers: dict[str, Any] = dict(current.answers) if current else {}
    form_class = step.form(journey)
    form = form_class(ctx.form) if ctx.is_post else form_class()
    members = _members(answers)
    if ctx.is_post and form.validate():
        if len(members) < forms.HOUSEHOLD_MAX:
            members.append(journeys.dump(form))
        journeys.keep(ctx, journey, current, {"household": members})
        return ctx.redirect_to(
            journeys.step_url(ctx, journey, "household", change=journeys.changing(ctx))
        )
    return _render_step(ctx, journey, step, form, answers)


def no_consent(ctx: Ctx, journey: Journey) -> Response:
    return ctx.render(
        "portal/referral/no_consent.html",
        journey=journey,
        back_url=journeys.step_url(ctx, journey, "consent"),
    )


@dataclass(frozen=True)
class Row:
    key: str
    lines: list[str]
    change: str  # the page's slug

    @property
    def html(self) -> Markup:
        return Markup("<br>").join(escape(line) for line in self.lines)


def check_sections(journey: Journey, answers: Mapping[str, Any]) -> list[tuple[str, list[Row]]]:
    """What the check-your-answers page lists, section by section."""

    def get(key: str) -> str:
        value = answers.get(key)
        return str(value) if value else ""

    def date_text(key: str) -> str:
        value = _date(answers.get(key))
        return long_date(value) if value else ""

    sections: list[tuple[str, list[Row]]] = []
    if not _is_self(journey):
        sections.append(
            (
                "About you",
                [
                    Row(
                        "Organisation",
                        [organisation_label(get("org_type")), get("org_name")],
                        "organisation",
                    ),
                    Row("Your name", [get("referrer_name")], "your-details"),
                    Row("Your job title or role", [get("referrer_role")], "your-details"),
                    Row("Your email address", [get("referrer_email")], "your-details"),
                    Row("Your phone number", [get("referrer_phone")], "your-details"),
                ],
            )
        )
    methods = {referrals.THROUGH_REFERRER: "Through me, the referrer"}
    address = [get("address_line_1"), get("address_line_2"), get("town"), get("postcode")]
    has_address = get("housing_situation") == "address"
    members = [
        f"{m.get('name')} ({m.get('relationship')}"
        + (f", born {date_text_of(m.get('date_of_birth'))}" if m.get("date_of_birth") else "")
        + ")"
        for m in _members(answers)
    ]
    consent_rows = [
        Row(
            "Agrees to be referred" if not _is_self(journey) else "You agree",
            ["Yes" if get("consent_to_referral") == "yes" else "No"],
            "consent",
        )
    ]
    if not _is_self(journey):
        consent_rows.append(
            Row(
                "Agrees to share contact details",
                ["Yes" if get("consent_to_share") == "yes" else "No"],
                "consent",
            )
        )
    sections.append(
        (
            "About you" if _is_self(journey) else "About the person",
            [
                *consent_rows,
                Row("Name", [f"{get('first_name')} {get('last_name')}"], "person"),
                Row("Date of birth", [date_text("date_of_birth")], "person"),
                Row("Phone number", [get("phone") or "Not given"], "contact"),
                Row("Email address", [get("email") or "Not given"], "contact"),
                Row(
                    "Preferred contact",
                    [methods.get(get("preferred_contact"), get("preferred_contact"))],
                    "contact",
                ),
                Row("Living now", [situation_label(get("housing_situation"))], "address"),
                *(
                    [Row("Address", [line for line in address if line], "home-address")]
                    if has_address
                    else []
                ),
                Row(
                    "Safe to stay tonight",
                    [safe_tonight_label(get("safe_tonight"))],
                    "safe-tonight",
                ),
                Row("Reason", get("reason").splitlines(), "reason"),
                Row(
                    "Date they leave" if not _is_self(journey) else "Date you have to leave",
                    [date_text("leaving_date") or "None given"],
                    "leaving-date",
                ),
                Row("Household", members or ["No one else"], "household"),
                Row(
                    "Support needs", (get("support_needs") or "None given").splitlines(), "support"
                ),
            ],
        )
    )
    return sections


def date_text_of(value: Any) -> str:
    parsed = _date(value)
    return long_date(parsed) if parsed else ""


def check(ctx: Ctx, journey: Journey) -> Response:
    current = journeys.draft(ctx, journey)
    if current is None:
        if ctx.is_post and ctx.request.session.get(_sent_key(journey)):
            return ctx.redirect(f"{journey.prefix}_sent")  # sent already (a second click)
        return ctx.redirect(f"{journey.prefix}_start")
    answers = dict(current.answers)
    missing = journey.first_incomplete(answers)
    if missing is not None:
        return ctx.redirect_to(journeys.step_url(ctx, journey, missing.slug))
    if not _consented(journey, answers):
        return ctx.redirect(f"{journey.prefix}_no_consent")
    if ctx.is_post:
        sent = ctx.attempt(
            referrals.send_draft,
            current.id,
            submission_from(journey, answers),
            mailer=mailer(ctx),
            client=ctx.client_address,
        )
        if sent:
            ctx.request.session.pop(journey.draft_key, None)
            ctx.request.session[_sent_key(journey)] = sent.result.referral.id
            ctx.request.session[f"{_sent_key(journey)}_duplicate"] = sent.result.duplicate
            return ctx.redirect(f"{journey.prefix}_sent")
    return ctx.render(
        "portal/referral/check.html",
        journey=journey,
        sections=check_sections(journey, answers),
        change_url=lambda slug: journeys.step_url(ctx, journey, slug, change=True),
        back_url=journeys.step_url(ctx, journey, journey.sequence(answers)[-1].slug),
    )


def sent(ctx: Ctx, journey: Journey) -> Response:
    referral_id = ctx.request.session.get(_sent_key(journey))
    referral = ctx.db.get(referrals.Referral, referral_id) if isinstance(referral_id, int) else None
    if referral is None:
        return ctx.redirect(f"{journey.prefix}_start")
    link = (
        ctx.url_for("referral_status")
        + "?token="
        + referrals.status_token(ctx.settings.secret_key, referral)
    )
    return ctx.render(
        "portal/referral/sent.html",
        journey=journey,
        referral=referral,
        duplicate=bool(ctx.request.session.get(f"{_sent_key(journey)}_duplicate")),
        status_link=link,
    )


# --- endpoints (one per page and journey) -------------------------------------------------------


@portal_view
def referrer_start(ctx: Ctx) -> Response:
    return start(ctx, REFERRER)


@portal_view
def referrer_step(ctx: Ctx) -> Response:
    return step_page(ctx, REFERRER)


@portal_view
def referrer_no_consent(ctx: Ctx) -> Response:
    return no_consent(ctx, REFERRER)


@portal_view
def referrer_check(ctx: Ctx) -> Response:
    return check(ctx, REFERRER)


@portal_view
def referrer_sent(ctx: Ctx) -> Response:
    return sent(ctx, REFERRER)


@portal_view
def self_start(ctx: Ctx) -> Response:
    return start(ctx, SELF)


@portal_view
def self_step(ctx: Ctx) -> Response:
    return step_page(ctx, SELF)


@portal_view
def self_no_consent(ctx: Ctx) -> Response:
    return no_consent(ctx, SELF)


@portal_view
def self_check(ctx: Ctx) -> Response:
    return check(ctx, SELF)


@portal_view
def self_sent(ctx: Ctx) -> Response:
    return sent(ctx, SELF)


@portal_view
def status(ctx: Ctx) -> Response:
    """The referrer's progress page: status, dates and outcome only."""
    token = ctx.query.get("token", "")
    try:
        referral = referrals.referral_from_token(ctx.db, ctx.settings.secret_key, token)
    except LinkExpired:
        return ctx.render("portal/referral/status_problem.html", status_code=400, expired=True)
    except LinkInvalid:
        return ctx.render("portal/referral/status_problem.html", status_code=400, expired=False)
    progress = referrals.progress(ctx.db, referral)
    # While the referral is open the page refreshes its progress (htmx, every STATUS_POLL_SECONDS)
    # and says so when the status it showed has changed.
    seen = ctx.query.get("seen")
    return ctx.render(
        "portal/referral/status.html",
        progress=progress,
        token=token,
        changed=seen is not None and seen != progress.status,
        poll_seconds=STATUS_POLL_SECONDS,
    )


STATUS_POLL_SECONDS = 60
