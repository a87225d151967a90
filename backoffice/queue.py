"""The review queue and the review page: officers with the Queue permission decide changes."""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from changes import engine, queue
from changes.engine import Notifier
from changes.kinds import KINDS
from domain.errors import Conflict
from domain.household import members_on, past_members
from domain.ids import parse_id
from domain.models import Team, User
from domain.pending import EvidenceFile, PendingChange
from domain.vocab import Permission
from hearth.downloads import evidence_response
from hearth.web import Ctx, officer_view


class RejectForm(Form):
    reason = TextAreaField(
        validators=[
            InputRequired("Enter the reason the applicant will read"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ]
    )
    version = HiddenField()


def notifier(ctx: Ctx) -> Notifier:
    return Notifier(
        service_name=ctx.settings.service_name,
        council_name=ctx.settings.council_name,
        changes_url=ctx.settings.base_url + ctx.url_for("your_changes"),
    )


def _filter(ctx: Ctx) -> queue.QueueFilter:
    q = ctx.request.query_params
    team = q.get("team", "")
    return queue.QueueFilter(
        kind=q.get("kind") if q.get("kind") in KINDS else None,
        team_id=parse_id(team),
        assigned=q.get("assigned") or None,
        overdue=q.get("overdue") == "yes",
    )


@officer_view(Permission.QUEUE)
def queue_page(ctx: Ctx) -> Response:
    assert ctx.user is not None
    f = _filter(ctx)
    after = queue.Cursor.decode(ctx.request.query_params.get("after"))
    result = queue.page(ctx.db, f, officer_id=ctx.user.id, today=ctx.today, after=after)
    params = {k: v for k, v in ctx.request.query_params.items() if k != "after"}
    next_url = None
    if result.next_cursor is not None:
        from urllib.parse import urlencode

        next_url = "?" + urlencode({**params, "after": result.next_cursor.encode()})
    officers = ctx.db.scalars(select(User).where(User.active).order_by(User.name)).all()
    teams = ctx.db.scalars(select(Team).where(Team.allows_cases).order_by(Team.name)).all()
    return ctx.render(
        "backoffice/queue/queue.html",
        result=result,
        filter=f,
        kinds=KINDS,
        counts=queue.counts_by_kind(ctx.db),
        officers=[o for o in officers if o.can(Permission.QUEUE)],
        teams=teams,
        next_url=next_url,
        paged=after is not None,
        flash=ctx.request.session.pop("flash", None),
    )


@officer_view(Permission.QUEUE)
def take_next(ctx: Ctx) -> Response:
    """Assign the oldest unassigned change to me and open it."""
    assert ctx.user is not None
    for _ in range(5):
        candidate = queue.next_unassigned(ctx.db)
        if candidate is None:
            break
        change = engine.lock_change(ctx.db, candidate.id)
        if change.is_pending and change.assigned_to_id is None:
            engine.assign(ctx.db, ctx.user, change, to=ctx.user, expected_version=change.version)
            return ctx.redirect("backoffice:review", change_id=change.id)
        # Another officer took it while we looked: try the next one.
    ctx.request.session["flash"] = "There are no unassigned changes waiting."
    return ctx.redirect("backoffice:queue")


def _change(ctx: Ctx, *, lock: bool = False) -> PendingChange:
    change_id = int(ctx.request.path_params["change_id"])
    if lock:
        return engine.lock_change(ctx.db, change_id)
    change = ctx.db.get(PendingChange, change_id)
    if change is None:
        raise HTTPException(404)
    return change


def _review(
    ctx: Ctx,
    change: PendingChange,
    *,
    reject_form: RejectForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    kind = KINDS[change.kind]
    preview = engine.preview(ctx.db, change, ctx.today)
    case = change.case
    return ctx.render(
        "backoffice/queue/review.html",
        status_code=status,
        change=change,
        case=case,
        kind=kind,
        description=kind.describe(case, change.payload),
        answers=kind.answers(case, change.payload),
        preview=preview,
        members=members_on(case, ctx.today),
        past=past_members(case, ctx.today),
        reject_form=reject_form or RejectForm(data={"version": str(change.version)}),
        problem=problem,
        form=reject_form,
        overdue=change.is_pending and change.target_date < ctx.today,
    )


@officer_view(Permission.QUEUE)
def review(ctx: Ctx) -> Response:
    return _review(ctx, _change(ctx))


def _version(ctx: Ctx) -> int:
    raw = ctx.form.get("version") if ctx.form else None
    try:
        return int(str(raw))
    except ValueError:
        raise HTTPException(
            400, "The form was missing the version of the change; reload the page."
        ) from None


@officer_view(Permission.QUEUE)
def assign_to_me(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    engine.assign(ctx.db, ctx.user, change, to=ctx.user, expected_version=_version(ctx))
    return ctx.redirect("backoffice:review", change_id=change.id)


@officer_view(Permission.QUEUE)
def accept(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    version = _version(ctx)
    try:
        # A savepoint: if the decision cannot land, none of its effects do either.
        with ctx.db.begin_nested():
            effects = engine.accept(
                ctx.db,
                ctx.user,
                change,
                expected_version=version,
                today=ctx.today,
                notifier=notifier(ctx),
            )
    except Conflict as exc:
        ctx.db.expire_all()
        return _review(ctx, _change(ctx), problem=str(exc), status=409)
    ctx.request.session["flash"] = f"Change {change.reference} accepted. " + " ".join(
        e.rstrip(".") + "." for e in effects
    )
    return ctx.redirect("backoffice:queue")


@officer_view(Permission.QUEUE)
def reject(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    form = RejectForm(ctx.form)
    if not form.validate():
        return _review(ctx, change, reject_form=form, status=400)
    version = _version(ctx)
    try:
        with ctx.db.begin_nested():
            engine.reject(
                ctx.db,
                ctx.user,
                change,
                reason=form.reason.data or "",
                expected_version=version,
                notifier=notifier(ctx),
            )
    except Conflict as exc:
        ctx.db.expire_all()
        return _review(ctx, _change(ctx), problem=str(exc), status=409)
    ctx.request.session["flash"] = (
        f"Change {change.reference} rejected. The applicant will be told why."
    )
    return ctx.redirect("backoffice:queue")


@officer_view(Permission.CASES)
def evidence_file(ctx: Ctx) -> Response:
    record = ctx.db.get(EvidenceFile, ctx.request.path_params["file_id"])
    if record is None:
        raise HTTPException(404)
    return evidence_response(ctx.settings, record)
