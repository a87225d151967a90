"""The review queue and the review page: officers with the Queue permission decide changes."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.responses import Response
from wtforms import Form, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from changes import engine, queue
from changes.engine import Notifier
from changes.kinds import KINDS
from domain import files, notes, restricted
from domain.household import members_on, past_members
from domain.ids import parse_id
from domain.models import Case, Team, User, parse_case_reference
from domain.officers import OfficerChoice, active_officer, case_teams, officers_who_can
from domain.pending import EvidenceFile, PendingChange
from domain.vocab import Permission
from web.context import Ctx
from web.downloads import attachment
from web.views import officer_view


class RejectForm(Form):
    reason = TextAreaField(
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired("Enter the reason the applicant will read"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    version = HiddenField()


def notifier(ctx: Ctx) -> Notifier:
    return Notifier(
        service_name=ctx.settings.service_name,
        council_name=ctx.settings.council_name,
        changes_url=ctx.settings.base_url + ctx.url_for("your_changes"),
        council_phone=ctx.settings.council_phone,
    )


def _queue_officers(ctx: Ctx, team_id: int | None, *including: int | None) -> list[OfficerChoice]:
    """The officers a queue drop-down offers: those of one team (the team chosen, the case's,
    or the viewer's), and whoever is already chosen; every officer when there is no team."""
    assert ctx.user is not None
    return officers_who_can(
        ctx.db, Permission.QUEUE, team_id=team_id, including=(ctx.user.id, *including)
    )


def _filter(ctx: Ctx, teams: list[Team]) -> queue.QueueFilter:
    """The filters chosen, each checked: a value the queue does not know is said so (and left
    out), never silently ignored."""
    q = ctx.query
    kind = q.get("kind") or None
    if kind is not None and kind not in KINDS:
        ctx.problems.add("Choose a kind of change from the list", "filter-kind")
        kind = None
    team_id = parse_id(q.get("team")) if q.get("team") else None
    if q.get("team") and team_id not in {t.id for t in teams}:
        ctx.problems.add("Choose a team from the list", "filter-team")
        team_id = None
    assigned = q.get("assigned") or None
    if (
        assigned is not None
        and assigned not in ("me", "unassigned")
        and active_officer(ctx.db, parse_id(assigned)) is None
    ):
        ctx.problems.add("Choose who the changes are assigned to from the list", "filter-assigned")
        assigned = None
    case_id = None
    if q.get("case"):
        case_id = parse_case_reference(q.get("case", ""))
        if case_id is None:
            ctx.problems.add("Enter a case reference, like HC-000123", "filter-case")
    older: int | None = None
    if q.get("age"):
        older = parse_id(q.get("age"))
        if older not in queue.AGES:
            ctx.problems.add("Choose how long the changes have waited from the list", "filter-age")
            older = None
    return queue.QueueFilter(
        kind=kind,
        team_id=team_id,
        assigned=assigned,
        overdue=q.get("overdue") == "yes",
        case_id=case_id,
        older_than=older,
    )


@officer_view(Permission.QUEUE)
def queue_page(ctx: Ctx) -> Response:
    assert ctx.user is not None
    teams = case_teams(ctx.db)
    f = _filter(ctx, teams)
    chosen = parse_id(f.assigned) if f.assigned not in (None, "me", "unassigned") else None
    officers_team = f.team_id or ctx.user.team_id
    officers = _queue_officers(ctx, officers_team, chosen)
    after = ctx.query.get("after")
    result = queue.page(
        ctx.db, f, officer_id=ctx.user.id, today=ctx.today, kinds=KINDS, after=after
    )
    params = {k: v for k, v in ctx.query.items() if k != "after"}
    next_url = None
    if result.next_cursor is not None:
        next_url = "?" + urlencode({**params, "after": result.next_cursor})
    assert ctx.user is not None
    return ctx.render(
        "backoffice/queue/queue.html",
        result=result,
        hidden=restricted.hidden_cases(
            ctx.db, ctx.user, [(c.case_id, c.restricted) for c in result.changes]
        ),
        filter=f,
        chosen_case=ctx.query.get("case", ""),
        kinds=KINDS,
        counts=result.by_kind,
        officers=officers,
        officers_team=next((t.name for t in teams if t.id == officers_team), None),
        teams=teams,
        ages=queue.AGES,
        next_url=next_url,
        paged=bool(after),
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
    assert ctx.user is not None
    if lock:
        change = engine.lock_change(ctx.db, change_id)
    else:
        found = engine.change_for_review(ctx.db, change_id)
        if found is None:
            raise HTTPException(404)
        change = found
    restricted.open_case(ctx.db, ctx.user, change.case, ctx.request.url.path)
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
        officers=_queue_officers(ctx, change.team_id, change.assigned_to_id),
        officers_team=change.case.responsible_team.name
        if change.team_id and change.case.responsible_team
        else None,
        overdue=change.is_pending and change.target_date < ctx.today,
        case_alerts=notes.active_alerts_for_case(ctx.db, case, ctx.today),
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
def assign(ctx: Ctx) -> Response:
    """Assign the change to me (the default), to another officer with Queue, or to nobody."""
    assert ctx.user is not None
    change = _change(ctx, lock=True)
    version = _version(ctx)
    chosen = (ctx.form.get("to") if ctx.form else None) or "me"
    to: User | None = ctx.user
    if chosen == "nobody":
        to = None
    elif chosen != "me":
        officer_id = parse_id(chosen)
        to = ctx.db.get(User, officer_id) if officer_id else None
        if to is None or not to.active:
            ctx.problems.add("Choose an officer from the list", "to")
            return _review(ctx, change)
    if version is None or not ctx.attempt(
        engine.assign, ctx.user, change, to=to, expected_version=version
    ):
        return _review(ctx, _change(ctx))
    if to is None:
        ctx.flash(f"Change {change.reference} is no longer assigned to anyone.")
    elif to.id != ctx.user.id:
        ctx.flash(f"Change {change.reference} is now assigned to {to.name}.")
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
        confirm_stale=ctx.form is not None and ctx.form.get("confirm_stale") == "yes",
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
    """A case file (evidence, an upload, a letter) for an officer who may open its case; the
    download is recorded."""
    record = ctx.db.get(EvidenceFile, ctx.request.path_params["file_id"])
    if record is None or record.removed_at is not None:
        raise HTTPException(404)
    case = ctx.db.get(Case, record.case_id)
    assert ctx.user is not None and case is not None
    restricted.open_case(ctx.db, ctx.user, case, ctx.request.url.path)
    files.record_download(ctx.db, record, user=ctx.user)
    return attachment(
        ctx.files,
        record.storage_key,
        content_type=record.content_type,
        filename=record.original_name,
        size=record.size,
    )
