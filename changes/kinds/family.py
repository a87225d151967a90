"""Pregnancy, and a baby born into the household."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from wtforms import BooleanField, Form, RadioField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import InputRequired

from changes.kinds.base import (
    Kind,
    Row,
    as_date,
    fmt_date,
    link_of,
)
from changes.kinds.common import (
    CHILD_RELATIONSHIPS,
    SEX_CHOICES,
    already_member,
    check_born,
    chosen_member,
    member_choices,
    mother_problems,
    name_field,
    name_of,
    person_field,
)
from domain import household, people
from domain import household_rules as rules
from domain.errors import FieldErrors
from domain.history import Actor
from domain.household_rules import LinkView
from domain.models import Case, Person
from domain.pending import PendingChange
from domain.vocab import Sex
from web.fields import DateField


class PregnancyForm(Form):
    person_id = person_field("Choose who is pregnant")
    due_date = DateField(what="Due date", required_message="Enter the due date")
    confirm = BooleanField()  # shown when the chosen person's sex is not recorded


class Pregnancy(Kind):
    code = "pregnancy"
    title = "Someone in your household is pregnant"
    label = "Pregnancy"
    hint = "Tell us the expected date of birth from the MATB1 form or your midwife"
    affects_household = True
    form_class = PregnancyForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = member_choices(case, today, include_primary=True)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, PregnancyForm)
        person_id = chosen_member(case, form, today, allow_primary=True)
        due = form.due_date.data
        assert due is not None
        errors: dict[str, str] = {}
        if due < today:
            errors["due_date"] = (
                "Due date must be today or in the future. If the baby has been born, tell us "
                "about the birth instead"
            )
        elif due > today + dt.timedelta(weeks=42):
            errors["due_date"] = "Due date must be within the next 42 weeks"
        link = link_of(case, person_id)
        assert link is not None
        errors = {
            **mother_problems(link, due, confirmed=bool(form.confirm.data), what="is pregnant"),
            **errors,
        }
        if errors:
            raise FieldErrors(errors)
        return {"person_id": person_id, "due_date": due.isoformat()}

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:pregnancy"

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        link = link_of(case, int(payload["person_id"]))
        due = link.person.pregnancy_due_date if link else None
        return {"due_date": due.isoformat() if due else None}

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Who is pregnant", name_of(case, int(payload["person_id"]))),
            ("Due date", fmt_date(payload["due_date"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        due = link.person.pregnancy_due_date if link else None
        return [
            Row(
                f"{name_of(case, int(payload['person_id']))}: due date",
                fmt_date(due),
                fmt_date(payload["due_date"]),
            )
        ]

    refused_when_target_left = True

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{name_of(case, int(payload['person_id']))} is pregnant, "
            f"due {fmt_date(payload['due_date'])}"
        )

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        link = rules.find(links, int(payload["person_id"]))
        if link is None:
            raise FieldErrors({"person_id": "That person is no longer on the case"})
        link.person.pregnancy_due_date = as_date(payload["due_date"])

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        link = link_of(change.case, int(change.payload["person_id"]))
        assert link is not None
        people.record_pregnancy(
            session,
            actor,
            link.person,
            as_date(change.payload["due_date"]),
            case_id=change.case_id,
        )
        return [self.describe(change.case, change.payload)]


class BirthForm(Form):
    person_id = person_field("Choose the baby's mother")
    first_name = name_field("the baby's first name", "First name")
    last_name = name_field("the baby's last name", "Last name")
    date_of_birth = DateField(
        what="Date of birth", required_message="Enter the baby's date of birth"
    )
    sex = RadioField(choices=SEX_CHOICES, validators=[InputRequired("Select the baby's sex")])
    relationship = SelectField(
        choices=[SelectChoice("", "Choose a relationship")]
        + [SelectChoice(r, r) for r in CHILD_RELATIONSHIPS],
        validators=[InputRequired("Choose the baby's relationship to you")],
    )
    confirm = BooleanField()  # shown when the mother's sex is not recorded


class Birth(Kind):
    code = "birth"
    title = "A baby has been born"
    label = "Baby born"
    hint = "Add the baby to your household"
    affects_household = True
    form_class = BirthForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = member_choices(case, today, include_primary=True)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, BirthForm)
        mother = chosen_member(case, form, today, allow_primary=True)
        born = form.date_of_birth.data
        assert born is not None
        errors: dict[str, str] = {}
        try:
            check_born(born, today, "date_of_birth")
        except FieldErrors as exc:
            errors.update(exc.errors)
        if not errors and born < today - dt.timedelta(days=366):
            errors["date_of_birth"] = (
                "Date of birth must be in the last year. For an older child, tell us someone "
                "has joined your household"
            )
        if form.relationship.data not in CHILD_RELATIONSHIPS:
            errors["relationship"] = "Choose the baby's relationship to you"
        link = link_of(case, mother)
        assert link is not None
        errors = {
            **mother_problems(
                link, born, confirmed=bool(form.confirm.data), what="is the baby's mother"
            ),
            **errors,
        }
        if errors:
            raise FieldErrors(errors)
        return {
            "person_id": mother,
            "first_name": (form.first_name.data or "").strip(),
            "last_name": (form.last_name.data or "").strip(),
            "date_of_birth": born.isoformat(),
            "sex": form.sex.data,
            "relationship": form.relationship.data,
        }

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:birth:{payload['date_of_birth']}"

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        return {"already_in_household": already_member(case, payload)}

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Mother", name_of(case, int(payload["person_id"]))),
            ("Baby's name", f"{payload['first_name']} {payload['last_name']}"),
            ("Date of birth", fmt_date(payload["date_of_birth"])),
            ("Sex", Sex(payload["sex"]).label),
            ("Relationship to you", payload["relationship"]),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        name = f"{payload['first_name']} {payload['last_name']}"
        link = link_of(case, int(payload["person_id"]))
        due = link.person.pregnancy_due_date if link else None
        rows = [
            Row(
                "Household",
                "Not in the household",
                f"{name} ({payload['relationship']}), born {fmt_date(payload['date_of_birth'])}",
            )
        ]
        if due is not None:
            rows.append(
                Row(
                    f"{name_of(case, int(payload['person_id']))}: due date",
                    fmt_date(due),
                    "Not recorded",
                )
            )
        return rows

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{payload['first_name']} {payload['last_name']} was born "
            f"on {fmt_date(payload['date_of_birth'])}"
        )

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        born = as_date(payload["date_of_birth"])
        baby = rules.newcomer(
            first_name=payload["first_name"],
            last_name=payload["last_name"],
            date_of_birth=born,
            sex=payload["sex"],
            relationship=payload["relationship"],
            date_joined=born,
        )
        rules.born(links, baby, int(payload["person_id"]))

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        p = change.payload
        baby = household.record_birth(
            session,
            actor,
            change.case,
            mother_person_id=int(p["person_id"]),
            first_name=p["first_name"],
            last_name=p["last_name"],
            date_of_birth=as_date(p["date_of_birth"]),
            sex=p["sex"],
            relationship=p["relationship"],
            source=f"(change {change.reference})",
        )
        change.target_person_id = baby.id
        return [self.describe(change.case, p)]
