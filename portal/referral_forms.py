"""Forms of the referral journeys, one per page. Messages follow the GOV.UK error message style.

A referrer is asked about "the person"; someone referring themselves is asked about "you". Each
form that words its messages differently is built by a function of `self_referral` (cached, so
each wording is one class).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from email_validator import EmailNotValidError, validate_email
from wtforms import Field, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than stubs
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from domain import clock
from domain.referrals import (
    CONTACT_METHODS,
    HOUSEHOLD_MAX,
    HOUSING_SITUATIONS,
    ORGANISATION_TYPES,
    SAFE_TONIGHT,
    SELF_CONTACT_METHODS,
    TEXT_MAX,
    THROUGH_REFERRER,
)
from domain.vocab import RELATIONSHIPS
from web.fields import PARTS, DateField, InThePast

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
PHONE = re.compile(r"^\+?[0-9 ()-]+$")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
PHONE_MESSAGE = "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


# --- validators -------------------------------------------------------------------------------


class Email:
    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        try:
            validate_email(str(field.data), check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(EMAIL_MESSAGE) from None


class Phone:
    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        value = str(field.data)
        digits = sum(c in "0123456789" for c in value)
        if not PHONE.match(value) or not 10 <= digits <= 15:
            raise ValidationError(PHONE_MESSAGE)


class Postcode:
    def __call__(self, form: Form, field: Field) -> None:
        if not field.data:
            return
        value = " ".join(str(field.data).upper().split())
        if not POSTCODE.match(value):
            raise ValidationError("Enter a real postcode, like NB1 1AA")
        field.data = value if " " in value else f"{value[:-3]} {value[-3:]}"


class WithinAYear:
    """A date within a year either side of today (release and discharge dates)."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: DateField) -> None:
        if field.data is None:
            return
        today = clock.today()
        if abs((field.data - today).days) > 366:
            field.bad_parts = set(PARTS)
            raise ValidationError(self.message)


def _text(required: str | None, max_length: int, what: str) -> StringField:
    first = DataRequired(required) if required else Optional()
    return StringField(
        validators=[
            first,
            Length(max=max_length, message=f"{what} must be {max_length} characters or fewer"),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


def _choice(choices: list[SelectChoice], message: str) -> RadioField:
    return RadioField(
        choices=choices,
        validators=[InputRequired(message), AnyOf([c.value for c in choices], message=message)],
        validate_choice=False,
    )


def _long_text(required: str | None, what: str) -> TextAreaField:
    first = DataRequired(required) if required else Optional()
    return TextAreaField(
        validators=[
            first,
            Length(max=TEXT_MAX, message=f"{what} must be {TEXT_MAX} characters or fewer"),
        ],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
    )


# --- the pages --------------------------------------------------------------------------------


@cache
def consent_form(self_referral: bool) -> type[Form]:
    if self_referral:

        class SelfConsentForm(Form):
            consent_to_referral = _choice(
                YES_NO, "Select yes if you agree to us using your details to help you"
            )

        return SelfConsentForm

    class ConsentForm(Form):
        consent_to_referral = _choice(
            YES_NO, "Select yes if the person has agreed to be referred to the council"
        )
        consent_to_share = _choice(
            YES_NO, "Select yes if the person has agreed to you sharing their contact details"
        )

    return ConsentForm


class OrganisationForm(Form):
    org_type = _choice(
        [SelectChoice(code, label) for code, label in ORGANISATION_TYPES],
        "Select the type of organisation you work for",
    )
    org_name = _text("Enter the name of your organisation", 200, "Organisation name")


class ReferrerForm(Form):
    referrer_name = _text("Enter your full name", 200, "Full name")
    referrer_role = _text("Enter your job title or role", 100, "Job title or role")
    referrer_email = _text("Enter your work email address", 320, "Email address")
    referrer_phone = _text("Enter your work phone number", 40, "Phone number")

    def validate_referrer_email(self, field: Field) -> None:
        Email()(self, field)

    def validate_referrer_phone(self, field: Field) -> None:
        Phone()(self, field)


@cache
def person_form(self_referral: bool) -> type[Form]:
    whose = "your" if self_referral else "their"

    class PersonForm(Form):
        first_name = _text(f"Enter {whose} first name", 100, "First name")
        last_name = _text(f"Enter {whose} last name", 100, "Last name")
        date_of_birth = DateField(
            what="Date of birth",
            required_message=f"Enter {whose} date of birth",
            validators=[InThePast("Date of birth must be in the past")],
            render_kw={"autocomplete_prefix": "bday"} if self_referral else None,
        )

    return PersonForm


@cache
def contact_form(self_referral: bool) -> type[Form]:
    methods = SELF_CONTACT_METHODS if self_referral else CONTACT_METHODS
    labels = {THROUGH_REFERRER: "Through me, the referrer"}
    how = "how you would like to be contacted" if self_referral else "how to contact them"

    class ContactForm(Form):
        phone = _text(None, 40, "Phone number")
        email = _text(None, 320, "Email address")
        preferred_contact = _choice(
            [SelectChoice(m, labels.get(m, m)) for m in methods], f"Select {how}"
        )

        def validate_phone(self, field: Field) -> None:
            Phone()(self, field)

        def validate_email(self, field: Field) -> None:
            Email()(self, field)

        def validate(self, extra_validators: Any = None) -> bool:
            valid = super().validate(extra_validators)
            method = self.preferred_contact.data
            if method == "Email" and not self.email.data and not self.email.errors:
                self.email.errors = ["Enter an email address, or choose another way to contact"]
                valid = False
            if method in ("Phone", "Text message") and not self.phone.data:
                if not self.phone.errors:
                    self.phone.errors = ["Enter a phone number, or choose another way to contact"]
                valid = False
            return valid

    return ContactForm


@cache
def address_form(self_referral: bool) -> type[Form]:
    where = "where you are living now" if self_referral else "where they are living now"

    class SituationForm(Form):
        housing_situation = _choice(
            [SelectChoice(code, label) for code, label in HOUSING_SITUATIONS], f"Select {where}"
        )

    return SituationForm


@cache
def home_address_form(self_referral: bool) -> type[Form]:
    class HomeAddressForm(Form):
        address_line_1 = _text(
            "Enter address line 1, typically the building and street", 200, "Address line 1"
        )
        address_line_2 = _text(None, 200, "Address line 2")
        town = _text("Enter the town or city", 100, "Town or city")
        postcode = _text("Enter the postcode", 10, "Postcode")

        def validate_postcode(self, field: Field) -> None:
            Postcode()(self, field)

    return HomeAddressForm


@cache
def safe_tonight_form(self_referral: bool) -> type[Form]:
    who = "you have" if self_referral else "the person has"

    class SafeTonightForm(Form):
        safe_tonight = _choice(
            [SelectChoice(code, label) for code, label in SAFE_TONIGHT],
            f"Select whether {who} somewhere safe to stay tonight",
        )

    return SafeTonightForm


@cache
def reason_form(self_referral: bool) -> type[Form]:
    class ReasonForm(Form):
        reason = _long_text(
            "Enter why you need help with housing"
            if self_referral
            else "Enter why the person is homeless or at risk of homelessness",
            "Reason",
        )

    return ReasonForm


@cache
def leaving_date_form(self_referral: bool) -> type[Form]:
    what = "Date you have to leave" if self_referral else "Release or discharge date"

    class LeavingDateForm(Form):
        leaving_date = DateField(
            what=what,
            required=False,
            validators=[WithinAYear(f"{what} must be within a year of today")],
        )

    return LeavingDateForm


@cache
def household_form(self_referral: bool) -> type[Form]:
    who = "you" if self_referral else "them"

    class HouseholdForm(Form):
        add_member = _choice(YES_NO, f"Select yes if anyone else needs housing with {who}")

    return HouseholdForm


@cache
def member_form(self_referral: bool) -> type[Form]:
    to_whom = "you" if self_referral else "the person"

    class MemberForm(Form):
        name = _text("Enter their full name", 200, "Full name")
        relationship = SelectField(
            choices=[SelectChoice("", "Choose a relationship")]
            + [SelectChoice(r, r) for r in RELATIONSHIPS],
            validators=[
                InputRequired(f"Select their relationship to {to_whom}"),
                AnyOf(RELATIONSHIPS, message=f"Select their relationship to {to_whom}"),
            ],
            validate_choice=False,
        )
        date_of_birth = DateField(
            what="Date of birth",
            required=False,
            validators=[InThePast("Date of birth must be in the past")],
        )

    return MemberForm


@cache
def support_form(self_referral: bool) -> type[Form]:
    class SupportForm(Form):
        support_needs = _long_text(None, "Support needs")

    return SupportForm


class NothingToAnswer(Form):
    """A page in the journey that tells rather than asks: only "Continue"."""


__all__ = [
    "HOUSEHOLD_MAX",
    "NothingToAnswer",
    "OrganisationForm",
    "ReferrerForm",
    "address_form",
    "consent_form",
    "contact_form",
    "home_address_form",
    "household_form",
    "leaving_date_form",
    "member_form",
    "person_form",
    "reason_form",
    "safe_tonight_form",
    "support_form",
]
