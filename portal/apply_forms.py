"""Forms of the housing register application, one per page; messages in the GOV.UK style.

The eligibility questions' choices come from `domain.applying`, which also decides where each
answer leads; the council's name is put into the words as each form is built (cached per name).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from wtforms import BooleanField, Field, Form, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import AnyOf, InputRequired, ValidationError

from domain import applying, clock
from domain.identity import normalise_ni_number
from domain.vocab import CONTACT_METHODS, RELATIONSHIPS, Sex
from portal.referral_forms import (
    YES_NO,
    Email,
    Phone,
    Postcode,
    _choice,
    _long_text,
    _text,
)
from web.fields import DateField, InThePast

SEXES = [SelectChoice(Sex.FEMALE.value, "Female"), SelectChoice(Sex.MALE.value, "Male")]


class AgeForm(Form):
    over_18 = _choice(YES_NO, "Select yes if you are 18 or over")


class ImmigrationForm(Form):
    immigration = _choice(
        [SelectChoice(code, words) for code, (words, _) in applying.IMMIGRATION_STATUSES.items()],
        "Select the one that describes your right to live in the UK",
    )


@cache
def connection_form(council: str) -> type[Form]:
    class ConnectionForm(Form):
        connection = _choice(
            [
                SelectChoice(code, applying.connection_words(code, council))
                for code in applying.LOCAL_CONNECTIONS
            ],
            f"Select your connection with {applying.area_of(council)}, or 'None of these'",
        )

    return ConnectionForm


@cache
def registered_form(council: str) -> type[Form]:
    class RegisteredForm(Form):
        registered = _choice(
            YES_NO,
            f"Select yes if you are already on the housing register in {applying.area_of(council)}",
        )

    return RegisteredForm


class NiNumber:
    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        number = normalise_ni_number(str(field.data))
        if number is None:
            raise ValidationError(
                "Enter a National Insurance number in the correct format, like QQ 12 34 56 C"
            )
        field.data = " ".join([number[:2], number[2:4], number[4:6], number[6:8], number[8:]])


class AdultDateOfBirth:
    """The applicant must be 18 or over, as the first question said."""

    def __call__(self, form: Form, field: DateField) -> None:
        if field.data is None:
            return
        if applying.age_on(field.data, clock.today()) < applying.MIN_AGE:
            field.bad_parts = {"year"}
            raise ValidationError(
                "You must be 18 or over to apply. Check the year of your date of birth"
            )


class YourDetailsForm(Form):
    first_name = _text("Enter your first name", 100, "First name")
    last_name = _text("Enter your last name", 100, "Last name")
    date_of_birth = DateField(
        what="Date of birth",
        required_message="Enter your date of birth",
        validators=[InThePast("Date of birth must be in the past"), AdultDateOfBirth()],
        render_kw={"autocomplete_prefix": "bday"},
    )
    sex = _choice(SEXES, "Select your sex")
    ni_number = _text(None, 13, "National Insurance number")

    def validate_ni_number(self, field: Field) -> None:
        NiNumber()(self, field)


class AddAnotherForm(Form):
    add_another = _choice(YES_NO, "Select yes if you need to add someone else")


class AddAddressForm(Form):
    add_another = _choice(YES_NO, "Select yes if you lived somewhere else in the last 5 years")


class MemberForm(Form):
    first_name = _text("Enter their first name", 100, "First name")
    last_name = _text("Enter their last name", 100, "Last name")
    date_of_birth = DateField(
        what="Date of birth",
        required_message="Enter their date of birth",
        validators=[InThePast("Date of birth must be in the past")],
    )
    sex = _choice(SEXES, "Select their sex")
    relationship = SelectField(
        choices=[SelectChoice("", "Choose a relationship")]
        + [SelectChoice(r, r) for r in RELATIONSHIPS],
        validators=[
            InputRequired("Select their relationship to you"),
            AnyOf(RELATIONSHIPS, message="Select their relationship to you"),
        ],
        validate_choice=False,
    )


class NotInTheFuture:
    def __call__(self, form: Form, field: DateField) -> None:
        if field.data is not None and field.data > clock.today():
            field.bad_parts = {"day", "month", "year"}
            raise ValidationError(f"{field.what} must be today or in the past")


def _address_fields(moved_what: str) -> dict[str, Any]:
    return {
        "line_1": _text(
            "Enter address line 1, typically the building and street", 200, "Address line 1"
        ),
        "line_2": _text(None, 200, "Address line 2"),
        "town": _text("Enter the town or city", 100, "Town or city"),
        "postcode": _text("Enter the postcode", 10, "Postcode"),
        "moved_in": DateField(
            what=moved_what,
            required_message=f"Enter the {moved_what.lower()}",
            validators=[NotInTheFuture()],
        ),
    }


class _AddressBase(Form):
    def validate_postcode(self, field: Field) -> None:
        Postcode()(self, field)


CurrentAddressForm: type[Form] = type(
    "CurrentAddressForm", (_AddressBase,), _address_fields("Date you moved in")
)
PreviousAddressForm: type[Form] = type(
    "PreviousAddressForm", (_AddressBase,), _address_fields("Date you moved there")
)


class ContactForm(Form):
    email = _text(None, 320, "Email address")
    phone = _text(None, 40, "Phone number")
    preferred_contact = _choice(
        [SelectChoice(m, m) for m in CONTACT_METHODS], "Select how you would like us to contact you"
    )

    def validate_phone(self, field: Field) -> None:
        Phone()(self, field)

    def validate_email(self, field: Field) -> None:
        Email()(self, field)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        method = self.preferred_contact.data
        if method == "Email" and not self.email.data and not self.email.errors:
            self.email.errors = ["Enter an email address, or choose another way to contact you"]
            valid = False
        if method in ("Phone", "Text message") and not self.phone.data and not self.phone.errors:
            self.phone.errors = ["Enter a phone number, or choose another way to contact you"]
            valid = False
        return valid


class PreferencesForm(Form):
    communication_needs = _long_text(None, "Help you need to talk to us")
    preferred_areas = _long_text(None, "Areas you would like to live in")


class MedicalForm(Form):
    medical = _choice(
        YES_NO,
        "Select yes if anyone in your household has a medical condition or disability "
        "that affects where they can live",
    )


class MedicalDetailsForm(Form):
    """Who (choices set per household as the page is built) and how it affects them."""

    medical_people = SelectMultipleField(
        choices=[],
        validators=[InputRequired("Select everyone with a medical condition or disability")],
        validate_choice=False,
    )
    medical_details = _long_text(
        "Enter how the condition or disability affects where you can live", "Details"
    )

    def validate_medical_people(self, field: SelectMultipleField) -> None:
        allowed = {str(choice[0]) for choice in field.choices or []}
        if not field.data or not set(field.data) <= allowed:
            raise ValidationError("Select everyone with a medical condition or disability")


class DeclarationForm(Form):
    declaration = BooleanField(
        validators=[InputRequired("Confirm that the information you have given is true")]
    )


def moved_in(answers: dict[str, Any], key: str = "moved_in") -> dt.date | None:
    value = answers.get(key)
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


__all__ = [
    "AddAddressForm",
    "AddAnotherForm",
    "AgeForm",
    "ContactForm",
    "CurrentAddressForm",
    "DeclarationForm",
    "ImmigrationForm",
    "MedicalDetailsForm",
    "MedicalForm",
    "MemberForm",
    "PreferencesForm",
    "PreviousAddressForm",
    "YourDetailsForm",
    "connection_form",
    "moved_in",
    "registered_form",
]
