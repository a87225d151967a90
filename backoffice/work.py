"""My work (SPEC T3): an officer's to-do list — their tasks, the portal changes assigned to them,
their actions and the cases where they are Primary officer that need action, earliest target first
so overdue work leads — and the same for their team, with what nobody has claimed yet. Holders of
"Supervise teams" see any team's work and each officer's workload. The list refreshes itself every
minute with htmx (only the list is swapped, so the officer keeps their place); without JavaScript
it is an ordinary page. Officers choose here whether to get the morning email."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import Response

from backoffice import work_queries as wq
from domain import evidence_requests
from domain import officers as officer_rules
from domain.history import Actor
from domain.models import Team
from domain.vocab import Permission
from web.context import Ctx
from web.views import officer_view

REFRESH_SECONDS = 60


def _kind(ctx: Ctx, *, team: bool = False) -> str | None:
    kind = ctx.query.get("kind")
    return kind if kind in (wq.TEAM_KINDS if team else wq.KINDS) else None


OVERDUE_EVIDENCE_SHOWN = 20


def _render(ctx: Ctx, scope: wq.Scope, *, team: Team | None) -> Response:
    assert ctx.user is not None
    after = ctx.query.get("after")
    page = wq.work(ctx.db, scope, ctx.today, after=after)
    here = str(ctx.request.url.path) + (
        f"?{ctx.request.url.query}" if ctx.request.url.query else ""
    )
    context: dict[str, Any] = {
        "items": page.rows,
        "next_cursor": page.next_cursor,
        "paged": after is not None,
        "kind": scope.kind,
        "kinds": {k: wq.KINDS[k] for k in (wq.TEAM_KINDS if team else wq.KINDS)},
        "counts": wq.counts(ctx.db, scope, ctx.today),
        "team": team,
        "unclaimed": scope.unclaimed,
        "refresh": REFRESH_SECONDS,
        "here": here,
        "back_here": urlencode({"next": here}),  # each task link brings the officer back
        # Each item links to its task and case: the paths' fixed parts, worked out once a page.
        "task_path": ctx.url_for("backoffice:task", task_id=1).removesuffix("1"),
        "case_path": ctx.url_for("backoffice:case", case_id=1).removesuffix("1"),
    }
    if ctx.request.headers.get("HX-Request") == "true" and ctx.query.get("refresh"):
        return ctx.render("backoffice/work/_items.html", **context)
    supervisor = ctx.user.can(Permission.SUPERVISE)
    if team is not None:
        if supervisor:
            context["loads"] = wq.workload(ctx.db, team.id, ctx.today)
    else:
        context["my_team"] = ctx.user.team
        context["overdue_evidence"] = evidence_requests.overdue_for(
            ctx.db, ctx.user.id, ctx.today, limit=OVERDUE_EVIDENCE_SHOWN
        )
        if supervisor:
            context["other_teams"] = wq.other_teams(ctx.db, ctx.user.team_id)
        context["team_unclaimed"] = (
            wq.unclaimed_total(ctx.db, ctx.user.team_id) if ctx.user.team_id else 0
        )
        context["unclaimed_cap"] = wq.TEAM_UNCLAIMED_CAP
    return ctx.render("backoffice/work/my_work.html", **context)


@officer_view(Permission.CASES)
def my_work(ctx: Ctx) -> Response:
    assert ctx.user is not None
    return _render(ctx, wq.Scope(user_id=ctx.user.id, kind=_kind(ctx)), team=None)


@officer_view(Permission.CASES)
def team_work(ctx: Ctx) -> Response:
    assert ctx.user is not None
    team = ctx.db.get(Team, ctx.request.path_params["team_id"])
    if team is None:
        raise HTTPException(404)
    if team.id != ctx.user.team_id and not ctx.user.can(Permission.SUPERVISE):
        # An officer sees their own team's work; a supervisor any team's.
        raise HTTPException(403)
    unclaimed = ctx.query.get("unclaimed") == "yes"
    scope = wq.Scope(team_id=team.id, unclaimed=unclaimed, kind=_kind(ctx, team=True))
    return _render(ctx, scope, team=team)


@officer_view(Permission.CASES)
def digest_choice(ctx: Ctx) -> Response:
    assert ctx.user is not None and ctx.form is not None
    wanted = ctx.form.get("digest") == "yes"
    chosen = ctx.attempt(
        officer_rules.choose_work_digest, Actor.officer(ctx.user), ctx.user, wanted=wanted
    )
    if chosen:
        ctx.flash(
            "You will get an email each working morning when you have work overdue or due soon."
            if wanted
            else "You will no longer get the morning email about your work."
        )
    return ctx.redirect("backoffice:my_work")


__all__ = ["digest_choice", "my_work", "team_work"]
