"""Someone has left the household."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Form

from changes.kinds.base import (
    FUTURE_LIMIT,
    Kind,
    Row,
    as_date,
    fmt_date,
    link_of,
    member,
)
from changes.kinds.common import (
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
from web.fields import DateField


class LeftForm(Form):
    person_id = person_field("Choose who has left")
    date_left = DateField(what="Date they left", required_message="Enter the date they left")


class Left(Kind):
    code = "left"
    title = "Someone has left your household"
    label = "Member left"
    hint = "For example, a partner or an adult child has moved out"
    affects_household = True
    form_class = LeftForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = member_choices(case, today, include_primary=False)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, LeftForm)
        person_id = chosen_member(case, form, today, allow_primary=False)
        left = form.date_left.data
        assert left is not None
        if left > today + FUTURE_LIMIT:
            raise FieldErrors(
                {"date_left": "Date they left must be no more than 31 days from today"}
            )
        link = member(case, person_id, today)
        assert link is not None
        if left < link.date_joined:
            raise FieldErrors(
                {
                    "date_left": (
                        "Date they left must be on or after the date they "
                        f"joined, {fmt_date(link.date_joined)}"
                    )
                }
            )
        return {"person_id": person_id, "date_left": left.isoformat()}

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:membership:{case.id}"

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        link = link_of(case, int(payload["person_id"]))
        return {
            "date_left": link.date_left.isoformat() if link and link.date_left else None,
            "date_joined": link.date_joined.isoformat() if link else None,
        }

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Who has left", name_of(case, int(payload["person_id"]))),
            ("Date they left", fmt_date(payload["date_left"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        before = fmt_date(link.date_left) if link and link.date_left else "Still in the household"
        return [
            Row(
                f"{name_of(case, int(payload['person_id']))}: date left",
                before,
                fmt_date(payload["date_left"]),
            )
        ]

    refused_when_target_left = True

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{name_of(case, int(payload['person_id']))} left on {fmt_date(payload['date_left'])}"
        )

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        link = rules.find(links, int(payload["person_id"]))
        if link is None:
            raise FieldErrors({"person_id": "That person is no longer on the case"})
        rules.leave(links, link, as_date(payload["date_left"]))

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        link = link_of(change.case, int(change.payload["person_id"]))
        if link is None:
            raise FieldErrors({"person_id": "That person is no longer on the case"})
        household.record_leaving(session, actor, link, as_date(change.payload["date_left"]))
        return [self.describe(change.case, change.payload)]
