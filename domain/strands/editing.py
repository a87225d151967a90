"""Opening a strand with its fields, and officers editing them: every value read and checked by
its field's kind, required fields enforced for the status the strand is (or will be) at, the
record locked and its version checked (two officers: the second is told), and history written
with each field's value before and after, in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import history
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, Person, User
from domain.strands import fields as kinds
from domain.strands.model import Strand, fields_changed, lock, open_strand
from domain.strands.types import StrandType, strand_type


@dataclass(frozen=True)
class Choices:
    """Who a person or officer field may name: the case's people and the active officers."""

    people: dict[int, str]
    officers: dict[int, str]


def choices_for(session: Session, case_id: int, today: dt.date) -> Choices:
    people = {
        pid: f"{first} {last}"
        for pid, first, last in session.execute(
            select(Person.id, Person.first_name, Person.last_name)
            .join(CasePerson, CasePerson.person_id == Person.id)
            .where(
                CasePerson.case_id == case_id,
                (CasePerson.date_left.is_(None)) | (CasePerson.date_left > today),
            )
            .order_by(CasePerson.is_primary.desc(), CasePerson.date_joined, CasePerson.id)
        )
    }
    officers = {
        row.id: row.name
        for row in session.execute(
            select(User.id, User.name).where(User.active).order_by(User.name, User.id)
        )
    }
    return Choices(people, officers)


def display_names(session: Session, stype: StrandType, values: list[Mapping[str, Any]]) -> Choices:
    """Names for the person and officer ids in `values` (two queries at most, whatever the
    number of strands), including people who have left and officers no longer active."""
    return names_for(session, [(stype, data) for data in values])


def names_for(session: Session, records: Sequence[tuple[StrandType, Mapping[str, Any]]]) -> Choices:
    """Names for the person and officer ids in strands of any types (two queries at most)."""
    person_ids: set[int] = set()
    officer_ids: set[int] = set()
    for stype, data in records:
        for field in stype.fields:
            value = data.get(field.name)
            if isinstance(value, int) and field.kind == "person":
                person_ids.add(value)
            elif isinstance(value, int) and field.kind == "officer":
                officer_ids.add(value)
    people = (
        {
            pid: f"{first} {last}"
            for pid, first, last in session.execute(
                select(Person.id, Person.first_name, Person.last_name).where(
                    Person.id.in_(person_ids)
                )
            )
        }
        if person_ids
        else {}
    )
    officers = (
        {
            row.id: row.name
            for row in session.execute(select(User.id, User.name).where(User.id.in_(officer_ids)))
        }
        if officer_ids
        else {}
    )
    return Choices(people, officers)


def key_facts(
    records: Sequence[tuple[StrandType, Mapping[str, Any]]], names: Choices
) -> list[list[tuple[str, str]]]:
    """Each strand's key facts (label, value in words), those recorded only, in the type's
    order."""
    found = []
    for stype, data in records:
        facts = []
        for name in stype.key_facts:
            field = stype.field(name)
            value = data.get(name)
            if not kinds.is_empty(value):
                facts.append(
                    (
                        field.label,
                        kinds.display(field, value, people=names.people, officers=names.officers),
                    )
                )
        found.append(facts)
    return found


def read_form(
    stype: StrandType,
    raw: Mapping[str, str | None],
    *,
    status: str,
    choices: Choices,
    kept: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The values of the type's editable fields from what was typed, or FieldErrors (by field
    name) for every field that is wrong or missing at `status`. `kept` holds the values of the
    fields officers do not edit here (a required_when may read them)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field in stype.editable_fields:
        try:
            values[field.name] = kinds.parse(
                field, raw.get(field.name), people=choices.people, officers=choices.officers
            )
        except kinds.FieldProblem as problem:
            errors[field.name] = str(problem)
    every = {**(kept or {}), **values}
    for field in stype.editable_fields:
        if field.name in errors or not kinds.is_empty(values.get(field.name)):
            continue
        if field.is_required(status, every):
            message = field.missing_message()
            if status in field.required_at and not field.required:
                message += f": a {stype.name} at “{status}” needs it"
            elif field.required_when is not None and not field.required:
                other = stype.field(field.required_when.field)
                message += f" (needed when {other.lowered} is “{every.get(other.name)}”)"
            errors[field.name] = message
    if errors:  # in the order of the form
        raise FieldErrors(
            {f.name: errors[f.name] for f in stype.editable_fields if f.name in errors}
        )
    return values


def open_with_fields(
    session: Session,
    actor: Actor,
    case: Case,
    type_code: str,
    raw: Mapping[str, str | None],
    *,
    today: dt.date,
) -> Strand:
    """Open a strand of `type_code` on `case` with the fields the officer filled in."""
    stype = strand_type(type_code)
    values = read_form(
        stype, raw, status=stype.initial_status, choices=choices_for(session, case.id, today)
    )
    return open_strand(
        session,
        actor,
        case,
        type_code,
        {name: value for name, value in values.items() if value is not None},
        on=today,
    )


def update_fields(
    session: Session,
    actor: Actor,
    strand: Strand,
    raw: Mapping[str, str | None],
    *,
    expected_version: int,
    today: dt.date,
) -> list[str]:
    """Save the officer's edit of the strand's fields; returns the labels of the fields that
    changed (none: nothing is written)."""
    locked = lock(session, strand)
    if locked.version != expected_version:
        raise Conflict(
            f"{locked.reference} was changed by someone else after you opened it. Nothing was "
            "saved: reload the page to see their changes, then make yours again."
        )
    stype = locked.type
    if locked.status == stype.moved_status:
        raise RuleBroken(f"{locked.reference} was moved to another case: change it there")
    data = dict(locked.data or {})
    choices = choices_for(session, locked.case_id, today)
    values = read_form(stype, raw, status=locked.status, choices=choices, kept=data)
    changed = [f for f in stype.editable_fields if data.get(f.name) != values.get(f.name)]
    if not changed:
        return []
    names = display_names(session, stype, [data, values])
    before: dict[str, Any] = {"strand": locked.reference}
    after: dict[str, Any] = {"strand": locked.reference}
    words = []
    for field in changed:
        old = kinds.display(field, data.get(field.name), **names.__dict__)
        new = kinds.display(field, values.get(field.name), **names.__dict__)
        before[field.name] = data.get(field.name)
        after[field.name] = values.get(field.name)
        before[f"{field.name}_text"], after[f"{field.name}_text"] = old, new
        words.append(f"{field.label} {_short(old)} → {_short(new)}")
        if values.get(field.name) is None:
            data.pop(field.name, None)
        else:
            data[field.name] = values[field.name]
    locked.data = data
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.STRAND_UPDATED,
        f"{locked.label}: " + "; ".join(words),
        case_id=locked.case_id,
        before=before,
        after=after,
    )
    fields_changed(session, actor, locked, [f.name for f in changed], today)
    return [f.label for f in changed]


def _short(text: str) -> str:
    return f"“{text}”" if len(text) <= 60 else f"“{text[:57]}…”"


__all__ = [
    "Choices",
    "choices_for",
    "display_names",
    "key_facts",
    "names_for",
    "open_with_fields",
    "read_form",
    "update_fields",
]
