"""A step engine for the portal's one-question-per-page journeys.

A :class:`Journey` is data: its steps in order, each a form and a heading, some asked only when
earlier answers say so (`when`), some reached from another page rather than in sequence. The
answers live in a server-side draft (domain.drafts) named in the session. The engine works out
the pages still to answer, where "Continue" and "Back" go (including the "Change" links of a
check-your-answers page, which come back to it), and runs a plain question page: show it with
the answers so far, validate, keep the answers, move on.

Journeys with pages of their own (adding household members, say) handle those pages themselves
and use the same helpers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form

from domain import drafts
from domain.drafts import JourneyDraft
from web.context import Ctx
from web.fields import DateField


def _always(answers: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    slug: str
    form: Callable[[Journey], type[Form]]
    heading: Callable[[Journey], str]
    in_sequence: bool = True  # False: a page reached from another (adding a household member)
    when: Callable[[Mapping[str, Any]], bool] = _always  # asked only if the answers say so
    filled: tuple[str, ...] = ()  # answers that must not be empty for the page to count as done
    for_journey: Callable[[Journey], bool] = lambda journey: True
    done_when: tuple[str, ...] = ()  # answers marking the page done (default: its form's fields)
    template_name: str | None = None

    def template(self, journey: Journey) -> str:
        return self.template_name or f"{journey.templates}/{self.slug.replace('-', '_')}.html"

    def keys(self, journey: Journey) -> tuple[str, ...]:
        return self.done_when or tuple(self.form(journey)()._fields)


@dataclass(frozen=True)
class Journey:
    code: str  # the draft's journey
    prefix: str  # route names: "<prefix>_start", "<prefix>_step", "<prefix>_check", …
    title: str  # the caption above each question
    templates: str  # the folder of its pages' templates
    all_steps: tuple[Step, ...]
    per_account: bool = False  # the draft belongs to the signed-in applicant (save and return)

    @property
    def steps(self) -> list[Step]:
        return [s for s in self.all_steps if s.for_journey(self)]

    def sequence(self, answers: Mapping[str, Any]) -> list[Step]:
        """The pages to answer, in order, given the answers so far."""
        return [s for s in self.steps if s.in_sequence and s.when(answers)]

    def step(self, slug: str) -> Step:
        for step in self.steps:
            if step.slug == slug:
                return step
        raise HTTPException(404)

    def first_incomplete(self, answers: Mapping[str, Any]) -> Step | None:
        for step in self.sequence(answers):
            if not all(key in answers for key in step.keys(self)) or not all(
                answers.get(key) for key in step.filled
            ):
                return step
        return None

    @property
    def draft_key(self) -> str:
        return f"draft_{self.code}"


# --- answers ----------------------------------------------------------------------------------


def initial(form_class: type[Form], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Form data from kept answers (ISO dates back into dates)."""
    data: dict[str, Any] = {}
    for name, field in form_class()._fields.items():
        value = answers.get(name)
        if isinstance(field, DateField) and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        data[name] = value
    return data


def dump(form: Form) -> dict[str, Any]:
    """A validated form's answers, JSON-safe (dates as ISO strings, blank text as None)."""
    values: dict[str, Any] = {}
    for name, field in form._fields.items():
        value = field.data
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip() or None
        values[name] = value
    return values


# --- drafts -----------------------------------------------------------------------------------


def _account_id(ctx: Ctx, journey: Journey) -> int | None:
    return ctx.account.id if journey.per_account and ctx.account is not None else None


def draft(ctx: Ctx, journey: Journey) -> JourneyDraft | None:
    account_id = _account_id(ctx, journey)
    return drafts.find(
        ctx.db, ctx.request.session.get(journey.draft_key), journey.code, account_id=account_id
    )


def keep(
    ctx: Ctx, journey: Journey, current: JourneyDraft | None, answers: Mapping[str, Any]
) -> JourneyDraft:
    """Keep answers in the journey's draft (starting one if needed) and name it in the session."""
    if current is None:
        kept = ctx.attempt(
            drafts.start, journey.code, answers=answers, account_id=_account_id(ctx, journey)
        ).result
        ctx.request.session[journey.draft_key] = kept.id
        return kept
    return ctx.attempt(drafts.save, current, answers).result


# --- where pages go ---------------------------------------------------------------------------


def changing(ctx: Ctx) -> bool:
    return ctx.query.get("change") == "1"


def step_url(ctx: Ctx, journey: Journey, slug: str, *, change: bool = False) -> str:
    url = ctx.url_for(f"{journey.prefix}_step", step=slug)
    return url + "?change=1" if change else url


def check_url(ctx: Ctx, journey: Journey) -> str:
    return ctx.url_for(f"{journey.prefix}_check")


def next_url(ctx: Ctx, journey: Journey, step: Step, answers: Mapping[str, Any]) -> str:
    """Where "Continue" goes: the next page, or back to the check page after a "Change"."""
    if changing(ctx):
        # back to the check page, unless an earlier change left a page unanswered
        missing = journey.first_incomplete(answers)
        if missing is None:
            return check_url(ctx, journey)
        return step_url(ctx, journey, missing.slug, change=True)
    sequence = journey.sequence(answers)
    if step not in sequence:  # a page the answers no longer need
        missing = journey.first_incomplete(answers)
        return step_url(ctx, journey, missing.slug) if missing else check_url(ctx, journey)
    index = sequence.index(step)
    if index + 1 < len(sequence):
        return step_url(ctx, journey, sequence[index + 1].slug)
    return check_url(ctx, journey)


def back_url(
    ctx: Ctx,
    journey: Journey,
    step: Step,
    answers: Mapping[str, Any],
    *,
    parents: Mapping[str, str] | None = None,
) -> str:
    """Where "Back" goes. `parents` names the page a page off the sequence belongs to."""
    parent = (parents or {}).get(step.slug)
    if parent is not None:
        return step_url(ctx, journey, parent, change=changing(ctx))
    if changing(ctx):
        return check_url(ctx, journey)
    sequence = journey.sequence(answers)
    if step not in sequence:
        return check_url(ctx, journey)
    index = sequence.index(step)
    if index == 0:
        return ctx.url_for(f"{journey.prefix}_start")
    return step_url(ctx, journey, sequence[index - 1].slug)


def form_action(ctx: Ctx) -> str:
    action = str(ctx.request.url.path)
    return action + "?change=1" if changing(ctx) else action


# --- a plain question page ---------------------------------------------------------------------


def question(
    ctx: Ctx,
    journey: Journey,
    step: Step,
    *,
    render: Callable[..., Response],
    after: Callable[[dict[str, Any], dict[str, Any]], Response | None] | None = None,
    adjust: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Response:
    """Show a question page, or keep its answers and move on.

    `adjust` may change the answers before they are kept (e.g. forget an address that no longer
    applies); `after(values, answers)` may send the person somewhere else than the next page.
    """
    current = draft(ctx, journey)
    answers: dict[str, Any] = dict(current.answers) if current else {}
    form_class = step.form(journey)
    ctx.offers_field_checks = True
    if ctx.checking:  # a field was left: say what is wrong with the answers so far, keep nothing
        form = form_class(ctx.form)
        form.validate()
        return render(form, answers)
    if ctx.is_post:
        form = form_class(ctx.form)
        if form.validate():
            values = dump(form)
            if adjust is not None:
                values = adjust(values)
            keep(ctx, journey, current, values)
            answers.update(values)
            elsewhere = after(values, answers) if after is not None else None
            if elsewhere is not None:
                return elsewhere
            return ctx.redirect_to(next_url(ctx, journey, step, answers))
    else:
        form = form_class(data=initial(form_class, answers))
    return render(form, answers)


__all__ = [
    "Journey",
    "Step",
    "back_url",
    "changing",
    "check_url",
    "draft",
    "dump",
    "form_action",
    "initial",
    "keep",
    "next_url",
    "question",
    "step_url",
]
