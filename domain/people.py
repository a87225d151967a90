"""A person's own record: creating it, contact details, addresses, pregnancy.

Every function writes history in the caller's transaction and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain import history
from domain.clock import long_date
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Address, Person
from domain.vocab import Sex


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
