"""Form fields shared by the portal and the back office, following GOV.UK patterns (WTForms
fields; no web framework imports, so the change kinds' forms can use them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import Field, Form
from wtforms.form import BaseForm
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from domain import clock

PARTS = ("day", "month", "year")


class DateField(Field):
    """A GOV.UK date input: three boxes named `<name>-day`, `<name>-month` and `<name>-year`.

    Error messages follow the GOV.UK pattern, e.g. "Date of birth must include a month" or
    "Date of birth must be a real date"; the error summary links to the first box at fault.
    """

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        what: str = "Date",
        required: bool = True,
        required_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.what = what
        self.required = required
        self.required_message = required_message or f"Enter {what.lower()}"
        self.raw: dict[str, str] = dict.fromkeys(PARTS, "")
        self.bad_parts: set[str] = set()

    @property
    def error_anchor(self) -> str:
        first = next((p for p in PARTS if p in self.bad_parts), "day")
        return f"{self.id}-{first}"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = data
        if isinstance(data, dt.date):
            self.raw = {"day": str(data.day), "month": str(data.month), "year": str(data.year)}
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in PARTS):
            self.raw = {p: str(formdata.get(f"{self.name}-{p}") or "").strip() for p in PARTS}
            self.data = None

    def pre_validate(self, form: BaseForm) -> None:
        self.bad_parts = set()
        if self.data is not None and not any(self.raw.values()):
            return
        missing = [p for p in PARTS if not self.raw[p]]
        if len(missing) == 3:
            if self.required:
                self.bad_parts = set(PARTS)
                raise ValidationError(self.required_message)
            self.data = None
            return
        if missing:
            self.bad_parts = set(missing)
            raise ValidationError(f"{self.what} must include a {' and '.join(missing)}")
        numbers: dict[str, int] = {}
        for part in PARTS:
            value = self.raw[part]
            if not (value.isascii() and value.isdigit()) or len(value) > (
                4 if part == "year" else 2
            ):
                self.bad_parts.add(part)
            else:
                numbers[part] = int(value)
        if not self.bad_parts and len(self.raw["year"]) != 4:
            self.bad_parts.add("year")
            raise ValidationError("Year must include 4 numbers")
        if self.bad_parts:
            raise ValidationError(f"{self.what} must be a real date")
        try:
            self.data = dt.date(numbers["year"], numbers["month"], numbers["day"])
        except ValueError:
            self.bad_parts = set(PARTS)
            raise ValidationError(f"{self.what} must be a real date") from None
        if self.data.year < 1900:
            self.bad_parts = {"year"}
            self.data = None
            raise ValidationError(f"{self.what} must be after 1900")

    def _value(self) -> str:
        return ""


class InThePast:
    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: DateField) -> None:
        if field.data is not None and field.data >= clock.today():
            field.bad_parts = set(PARTS)
            raise ValidationError(self.message)
