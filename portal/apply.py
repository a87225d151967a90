"""Applying to join the housing register (SPEC P7): a task list of one-question pages.

"Check you can apply" comes first; an answer that means the person cannot join leads to a page
that says why and what else they can do, and the other sections wait until it is answered. The
answers are kept server-side in a draft that belongs to the signed-in applicant for 30 days, so
they can leave at any page ("Save and come back later") and carry on from any device. Each
section's last page returns to the task list; "Check your answers" lists everything with
"Change" links; sending runs `domain.applying.submit` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form

from domain import applying, clock, drafts, strands
from domain.access import applicant_case
from domain.drafts import JourneyDraft
from domain.strands import HOUSING_REGISTER
from portal import apply_forms as forms
from portal import journeys
from portal.journeys import Journey, Step
from web.context import Ctx
from web.parsing import parse_index
from web.views import applicant_view, portal_view


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


def _current_application(ctx: Ctx) -> strands.Strand | None:
    """The applicant's current Housing Register application, if they have one."""
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None:
        return None
    return strands.blocking_strand(ctx.db, case, strands.strand_type(HOUSING_REGISTER))


@portal_view
def start(ctx: Ctx) -> Response:
    current = _draft(ctx) if ctx.account is not None else None
    return ctx.render(
        "portal/apply/start.html",
        journey=APPLY,
        draft=current,
        expires=drafts.expires_on(current) if current else None,
    )


@applicant_view
def tasks(ctx: Ctx) -> Response:
    existing = _current_application(ctx)
    if existing is not None:
        return ctx.render("portal/apply/already.html", journey=APPLY, application=existing)
    current = _draft(ctx)
    answers = _answers(current)
    sequence = APPLY.sequence(answers)
    open_to_all = eligible(answers)
    rows = []
    for section in SECTIONS:
        steps = [s for s in sequence if s.slug in section.slugs]
        missing = [
            s
            for s in steps
            if not all(k in answers for k in s.keys(APPLY))
            or not all(answers.get(k) for k in s.filled)
        ]
        started = any(k in answers for s in steps for k in s.keys(APPLY))
        locked = section is not SECTIONS[0] and not open_to_all
        if locked:
            state = "cannot"
        elif not missing:
            state = "done"
        else:
            state = "started" if started else "new"
        first = (missing or steps)[0]
        rows.append((section, state, journeys.step_url(ctx, APPLY, first.slug)))
    complete = open_to_all and all(state == "done" for _, state, _ in rows)
    return ctx.render(
        "portal/apply/tasks.html",
        journey=APPLY,
        rows=rows,
        done=sum(state == "done" for _, state, _ in rows),
        complete=complete,
        exit=exit_for(answers),
        expires=drafts.expires_on(current) if current else None,
    )


@applicant_view
def step_page(ctx: Ctx) -> Response:
    step = APPLY.step(ctx.request.path_params["step"])
    current = _draft(ctx)
    answers = _answers(current)
    if step.slug not in ELIGIBILITY and not eligible(answers):
        return ctx.redirect("apply_tasks")
    special = {
        "household": _household,
        "household-member": _member,
        "previous-addresses": _previous,
        "previous-address": _previous_one,
        "medical-details": _medical_details,
    }.get(step.slug)
    if special is not None:
        return special(ctx, step, current, answers)

    def after(values: dict[str, Any], answers: dict[str, Any]) -> Response | None:
        leads_to = exit_for(answers)
        if step.slug in ELIGIBILITY and leads_to is not None:
            return ctx.redirect("apply_exit", reason=leads_to)
        if _saving(ctx):
            return ctx.redirect("apply_saved")
        if not journeys.changing(ctx):
            return ctx.redirect_to(_next(ctx, step, answers))
        return None

    def adjust(values: dict[str, Any]) -> dict[str, Any]:
        if step.slug == "medical" and values.get("medical") == "no":
            values.update(medical_people=None, medical_details=None)
        return values

    return journeys.question(
        ctx,
        _j(ctx),
        step,
        render=lambda form, answers: _render(ctx, step, form, answers),
        after=after,
        adjust=adjust,
    )


def _add_another(
    ctx: Ctx,
    step: Step,
    current: JourneyDraft | None,
    answers: dict[str, Any],
    *,
    key: str,
    complete_key: str,
    add_slug: str,
    limit: int,
    too_many: str,
    describe: Callable[[dict[str, Any]], tuple[str, str]],
) -> Response:
    """A list page: what was added (each removable) and "add another?"."""
    items = list(answers.get(key) or [])
    here = journeys.step_url(ctx, APPLY, step.slug, change=journeys.changing(ctx))
    form_class = step.form(_j(ctx))
    if ctx.is_post:
        assert ctx.form is not None
        remove = parse_index(ctx.form.get("remove"))
        if remove is not None:
            if current is not None and remove < len(items):
                del items[remove]
                values: dict[str, Any] = {key: items}
                if key == "household":  # who has a medical condition is asked again
                    values.update(medical_people=None, medical_details=None)
                journeys.keep(ctx, APPLY, current, values)
            return ctx.redirect_to(here)
        form = form_class(ctx.form)
        if form.validate():
            if form.add_another.data == "yes":  # type: ignore[attr-defined]
                if len(items) < limit:
                    return ctx.redirect_to(
                        journeys.step_url(ctx, APPLY, add_slug, change=journeys.changing(ctx))
                    )
                form.add_another.errors = [too_many]  # type: ignore[attr-defined]
            else:
                values = {complete_key: True, key: items}
                journeys.keep(ctx, APPLY, current, values)
                answers.update(values)
                if _saving(ctx):
                    return ctx.redirect("apply_saved")
                return ctx.redirect_to(_next(ctx, step, answers))
    else:
        form = form_class()
    return _render(ctx, step, form, answers, items=[describe(item) for item in items])


def _household(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _add_another(
        ctx,
        step,
        current,
        answers,
        key="household",
        complete_key="household_complete",
        add_slug="household-member",
        limit=applying.HOUSEHOLD_MAX,
        too_many=f"You can add up to {applying.HOUSEHOLD_MAX} people. Contact us about anyone else",
        describe=lambda m: (
            f"{m.get('first_name')} {m.get('last_name')}",
            f"{m.get('relationship')}, born {_long(m.get('date_of_birth'))}",
        ),
    )


def _previous(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _add_another(
        ctx,
        step,
        current,
        answers,
        key="previous_addresses",
        complete_key="previous_complete",
        add_slug="previous-address",
        limit=applying.PREVIOUS_ADDRESSES_MAX,
        too_many=f"You can add up to {applying.PREVIOUS_ADDRESSES_MAX} addresses",
        describe=lambda h: (
            ", ".join(str(h.get(k)) for k in ("line_1", "postcode") if h.get(k)),
            f"From {_long(h.get('moved_in'))}",
        ),
    )


def _added(
    ctx: Ctx,
    step: Step,
    current: JourneyDraft | None,
    answers: dict[str, Any],
    *,
    key: str,
    limit: int,
    check: Callable[[Form, list[dict[str, Any]]], bool] | None = None,
) -> Response:
    """A page adding one item to a list page's items, then back to the list."""
    form_class = step.form(_j(ctx))
    form = form_class(ctx.form) if ctx.is_post else form_class()
    items = list(answers.get(key) or [])
    if ctx.is_post and form.validate() and (check is None or check(form, items)):
        if len(items) < limit:
            items.append(journeys.dump(form))
        values: dict[str, Any] = {key: items}
        if key == "household":
            values.update(medical_people=None, medical_details=None)
        journeys.keep(ctx, APPLY, current, values)
        parent = PARENTS[step.slug]
        return ctx.redirect_to(journeys.step_url(ctx, APPLY, parent, change=journeys.changing(ctx)))
    return _render(ctx, step, form, answers)


def _member(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    return _added(ctx, step, current, answers, key="household", limit=applying.HOUSEHOLD_MAX)


def _previous_one(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    def before_current(form: Form, items: list[dict[str, Any]]) -> bool:
        since = forms.moved_in(answers)
        moved = form.moved_in.data  # type: ignore[attr-defined]
        if since is not None and moved is not None and moved >= since:
            form.moved_in.errors = [  # type: ignore[attr-defined]
                "The date you moved there must be before the date you moved to your address now"
            ]
            form.moved_in.bad_parts = {"day", "month", "year"}  # type: ignore[attr-defined]
            return False
        return True

    return _added(
        ctx,
        step,
        current,
        answers,
        key="previous_addresses",
        limit=applying.PREVIOUS_ADDRESSES_MAX,
        check=before_current,
    )


def _medical_details(
    ctx: Ctx, step: Step, current: JourneyDraft | None, answers: dict[str, Any]
) -> Response:
    form_class = step.form(_j(ctx))
    form = (
        form_class(ctx.form)
        if ctx.is_post
        else form_class(data=journeys.initial(form_class, answers))
    )
    form.medical_people.choices = people_in(answers)  # type: ignore[attr-defined]
    if ctx.is_post and form.validate():
        values = journeys.dump(form)
        journeys.keep(ctx, APPLY, current, values)
        answers.update(values)
        if _saving(ctx):
            return ctx.redirect("apply_saved")
        return ctx.redirect_to(_next(ctx, step, answers))
    return _render(ctx, step, form, answers)


EXITS = {
    applying.EXIT_AGE,
    applying.EXIT_IMMIGRATION,
    applying.EXIT_CONNECTION,
    applying.EXIT_REGISTERED,
}


@applicant_view
def cannot_apply(ctx: Ctx) -> Response:
    reason = ctx.request.path_params["reason"]
    if reason not in EXITS:
        raise HTTPException(404)
    back = {
        applying.EXIT_AGE: "age",
        applying.EXIT_IMMIGRATION: "immigration",
        applying.EXIT_CONNECTION: "connection",
        applying.EXIT_REGISTERED: "registered",
    }[reason]
    return ctx.render(
        "portal/apply/cannot_apply.html",
        journey=APPLY,
        reason=reason,
        back_url=journeys.step_url(ctx, APPLY, back),
    )


@applicant_view
def saved(ctx: Ctx) -> Response:
    current = _draft(ctx)
    if current is None:
        return ctx.redirect("apply_start")
    return ctx.render("portal/apply/saved.html", journey=APPLY, expires=drafts.expires_on(current))


__all__ = [
    "APPLY",
    "SECTIONS",
    "application_from",
    "cannot_apply",
    "eligible",
    "saved",
    "start",
    "step_page",
    "tasks",
]
