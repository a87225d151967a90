"""People (permission People): finding someone, recording a new person after checking they are
not already recorded, a person's page, and editing their details.

Rules live in `domain.people` (details, history, optimistic locking) and `domain.person_search`
(what a search means, what counts as a likely duplicate); queries for the person page in
`backoffice.person_queries`.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from wtforms import Field, Form, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than the stubs
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from backoffice import person_queries as pq
from backoffice.case_admin import draft_query
from backoffice.case_queries import detail_rows, kind_label
from domain import notes, people, person_search, relationships, restricted
from domain.accounts import email_problem, normalise_email
from domain.clock import long_date
from domain.history import Actor
from domain.identity import PHONE, normalise_ni_number
from domain.models import Person
from domain.vocab import CONTACT_METHODS, Permission, Sex
from web.context import Ctx
from web.fields import DateField, InThePast
from web.parsing import parse_id
from web.views import officer_view

SEX_CHOICES = [SelectChoice(s.value, s.label) for s in (Sex.FEMALE, Sex.MALE, Sex.NOT_RECORDED)]
CONTACT_CHOICES = [SelectChoice(m, m) for m in CONTACT_METHODS] + [SelectChoice("", "Not recorded")]
NI_MESSAGE = "Enter a National Insurance number in the correct format, like QQ 12 34 56 C"
PHONE_MESSAGE = "Enter a phone number, like 07700 900 982 or +44 808 157 0192"


def _text(what: str, max_length: int, required: str | None = None) -> StringField:
    first = InputRequired(required) if required else Optional()
    return StringField(
        validators=[
            first,
            Length(max=max_length, message=f"{what} must be {max_length} characters or fewer"),
        ]
    )


class PersonForm(Form):
    title = _text("Title", 20)
    first_name = _text("First name", 100, "Enter the first name")
    middle_names = _text("Middle names", 100)
    last_name = _text("Last name", 100, "Enter the last name")
    date_of_birth = DateField(
        what="Date of birth",
        required=False,
        validators=[InThePast("Date of birth must be in the past")],
    )
    sex = RadioField(
        choices=SEX_CHOICES,
        default=Sex.NOT_RECORDED.value,
        validators=[InputRequired("Choose the person's sex")],
    )
    ni_number = _text("National Insurance number", 13)
    email = _text("Email address", 320)
    phone = _text("Phone number", 40)
    preferred_contact = RadioField(choices=CONTACT_CHOICES, default="", validate_choice=True)
    communication_needs = TextAreaField(
        validators=[
            Optional(),
            Length(max=1000, message="Communication needs must be 1000 characters or fewer"),
        ]
    )
    version = HiddenField()
    # The ids of the likely duplicates the officer was shown and chose not to open.
    seen_matches = HiddenField()

    def validate_ni_number(self, field: Field) -> None:
        if field.data and normalise_ni_number(field.data) is None:
            raise ValidationError(NI_MESSAGE)

    def validate_email(self, field: Field) -> None:
        problem = email_problem(field.data) if (field.data or "").strip() else None
        if problem:
            raise ValidationError(problem)

    def validate_phone(self, field: Field) -> None:
        if (field.data or "").strip() and not PHONE.match(field.data.strip()):
            raise ValidationError(PHONE_MESSAGE)

    def details(self) -> people.PersonDetails:
        email = (self.email.data or "").strip()
        return people.PersonDetails(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            date_of_birth=self.date_of_birth.data,
            sex=self.sex.data or Sex.NOT_RECORDED.value,
            title=self.title.data,
            middle_names=self.middle_names.data,
            ni_number=self.ni_number.data,
            email=normalise_email(email) if email else None,
            phone=self.phone.data,
            preferred_contact=self.preferred_contact.data or None,
            communication_needs=self.communication_needs.data,
        )


def _initial(person: Person) -> dict[str, Any]:
    details = people.details_of(person)
    data: dict[str, Any] = {name: getattr(details, name) for name in people.DETAIL_FIELDS}
    data["preferred_contact"] = data["preferred_contact"] or ""
    data["version"] = str(person.version)
    return data


# --- search ------------------------------------------------------------------------------------


@officer_view(Permission.PEOPLE)
def people_search(ctx: Ctx) -> Response:
    query = person_search.parse(ctx.query.get("q"))
    after = ctx.query.get("after")
    if query.error:
        ctx.problems.add(query.error, "q")
    results = person_search.search(ctx.db, query, ctx.today, after=after)
    return ctx.render(
        "backoffice/people/search.html",
        search=query,
        results=results,
        paged=after is not None,
        hidden=_hidden(ctx, results.rows),
        max_matches=person_search.MAX_MATCHES,
        alerts_by_person=_alerts_by_person(ctx, [row.person.id for row in results.rows]),
    )


def _alerts_by_person(ctx: Ctx, person_ids: list[int]) -> dict[int, list[str]]:
    """The types of the active alerts on each listed person (one query for the page)."""
    found: dict[int, list[str]] = {}
    for alert in notes.active_alerts(ctx.db, [], person_ids, ctx.today):
        if alert.person_id is not None and alert.alert_type not in found.get(alert.person_id, []):
            found.setdefault(alert.person_id, []).append(alert.alert_type)
    return found


def _hidden(ctx: Ctx, rows: list[person_search.PersonRow]) -> dict[str, set[int]]:
    """Which people and cases in a list this officer may not open: shown as "Restricted
    record", without details."""
    assert ctx.user is not None
    return {
        "hidden_people": restricted.hidden_people(
            ctx.db,
            ctx.user,
            [(r.person.id, r.person.restricted, [c.case_id for c in r.cases]) for r in rows],
        ),
        "hidden_cases": restricted.hidden_cases(
            ctx.db, ctx.user, [(c.case_id, c.restricted) for r in rows for c in r.cases]
        ),
    }


# --- a new person ------------------------------------------------------------------------------


@officer_view(Permission.PEOPLE)
def person_new(ctx: Ctx) -> Response:
    """Record a new person. Before saving, people already recorded with the same name and date
    of birth, National Insurance number or email address are shown; the officer opens one of
    them, or confirms none is the person and saves."""
    assert ctx.user is not None
    form = PersonForm(ctx.form)
    source = ctx.form if ctx.form is not None else ctx.query
    # Where to go once added: back to a case being started, or to a case's "Add someone".
    draft = draft_query(str(source.get("draft") or ""))
    for_case = parse_id(source.get("for_case"))
    matches: list[person_search.PersonRow] = []
    if ctx.is_post and form.validate() and not ctx.checking:
        details = form.details()
        matches = person_search.likely_duplicates(
            ctx.db,
            first_name=details.first_name,
            last_name=details.last_name,
            date_of_birth=details.date_of_birth,
            ni_number=normalise_ni_number(details.ni_number),
            email=details.email,
            today=ctx.today,
        )
        seen = {parse_id(i) for i in (form.seen_matches.data or "").split(",")}
        if not {row.person.id for row in matches} <= seen:
            form.seen_matches.data = ",".join(str(row.person.id) for row in matches)
        else:
            created = ctx.attempt(people.add_person, Actor.officer(ctx.user), details)
            if created:
                added = created.result
                ctx.flash(f"{added.full_name} has been added.")
                if draft:
                    back = ctx.url_for("backoffice:case_new")
                    return ctx.redirect_to(f"{back}?{draft}&add={added.id}&member={added.id}")
                if for_case:
                    return ctx.redirect(
                        "backoffice:case_add_person",
                        case_id=for_case,
                        query={"person": str(added.id)},
                    )
                return ctx.redirect("backoffice:person", person_id=added.id)
            matches = []
    ctx.offers_field_checks = True
    return ctx.render(
        "backoffice/people/new.html",
        form=form,
        matches=matches,
        draft=draft,
        for_case=for_case,
    )


# --- a person's page and their details -----------------------------------------------------------


def _person(ctx: Ctx) -> Person:
    """The person the path names, if this officer may open them (a restricted person only for
    officers on one of their cases and holders of "Cases: restricted", each view recorded)."""
    person = pq.load_person(ctx.db, int(ctx.request.path_params["person_id"]))
    assert ctx.user is not None
    restricted.open_person(ctx.db, ctx.user, person, ctx.request.url.path)
    return person


@officer_view(Permission.PEOPLE)
def person_page(ctx: Ctx) -> Response:
    person = _person(ctx)
    memberships = pq.memberships(ctx.db, person, ctx.today)
    assert ctx.user is not None
    return ctx.render(
        "backoffice/people/person.html",
        person=person,
        memberships=memberships,
        hidden_cases=restricted.hidden_cases(
            ctx.db, ctx.user, [(m.case.id, m.case.restricted) for m in memberships]
        ),
        related=relationships.related_to(ctx.db, person.id),
        person_alerts=notes.active_alerts(ctx.db, [], [person.id], ctx.today),
        person_notes=pq.recent_notes(ctx.db, person.id),
        history=pq.person_history(ctx.db, person.id, ctx.query.get("after")),
        kind_label=kind_label,
        detail_rows=detail_rows,
        sex_label=lambda value: Sex(value).label,
    )


@officer_view(Permission.PEOPLE)
def person_edit(ctx: Ctx) -> Response:
    assert ctx.user is not None
    person = _person(ctx)
    form = PersonForm(ctx.form, data=_initial(person))
    if ctx.is_post and form.validate() and not ctx.checking:
        saved = ctx.attempt(
            people.update_details,
            Actor.officer(ctx.user),
            person,
            form.details(),
            expected_version=parse_id(form.version.data) or 0,
        )
        if saved:
            changed = saved.result
            ctx.flash(
                f"{person.full_name}'s details have been saved."
                if changed
                else "Nothing was changed."
            )
            return ctx.redirect("backoffice:person", person_id=person.id)
    now: list[tuple[str, str]] = []
    if ctx.problems.status == 409:
        # Someone saved first: show what the record says now where it differs from what this
        # officer entered, and take their next save as made against the record as it is now.
        ctx.db.refresh(person)
        entered = form.details()
        for name in people.DETAIL_FIELDS:
            current = getattr(person, name)
            if (current or None) != (getattr(entered, name) or None):
                now.append((people.FIELD_WORDS[name], _shown(name, current)))
        form.version.data = str(person.version)
    ctx.offers_field_checks = True
    return ctx.render("backoffice/people/edit.html", form=form, person=person, now=now)


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if name == "sex":
        return Sex(value).label
    if name == "date_of_birth":
        return long_date(value)
    return str(value)


# --- relationships between people ---------------------------------------------------------------


@officer_view(Permission.PEOPLE)
def relationship_add(ctx: Ctx) -> Response:
    """Record how someone else is related to this person: find them, then choose what they
    are to this person (the other side is shown on their page)."""
    assert ctx.user is not None
    person = _person(ctx)
    source = ctx.form if ctx.form is not None else ctx.query
    query = person_search.parse(source.get("q"))
    other_id = parse_id(source.get("other"))
    other = pq.load_person(ctx.db, other_id) if other_id else None
    results = None
    if other is None and not query.is_empty:
        if query.error:
            ctx.problems.add(query.error, "q")
        else:
            results = person_search.search(ctx.db, query, ctx.today, size=10)
    role = str(source.get("role") or "")
    if ctx.is_post and other is not None:
        if role not in relationships.ROLE_CHOICES:
            ctx.problems.add(f"Choose what {other.full_name} is to {person.full_name}", "role")
        else:
            done = ctx.attempt(
                relationships.relate,
                Actor.officer(ctx.user),
                person,
                other,
                relationships.Role(role),
            )
            if done:
                said = f"{other.full_name} recorded as {person.full_name}'s {role.lower()}."
                offer = (
                    relationships.case_offer(ctx.db, person, other, ctx.today)
                    if ctx.user.can(Permission.CASES)
                    else None
                )
                if offer is not None:
                    # The reverse of a case updating the people: offer to update the case.
                    ctx.flash(
                        f"{said} On their case, {offer.member.full_name} is recorded as "
                        f"{(offer.recorded or 'not recorded').lower()}: change it to "
                        f"{offer.suggested.lower()} below if that is right."
                    )
                    return ctx.redirect(
                        "backoffice:case_edit_member",
                        case_id=offer.case_id,
                        person_id=offer.member.id,
                        query={"relationship": offer.suggested},
                    )
                ctx.flash(said)
                return ctx.redirect("backoffice:person", person_id=person.id)
    return ctx.render(
        "backoffice/people/relationship.html",
        person=person,
        other=other,
        search=query,
        results=results,
        roles=relationships.ROLE_CHOICES,
        role=role,
    )


@officer_view(Permission.PEOPLE)
def relationship_end(ctx: Ctx) -> Response:
    assert ctx.user is not None
    person = _person(ctx)
    other_id = parse_id(ctx.form.get("other") if ctx.form is not None else None)
    ended = ctx.attempt(relationships.end, Actor.officer(ctx.user), person, other_id or 0)
    if ended:
        ctx.flash("The relationship has been removed.")
    else:
        ctx.flash("That relationship was already removed.")
    return ctx.redirect("backoffice:person", person_id=person.id)
