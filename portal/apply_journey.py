"""The housing register application's journey as data: its pages in order, the sections of
its task list, the answers (eligibility, the typed application) and where each page goes.
The pages themselves are in `portal.apply`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from starlette.responses import Response
from wtforms import Form

from domain import applying, clock, drafts
from domain.drafts import JourneyDraft
from portal import apply_forms as forms
from portal import journeys
from portal.journeys import Journey, Step
from web.context import Ctx


def _fixed(form: type[Form]) -> Callable[[Journey], type[Form]]:
    return lambda journey: form


def _council_of(journey: Journey) -> str:
    return journey.council if isinstance(journey, ApplyJourney) else "the council"


def _council(build: Callable[[str], type[Form]]) -> Callable[[Journey], type[Form]]:
    return lambda journey: build(_council_of(journey))


def _words(text: str) -> Callable[[Journey], str]:
    return lambda journey: text.format(council=applying.area_of(_council_of(journey)))


@dataclass(frozen=True)
class ApplyJourney(Journey):
    council: str = "the council"  # the council's name, in the questions' words


def _j(ctx: Ctx) -> ApplyJourney:
    return replace(APPLY, council=ctx.settings.council_name)


def _moved_recently(answers: Mapping[str, Any]) -> bool:
    return applying.needs_previous_addresses(forms.moved_in(dict(answers)), clock.today())


STEPS: tuple[Step, ...] = (
    Step("age", _fixed(forms.AgeForm), _words("Are you 18 or over?")),
    Step(
        "immigration",
        _fixed(forms.ImmigrationForm),
        _words("Which of these describes your right to live in the UK?"),
    ),
    Step(
        "connection",
        _council(forms.connection_form),
        _words("What is your connection with {council}?"),
    ),
    Step(
        "registered",
        _council(forms.registered_form),
        _words("Are you already on the housing register in {council}?"),
    ),
    Step("your-details", _fixed(forms.YourDetailsForm), _words("Your details")),
    Step(
        "household",
        _fixed(forms.AddAnotherForm),
        _words("People who will live with you"),
        done_when=("household_complete",),
    ),
    Step(
        "household-member",
        _fixed(forms.MemberForm),
        _words("Add someone who will live with you"),
        in_sequence=False,
    ),
    Step("address", _fixed(forms.CurrentAddressForm), _words("What is your address?")),
    Step(
        "previous-addresses",
        _fixed(forms.AddAddressForm),
        _words("Where you lived before"),
        when=_moved_recently,
        done_when=("previous_complete",),
    ),
    Step(
        "previous-address",
        _fixed(forms.PreviousAddressForm),
        _words("Add an address where you lived"),
        in_sequence=False,
    ),
    Step("contact", _fixed(forms.ContactForm), _words("How can we contact you?")),
    Step(
        "preferences",
        _fixed(forms.PreferencesForm),
        _words("Your preferences"),
    ),
    Step(
        "medical",
        _fixed(forms.MedicalForm),
        _words(
            "Does anyone in your household have a medical condition or disability that affects "
            "where they can live?"
        ),
    ),
    Step(
        "medical-details",
        _fixed(forms.MedicalDetailsForm),
        _words("Tell us about the medical condition or disability"),
        when=lambda answers: answers.get("medical") == "yes",
        filled=("medical_people", "medical_details"),
    ),
    Step("declaration", _fixed(forms.DeclarationForm), _words("Declaration")),
)
PARENTS = {"household-member": "household", "previous-address": "previous-addresses"}
APPLY = ApplyJourney(
    applying.JOURNEY,
    "apply",
    "Apply to join the housing register",
    "portal/apply",
    STEPS,
    per_account=True,
)
ELIGIBILITY = ("age", "immigration", "connection", "registered")


@dataclass(frozen=True)
class Section:
    title: str
    slugs: tuple[str, ...]


SECTIONS = (
    Section("Check you can apply", ELIGIBILITY),
    Section("Your details", ("your-details",)),
    Section("People who will live with you", ("household", "household-member")),
    Section("Where you live and have lived", ("address", "previous-addresses", "previous-address")),
    Section("Contact details and preferences", ("contact", "preferences")),
    Section("Health and accessibility", ("medical", "medical-details")),
    Section("Declaration", ("declaration",)),
)
SENT_KEY = "apply_sent"


def _section_of(slug: str) -> Section:
    return next(s for s in SECTIONS if slug in s.slugs)


# --- answers ----------------------------------------------------------------------------------


def _draft(ctx: Ctx) -> JourneyDraft | None:
    """The applicant's draft: the one this session named, else their newest (coming back)."""
    found = journeys.draft(ctx, APPLY)
    if found is None and ctx.account is not None:
        found = drafts.latest(ctx.db, APPLY.code, ctx.account.id)
        if found is not None:
            ctx.request.session[APPLY.draft_key] = found.id
    return found


def _answers(current: JourneyDraft | None) -> dict[str, Any]:
    return dict(current.answers) if current else {}


def exit_for(answers: Mapping[str, Any]) -> str | None:
    return applying.eligibility_exit(
        over_18=answers.get("over_18"),
        immigration=answers.get("immigration"),
        connection=answers.get("connection"),
        registered=answers.get("registered"),
    )


def eligible(answers: Mapping[str, Any]) -> bool:
    """Every eligibility question answered and none leads to an exit."""
    return all(k in answers for k in ("over_18", "immigration", "connection", "registered")) and (
        exit_for(answers) is None
    )


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _long(value: Any) -> str:
    found = _date(value)
    return clock.long_date(found) if found else ""


def _home(values: Mapping[str, Any]) -> applying.Home:
    return applying.Home(
        line_1=str(values.get("line_1") or ""),
        line_2=values.get("line_2") or None,
        town=values.get("town") or None,
        postcode=values.get("postcode") or None,
        date_from=_date(values.get("moved_in")) or clock.today(),
    )


def application_from(answers: Mapping[str, Any], council: str) -> applying.RegisterApplication:
    """The typed application from a complete draft's answers."""
    members = tuple(
        applying.Member(
            first_name=str(m["first_name"]),
            last_name=str(m["last_name"]),
            date_of_birth=_date(m.get("date_of_birth")) or clock.today(),
            sex=str(m.get("sex") or ""),
            relationship=str(m.get("relationship") or ""),
        )
        for m in answers.get("household") or []
    )
    previous = (
        tuple(_home(h) for h in answers.get("previous_addresses") or [])
        if _moved_recently(answers)
        else ()
    )
    medical = answers.get("medical") == "yes"
    return applying.RegisterApplication(
        immigration_status=str(answers.get("immigration") or ""),
        local_connection=str(answers.get("connection") or ""),
        first_name=str(answers.get("first_name") or ""),
        last_name=str(answers.get("last_name") or ""),
        date_of_birth=_date(answers.get("date_of_birth")) or clock.today(),
        sex=str(answers.get("sex") or ""),
        ni_number=answers.get("ni_number") or None,
        members=members,
        address=_home(answers),
        previous_addresses=previous,
        email=answers.get("email") or None,
        phone=answers.get("phone") or None,
        preferred_contact=str(answers.get("preferred_contact") or ""),
        communication_needs=answers.get("communication_needs") or None,
        preferred_areas=answers.get("preferred_areas") or None,
        medical_people=tuple(int(i) for i in answers.get("medical_people") or [])
        if medical
        else (),
        medical_details=(answers.get("medical_details") or None) if medical else None,
        declaration=bool(answers.get("declaration")),
        council_name=council,
    )


def people_in(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(value, name) of everyone in the household: "0" the applicant, "n" the n-th member."""
    you = " ".join(str(answers.get(k) or "") for k in ("first_name", "last_name")).strip()
    found = [("0", f"{you} (you)" if you else "You")]
    for index, member in enumerate(answers.get("household") or [], start=1):
        found.append((str(index), f"{member.get('first_name')} {member.get('last_name')}"))
    return found


# --- where pages go ---------------------------------------------------------------------------


def _tasks_url(ctx: Ctx) -> str:
    return ctx.url_for("apply_tasks")


def _next(ctx: Ctx, step: Step, answers: Mapping[str, Any]) -> str:
    """Continue: the next page of the same section, else back to the task list (or the check
    page after a "Change")."""
    if journeys.changing(ctx):
        return journeys.next_url(ctx, APPLY, step, answers)
    sequence = APPLY.sequence(answers)
    section = _section_of(step.slug)
    if step in sequence:
        later = sequence[sequence.index(step) + 1 :]
        if later and later[0].slug in section.slugs:
            return journeys.step_url(ctx, APPLY, later[0].slug)
    return _tasks_url(ctx)


def _back(ctx: Ctx, step: Step, answers: Mapping[str, Any]) -> str:
    parent = PARENTS.get(step.slug)
    if parent is not None or journeys.changing(ctx):
        return journeys.back_url(ctx, APPLY, step, answers, parents=PARENTS)
    sequence = APPLY.sequence(answers)
    section = _section_of(step.slug)
    if step in sequence:
        index = sequence.index(step)
        if index > 0 and sequence[index - 1].slug in section.slugs:
            return journeys.step_url(ctx, APPLY, sequence[index - 1].slug)
    return _tasks_url(ctx)


def _saving(ctx: Ctx) -> bool:
    return ctx.form is not None and ctx.form.get("save") == "later"


# --- pages ------------------------------------------------------------------------------------


def _render(ctx: Ctx, step: Step, form: Form, answers: Mapping[str, Any], **extra: Any) -> Response:
    return ctx.render(
        step.template(APPLY),
        form=form,
        journey=APPLY,
        step=step,
        heading=step.heading(_j(ctx)),
        action=journeys.form_action(ctx),
        back_url=_back(ctx, step, answers),
        answers=answers,
        section=_section_of(step.slug),
        **extra,
    )
