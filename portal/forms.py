"""Portal account forms. Messages follow GOV.UK error message style."""

from __future__ import annotations

from wtforms import Form, PasswordField, StringField
from wtforms.validators import InputRequired, Length

from web.fields import DateField, InThePast

EMAIL_MESSAGE = "Enter your email address"


def _email(message: str = EMAIL_MESSAGE) -> StringField:
    return StringField(
        validators=[
            InputRequired(message),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ]
    )


def _password(message: str) -> PasswordField:
    return PasswordField(
        validators=[
            InputRequired(message),
            Length(max=256, message="Password must be 256 characters or fewer"),
        ]
    )


class SignInForm(Form):
    email = _email()
    password = _password("Enter your password")


class CreateAccountForm(Form):
    email = _email()
    password = _password("Create a password")


class ResetRequestForm(Form):
    email = _email()


class NewPasswordForm(Form):
    password = _password("Enter a new password")


class ChangePasswordForm(Form):
    current_password = _password("Enter your current password")
    new_password = _password("Enter a new password")


class LinkCaseForm(Form):
    reference = StringField(
        validators=[
            InputRequired("Enter your case reference"),
            Length(max=20, message="Case reference must be 20 characters or fewer"),
        ]
    )
    date_of_birth = DateField(
        what="Date of birth",
        required_message="Enter your date of birth",
        validators=[InThePast("Date of birth must be in the past")],
        render_kw={"autocomplete_prefix": "bday"},
    )
