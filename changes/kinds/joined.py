"""Someone has joined the household."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Form, RadioField, SelectField
from wtforms.validators import InputRequired

from changes.kinds.base import (
    FUTURE_LIMIT,
    Kind,
    Row,
    as_date,
    fmt_date,
)
from changes.kinds.common import (
    RELATIONSHIP_CHOICES,
    SEX_CHOICES,
    already_member,
    check_born,
    name_field,
)
from domain import household, people
from domain import household_rules as rules
from domain.errors import FieldErrors
from domain.history import Actor
from domain.household_rules import LinkView
from domain.models import Case, Person
from domain.pending import PendingChange
from domain.vocab import RELATIONSHIPS, Sex
from web.fields import DateField


class JoinedForm(Form):
    first_name = name_field("their first name", "First name")
    last_name = name_field("their last name", "Last name")
    date_of_birth = DateField(what="Date of birth", required_message="Enter their date of birth")
    sex = RadioField(choices=SEX_CHOICES, validators=[InputRequired("Select their sex")])
    relationship = SelectField(
        choices=RELATIONSHIP_CHOICES, validators=[InputRequired("Choose their relationship to you")]
    )
    date_joined = DateField(what="Date they joined", required_message="Enter the date they joined")


class Joined(Kind):
    code = "joined"
    title = "Someone has joined your household"
    label = "Member joined"
    hint = "For example, a partner has moved in or a relative has come to live with you"
    affects_household = True
    form_class = JoinedForm

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, JoinedForm)
        born, joined = form.date_of_birth.data, form.date_joined.data
        assert born is not None and joined is not None
        errors: dict[str, str] = {}  # every problem at once
        try:
            check_born(born, today, "date_of_birth")
        except FieldErrors as exc:
            errors.update(exc.errors)
        if joined > today + FUTURE_LIMIT:
            errors["date_joined"] = "Date they joined must be no more than 31 days from today"
        elif joined < born:
            errors["date_joined"] = "Date they joined must be on or after their date of birth"
        if form.relationship.data not in RELATIONSHIPS:
            errors["relationship"] = "Choose their relationship to you"
        if errors:
            raise FieldErrors(errors)
        return {
            "first_name": (form.first_name.data or "").strip(),
            "last_name": (form.last_name.data or "").strip(),
            "date_of_birth": born.isoformat(),
            "sex": form.sex.data,
            "relationship": form.relationship.data,
            "date_joined": joined.isoformat(),
        }

    def target_person_id(self, payload: dict[str, Any]) -> int | None:
        return None

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        who = f"{payload['first_name']} {payload['last_name']}".lower()
        return f"case:{case.id}:joined:{who}:{payload['date_of_birth']}"[:120]

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        return {"already_in_household": already_member(case, payload)}

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Name", f"{payload['first_name']} {payload['last_name']}"),
            ("Date of birth", fmt_date(payload["date_of_birth"])),
            ("Sex", Sex(payload["sex"]).label),
            ("Relationship to you", payload["relationship"]),
            ("Date they joined", fmt_date(payload["date_joined"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        name = f"{payload['first_name']} {payload['last_name']}"
        return [
            Row("Household", "Not in the household", f"{name} ({payload['relationship']})"),
            Row("Date joined", "", fmt_date(payload["date_joined"])),
        ]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{payload['first_name']} {payload['last_name']} joined "
            f"on {fmt_date(payload['date_joined'])}"
        )

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        rules.joins(
            links,
            rules.newcomer(
                first_name=payload["first_name"],
                last_name=payload["last_name"],
                date_of_birth=as_date(payload["date_of_birth"]),
                sex=payload["sex"],
                relationship=payload["relationship"],
                date_joined=as_date(payload["date_joined"]),
            ),
        )

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        p = change.payload
        person = people.create_person(
            session,
            actor,
            first_name=p["first_name"],
            last_name=p["last_name"],
            date_of_birth=as_date(p["date_of_birth"]),
            sex=p["sex"],
            source=f"(change {change.reference})",
            case_id=change.case_id,
        )
        link = household.join(
            session,
            actor,
            change.case,
            person,
            relationship=p["relationship"],
            date_joined=as_date(p["date_joined"]),
        )
        change.target_person_id = person.id
        return [f"{person.full_name} joined the household on {fmt_date(link.date_joined)}"]
