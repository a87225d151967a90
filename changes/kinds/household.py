"""Changes to who is in the household: joined, left, relationship, pregnancy, a baby born."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Form, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import InputRequired, Length

from changes.kinds.base import (
    FUTURE_LIMIT,
    FieldErrors,
    Kind,
    Row,
    as_date,
    fmt_date,
    link_of,
    member,
)
from domain import history, household
from domain.history import Actor
from domain.models import Case, Person
from domain.pending import PendingChange
from domain.vocab import COUPLE_RELATIONSHIPS, RELATIONSHIPS, Sex
from web.fields import DateField

SEX_CHOICES = [
    SelectChoice("F", "Female"),
    SelectChoice("M", "Male"),
    SelectChoice("X", "Prefer not to say, or another way"),
]
RELATIONSHIP_CHOICES = [SelectChoice("", "Choose a relationship")] + [
    SelectChoice(r, r) for r in RELATIONSHIPS
]
CHILD_RELATIONSHIPS = ("Son", "Daughter", "Grandchild", "Foster child", "Other relative")


def _name_field(what: str, label: str) -> StringField:
    return StringField(
        validators=[
            InputRequired(f"Enter {what}"),
            Length(max=100, message=f"{label} must be 100 characters or fewer"),
        ]
    )


def _member_choices(case: Case, today: dt.date, *, include_primary: bool) -> list[SelectChoice]:
    return [
        SelectChoice(str(cp.person_id), cp.person.full_name)
        for cp in household.members_on(case, today)
        if include_primary or not cp.is_primary
    ]


def _person_field(message: str) -> RadioField:
    return RadioField(choices=[], validators=[InputRequired(message)], validate_choice=False)


def _chosen_member(case: Case, form: Form, today: dt.date, *, allow_primary: bool) -> int:
    """The id chosen in `form.person_id`, which must be a current member of this household."""
    raw = form.person_id.data  # type: ignore[attr-defined]
    try:
        person_id = int(raw)
    except (TypeError, ValueError):
        raise FieldErrors({"person_id": "Choose someone from the list"}) from None
    link = member(case, person_id, today)
    if link is None or (link.is_primary and not allow_primary):
        raise FieldErrors({"person_id": "Choose someone from the list"})
    return person_id


def _name(case: Case, person_id: int) -> str:
    link = link_of(case, person_id)
    return link.person.full_name if link else "Someone no longer on the case"


def _check_born(born: dt.date, today: dt.date, field: str) -> None:
    if born > today:
        raise FieldErrors({field: "Date of birth must be today or in the past"})
    if born < today.replace(year=today.year - 120):
        raise FieldErrors({field: "Date of birth must be within the last 120 years"})


class JoinedForm(Form):
    first_name = _name_field("their first name", "First name")
    last_name = _name_field("their last name", "Last name")
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
        _check_born(born, today, "date_of_birth")
        if joined > today + FUTURE_LIMIT:
            raise FieldErrors(
                {"date_joined": "Date they joined must be no more than 31 days from today"}
            )
        if joined < born:
            raise FieldErrors(
                {"date_joined": "Date they joined must be on or after their date of birth"}
            )
        if form.relationship.data not in RELATIONSHIPS:
            raise FieldErrors({"relationship": "Choose their relationship to you"})
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
        return {
            "household": sorted(
                cp.person_id for cp in household.members_on(case, as_date(payload["date_joined"]))
            )
        }

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

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        p = change.payload
        person = Person(
            first_name=p["first_name"],
            last_name=p["last_name"],
            date_of_birth=as_date(p["date_of_birth"]),
            sex=p["sex"],
        )
        session.add(person)
        session.flush()
        history.record(
            session,
            actor,
            "person.created",
            f"{person.full_name} added as a person (change {change.reference})",
            case_id=change.case_id,
            person_id=person.id,
            after={
                "name": person.full_name,
                "date_of_birth": person.date_of_birth,
                "sex": person.sex,
            },
        )
        link = household.add_member(
            session,
            actor,
            change.case,
            person,
            relationship=p["relationship"],
            date_joined=as_date(p["date_joined"]),
        )
        if p["relationship"] in COUPLE_RELATIONSHIPS:
            primary = change.case.primary
            if primary is not None and primary.partner_person_id is None:
                household.link_partners(session, actor, change.case, primary.person_id, person.id)
        change.target_person_id = person.id
        return [f"{person.full_name} joined the household on {fmt_date(link.date_joined)}"]


class LeftForm(Form):
    person_id = _person_field("Choose who has left")
    date_left = DateField(what="Date they left", required_message="Enter the date they left")


class Left(Kind):
    code = "left"
    title = "Someone has left your household"
    label = "Member left"
    hint = "For example, a partner or an adult child has moved out"
    affects_household = True
    form_class = LeftForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = _member_choices(case, today, include_primary=False)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, LeftForm)
        person_id = _chosen_member(case, form, today, allow_primary=False)
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
            ("Who has left", _name(case, int(payload["person_id"]))),
            ("Date they left", fmt_date(payload["date_left"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        before = fmt_date(link.date_left) if link and link.date_left else "Still in the household"
        return [
            Row(
                f"{_name(case, int(payload['person_id']))}: date left",
                before,
                fmt_date(payload["date_left"]),
            )
        ]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return f"{_name(case, int(payload['person_id']))} left on {fmt_date(payload['date_left'])}"

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        link = link_of(change.case, int(change.payload["person_id"]))
        if link is None:
            raise FieldErrors({"person_id": "That person is no longer on the case"})
        household.record_leaving(session, actor, link, as_date(change.payload["date_left"]))
        return [self.describe(change.case, change.payload)]


class RelationshipForm(Form):
    person_id = _person_field("Choose whose relationship has changed")
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
        form.person_id.choices = _member_choices(case, today, include_primary=False)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, RelationshipForm)
        person_id = _chosen_member(case, form, today, allow_primary=False)
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
            ("Whose relationship", _name(case, int(payload["person_id"]))),
            ("Their relationship to you now", payload["relationship"]),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        before = (link.relationship_to_primary or "Not recorded") if link else "Not on the case"
        return [
            Row(
                f"{_name(case, int(payload['person_id']))}: relationship",
                before,
                payload["relationship"],
            )
        ]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{_name(case, int(payload['person_id']))} is now your "
            f"{payload['relationship'].lower()}"
        )

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


class PregnancyForm(Form):
    person_id = _person_field("Choose who is pregnant")
    due_date = DateField(what="Due date", required_message="Enter the due date")


class Pregnancy(Kind):
    code = "pregnancy"
    title = "Someone in your household is pregnant"
    label = "Pregnancy"
    hint = "Tell us the expected date of birth from the MATB1 form or your midwife"
    affects_household = True
    form_class = PregnancyForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = _member_choices(case, today, include_primary=True)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, PregnancyForm)
        person_id = _chosen_member(case, form, today, allow_primary=True)
        due = form.due_date.data
        assert due is not None
        if due < today:
            raise FieldErrors(
                {
                    "due_date": (
                        "Due date must be today or in the future. If the baby has "
                        "been born, tell us about the birth instead"
                    )
                }
            )
        if due > today + dt.timedelta(weeks=42):
            raise FieldErrors({"due_date": "Due date must be within the next 42 weeks"})
        return {"person_id": person_id, "due_date": due.isoformat()}

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:pregnancy"

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        link = link_of(case, int(payload["person_id"]))
        due = link.person.pregnancy_due_date if link else None
        return {"due_date": due.isoformat() if due else None}

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Who is pregnant", _name(case, int(payload["person_id"]))),
            ("Due date", fmt_date(payload["due_date"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        link = link_of(case, int(payload["person_id"]))
        due = link.person.pregnancy_due_date if link else None
        return [
            Row(
                f"{_name(case, int(payload['person_id']))}: due date",
                fmt_date(due),
                fmt_date(payload["due_date"]),
            )
        ]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"{_name(case, int(payload['person_id']))} is pregnant, "
            f"due {fmt_date(payload['due_date'])}"
        )

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        link = link_of(change.case, int(change.payload["person_id"]))
        assert link is not None
        person = link.person
        before = person.pregnancy_due_date
        person.pregnancy_due_date = as_date(change.payload["due_date"])
        history.record(
            session,
            actor,
            "person.pregnancy",
            (
                f"{person.full_name}'s expected date of birth recorded: "
                f"{fmt_date(person.pregnancy_due_date)}"
            ),
            case_id=change.case_id,
            person_id=person.id,
            before={"pregnancy_due_date": before},
            after={"pregnancy_due_date": person.pregnancy_due_date},
        )
        return [self.describe(change.case, change.payload)]


class BirthForm(Form):
    person_id = _person_field("Choose the baby's mother")
    first_name = _name_field("the baby's first name", "First name")
    last_name = _name_field("the baby's last name", "Last name")
    date_of_birth = DateField(
        what="Date of birth", required_message="Enter the baby's date of birth"
    )
    sex = RadioField(choices=SEX_CHOICES, validators=[InputRequired("Select the baby's sex")])
    relationship = SelectField(
        choices=[SelectChoice("", "Choose a relationship")]
        + [SelectChoice(r, r) for r in CHILD_RELATIONSHIPS],
        validators=[InputRequired("Choose the baby's relationship to you")],
    )


class Birth(Kind):
    code = "birth"
    title = "A baby has been born"
    label = "Baby born"
    hint = "Add the baby to your household"
    affects_household = True
    form_class = BirthForm

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        form.person_id.choices = _member_choices(case, today, include_primary=True)  # type: ignore[attr-defined]

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, BirthForm)
        mother = _chosen_member(case, form, today, allow_primary=True)
        born = form.date_of_birth.data
        assert born is not None
        _check_born(born, today, "date_of_birth")
        if born < today - dt.timedelta(days=366):
            raise FieldErrors(
                {
                    "date_of_birth": (
                        "Date of birth must be in the last year. For an older child, "
                        "tell us someone has joined your household"
                    )
                }
            )
        if form.relationship.data not in CHILD_RELATIONSHIPS:
            raise FieldErrors({"relationship": "Choose the baby's relationship to you"})
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
        return {
            "household": sorted(
                cp.person_id for cp in household.members_on(case, as_date(payload["date_of_birth"]))
            )
        }

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Mother", _name(case, int(payload["person_id"]))),
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
                    f"{_name(case, int(payload['person_id']))}: due date",
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

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        p = change.payload
        baby = Person(
            first_name=p["first_name"],
            last_name=p["last_name"],
            date_of_birth=as_date(p["date_of_birth"]),
            sex=p["sex"],
        )
        session.add(baby)
        session.flush()
        history.record(
            session,
            actor,
            "person.created",
            f"{baby.full_name} added as a person (change {change.reference})",
            case_id=change.case_id,
            person_id=baby.id,
            after={"name": baby.full_name, "date_of_birth": baby.date_of_birth, "sex": baby.sex},
        )
        household.add_member(
            session,
            actor,
            change.case,
            baby,
            relationship=p["relationship"],
            date_joined=as_date(p["date_of_birth"]),
        )
        mother = link_of(change.case, int(p["person_id"]))
        if mother is not None and mother.person.pregnancy_due_date is not None:
            history.record(
                session,
                actor,
                "person.pregnancy",
                (
                    f"{mother.person.full_name}'s expected date of birth "
                    "cleared: the baby has been born"
                ),
                case_id=change.case_id,
                person_id=mother.person_id,
                before={"pregnancy_due_date": mother.person.pregnancy_due_date},
                after={"pregnancy_due_date": None},
            )
            mother.person.pregnancy_due_date = None
        change.target_person_id = baby.id
        return [self.describe(change.case, p)]
