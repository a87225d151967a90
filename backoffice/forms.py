"""Back-office forms (sign-in). Journey forms live next to their views."""

from __future__ import annotations

from wtforms import Form, PasswordField, StringField
from wtforms.validators import InputRequired, Length


class SignInForm(Form):
    email = StringField(
        validators=[
            InputRequired("Enter your work email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ]
    )
    password = PasswordField(
        validators=[
            InputRequired("Enter your password"),
            Length(max=256, message="Password must be 256 characters or fewer"),
        ]
    )
