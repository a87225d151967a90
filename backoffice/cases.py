"""Cases: the cases list and search, and the case's tabs (Dashboard, People, Portal, History).

The Applications & assessments tab and the bedroom assessment actions are in
`backoffice.assessments`. Queries live in `backoffice.case_queries`; rules in `domain/`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.responses import Response
from wtforms import Form, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs

from backoffice import case_queries as q
from changes import engine
from domain import activity, household, restricted
from domain.history import Actor
from domain.models import Case, CasePerson, User
from domain.vocab import RELATIONSHIPS, Permission
from web.context import Ctx
from web.parsing import parse_flag, parse_id
from web.views import officer_view


def open_case(ctx: Ctx) -> Case:
    """The case the path names, if this officer may open it (a restricted case only for its
    officers and holders of "Cases: restricted", each view recorded), else a 403 page."""
    case = q.load_case(ctx.db, int(ctx.request.path_params["case_id"]))
    assert ctx.user is not None
    restricted.open_case(ctx.db, ctx.user, case, ctx.request.url.path)
    return case


def _flag(ctx: Ctx, name: str) -> bool:
    return parse_flag(ctx.query.get(name))


def render_case_page(
    ctx: Ctx,
    template: str,
    case: Case,
    status_code: int | None = None,
    *,
    pending: list[int | None] | None = None,
    **extra: Any,
) -> Response:
    """Render a case tab with what the shared header and sub navigation need (`pending`: the
    case's waiting changes, when the page has read them)."""
    return ctx.render(
        template,
        status_code=status_code,
        case=case,
        **q.case_header(ctx.db, case, ctx.today, pending),
        **extra,
    )


@officer_view(Permission.CASES)
def cases(ctx: Ctx) -> Response:
    search = q.parse_search(ctx.query.get("q"))
    after = ctx.query.get("after")
    if search.error:
        ctx.problems.add(search.error, "q")
    assert ctx.user is not None
    mine = ctx.query.get("mine") == "yes"
    results = q.search_cases(
        ctx.db, search, ctx.today, after=after, officer_id=ctx.user.id if mine else None
    )
    return ctx.render(
        "backoffice/cases/list.html",
        search=search,
        mine=mine,
        results=results,
        paged=after is not None,
        hidden=restricted.hidden_cases(
            ctx.db, ctx.user, [(row.case.id, row.case.restricted) for row in results.rows]
        ),
    )


@officer_view(Permission.CASES)
def case(ctx: Ctx) -> Response:
    case = open_case(ctx)
    show_closed = _flag(ctx, "closed")
    pending = engine.pending_targets(ctx.db, case.id)  # read once for the page
    summaries = q.strand_summaries(ctx.db, case.id, pending_changes=len(pending))
    return render_case_page(
        ctx,
        "backoffice/case/dashboard.html",
        case,
        pending=pending,
        active="dashboard",
        pending_people={p for p in pending if p is not None},
        open_strands=[s for s in summaries if s.strand.is_open],
        closed_strands=[s for s in summaries if not s.strand.is_open],
        show_closed=show_closed,
    )


@officer_view(Permission.CASES)
def case_people(ctx: Ctx) -> Response:
    case = open_case(ctx)
    pending = engine.pending_targets(ctx.db, case.id)  # read once for the page
    return render_case_page(
        ctx,
        "backoffice/case/people.html",
        case,
        active="people",
        members=q.current_and_future_members(case, ctx.today),
        past=household.past_members(case, ctx.today),
        show_past=_flag(ctx, "past"),
        pending=pending,
        pending_people={p for p in pending if p is not None},
    )


# --- switching the primary applicant ---------------------------------------------------------

RELATIONSHIP_CHOICES = [SelectChoice("", "Choose a relationship")] + [
    SelectChoice(r, r) for r in RELATIONSHIPS
]


class SwitchPrimaryForm(Form):
    """The new primary applicant, plus one `relationship_<person id>` select per other member
    (added per case by `_switch_form`)."""

    new_primary = HiddenField()


def _switch_form(ctx: Ctx, others: list[CasePerson]) -> Form:
    fields = {
        f"relationship_{cp.person_id}": SelectField(
            choices=RELATIONSHIP_CHOICES, validate_choice=True, default=""
        )
        for cp in others
    }
    form_class = type("SwitchPrimaryCaseForm", (SwitchPrimaryForm,), fields)
    form: Form = form_class(ctx.form)
    return form


@officer_view(Permission.CASES)
def case_switch_primary(ctx: Ctx) -> Response:
    """Make another current member the primary applicant (GET: choose who, then relationships;
    POST: switch). The domain function checks the rules and writes history."""
    assert ctx.user is not None
    case = open_case(ctx)
    current = household.members_on(case, ctx.today)
    source = ctx.form if ctx.form is not None else ctx.query
    chosen_id = str(source.get("new_primary") or source.get("person") or "")
    if not ctx.is_post and "choose" in ctx.query and parse_id(chosen_id) is None:
        # "Continue" with nobody chosen
        ctx.problems.add("Choose who will be the new primary applicant", "person")
    chosen = next(
        (cp for cp in current if str(cp.person_id) == chosen_id and not cp.is_primary), None
    )
    others = [cp for cp in current if chosen is None or cp.person_id != chosen.person_id]
    form = _switch_form(ctx, others if chosen is not None else [])
    form.new_primary.data = chosen_id  # type: ignore[attr-defined]
    if ctx.is_post:
        new_id = parse_id(chosen_id)
        if new_id is None:
            ctx.problems.add("Choose who will be the new primary applicant", "new_primary")
        elif form.validate():
            relationships = {
                cp.person_id: form[f"relationship_{cp.person_id}"].data
                for cp in (others if chosen is not None else [])
                if form[f"relationship_{cp.person_id}"].data
            }
            switched = ctx.attempt(
                household.switch_primary_applicant,
                Actor.officer(ctx.user),
                case,
                new_id,
                relationships=relationships,
                on=ctx.today,
                confirm_child=ctx.form is not None and ctx.form.get("confirm_child") == "yes",
            )
            if switched:
                ctx.flash(f"{switched.result.person.full_name} is now the primary applicant.")
                return ctx.redirect("backoffice:case_people", case_id=case.id)
    candidates = [cp for cp in current if not cp.is_primary]
    return render_case_page(
        ctx,
        "backoffice/case/switch_primary.html",
        case,
        active="people",
        form=form,
        chosen=chosen,
        others=others if chosen is not None else [],
        candidates=candidates,
        chosen_age=chosen.person.age_on(ctx.today) if chosen is not None else None,
        adult_age=household.ADULT_AGE,
    )


# --- portal and history -------------------------------------------------------------------------


@officer_view(Permission.CASES)
def case_portal(ctx: Ctx) -> Response:
    case = open_case(ctx)
    return render_case_page(
        ctx,
        "backoffice/case/portal.html",
        case,
        active="portal",
        changes=q.portal_changes(ctx.db, case),
    )


@officer_view(Permission.CASES)
def case_history(ctx: Ctx) -> Response:
    case = open_case(ctx)
    params = ctx.query
    kinds = q.history_kinds(ctx.db, case.id)
    months = q.history_months(ctx.db, case.id)
    kind = params.get("kind") or None
    month = params.get("month") or None
    chosen = q.HistoryFilter(
        kind=kind if kind in kinds else None,
        month=month if month and q.month_bounds(month) is not None else None,
        after=params.get("after"),
    )
    page = q.history_page(ctx.db, case.id, chosen)
    return render_case_page(
        ctx,
        "backoffice/case/history.html",
        case,
        active="history",
        kinds=[(k, q.kind_label(k)) for k in kinds],
        months=[(m, q.month_label(m)) for m in months],
        chosen=chosen,
        unknown_filter=(kind is not None and chosen.kind is None)
        or (month is not None and chosen.month is None),
        page=page,
        kind_label=q.kind_label,
        detail_rows=q.detail_rows,
    )


@officer_view(Permission.ADMIN, also=(Permission.CASES,))
def case_activity(ctx: Ctx) -> Response:
    """Who opened the case's pages and what they did there (the activity log), newest first."""
    case = open_case(ctx)
    after = ctx.query.get("after")
    page = activity.for_case(ctx.db, case.id, after=after)
    officers = {
        u.id: u
        for u in ctx.db.scalars(select(User).where(User.id.in_({a.user_id for a in page.rows})))
    }
    return render_case_page(
        ctx,
        "backoffice/case/activity.html",
        case,
        active="history",
        page=page,
        officers=officers,
        paged=after is not None,
    )
