"""What the household kinds of change share: choices, fields and checks of the form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import Form, RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import DataRequired, InputRequired, Length

from changes.kinds.base import link_of, member
from domain import household
from domain.clock import long_date
from domain.errors import FieldErrors
from domain.models import Case, CasePerson
from domain.vocab import RELATIONSHIPS, Sex

SEX_CHOICES = [
    SelectChoice("F", "Female"),
    SelectChoice("M", "Male"),
    SelectChoice("X", "Prefer not to say, or another way"),
]
RELATIONSHIP_CHOICES = [SelectChoice("", "Choose a relationship")] + [
    SelectChoice(r, r) for r in RELATIONSHIPS
]
CHILD_RELATIONSHIPS = ("Son", "Daughter", "Grandchild", "Foster child", "Other relative")


def already_member(case: Case, payload: dict[str, Any]) -> str | None:
    """A member already on the case with the new person's name and date of birth (someone
    added meanwhile, by another change or an officer), as "Name (born …)"; else None."""
    first = str(payload["first_name"]).strip().lower()
    last = str(payload["last_name"]).strip().lower()
    born = str(payload["date_of_birth"])
    for link in case.people:
        person = link.person
        if (
            person.first_name.strip().lower() == first
            and person.last_name.strip().lower() == last
            and person.date_of_birth is not None
            and person.date_of_birth.isoformat() == born
        ):
            return f"{person.full_name} (born {long_date(person.date_of_birth)})"
    return None


def _strip(value: object) -> object:
    return " ".join(value.split()) if isinstance(value, str) else value


def name_field(what: str, label: str) -> StringField:
    """A name, as people write it (any letters, accents, hyphens, apostrophes; GOV.UK names
    guidance), spaces around it ignored: only spaces is no name at all."""
    return StringField(
        filters=[_strip],
        validators=[
            DataRequired(f"Enter {what}"),
            Length(max=100, message=f"{label} must be 100 characters or fewer"),
        ],
    )


# Who can be a baby's mother, or pregnant: a member recorded as female, or whose sex is not
# recorded (then the applicant confirms), aged 12 to 60 at the due date or birth. Anyone else is
# refused with the reason, and told to contact the council if the record is wrong.
MOTHER_AGES = (12, 60)


def mother_problems(link: CasePerson, on: dt.date, *, confirmed: bool, what: str) -> dict[str, str]:
    """Field errors (by field name) if `link`'s person cannot be the one who is pregnant (or
    the baby's mother) on `on`; `what` is "is pregnant" or "is the baby's mother"."""
    person = link.person
    name = person.full_name
    if person.sex == Sex.MALE.value:
        return {
            "person_id": (
                f"{name} is recorded as male. Choose the person who {what}"
                ". If our record is wrong, contact the housing options team"
            )
        }
    age = person.age_on(on)
    low, high = MOTHER_AGES
    if age is not None and not low <= age <= high:
        return {
            "person_id": (
                f"{name} would be {age}. Choose the person who {what}. "
                "If this is right, contact the housing options team"
            )
        }
    if person.sex == Sex.NOT_RECORDED.value and not confirmed:
        return {"confirm": (f"We have not recorded {name}'s sex. Confirm that {name} {what}")}
    return {}


def member_choices(case: Case, today: dt.date, *, include_primary: bool) -> list[SelectChoice]:
    return [
        SelectChoice(str(cp.person_id), cp.person.full_name)
        for cp in household.members_on(case, today)
        if include_primary or not cp.is_primary
    ]


def person_field(message: str) -> RadioField:
    return RadioField(choices=[], validators=[InputRequired(message)], validate_choice=False)


def chosen_member(case: Case, form: Form, today: dt.date, *, allow_primary: bool) -> int:
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


def name_of(case: Case, person_id: int) -> str:
    link = link_of(case, person_id)
    return link.person.full_name if link else "Someone no longer on the case"


def check_born(born: dt.date, today: dt.date, field: str) -> None:
    if born > today:
        raise FieldErrors({field: "Date of birth must be today or in the past"})
    if born < today.replace(year=today.year - 120):
        raise FieldErrors({field: "Date of birth must be within the last 120 years"})
