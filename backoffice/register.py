"""Deciding a Housing Register application, and asking the applicant for evidence.

The rules — reason codes and bands from the council's lists, the evidence rule, what a decision
changes and who is told — are in `domain.register_decisions` and `domain.evidence_requests`;
these views read forms and show pages.
"""

from __future__ import annotations

import datetime as dt

from starlette.responses import Response
from wtforms import Form, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs

from backoffice.cases import open_case, render_case_page
from backoffice.message_templates import council
from domain import evidence_requests as er
from domain import register_decisions as rd
from domain.errors import NotFound
from domain.history import Actor
from domain.ids import parse_id
from domain.models import Case
from domain.pending import EvidenceFile
from domain.strands import Strand
from domain.vocab import Permission
from web.context import Ctx
from web.fields import DateField
from web.views import officer_view

ASK_DAYS = 14  # the date offered for evidence to arrive by


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class DecideForm(Form):
    outcome = RadioField(
        choices=[
            SelectChoice(rd.QUALIFIES, "Qualifies"),
            SelectChoice(rd.DOES_NOT_QUALIFY, "Does not qualify"),
        ],
        validate_choice=False,
    )
    reason_codes = SelectMultipleField(choices=[], validate_choice=False)
    reason = TextAreaField(filters=[_strip])
    band = SelectField(choices=[], validate_choice=False)
    effective_date = DateField(what="The date the band counts from", required=False)
    bidding_number = StringField(filters=[_strip])
    tell_by = RadioField(
        choices=[
            SelectChoice("email", "Email"),
            SelectChoice("letter", "Letter"),
            SelectChoice("none", "Do not tell them now"),
        ],
        validate_choice=False,
    )
    email_template = SelectField(choices=[], validate_choice=False)
    letter_template = SelectField(choices=[], validate_choice=False)
    override_reason = TextAreaField(filters=[_strip])


class AskForm(Form):
    what = StringField(filters=[_strip])
    why = TextAreaField(filters=[_strip])
    due_date = DateField(what="The date to send it by", required=False)
    person_id = SelectField(choices=[], validate_choice=False)


class AskAgainForm(Form):
    reason = TextAreaField(filters=[_strip])
    due_date = DateField(what="The date to send it by", required=False)


def _version(ctx: Ctx) -> int:
    form = ctx.form
    return (parse_id(str(form.get("version") or "")) or 0) if form is not None else 0


def _strand(ctx: Ctx, case: Case) -> Strand:
    strand = ctx.db.get(Strand, int(ctx.request.path_params["strand_id"]))
    if strand is None or strand.case_id != case.id:
        raise NotFound("There is no such application or assessment on this case")
    return strand


def _request(ctx: Ctx, case: Case) -> er.EvidenceRequest:
    request = ctx.db.get(er.EvidenceRequest, int(ctx.request.path_params["request_id"]))
    if request is None or request.case_id != case.id:
        raise NotFound("There is no such evidence request on this case")
    return request


def _back(ctx: Ctx, case: Case, strand_id: int | None) -> str:
    if strand_id is None:
        return ctx.url_for("backoffice:case_strands", case_id=case.id)
    return ctx.url_for("backoffice:strand", case_id=case.id, strand_id=strand_id)


@officer_view(Permission.CASES)
def decide(ctx: Ctx) -> Response:
    case = open_case(ctx)
    strand = _strand(ctx, case)
    assert ctx.user is not None
    form = DecideForm(
        ctx.form,
        data={
            "bidding_number": (strand.data or {}).get("bidding_number")
            or rd.suggested_bidding_number(strand),
            "effective_date": ctx.today,
        },
    )
    form.reason_codes.choices = [
        SelectChoice(code, f"{code} – {words}") for code, words in rd.reason_codes(ctx.db)
    ]
    form.band.choices = [SelectChoice("", "Choose a band")] + [
        SelectChoice(b, b) for b in rd.bands(ctx.db)
    ]
    emails, letters = rd.templates_for(ctx.db)
    form.email_template.choices = [SelectChoice("", "Choose an email")] + [
        SelectChoice(str(t.id), t.name) for t in emails
    ]
    form.letter_template.choices = [SelectChoice("", "Choose a letter")] + [
        SelectChoice(str(t.id), t.name)  # type: ignore[attr-defined]
        for t in letters
    ]
    if ctx.is_post and form.validate():
        tell_by = form.tell_by.data
        template = form.email_template.data if tell_by == "email" else form.letter_template.data
        decision = rd.Decision(
            outcome=form.outcome.data,
            reason_codes=tuple(form.reason_codes.data or ()),
            reason=form.reason.data,
            band=form.band.data or None,
            effective_date=form.effective_date.data,
            bidding_number=form.bidding_number.data,
            tell_by=tell_by,
            template_id=parse_id(template or ""),
            override_reason=form.override_reason.data,
        )
        decided = ctx.attempt(
            rd.decide,
            ctx.files,
            Actor.officer(ctx.user),
            ctx.user,
            strand,
            decision,
            expected_version=_version(ctx),
            today=ctx.today,
            council=council(ctx),
        )
        if decided:
            told = {
                "email": " The applicant has been emailed.",
                "letter": " The letter is in the case's files.",
            }
            ctx.flash(
                f"{strand.reference} decided: {decision.outcome}.{told.get(tell_by or '', '')}"
            )
            return ctx.redirect("backoffice:strand", case_id=case.id, strand_id=strand.id)
    outstanding = er.outstanding_for_strand(ctx.db, strand.id)
    return render_case_page(
        ctx,
        "backoffice/strand/decide.html",
        case,
        active="strands",
        strand=strand,
        form=form,
        refusal=rd.may_decide(strand),
        outstanding=outstanding,
        version=ctx.form.get("version") if ctx.form is not None else strand.version,
        back=_back(ctx, case, strand.id),
    )


def _people_choices(case: Case, today: dt.date) -> list[SelectChoice]:
    return [SelectChoice("", "The household")] + [
        SelectChoice(str(cp.person_id), cp.person.full_name)
        for cp in case.people
        if cp.is_member_on(today)
    ]


@officer_view(Permission.CASES)
def ask(ctx: Ctx) -> Response:
    case = open_case(ctx)
    strand = _strand(ctx, case)
    assert ctx.user is not None
    form = AskForm(ctx.form, data={"due_date": ctx.today + dt.timedelta(days=ASK_DAYS)})
    form.person_id.choices = _people_choices(case, ctx.today)
    if ctx.is_post and form.validate():
        asked = ctx.attempt(
            er.ask,
            Actor.officer(ctx.user),
            ctx.user,
            case,
            what=form.what.data,
            why=form.why.data,
            due_date=form.due_date.data,
            strand=strand,
            person_id=parse_id(form.person_id.data or ""),
            today=ctx.today,
            council=(ctx.settings.council_name, ctx.settings.service_name),
        )
        if asked:
            ctx.flash(
                f"Asked for {asked.result.what}. The applicant sees it on their case page and "
                "is emailed if they have an account."
            )
            return ctx.redirect("backoffice:strand", case_id=case.id, strand_id=strand.id)
    return render_case_page(
        ctx,
        "backoffice/strand/evidence_ask.html",
        case,
        active="strands",
        strand=strand,
        form=form,
        back=_back(ctx, case, strand.id),
    )


@officer_view(Permission.CASES)
def evidence_decide(ctx: Ctx) -> Response:
    """Accept what the applicant sent, or cancel the request (POST)."""
    case = open_case(ctx)
    request = _request(ctx, case)
    assert ctx.user is not None and ctx.form is not None
    action = {"accept": er.accept, "cancel": er.cancel}.get(str(ctx.form.get("action") or ""))
    if action is None:
        raise NotFound("There is no such action")
    done = ctx.attempt(
        action,
        Actor.officer(ctx.user),
        ctx.user,
        request,
        expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
    )
    if done:
        ctx.flash(f"The request for {request.what} is now {request.state.words.lower()}.")
    else:
        ctx.flash(" ".join(p.message for p in ctx.problems))
    return ctx.redirect_to(_back(ctx, case, request.strand_id) + "#evidence")


@officer_view(Permission.CASES)
def evidence_again(ctx: Ctx) -> Response:
    case = open_case(ctx)
    request = _request(ctx, case)
    assert ctx.user is not None
    form = AskAgainForm(ctx.form, data={"due_date": ctx.today + dt.timedelta(days=ASK_DAYS)})
    if ctx.is_post and form.validate():
        assert ctx.form is not None
        again = ctx.attempt(
            er.ask_again,
            Actor.officer(ctx.user),
            ctx.user,
            request,
            reason=form.reason.data,
            due_date=form.due_date.data,
            expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
            today=ctx.today,
        )
        if again:
            ctx.flash(f"Asked again for {request.what}.")
            return ctx.redirect_to(_back(ctx, case, request.strand_id) + "#evidence")
    files = er.files_of(ctx.db, [request.id])[request.id]
    return render_case_page(
        ctx,
        "backoffice/strand/evidence_again.html",
        case,
        active="strands",
        asked=request,
        files=files,
        form=form,
        version=ctx.form.get("version") if ctx.form is not None else request.version,
        back=_back(ctx, case, request.strand_id),
    )


def evidence_for(
    ctx: Ctx, strand: Strand
) -> tuple[list[er.EvidenceRequest], dict[int, list[EvidenceFile]]]:
    """The strand's evidence requests, newest first, and the files sent for each."""
    requests = er.for_strand(ctx.db, strand.id)
    return requests, er.files_of(ctx.db, [r.id for r in requests])


__all__ = ["ask", "decide", "evidence_again", "evidence_decide", "evidence_for"]
