"""Changes to the applicant's details: contact details, address, and anything else."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session
from wtforms import Field, Form, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from changes.kinds.base import FUTURE_LIMIT, Kind, Row, as_date, fmt_date
from domain import history, people
from domain.accounts import normalise_email
from domain.errors import FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.household import members_on
from domain.identity import normalise_postcode
from domain.models import Case, Person
from domain.pending import PendingChange
from domain.vocab import CONTACT_METHODS
from web.fields import DateField

PHONE = re.compile(r"^\+?[0-9 ()-]{10,20}$")


POSTCODE_MESSAGE = "Enter a real postcode, like SW1A 1AA"
PHONE_MESSAGE = "Enter a phone number, like 07700 900 982 or +44 808 157 0192"


class ContactForm(Form):
    email = StringField(
        validators=[
            Optional(),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ]
    )
    phone = StringField(
        validators=[
            Optional(),
            Length(max=40, message="Phone number must be 40 characters or fewer"),
        ]
    )
    preferred_contact = RadioField(
        choices=[SelectChoice(m, m) for m in CONTACT_METHODS],
        validators=[InputRequired("Choose how the council should contact you")],
    )

    # Each field's own rule is the form's (so it is checked on its own, as the field is left);
    # rules between fields stay with the kind's `clean`.
    def validate_email(self, field: Field) -> None:
        email = (field.data or "").strip()
        if email:
            try:
                normalise_email(email)
            except RuleBroken as exc:
                raise ValidationError(str(exc)) from exc

    def validate_phone(self, field: Field) -> None:
        phone = (field.data or "").strip()
        if phone and not PHONE.match(phone):
            raise ValidationError(PHONE_MESSAGE)


class Contact(Kind):
    code = "contact"
    title = "Your contact details have changed"
    label = "Contact details"
    hint = "Your email address, phone number, or how you would like us to contact you"
    form_class = ContactForm

    def initial(self, case: Case, applicant: Person, today: dt.date) -> dict[str, Any]:
        return {
            "email": applicant.email,
            "phone": applicant.phone,
            "preferred_contact": applicant.preferred_contact,
        }

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, ContactForm)
        email = (form.email.data or "").strip() or None
        phone = (form.phone.data or "").strip() or None
        errors: dict[str, str] = {}  # every problem at once (GOV.UK error summary guidance)
        if email:
            email = normalise_email(email)  # (the form has checked it)
        method = form.preferred_contact.data
        if method == "Email" and not email and "email" not in errors:
            errors["email"] = "Enter an email address if you would like us to contact you by email"
        if method in ("Phone", "Text message") and not phone and "phone" not in errors:
            errors["phone"] = "Enter a phone number if you would like us to phone or text you"
        if errors:
            raise FieldErrors(errors)
        payload = {
            "person_id": applicant.id,
            "email": email,
            "phone": phone,
            "preferred_contact": method,
        }
        if (email, phone, method) == (
            applicant.email,
            applicant.phone,
            applicant.preferred_contact,
        ):
            raise FieldErrors(
                {
                    "email": (
                        "These are the details the council already has. Change at least one of them"
                    )
                }
            )
        return payload

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"person:{payload['person_id']}:contact"

    def _person(self, case: Case, payload: dict[str, Any]) -> Person | None:
        return next(
            (cp.person for cp in case.people if cp.person_id == int(payload["person_id"])), None
        )

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        person = self._person(case, payload)
        assert person is not None
        return {
            "email": person.email,
            "phone": person.phone,
            "preferred_contact": person.preferred_contact,
        }

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("Email address", payload["email"] or "None"),
            ("Phone number", payload["phone"] or "None"),
            ("How to contact you", payload["preferred_contact"]),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        person = self._person(case, payload)
        return [
            Row(
                "Email address",
                (person.email if person else None) or "None",
                payload["email"] or "None",
            ),
            Row(
                "Phone number",
                (person.phone if person else None) or "None",
                payload["phone"] or "None",
            ),
            Row(
                "How to contact",
                (person.preferred_contact if person else None) or "Not recorded",
                payload["preferred_contact"],
            ),
        ]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return "New contact details"

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        person = self._person(change.case, change.payload)
        assert person is not None
        changed = people.change_contact_details(
            session,
            actor,
            person,
            email=change.payload["email"],
            phone=change.payload["phone"],
            preferred_contact=change.payload["preferred_contact"],
            case_id=change.case_id,
        )
        return [f"Contact details updated: {', '.join(changed) or 'no difference'}"]


class AddressForm(Form):
    line_1 = StringField(
        validators=[
            InputRequired("Enter the first line of the address"),
            Length(max=200, message="Address line 1 must be 200 characters or fewer"),
        ]
    )
    line_2 = StringField(
        validators=[Length(max=200, message="Address line 2 must be 200 characters or fewer")]
    )
    town = StringField(
        validators=[
            InputRequired("Enter the town or city"),
            Length(max=100, message="Town or city must be 100 characters or fewer"),
        ]
    )
    postcode = StringField(
        validators=[
            InputRequired("Enter the postcode"),
            Length(max=10, message=POSTCODE_MESSAGE),
        ]
    )
    moved_on = DateField(what="Date you moved", required_message="Enter the date you moved")

    def validate_postcode(self, field: Field) -> None:
        if field.data and normalise_postcode(field.data) is None:
            raise ValidationError(POSTCODE_MESSAGE)


class Address(Kind):
    code = "address"
    title = "You have moved home"
    label = "Change of address"
    hint = "Your household's new address and the date you moved"
    affects_household = False
    form_class = AddressForm

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, AddressForm)
        postcode = normalise_postcode(form.postcode.data or "")
        assert postcode is not None  # (the form has checked it)
        moved = form.moved_on.data
        assert moved is not None
        if moved > today + FUTURE_LIMIT:
            raise FieldErrors(
                {"moved_on": "Date you moved must be no more than 31 days from today"}
            )
        current = applicant.current_address
        if current is not None and current.date_from is not None and moved < current.date_from:
            raise FieldErrors(
                {
                    "moved_on": (
                        "Date you moved must be after you moved to your current "
                        f"address, on {fmt_date(current.date_from)}"
                    )
                }
            )
        return {
            "person_id": applicant.id,
            "line_1": (form.line_1.data or "").strip(),
            "line_2": (form.line_2.data or "").strip() or None,
            "town": (form.town.data or "").strip(),
            "postcode": postcode,
            "moved_on": moved.isoformat(),
        }

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return f"case:{case.id}:address"

    def _movers(self, case: Case, payload: dict[str, Any]) -> list[Person]:
        """The applicant and every current member who lived at the applicant's address."""
        on = as_date(payload["moved_on"])
        members = members_on(case, on) or members_on(case, on - dt.timedelta(days=1))
        applicant = next(
            (cp.person for cp in case.people if cp.person_id == int(payload["person_id"])), None
        )
        if applicant is None:
            return []
        here = applicant.current_address.one_line if applicant.current_address else None
        movers = [applicant]
        for cp in members:
            person = cp.person
            if person.id == applicant.id:
                continue
            theirs = person.current_address.one_line if person.current_address else None
            if theirs is None or theirs == here:
                movers.append(person)
        return movers

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        applicant = next(
            cp.person for cp in case.people if cp.person_id == int(payload["person_id"])
        )
        return {
            "address": applicant.current_address.one_line if applicant.current_address else None
        }

    def _new(self, payload: dict[str, Any]) -> str:
        return ", ".join(
            p
            for p in (payload["line_1"], payload["line_2"], payload["town"], payload["postcode"])
            if p
        )

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            ("New address", self._new(payload)),
            ("Date you moved", fmt_date(payload["moved_on"])),
        ]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        rows = []
        for person in self._movers(case, payload):
            before = person.current_address.one_line if person.current_address else "No address"
            rows.append(
                Row(
                    f"{person.full_name}: address",
                    before,
                    f"{self._new(payload)} from {fmt_date(payload['moved_on'])}",
                )
            )
        return rows

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        return (
            f"Moved to {payload['line_1']}, {payload['postcode']} "
            f"on {fmt_date(payload['moved_on'])}"
        )

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        p = change.payload
        moved = people.move_home(
            session,
            actor,
            self._movers(change.case, p),
            line_1=p["line_1"],
            line_2=p["line_2"],
            town=p["town"],
            postcode=p["postcode"],
            moved_on=as_date(p["moved_on"]),
            case_id=change.case_id,
        )
        return [f"{person.full_name} moved to {self._new(p)}" for person in moved]


class OtherForm(Form):
    details = TextAreaField(
        validators=[
            InputRequired("Tell us what has changed"),
            Length(max=3000, message="What has changed must be 3,000 characters or fewer"),
        ]
    )


class Other(Kind):
    code = "other"
    title = "Something else has changed"
    label = "Other change"
    hint = "For example, your health, income, or a risk to your home. You can send documents"
    form_class = OtherForm

    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        assert isinstance(form, OtherForm)
        details = (form.details.data or "").strip()
        if not details:
            raise FieldErrors({"details": "Tell us what has changed"})
        return {"person_id": applicant.id, "details": details}

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return None

    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        return [("What has changed", payload["details"])]

    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        return [Row("Change of circumstances", "", payload["details"])]

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        text = str(payload["details"])
        return text if len(text) <= 80 else text[:77] + "…"

    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        history.record(
            session,
            actor,
            HistoryKind.CASE_CIRCUMSTANCES,
            (
                f"Change of circumstances noted (change {change.reference}): "
                f"{self.describe(change.case, change.payload)}"
            ),
            case_id=change.case_id,
            person_id=change.target_person_id,
            after={"details": change.payload["details"]},
        )
        return ["Change of circumstances noted on the case"]
