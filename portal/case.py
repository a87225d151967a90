"""The applicant's view of their own case: household, applications, bedroom need, details."""

from __future__ import annotations

from starlette.responses import Response

from changes.engine import pending_lines
from domain.access import applicant_case, closed_case
from domain.assessments import current_assessment
from domain.evidence_requests import outstanding_for_case
from domain.household import members_on, past_members
from domain.strands.follow import followed
from domain.workflows import public_status
from web.context import Ctx
from web.views import applicant_view


@applicant_view
def your_case(ctx: Ctx) -> Response:
    assert ctx.account is not None
    case = applicant_case(ctx.db, ctx.account, ctx.today)
    if case is None:
        closed = closed_case(ctx.db, ctx.account)
        if closed is None:
            return ctx.redirect("link_case")
        return ctx.render("portal/case/closed.html", case=closed)
    pending = pending_lines(ctx.db, case.id)
    pending_people = {c.target_person_id for c in pending if c.target_person_id is not None}
    pending_kinds = {c.kind for c in pending}
    applications = followed(ctx.db, case.id, ctx.today, words=public_status)
    return ctx.render(
        "portal/case/your_case.html",
        case=case,
        me=ctx.account.person,
        current=members_on(case, ctx.today),
        past=past_members(case, ctx.today),
        applications=applications,
        assessment=current_assessment(ctx.db, case.id),
        pending=pending,
        pending_people=pending_people,
        pending_kinds=pending_kinds,
        asked=outstanding_for_case(ctx.db, case.id),
        public_status=public_status,
    )
