"""A member's relationship to the primary applicant has changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Form, SelectField
from wtforms.validators import InputRequired

from changes.kinds.base import (
    Kind,
    Row,
    link_of,
    member,
)
from changes.kinds.common import (
    RELATIONSHIP_CHOICES,
    chosen_member,
    member_choices,
    name_of,
    person_field,
)
from domain import household
from domain import household_rules as rules
from domain.errors import FieldErrors
from domain.history import Actor
from domain.household_rules import LinkView
from domain.models import Case, Person
from domain.pending import PendingChange
from domain.vocab import RELATIONSHIPS


class RelationshipForm(Form):
    person_id = person_field("Choose whose relationship has changed")
    relationship = SelectField(
        choices=RELATIONSHIP_CHOICES, validators=[InputRequired("Choose their relationship to you")]
    )


class Relationship(Kind):
    code = "relationship"
    title = "Someone's relationship to you has changed"
    label = "Relationship changed"
    hint = "For example, your partner is now your husband, wife or civil partner"
    affects_household = True
    form_class = RelationshipForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = member_choices(case, today, include_primary=False)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, RelationshipForm)
        person_id = chosen_member(case, form, today, allow_primary=False)
        new = form.relationship.data
        if new not in RELATIONSHIPS:
            raise FieldErrors({"relationship": "Choose their relationship to you"})
        link = member(case, person_id, today)
        assert link is not None
        if link.relationship_to_primary == new:
            raise FieldErrors(
                {
                    "relationship": (
                        f"The council already has {link.person.full_name} as your {new.lower()}"
                    )
                }
            )
        return {"person_id": person_id, "relationship": new}

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:relationship:{case.id}"

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        link = link_of(case, int(payload["person_id"]))
        return {"relationship": link.relationship_to_primary if link else None}

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Whose relationship", name_of(case, int(payload["person_id"]))),
            ("Their relationship to you now", payload["relationship"]),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        before = (link.relationship_to_primary or "Not recorded") if link else "Not on the case"
        return [
            Row(
                f"{name_of(case, int(payload['person_id']))}: relationship",
                before,
                payload["relationship"],
            )
        ]

    refused_when_target_left = True

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{name_of(case, int(payload['person_id']))} is now the primary applicant's "
            f"{payload['relationship'].lower()}"
        )

    def to_applicant(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{name_of(case, int(payload['person_id']))} is now your "
            f"{payload['relationship'].lower()}"
        )

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        rules.relate(links, int(payload["person_id"]), payload["relationship"])

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        household.change_relationship(
            session,
            actor,
            change.case,
            int(change.payload["person_id"]),
            change.payload["relationship"],
        )
        return [self.describe(change.case, change.payload)]
