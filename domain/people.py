"""A person's own record: creating it, contact details, addresses, pregnancy.

Every function writes history in the caller's transaction and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import history
from domain.clock import date_time, long_date
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.identity import normalise_ni_number
from domain.models import Address, HistoryEvent, Person
from domain.vocab import CONTACT_METHODS, Sex


@dataclass(frozen=True)
class NewAddress:
    line_1: str
    line_2: str | None
    town: str | None
    postcode: str | None
    date_from: dt.date | None


def create_person(
    session: Session,
    actor: Actor,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
    sex: str = Sex.NOT_RECORDED.value,
    email: str | None = None,
    phone: str | None = None,
    preferred_contact: str | None = None,
    address: NewAddress | None = None,
    source: str,
    case_id: int | None = None,
    title: str | None = None,
    middle_names: str | None = None,
    ni_number: str | None = None,
    communication_needs: str | None = None,
) -> Person:
    """A new person record; `source` says where it came from, for history (e.g. "from change
    PC-000012", "from a homeless referral")."""
    first, last = " ".join(first_name.split()), " ".join(last_name.split())
    if not first:
        raise RuleBroken("Enter the first name", field="first_name")
    if not last:
        raise RuleBroken("Enter the last name", field="last_name")
    if sex not in {s.value for s in Sex}:
        raise RuleBroken("Choose the person's sex", field="sex")
    person = Person(
        first_name=first,
        last_name=last,
        date_of_birth=date_of_birth,
        sex=sex,
        email=email or None,
        phone=phone or None,
        preferred_contact=preferred_contact or None,
        title=_tidy(title),
        middle_names=_tidy(middle_names),
        ni_number=normalise_ni_number(ni_number),
        communication_needs=(communication_needs or "").strip() or None,
    )
    if address is not None:
        person.addresses.append(
            Address(
                line_1=address.line_1,
                line_2=address.line_2,
                town=address.town,
                postcode=address.postcode,
                date_from=address.date_from,
            )
        )
    session.add(person)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.PERSON_CREATED,
        f"{person.full_name} added as a person {source}",
        case_id=case_id,
        person_id=person.id,
        after={"name": person.full_name, "date_of_birth": person.date_of_birth, "sex": person.sex},
    )
    return person


def record_pregnancy(
    session: Session,
    actor: Actor,
    person: Person,
    due_date: dt.date | None,
    *,
    case_id: int | None = None,
    because: str | None = None,
) -> None:
    """Record (or, with None, clear) a person's expected date of birth."""
    before = person.pregnancy_due_date
    if before == due_date:
        return
    person.pregnancy_due_date = due_date
    if due_date is not None:
        summary = f"{person.full_name}'s expected date of birth recorded: {long_date(due_date)}"
    else:
        summary = f"{person.full_name}'s expected date of birth cleared"
    if because:
        summary += f": {because}"
    history.record(
        session,
        actor,
        HistoryKind.PERSON_PREGNANCY,
        summary,
        case_id=case_id,
        person_id=person.id,
        before={"pregnancy_due_date": before},
        after={"pregnancy_due_date": due_date},
    )


def change_contact_details(
    session: Session,
    actor: Actor,
    person: Person,
    *,
    email: str | None,
    phone: str | None,
    preferred_contact: str | None,
    case_id: int | None = None,
) -> dict[str, tuple[str | None, str | None]]:
    """Update contact details; returns what changed as field -> (before, after)."""
    changed: dict[str, tuple[str | None, str | None]] = {}
    for field, value in (
        ("email", email),
        ("phone", phone),
        ("preferred_contact", preferred_contact),
    ):
        before = getattr(person, field)
        if before != value:
            changed[field] = (before, value)
            setattr(person, field, value)
    if changed:
        history.record(
            session,
            actor,
            HistoryKind.PERSON_CONTACT,
            f"{person.full_name}'s contact details changed: "
            + ", ".join(f.replace("_", " ") for f in changed),
            case_id=case_id,
            person_id=person.id,
            before={k: v[0] for k, v in changed.items()},
            after={k: v[1] for k, v in changed.items()},
        )
    return changed


def move_home(
    session: Session,
    actor: Actor,
    people: Iterable[Person],
    *,
    line_1: str,
    line_2: str | None,
    town: str | None,
    postcode: str | None,
    moved_on: dt.date,
    case_id: int | None = None,
) -> list[Person]:
    """Give each person a new current address from `moved_on`; their old current address becomes
    a previous address ending that day."""
    moved: list[Person] = []
    for person in people:
        current = person.current_address
        if current is not None and current.date_from is not None and moved_on < current.date_from:
            raise RuleBroken(
                f"{person.full_name} moved to their current address on "
                f"{long_date(current.date_from)}; the new address must be from after that"
            )
        before = current.one_line if current else None
        if current is not None:
            current.date_to = moved_on
            session.flush()  # only one current address per person, even mid-transaction
        new = Address(
            line_1=line_1, line_2=line_2, town=town, postcode=postcode, date_from=moved_on
        )
        person.addresses.append(new)
        session.flush()
        history.record(
            session,
            actor,
            HistoryKind.PERSON_ADDRESS,
            f"{person.full_name} moved to {new.one_line} on {long_date(moved_on)}",
            case_id=case_id,
            person_id=person.id,
            before={"address": before},
            after={"address": new.one_line, "date_from": moved_on},
        )
        moved.append(person)
    return moved


def _tidy(value: str | None) -> str | None:
    return " ".join((value or "").split()) or None


@dataclass(frozen=True)
class PersonDetails:
    """A person's own details, as an officer records them (the person page's form)."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    sex: str = Sex.NOT_RECORDED.value
    title: str | None = None
    middle_names: str | None = None
    ni_number: str | None = None
    email: str | None = None
    phone: str | None = None
    preferred_contact: str | None = None
    communication_needs: str | None = None

    def cleaned(self) -> PersonDetails:
        """The details tidied (spaces, the NI number's form), or FieldErrors naming each wrong
        field."""
        errors: dict[str, str] = {}
        first, last = _tidy(self.first_name), _tidy(self.last_name)
        if not first:
            errors["first_name"] = "Enter the first name"
        if not last:
            errors["last_name"] = "Enter the last name"
        if self.sex not in {s.value for s in Sex}:
            errors["sex"] = "Choose the person's sex"
        ni = normalise_ni_number(self.ni_number) if self.ni_number else None
        if self.ni_number and ni is None:
            errors["ni_number"] = (
                "Enter a National Insurance number in the correct format, like QQ 12 34 56 C"
            )
        if self.preferred_contact and self.preferred_contact not in CONTACT_METHODS:
            errors["preferred_contact"] = "Choose how the council should contact them"
        if self.preferred_contact == "Email" and not self.email:
            errors["email"] = "Enter an email address, or choose another way to contact them"
        if self.preferred_contact in ("Phone", "Text message") and not self.phone:
            errors["phone"] = "Enter a phone number, or choose another way to contact them"
        if errors:
            raise FieldErrors(errors)
        return PersonDetails(
            first_name=first or "",
            last_name=last or "",
            date_of_birth=self.date_of_birth,
            sex=self.sex,
            title=_tidy(self.title),
            middle_names=_tidy(self.middle_names),
            ni_number=ni,
            email=(self.email or "").strip() or None,
            phone=_tidy(self.phone),
            preferred_contact=self.preferred_contact or None,
            communication_needs=(self.communication_needs or "").strip() or None,
        )


DETAIL_FIELDS = (
    "title",
    "first_name",
    "middle_names",
    "last_name",
    "date_of_birth",
    "sex",
    "ni_number",
    "email",
    "phone",
    "preferred_contact",
    "communication_needs",
)


def details_of(person: Person) -> PersonDetails:
    return PersonDetails(**{name: getattr(person, name) for name in DETAIL_FIELDS})


def add_person(session: Session, actor: Actor, details: PersonDetails) -> Person:
    """A person an officer records (after checking for duplicates, see person_search)."""
    d = details.cleaned()
    return create_person(
        session,
        actor,
        first_name=d.first_name,
        last_name=d.last_name,
        date_of_birth=d.date_of_birth,
        sex=d.sex,
        email=d.email,
        phone=d.phone,
        preferred_contact=d.preferred_contact,
        title=d.title,
        middle_names=d.middle_names,
        ni_number=d.ni_number,
        communication_needs=d.communication_needs,
        source="by an officer",
    )


def update_details(
    session: Session,
    actor: Actor,
    person: Person,
    details: PersonDetails,
    *,
    expected_version: int,
) -> dict[str, tuple[object, object]]:
    """Change a person's details, with history (before → after). `expected_version` is the
    version the officer saw: if someone saved the record since, nothing is saved (Conflict,
    saying who and when). Returns what changed, field -> (before, after).

    The row is locked and read again first, so of two officers saving at once the second waits
    for the first and is then told what they changed."""
    session.refresh(person, with_for_update={"of": Person})
    if person.version != expected_version:
        raise Conflict(_moved_on(session, person))
    d = details.cleaned()
    changed: dict[str, tuple[object, object]] = {}
    for name in DETAIL_FIELDS:
        before, after = getattr(person, name), getattr(d, name)
        if before != after:
            changed[name] = (before, after)
            setattr(person, name, after)
    if changed:
        history.record(
            session,
            actor,
            HistoryKind.PERSON_DETAILS,
            f"{person.full_name}'s details changed: "
            + ", ".join(FIELD_WORDS[name] for name in changed),
            person_id=person.id,
            before={k: v[0] for k, v in changed.items()},
            after={k: v[1] for k, v in changed.items()},
        )
        session.flush()  # the version check (UPDATE … WHERE version = seen) happens here
    return changed


FIELD_WORDS = {
    "title": "title",
    "first_name": "first name",
    "middle_names": "middle names",
    "last_name": "last name",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "ni_number": "National Insurance number",
    "email": "email address",
    "phone": "phone number",
    "preferred_contact": "preferred contact method",
    "communication_needs": "communication needs",
}


def _moved_on(session: Session, person: Person) -> str:
    """Who changed a person's record last, and when, for an officer whose edit came too late."""
    latest = session.scalars(
        select(HistoryEvent)
        .where(HistoryEvent.person_id == person.id)
        .order_by(HistoryEvent.occurred_at.desc(), HistoryEvent.id.desc())
        .limit(1)
    ).first()
    who = f" by {latest.actor_label} at {date_time(latest.occurred_at)}" if latest else ""
    what = f" ({latest.summary})" if latest else ""
    return (
        f"{person.full_name}'s record was changed{who}{what} while you were editing it. "
        "Nothing you entered was saved: check the record as it is now and make your change again."
    )
