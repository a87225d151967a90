"""The officer's landing page."""

from __future__ import annotations

from sqlalchemy import func, select
from starlette.responses import Response

from backoffice import work_queries as wq
from domain import paging
from domain.models import Case, CaseOfficer
from domain.vocab import CaseStatus, Permission
from web.context import Ctx
from web.views import officer_view

ACTIVE_CASES_CAP = 10_000  # beyond this, "more than 10,000": a council-wide figure is a report's


@officer_view(None)
def home(ctx: Ctx) -> Response:
    assert ctx.user is not None
    my_cases = ctx.db.scalar(
        select(func.count(func.distinct(CaseOfficer.case_id)))
        .join(Case, Case.id == CaseOfficer.case_id)
        .where(CaseOfficer.user_id == ctx.user.id, Case.status == CaseStatus.ACTIVE.value)
    )
    active_cases = paging.count_up_to(
        ctx.db, select(Case.id).where(Case.status == CaseStatus.ACTIVE.value), ACTIVE_CASES_CAP
    )
    work = (
        wq.counts(ctx.db, wq.Scope(user_id=ctx.user.id), ctx.today)
        if ctx.user.can(Permission.CASES)
        else None
    )
    return ctx.render(
        "backoffice/home.html",
        work=work,
        my_cases=my_cases or 0,
        active_cases=active_cases,
        permissions=sorted(p.value for p in ctx.user.permissions),
    )
