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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from wtforms import Form

from changes.fields import DateField
from domain import referrals
from domain.errors import RuleBroken
from domain.referrals import (
    ConsentMissing,
    HouseholdMember,
    ReferralSubmission,
    ReferralThrottled,
    organisation_label,
    safe_tonight_label,
    situation_label,
)
from domain.tokens import LinkExpired, LinkInvalid
from hearth.web import Ctx, portal_view
from portal import referral_forms as forms
from portal.account import mailer


@dataclass(frozen=True)
class Step:
    slug: str
    form: Callable[[bool], type[Form]]
    headings: tuple[str, str]  # (for a referrer, for someone referring themselves)
    referrer_only: bool = False
    in_sequence: bool = True  # False: a page reached from another (adding a household member)
    when: Callable[[Mapping[str, Any]], bool] | None = None  # asked only if the answers say so
    filled: tuple[str, ...] = ()  # answers that must not be empty for the page to count as done

    @property
    def template(self) -> str:
        return f"portal/referral/{self.slug.replace('-', '_')}.html"

    def heading(self, journey: Journey) -> str:
        return self.headings[1] if journey.self_referral else self.headings[0]

    def keys(self, journey: Journey) -> tuple[str, ...]:
        """The answers that show the page has been done."""
        if self.slug == "household":
            return ("household_complete",)
        return tuple(self.form(journey.self_referral)()._fields)


def _fixed(form: type[Form]) -> Callable[[bool], type[Form]]:
    return lambda self_referral: form


STEPS: tuple[Step, ...] = (
    Step("consent", forms.consent_form, ("The person's consent", "Before you start")),
    Step(
        "organisation",
        _fixed(forms.OrganisationForm),
        ("Your organisation", ""),
        referrer_only=True,
    ),
    Step("your-details", _fixed(forms.ReferrerForm), ("Your details", ""), referrer_only=True),
    Step("person", forms.person_form, ("The person you are referring", "Your details")),
    Step("contact", forms.contact_form, ("How to contact them", "How can we contact you?")),
    Step(
        "address",
        forms.address_form,
        ("Where is the person living now?", "Where are you living now?"),
    ),
    Step(
        "home-address",
        forms.home_address_form,
        ("What is their address?", "What is your address?"),
        when=lambda answers: answers.get("housing_situation") == "address",
        filled=("address_line_1", "town", "postcode"),
    ),
    Step(
        "safe-tonight",
        forms.safe_tonight_form,
        (
            "Does the person have somewhere safe to stay tonight?",
            "Do you have somewhere safe to stay tonight?",
        ),
    ),
    Step(
        "reason",
        forms.reason_form,
        (
            "Why is the person homeless or at risk of homelessness?",
            "Why do you need help with housing?",
        ),
    ),
    Step(
        "leaving-date",
        forms.leaving_date_form,
        (
            "When do they leave your care or custody?",
            "Do you have to leave where you are staying by a certain date?",
        ),
    ),
    Step(
        "household",
        forms.household_form,
        ("People who need housing with them", "People who need housing with you"),
    ),
    Step(
        "household-member",
        forms.member_form,
        ("Add a household member", "Add someone who needs housing with you"),
        in_sequence=False,
    ),
    Step(
        "support", forms.support_form, ("Do they have any support needs?", "Do you need support?")
    ),
)


@dataclass(frozen=True)
class Journey:
    code: str  # the draft's journey
    self_referral: bool
    prefix: str  # route names: "<prefix>_start", "<prefix>_step", …
    title: str  # the caption above each question

    @property
    def steps(self) -> list[Step]:
        return [s for s in STEPS if not (self.self_referral and s.referrer_only)]

    def sequence(self, answers: Mapping[str, Any]) -> list[Step]:
        """The pages to answer, in order, given the answers so far."""
        return [s for s in self.steps if s.in_sequence and (s.when is None or s.when(answers))]

    def step(self, slug: str) -> Step:
        for step in self.steps:
            if step.slug == slug:
                return step
        raise HTTPException(404)

    @property
    def draft_key(self) -> str:
        return f"referral_draft_{self.code}"

    @property
    def sent_key(self) -> str:
        return f"referral_sent_{self.code}"


REFERRER = Journey("referrer", False, "referral", "Refer someone")
SELF = Journey("self", True, "self_referral", "Ask for help with housing")


# --- answers ----------------------------------------------------------------------------------


def _initial(form_class: type[Form], answers: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form_class()._fields.items():
        value = answers.get(name)
        if isinstance(field, DateField) and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        data[name] = value
    return data


def _dump(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in form._fields.items():
        value = field.data
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    if values.get("housing_situation") not in (None, "address"):
        values.update(address_line_1=None, address_line_2=None, town=None, postcode=None)
    return values


def _first_incomplete(journey: Journey, answers: Mapping[str, Any]) -> Step | None:
    for step in journey.sequence(answers):
        if not all(key in answers for key in step.keys(journey)) or not all(
            answers.get(key) for key in step.filled
        ):
            return step
    return None


def _consented(journey: Journey, answers: Mapping[str, Any]) -> bool:
    keys = (
        ("consent_to_referral",)
        if journey.self_referral
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
    born = _date(answers.get("date_of_birth"))
    if born is None:
        raise RuleBroken("Enter the date of birth")

    def text(key: str) -> str | None:
        value = answers.get(key)
        return str(value) if value else None

    return ReferralSubmission(
        self_referral=journey.self_referral,
        consent_to_referral=consented,
        consent_to_share=consented,
        first_name=text("first_name") or "",
        last_name=text("last_name") or "",
        date_of_birth=born,
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


def _draft(ctx: Ctx, journey: Journey, *, create: bool = False) -> referrals.ReferralDraft | None:
    draft = referrals.find_draft(ctx.db, ctx.request.session.get(journey.draft_key), journey.code)
    if draft is None and create:
        draft = referrals.start_draft(ctx.db, journey.code)
        ctx.request.session[journey.draft_key] = draft.id
    return draft


def _step_url(ctx: Ctx, journey: Journey, slug: str, *, change: bool = False) -> str:
    url = ctx.url_for(f"{journey.prefix}_step", step=slug)
    return url + "?change=1" if change else url


def _next_url(ctx: Ctx, journey: Journey, step: Step, answers: Mapping[str, Any]) -> str:
    if ctx.request.query_params.get("change") == "1":
        # back to the check page, unless an earlier change left a page unanswered
        missing = _first_incomplete(journey, answers)
        if missing is None:
            return ctx.url_for(f"{journey.prefix}_check")
        return _step_url(ctx, journey, missing.slug, change=True)
    sequence = journey.sequence(answers)
    if step not in sequence:  # a page the answers no longer need
        missing = _first_incomplete(journey, answers)
        return (
            _step_url(ctx, journey, missing.slug)
            if missing
            else ctx.url_for(f"{journey.prefix}_check")
        )
    index = sequence.index(step)
    if index + 1 < len(sequence):
        return _step_url(ctx, journey, sequence[index + 1].slug)
    return ctx.url_for(f"{journey.prefix}_check")


def _back_url(ctx: Ctx, journey: Journey, step: Step, answers: Mapping[str, Any]) -> str:
    changing = ctx.request.query_params.get("change") == "1"
    if step.slug == "household-member":
        return _step_url(ctx, journey, "household", change=changing)
    if step.slug == "home-address":
        return _step_url(ctx, journey, "address", change=changing)
    if changing:
        return ctx.url_for(f"{journey.prefix}_check")
    sequence = journey.sequence(answers)
    if step not in sequence:
        return ctx.url_for(f"{journey.prefix}_check")
    index = sequence.index(step)
    if index == 0:
        return ctx.url_for(f"{journey.prefix}_start")
    return _step_url(ctx, journey, sequence[index - 1].slug)


def _render_step(
    ctx: Ctx, journey: Journey, step: Step, form: Form, answers: Mapping[str, Any], **extra: Any
) -> Response:
    action = str(ctx.request.url.path)
    if ctx.request.query_params.get("change") == "1":
        action += "?change=1"
    return ctx.render(
        step.template,
        status_code=400 if form.errors else 200,
        form=form,
        journey=journey,
        step=step,
        heading=step.heading(journey),
        action=action,
        back_url=_back_url(ctx, journey, step, answers),
        answers=answers,
        **extra,
    )


def start(ctx: Ctx, journey: Journey) -> Response:
    return ctx.render(
        "portal/referral/start.html",
        journey=journey,
        first_step=_step_url(ctx, journey, journey.sequence({})[0].slug),
    )


def step_page(ctx: Ctx, journey: Journey) -> Response:
    step = journey.step(ctx.request.path_params["step"])
    draft = _draft(ctx, journey)
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    if step.slug == "household":
        return _household(ctx, journey, step, draft, answers)
    if step.slug == "household-member":
        return _household_member(ctx, journey, step, draft, answers)
    form_class = step.form(journey.self_referral)
    if ctx.request.method == "POST":
        form = form_class(ctx.form)
        if form.validate():
            values = _dump(form)
            if step.slug == "consent" and journey.self_referral:
                values["consent_to_share"] = values["consent_to_referral"]
            draft = draft or _draft(ctx, journey, create=True)
            assert draft is not None
            referrals.save_answers(ctx.db, draft, values)
            answers.update(values)
            if step.slug == "consent" and not _consented(journey, answers):
                return ctx.redirect(f"{journey.prefix}_no_consent")
            return RedirectResponse(_next_url(ctx, journey, step, answers), status_code=303)
    else:
        form = form_class(data=_initial(form_class, answers))
    return _render_step(ctx, journey, step, form, answers)


def _members(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(answers.get("household") or [])


def _household(
    ctx: Ctx,
    journey: Journey,
    step: Step,
    draft: referrals.ReferralDraft | None,
    answers: dict[str, Any],
) -> Response:
    form_class = step.form(journey.self_referral)
    members = _members(answers)
    changing = ctx.request.query_params.get("change") == "1"
    if ctx.request.method == "POST":
        assert ctx.form is not None
        remove = ctx.form.get("remove")
        if isinstance(remove, str) and re.fullmatch(r"[0-9]{1,3}", remove):
            if draft is not None and int(remove) < len(members):
                del members[int(remove)]
                referrals.save_answers(ctx.db, draft, {"household": members})
            return RedirectResponse(
                _step_url(ctx, journey, "household", change=changing), status_code=303
            )
        form = form_class(ctx.form)
        if form.validate():
            draft = draft or _draft(ctx, journey, create=True)
            assert draft is not None
            if form.add_member.data == "yes":  # type: ignore[attr-defined]
                if len(members) < forms.HOUSEHOLD_MAX:
                    return RedirectResponse(
                        _step_url(ctx, journey, "household-member", change=changing),
                        status_code=303,
                    )
                form.add_member.errors = [  # type: ignore[attr-defined]
                    f"You can add up to {forms.HOUSEHOLD_MAX} people. Tell us about anyone else "
                    "in the reason for the referral"
                ]
            else:
                values = {"household_complete": True, "household": members}
                referrals.save_answers(ctx.db, draft, values)
                answers.update(values)
                return RedirectResponse(_next_url(ctx, journey, step, answers), status_code=303)
    else:
        form = form_class()
    return _render_step(ctx, journey, step, form, answers, members=members)


def _household_member(
    ctx: Ctx,
    journey: Journey,
    step: Step,
    draft: referrals.ReferralDraft | None,
    answers: dict[str, Any],
) -> Response:
    form_class = step.form(journey.self_referral)
    form = form_class(ctx.form) if ctx.request.method == "POST" else form_class()
    changing = ctx.request.query_params.get("change") == "1"
    members = _members(answers)
    if ctx.request.method == "POST" and form.validate():
        if len(members) < forms.HOUSEHOLD_MAX:
            members.append(_dump(form))
        draft = draft or _draft(ctx, journey, create=True)
        assert draft is not None
        referrals.save_answers(ctx.db, draft, {"household": members})
        return RedirectResponse(
            _step_url(ctx, journey, "household", change=changing), status_code=303
        )
    return _render_step(ctx, journey, step, form, answers)


def no_consent(ctx: Ctx, journey: Journey) -> Response:
    return ctx.render(
        "portal/referral/no_consent.html",
        journey=journey,
        back_url=_step_url(ctx, journey, "consent"),
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
        return value.strftime("%-d %B %Y") if value else ""

    sections: list[tuple[str, list[Row]]] = []
    if not journey.self_referral:
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
            "Agrees to be referred" if not journey.self_referral else "You agree",
            ["Yes" if get("consent_to_referral") == "yes" else "No"],
            "consent",
        )
    ]
    if not journey.self_referral:
        consent_rows.append(
            Row(
                "Agrees to share contact details",
                ["Yes" if get("consent_to_share") == "yes" else "No"],
                "consent",
            )
        )
    sections.append(
        (
            "About you" if journey.self_referral else "About the person",
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
                    "Date they leave" if not journey.self_referral else "Date you have to leave",
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
    return parsed.strftime("%-d %B %Y") if parsed else ""


def check(ctx: Ctx, journey: Journey) -> Response:
    draft = _draft(ctx, journey)
    if draft is None:
        if ctx.request.method == "POST" and ctx.request.session.get(journey.sent_key):
            return ctx.redirect(f"{journey.prefix}_sent")  # sent already (a second click)
        return ctx.redirect(f"{journey.prefix}_start")
    answers = dict(draft.answers)
    missing = _first_incomplete(journey, answers)
    if missing is not None:
        return RedirectResponse(_step_url(ctx, journey, missing.slug), status_code=303)
    if not _consented(journey, answers):
        return ctx.redirect(f"{journey.prefix}_no_consent")
    problem = None
    status = 200
    if ctx.request.method == "POST":
        try:
            with ctx.db.begin_nested():
                # Deleting the draft first makes a second "Send" of the same answers wait for
                # this one, then find it as a duplicate.
                referrals.consume_draft(ctx.db, draft.id)
                result = referrals.submit_referral(
                    ctx.db,
                    submission_from(journey, answers),
                    mailer=mailer(ctx),
                    client=ctx.client_address,
                )
        except ConsentMissing:
            return ctx.redirect(f"{journey.prefix}_no_consent")
        except ReferralThrottled as exc:
            problem, status = str(exc), 429
        except RuleBroken as exc:
            problem, status = str(exc), 400
        else:
            ctx.request.session.pop(journey.draft_key, None)
            ctx.request.session[journey.sent_key] = result.referral.id
            ctx.request.session[f"{journey.sent_key}_duplicate"] = result.duplicate
            return ctx.redirect(f"{journey.prefix}_sent")
    return ctx.render(
        "portal/referral/check.html",
        status_code=status,
        journey=journey,
        sections=check_sections(journey, answers),
        problem=problem,
        change_url=lambda slug: _step_url(ctx, journey, slug, change=True),
        back_url=_step_url(ctx, journey, journey.sequence(answers)[-1].slug),
    )


def sent(ctx: Ctx, journey: Journey) -> Response:
    referral_id = ctx.request.session.get(journey.sent_key)
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
        duplicate=bool(ctx.request.session.get(f"{journey.sent_key}_duplicate")),
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
    token = ctx.request.query_params.get("token", "")
    try:
        referral = referrals.referral_from_token(ctx.db, ctx.settings.secret_key, token)
    except LinkExpired:
        return ctx.render("portal/referral/status_problem.html", status_code=400, expired=True)
    except LinkInvalid:
        return ctx.render("portal/referral/status_problem.html", status_code=400, expired=False)
    return ctx.render("portal/referral/status.html", progress=referrals.progress(ctx.db, referral))
