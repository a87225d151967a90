"""The review queue and the review page: officers with the Queue permission decide changes."""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from changes import engine, evidence, queue
from changes.engine import Notifier
from changes.kinds import KINDS
from domain.household import members_on, past_members
from domain.ids import parse_id
from domain.models import Team, User
from domain.pending import EvidenceFile, PendingChange
from domain.vocab import Permission
from web.context import Ctx
from web.downloads import attachment
from web.views import officer_view


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
        council_phone=ctx.settings.council_phone,
    )


def _filter(ctx: Ctx) -> queue.QueueFilter:
    q = ctx.query
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
    after = ctx.query.get("after")
    result = queue.page(ctx.db, f, officer_id=ctx.user.id, today=ctx.today, after=after)
    params = {k: v for k, v in ctx.query.items() if k != "after"}
    next_url = None
    if result.next_cursor is not None:
        from urllib.parse import urlencode

        next_url = "?" + urlencode({**params, "after": result.next_cursor})
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
    )


@officer_view(Permission.QUEUE)
def take_next(ctx: Ctx) -> Response:
    """Assign the oldest unassigned change to me and open it."""
    assert ctx.user is not None
    taken = ctx.attempt(queue.take_next, ctx.user)
    if taken and taken.result is not None:
        return ctx.redirect("backoffice:review", change_id=taken.result.id)
    ctx.flash("There are no unassigned changes waiting.")
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
) -> Response:
    kind = KINDS[change.kind]
    preview = engine.preview(ctx.db, change, ctx.today)
    case = change.case
    return ctx.render(
        "backoffice/queue/review.html",
        change=change,
        case=case,
        kind=kind,
        description=kind.describe(case, change.payload),
        answers=kind.answers(case, change.payload),
        preview=preview,
        members=members_on(case, ctx.today),
        past=past_members(case, ctx.today),
        reject_form=reject_form or RejectForm(data={"version": str(change.version)}),
        overdue=change.is_pending and change.target_date < ctx.today,
    )


@officer_view(Permission.QUEUE)
def review(ctx: Ctx) -> Response:
    return _review(ctx, _change(ctx))


MISSING_VERSION = "The form was missing the version of the change; reload the page."


def _version(ctx: Ctx) -> int | None:
    """The version of the change the officer saw; None (a page error) if the form lost it."""
    version = parse_id(ctx.form.get("version") if ctx.form else None)
    if version is None:
        ctx.problems.add(MISSING_VERSION)
    return version


@officer_view(Permission.QUEUE)
def assign_to_me(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    version = _version(ctx)
    if version is None or not ctx.attempt(
        engine.assign, ctx.user, change, to=ctx.user, expected_version=version
    ):
        return _review(ctx, _change(ctx))
    return ctx.redirect("backoffice:review", change_id=change.id)


@officer_view(Permission.QUEUE)
def accept(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    version = _version(ctx)
    if version is None:
        return _review(ctx, change)
    accepted = ctx.attempt(
        engine.accept,
        ctx.user,
        change,
        expected_version=version,
        today=ctx.today,
        notifier=notifier(ctx),
    )
    if not accepted:
        return _review(ctx, _change(ctx))
    ctx.flash(
        f"Change {change.reference} accepted. "
        + " ".join(e.rstrip(".") + "." for e in accepted.result)
    )
    return ctx.redirect("backoffice:queue")


@officer_view(Permission.QUEUE)
def reject(ctx: Ctx) -> Response:
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    form = RejectForm(ctx.form)
    version = _version(ctx)
    if form.validate() and version is not None:
        rejected = ctx.attempt(
            engine.reject,
            ctx.user,
            change,
            reason=form.reason.data or "",
            expected_version=version,
            notifier=notifier(ctx),
        )
        if rejected:
            ctx.flash(f"Change {change.reference} rejected. The applicant will be told why.")
            return ctx.redirect("backoffice:queue")
    return _review(ctx, _change(ctx), reject_form=form)


@officer_view(Permission.CASES)
def evidence_file(ctx: Ctx) -> Response:
    record = ctx.db.get(EvidenceFile, ctx.request.path_params["file_id"])
    if record is None:
        raise HTTPException(404)
    return attachment(
        evidence.path_of(ctx.settings.files_dir, record),
        content_type=record.content_type,
        filename=record.original_name,
    )
