"""Running a case: starting one (from the cases list or a person), its Case and Details tabs
(officers, team, summary), adding people to its household and changing their place in it, and
closing and reopening it. Rules live in `domain.cases`; these views read forms and show pages.

A new case is a draft the officer builds on one page before anything is saved: the people added
so far, who is the primary applicant and everyone's relationship ride in the form itself, so
adding, removing and searching are plain form posts that work without JavaScript, and nothing
reaches the database until "Save the case".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from starlette.datastructures import FormData, QueryParams
from starlette.responses import Response
from wtforms import BooleanField, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional, ValidationError

from backoffice.cases import RELATIONSHIP_CHOICES, open_case, render_case_page
from domain import cases, people, person_search, relationships, restricted
from domain.errors import NotFound
from domain.history import Actor
from domain.identity import normalise_postcode
from domain.ids import parse_id
from domain.models import Person, Team, User
from domain.officers import case_teams, officers_who_can
from domain.vocab import RELATIONSHIPS, OfficerRole, Permission
from web.context import Ctx
from web.fields import DateField
from web.views import officer_view

ROLES = [r.value for r in OfficerRole]
MAX_DRAFT_PEOPLE = 20


def _teams(ctx: Ctx) -> list[Team]:
    return case_teams(ctx.db, active_only=True)


# --- a new case -----------------------------------------------------------------------------------


@dataclass
class DraftMember:
    person: Person
    relationship: str
    joint: bool


@dataclass
class Draft:
    members: list[DraftMember]
    primary_id: int | None
    team_id: int | None


_DRAFT_KEY = re.compile(r"^(member|primary|team|relationship_\d{1,12}|joint_\d{1,12})$")


def draft_query(raw: str) -> str:
    """A draft carried through "Add a new person" and back, as a query string: only the
    draft's own keys survive (anything else in it is dropped)."""
    pairs = [(k, v[:100]) for k, v in parse_qsl(raw[:4000]) if _DRAFT_KEY.match(k)]
    return urlencode(pairs)


def _draft_as_query(draft: Draft) -> str:
    pairs: list[tuple[str, str]] = []
    for m in draft.members:
        pid = m.person.id
        pairs.append(("member", str(pid)))
        pairs.append((f"relationship_{pid}", m.relationship))
        if m.joint:
            pairs.append((f"joint_{pid}", "yes"))
    if draft.primary_id:
        pairs.append(("primary", str(draft.primary_id)))
    if draft.team_id:
        pairs.append(("team", str(draft.team_id)))
    return urlencode(pairs)


def _draft_from_form(ctx: Ctx, form: FormData | QueryParams) -> Draft:
    ids = [i for i in (parse_id(v) for v in form.getlist("member")) if i][:MAX_DRAFT_PEOPLE]
    remove = parse_id(form.get("remove"))
    add = parse_id(form.get("add"))
    if add and add not in ids and len(ids) < MAX_DRAFT_PEOPLE:
        ids.append(add)
    ids = [i for i in ids if i != remove]
    found = {p.id: p for p in ctx.db.scalars(select(Person).where(Person.id.in_(ids)))}
    members = [
        DraftMember(
            found[i],
            str(form.get(f"relationship_{i}") or ""),
            form.get(f"joint_{i}") == "yes",
        )
        for i in ids
        if i in found
    ]
    primary = parse_id(form.get("primary"))
    if primary not in found or primary == remove:
        primary = members[0].person.id if members else None
    return Draft(members, primary, parse_id(form.get("team")))


def _draft_from_person(ctx: Ctx, person_id: int | None) -> Draft:
    """A draft started from a person's page: them as primary applicant, and everyone related
    to them with the relationship to the primary applicant that implies."""
    person = ctx.db.get(Person, person_id) if person_id else None
    if person is None:
        return Draft([], None, None)
    members = [DraftMember(person, "Self", False)]
    for related in relationships.related_to(ctx.db, person.id):
        members.append(
            DraftMember(
                related.person,
                relationships.case_relationship_for(related.role, related.person.sex),
                related.role is relationships.Role.PARTNER,
            )
        )
    return Draft(members[:MAX_DRAFT_PEOPLE], person.id, None)


@officer_view(Permission.CASES, also=(Permission.PEOPLE,))
def case_new(ctx: Ctx) -> Response:
    assert ctx.user is not None
    form = ctx.form
    if form is None and "member" in ctx.request.query_params:
        # Back from "Add a new person", with them added (see people.person_new).
        draft = _draft_from_form(ctx, ctx.request.query_params)
        action = ""
    elif form is None:
        draft = _draft_from_person(ctx, parse_id(ctx.query.get("person")))
        action = ""
    else:
        draft = _draft_from_form(ctx, form)
        action = str(form.get("action") or "")
    query = person_search.parse(form.get("q") if form is not None else None)
    results = None
    if action == "search" or (form is not None and form.get("q") and not action):
        if query.error:
            ctx.problems.add(query.error, "q")
        elif query.is_empty:
            ctx.problems.add("Enter a name, date of birth or reference to search for", "q")
        else:
            results = person_search.search(ctx.db, query, ctx.today, size=10)
    if action == "new_person":
        return ctx.redirect("backoffice:person_new", query={"draft": _draft_as_query(draft)})
    if action == "save":
        created = ctx.attempt(
            cases.start_from_draft,
            Actor.officer(ctx.user),
            [(m.person, m.relationship, m.joint) for m in draft.members],
            primary_id=draft.primary_id,
            team_id=draft.team_id,
            officers=[(ctx.user, OfficerRole.PRIMARY.value)],
            today=ctx.today,
        )
        if created:
            ctx.flash(f"Case {created.result.reference} has been created.")
            return ctx.redirect("backoffice:case", case_id=created.result.id)
    in_draft = {m.person.id for m in draft.members}
    return ctx.render(
        "backoffice/cases/new.html",
        draft=draft,
        teams=_teams(ctx),
        relationships=RELATIONSHIPS,
        search=query,
        results=results,
        in_draft=in_draft,
        full=len(draft.members) >= MAX_DRAFT_PEOPLE,
    )


# --- the Case and Details tabs --------------------------------------------------------------------


@officer_view(Permission.CASES)
def case_summary(ctx: Ctx) -> Response:
    case = open_case(ctx)
    officers = sorted(case.officers, key=lambda o: (ROLES.index(o.role), o.user.name))
    return render_case_page(
        ctx, "backoffice/case/summary.html", case, active="case", officers=officers
    )


EMPTY_OFFICER_ROWS = 2


@officer_view(Permission.CASES)
def case_details(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = open_case(ctx)
    choices = officers_who_can(
        ctx.db, Permission.CASES, including=[o.user_id for o in case.officers]
    )
    rows: list[tuple[str, str]] = [(str(o.user_id), o.role) for o in case.officers]
    team = str(case.responsible_team_id or "")
    summary = case.summary or ""
    form = ctx.form
    if form is not None:
        rows = list(zip(form.getlist("officer"), form.getlist("role"), strict=False))
        team = str(form.get("team") or "")
        summary = str(form.get("summary") or "")
        wanted: list[tuple[User, str]] = []
        unknown = False
        for officer_id, role in rows:
            user = ctx.db.get(User, parse_id(officer_id)) if parse_id(officer_id) else None
            if officer_id and user is None:
                unknown = True
            elif user is not None:
                wanted.append((user, role))
        if unknown:
            ctx.problems.add("Choose officers from the list", "officer")
        else:
            saved = ctx.attempt(
                cases.update_case,
                Actor.officer(ctx.user),
                case,
                officers=wanted,
                team_id=parse_id(team),
                summary=summary,
                expected_version=parse_id(str(form.get("version") or "")) or 0,
            )
            if saved:
                ctx.flash(
                    f"Case {case.reference} has been saved." if saved.result else "Nothing changed."
                )
                return ctx.redirect("backoffice:case_summary", case_id=case.id)
    rows = rows + [("", OfficerRole.SECONDARY.value)] * EMPTY_OFFICER_ROWS
    return render_case_page(
        ctx,
        "backoffice/case/details.html",
        case,
        active="details",
        rows=rows,
        choices=choices,
        roles=ROLES,
        teams=_teams(ctx),
        team=team,
        summary=summary,
        version=case.version,
    )


# --- people on the case ---------------------------------------------------------------------------


class PrimaryPlaceForm(Form):
    """The primary applicant's place: only when they joined (they leave by someone else
    becoming the primary applicant)."""

    date_joined = DateField(what="Date joined")
    version = HiddenField()


class PlaceForm(PrimaryPlaceForm):
    relationship = SelectField(
        choices=RELATIONSHIP_CHOICES,
        default="",
        validators=[AnyOf(RELATIONSHIPS, "Choose their relationship to the primary applicant")],
    )
    date_left = DateField(what="Date left", required=False)
    joint = BooleanField()


@officer_view(Permission.CASES, also=(Permission.PEOPLE,))
def case_add_person(ctx: Ctx) -> Response:
    """Find someone (or add them as a new person first, from People), then their place in the
    household: relationship to the primary applicant, date joined (today unless changed),
    joint applicant."""
    assert ctx.user is not None
    case = open_case(ctx)
    source = ctx.form if ctx.form is not None else ctx.query
    query = person_search.parse(source.get("q"))
    person_id = parse_id(source.get("person"))
    chosen = ctx.db.get(Person, person_id) if person_id else None
    results = None
    if chosen is None and not query.is_empty:
        if query.error:
            ctx.problems.add(query.error, "q")
        else:
            results = person_search.search(ctx.db, query, ctx.today, size=10)
    form = PlaceForm(ctx.form, data={"date_joined": ctx.today})
    if ctx.is_post and chosen is not None and form.validate():
        added = ctx.attempt(
            cases.add_person,
            Actor.officer(ctx.user),
            case.id,
            chosen,
            relationship=form.relationship.data or "",
            date_joined=form.date_joined.data or ctx.today,
            joint_applicant=bool(form.joint.data),
            today=ctx.today,
        )
        if added:
            ctx.flash(f"{chosen.full_name} has been added to the household.")
            return ctx.redirect("backoffice:case_people", case_id=case.id)
    return render_case_page(
        ctx,
        "backoffice/case/add_person.html",
        case,
        active="people",
        search=query,
        results=results,
        chosen=chosen,
        on_case={cp.person_id for cp in case.people},
        form=form,
    )


@officer_view(Permission.CASES)
def case_edit_member(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = open_case(ctx)
    person_id = int(ctx.request.path_params["person_id"])
    link = next((cp for cp in case.people if cp.person_id == person_id), None)
    if link is None:
        raise NotFound("That person is not on this case.")
    form_class = PrimaryPlaceForm if link.is_primary else PlaceForm
    form = form_class(
        ctx.form,
        data={
            "relationship": suggested
            if (suggested := ctx.query.get("relationship")) in RELATIONSHIPS
            else link.relationship_to_primary or "",
            "date_joined": link.date_joined,
            "date_left": link.date_left,
            "joint": link.joint_applicant,
            "version": str(link.version),
        },
    )
    if ctx.is_post and form.validate():
        saved = ctx.attempt(
            cases.update_member,
            Actor.officer(ctx.user),
            case.id,
            person_id,
            cases.MemberEdit(
                date_joined=form.date_joined.data or link.date_joined,
                date_left=form.date_left.data if isinstance(form, PlaceForm) else None,
                joint_applicant=bool(form.joint.data) if isinstance(form, PlaceForm) else False,
                relationship=form.relationship.data if isinstance(form, PlaceForm) else None,
            ),
            expected_version=parse_id(form.version.data) or 0,
            today=ctx.today,
        )
        if saved:
            done = saved.result
            ctx.flash(
                f"{link.person.full_name}: {'; '.join(done)}." if done else "Nothing changed."
            )
            return ctx.redirect("backoffice:case_people", case_id=case.id)
    return render_case_page(
        ctx, "backoffice/case/edit_member.html", case, active="people", link=link, form=form
    )


# --- closing and reopening ------------------------------------------------------------------------


@officer_view(Permission.CASES)
def case_close(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = open_case(ctx)
    reason = str(ctx.form.get("reason") or "") if ctx.form is not None else ""
    if ctx.form is not None:
        closed = ctx.attempt(
            cases.close_case,
            Actor.officer(ctx.user),
            case,
            reason=reason,
            confirm_open_strands=ctx.form.get("confirm_open_strands") == "yes",
            expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
        )
        if closed:
            ctx.flash(f"Case {case.reference} has been closed.")
            return ctx.redirect("backoffice:case_summary", case_id=case.id)
    return render_case_page(
        ctx,
        "backoffice/case/close.html",
        case,
        active="case",
        still_open=cases.still_open(ctx.db, case.id),
        reason=reason,
        version=case.version,
    )


@officer_view(Permission.CASES)
def case_reopen(ctx: Ctx) -> Response:
    assert ctx.user is not None
    case = open_case(ctx)
    reason = str(ctx.form.get("reason") or "") if ctx.form is not None else ""
    if ctx.form is not None:
        reopened = ctx.attempt(
            cases.reopen_case,
            Actor.officer(ctx.user),
            case,
            reason=reason,
            expected_version=parse_id(str(ctx.form.get("version") or "")) or 0,
        )
        if reopened:
            ctx.flash(f"Case {case.reference} has been reopened.")
            return ctx.redirect("backoffice:case_summary", case_id=case.id)
    return render_case_page(
        ctx,
        "backoffice/case/reopen.html",
        case,
        active="case",
        reason=reason,
        version=case.version,
    )


# --- restricted cases -----------------------------------------------------------------------------


@officer_view(Permission.CASES)
def case_restriction(ctx: Ctx) -> Response:
    """Restrict a case (any caseworker may, to protect someone) or lift the restriction (only
    holders of "Cases: restricted"), with a reason; and, for those holders, who has viewed it."""
    assert ctx.user is not None
    case = open_case(ctx)
    reason = str(ctx.form.get("reason") or "") if ctx.form is not None else ""
    if ctx.form is not None:
        wanted = ctx.form.get("restricted") == "yes"
        done = ctx.attempt(restricted.set_case_restricted, ctx.user, case, wanted, reason=reason)
        if done:
            ctx.flash(
                f"Case {case.reference} is now restricted."
                if wanted
                else f"Case {case.reference} is no longer restricted."
            )
            return ctx.redirect("backoffice:case_summary", case_id=case.id)
    views = (
        restricted.views_of(ctx.db, case_id=case.id)
        if case.restricted and ctx.user.can(Permission.RESTRICTED)
        else []
    )
    return render_case_page(
        ctx,
        "backoffice/case/restriction.html",
        case,
        active="case",
        reason=reason,
        views=views,
    )


class SplitForm(Form):
    reason = TextAreaField(
        validators=[
            InputRequired("Enter why the case is being split privately"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ]
    )
    line_1 = StringField(validators=[Optional(), Length(max=200)])
    town = StringField(validators=[Optional(), Length(max=100)])
    postcode = StringField(validators=[Optional(), Length(max=10)])

    def validate_postcode(self, field: StringField) -> None:
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError("Enter a real postcode, like SW1A 1AA")

    def validate_line_1(self, field: StringField) -> None:
        if not field.data and (self.town.data or self.postcode.data):
            raise ValidationError("Enter the first line of the new address")


@officer_view(Permission.CASES)
def case_split(ctx: Ctx) -> Response:
    """Move a member into a restricted case of their own (see domain.restricted)."""
    assert ctx.user is not None
    case = open_case(ctx)
    person_id = int(ctx.request.path_params["person_id"])
    link = next((cp for cp in case.people if cp.person_id == person_id), None)
    if link is None:
        raise NotFound("That person is not on this case.")
    form = SplitForm(ctx.form)
    if ctx.is_post and form.validate():
        address = (
            people.NewAddress(
                line_1=form.line_1.data,
                line_2=None,
                town=form.town.data or None,
                postcode=normalise_postcode(form.postcode.data),
                date_from=ctx.today,
            )
            if form.line_1.data
            else None
        )
        split = ctx.attempt(
            restricted.split_privately,
            Actor.officer(ctx.user),
            case.id,
            person_id,
            officer=ctx.user,
            today=ctx.today,
            reason=form.reason.data or "",
            new_address=address,
        )
        if split:
            ctx.flash(
                f"{link.person.full_name} has a restricted case of their own: "
                f"{split.result.reference}."
            )
            return ctx.redirect("backoffice:case_summary", case_id=split.result.id)
    return render_case_page(
        ctx, "backoffice/case/split.html", case, active="people", link=link, form=form
    )
