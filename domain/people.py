"""Changes to a person's own record: contact details and addresses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from domain import history
from domain.errors import RuleBroken
from domain.history import Actor
from domain.models import Address, Person


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
            "person.contact",
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
                f"{current.date_from:%-d %B %Y}; the new address must be from after that"
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
            "person.address",
            f"{person.full_name} moved to {new.one_line} on {moved_on:%-d %B %Y}",
            case_id=case_id,
            person_id=person.id,
            before={"address": before},
            after={"address": new.one_line, "date_from": moved_on},
        )
        moved.append(person)
    return moved
