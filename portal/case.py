"""The applicant's view of their own case."""

from __future__ import annotations

from starlette.responses import Response

from domain.access import applicant_case
from domain.household import members_on, past_members
from hearth.web import Ctx, applicant_view


@applicant_view
def your_case(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None:
        return ctx.redirect("link_case")
    return ctx.render(
        "portal/case/your_case.html",
        case=case,
        current=members_on(case, ctx.today),
        past=past_members(case, ctx.today),
    )
