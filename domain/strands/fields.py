"""The fields of a strand type: what kinds there are, how a typed value is read and checked, how
a stored value is shown, and when a field must be filled.

A field's value lives in the strand's `data` under the field's name, stored plainly so that
history, exports and other code read it without this module:

=========== ========================================= =============================
kind        what the officer types                    stored as
=========== ========================================= =============================
text        up to 200 characters                      the text
long_text   up to 5,000 characters                    the text
number      a number (optional min/max, decimals)     a JSON number
money       pounds, e.g. 1,250.50 or £1250            whole pence (an integer)
date        day, month, year                          "YYYY-MM-DD"
yes_no      Yes or No                                 true or false
choice      one of the field's choices                the choice's words
person      someone on the case                       the person's id
officer     an officer                                the officer's id
=========== ========================================= =============================

An empty answer removes the value. A field is required always (`required`), at some statuses
(`required_at`: the strand cannot move into them, or stay there, without it) or when another
field has one of some values (`required_when`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = (
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "yes_no",
    "choice",
    "person",
    "officer",
)
TEXT_MAX = 200
LONG_TEXT_MAX = 5000
MONEY_MAX_PENCE = 100_000_000_00  # £100 million
NUMBER_LIMIT = Decimal("1e12")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_MONEY = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


@dataclass(frozen=True)
class RequiredWhen:
    """The field is required when `field` holds one of `values`."""

    field: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    kind: str
    hint: str | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    required_at: tuple[str, ...] = ()
    required_when: RequiredWhen | None = None
    # False: the workflow or the system sets it (shown on the strand, not on its edit form).
    editable: bool = True
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int = 0

    @property
    def lowered(self) -> str:
        return self.label[:1].lower() + self.label[1:]

    def is_required(self, status: str, values: Mapping[str, Any]) -> bool:
        if self.required or status in self.required_at:
            return True
        when = self.required_when
        return when is not None and values.get(when.field) in when.values

    def missing_message(self) -> str:
        if self.kind in ("choice", "yes_no", "person", "officer"):
            return f"Select {self.lowered}"
        return f"Enter {self.lowered}"


class FieldProblem(ValueError):
    """A typed value that cannot be stored; the message is for the officer."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse(
    field: FieldDef,
    raw: str | None,
    *,
    people: Mapping[int, str] | None = None,
    officers: Mapping[int, str] | None = None,
) -> Any:
    """The value to store for what was typed (None when empty), or FieldProblem.

    `people` and `officers` are the ids that may be chosen (with their names) for person and
    officer fields.
    """
    text = (raw or "").strip()
    if not text:
        return None
    label = field.label
    if field.kind == "text":
        if len(text) > TEXT_MAX:
            raise FieldProblem(f"{label} must be {TEXT_MAX} characters or fewer")
        return text
    if field.kind == "long_text":
        text = (raw or "").strip().replace("\r\n", "\n")
        if len(text) > LONG_TEXT_MAX:
            raise FieldProblem(f"{label} must be {LONG_TEXT_MAX:,} characters or fewer")
        return text
    if field.kind == "number":
        return _number(field, text)
    if field.kind == "money":
        cleaned = text.removeprefix("£").strip()
        if not _MONEY.match(cleaned):
            raise FieldProblem(f"{label} must be an amount in pounds, like 1250 or 1,250.50")
        pence = int(Decimal(cleaned.replace(",", "")) * 100)
        if pence > MONEY_MAX_PENCE:
            raise FieldProblem(f"{label} must be £100,000,000 or less")
        return pence
    if field.kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldProblem(f"{label} must be a real date") from None
    if field.kind == "yes_no":
        if text not in ("yes", "no"):
            raise FieldProblem(f"Select yes or no for {field.lowered}")
        return text == "yes"
    if field.kind == "choice":
        if text not in field.choices:
            raise FieldProblem(f"Choose {field.lowered} from the list")
        return text
    if field.kind in ("person", "officer"):
        allowed = (people if field.kind == "person" else officers) or {}
        who = "someone on the case" if field.kind == "person" else "an officer"
        if not text.isdigit() or int(text) not in allowed:
            raise FieldProblem(f"Select {who} for {field.lowered}")
        return int(text)
    raise FieldProblem(f"{label} has an unknown kind {field.kind!r}")  # pragma: no cover


def _number(field: FieldDef, text: str) -> int | float:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise FieldProblem(f"{field.label} must be a number") from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise FieldProblem(f"{field.label} must be a number")
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > field.decimals:
        raise FieldProblem(
            f"{field.label} must be a whole number"
            if field.decimals == 0
            else f"{field.label} must have {field.decimals} decimal places or fewer"
        )
    if field.minimum is not None and number < field.minimum:
        raise FieldProblem(f"{field.label} must be {field.minimum} or more")
    if field.maximum is not None and number > field.maximum:
        raise FieldProblem(f"{field.label} must be {field.maximum} or less")
    return int(number) if places == 0 else float(number)


def form_value(field: FieldDef, value: Any) -> str:
    """A stored value as the edit form shows it (what `parse` reads back to the same value)."""
    if value is None:
        return ""
    if field.kind == "money" and isinstance(value, int):
        return f"{value // 100}.{value % 100:02d}"
    if field.kind == "yes_no":
        return "yes" if value is True else "no" if value is False else ""
    return str(value)


def display(
    field: FieldDef,
    value: Any,
    *,
    people: Mapping[int, str] | None = None,
    officers: Mapping[int, str] | None = None,
) -> str:
    """A stored value in words, e.g. '£1,250.50', '3 March 2026', 'Yes', a person's name."""
    if value is None or value == "":
        return "Not recorded"
    if field.kind == "money" and isinstance(value, int):
        pounds, pence = divmod(value, 100)
        return f"£{pounds:,}.{pence:02d}"
    if field.kind == "date" and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    if field.kind == "yes_no":
        return "Yes" if value is True else "No"
    if field.kind == "person":
        return (people or {}).get(value, f"Person PN-{value}")
    if field.kind == "officer":
        return (officers or {}).get(value, "An officer no longer listed")
    if field.kind == "number" and isinstance(value, float):
        return f"{value:,}"
    if field.kind == "number" and isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --------------------------------------------------------------------------------------------
# Definitions: one field from plain data, checked
# --------------------------------------------------------------------------------------------


def field_from_data(type_code: str, data: Mapping[str, Any], statuses: set[str]) -> FieldDef:
    """A field from its definition, or ValueError naming the type and the field."""
    name = data.get("name")
    where = f"Strand type {type_code!r}, field {name!r}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"Strand type {type_code!r}: field name {name!r} must be lower_snake_case "
            "(a letter, then letters, digits or _; up to 40)"
        )
    known = {
        "name",
        "label",
        "kind",
        "hint",
        "choices",
        "required",
        "required_at",
        "required_when",
        "editable",
        "min",
        "max",
        "decimals",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{where}: unknown setting {unknown[0]!r}")
    label = data.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 80:
        raise ValueError(f"{where}: label must be 1 to 80 characters")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    hint = data.get("hint")
    if hint is not None and (not isinstance(hint, str) or len(hint) > 300):
        raise ValueError(f"{where}: hint must be text of 300 characters or fewer")
    choices = data.get("choices", [])
    if kind == "choice":
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(c, str) and c.strip() and len(c) <= 120 for c in choices)
        ):
            raise ValueError(f"{where}: a choice field needs a list of choices (1-120 characters)")
        if len(set(choices)) != len(choices):
            raise ValueError(f"{where}: a choice is listed twice")
    elif choices:
        raise ValueError(f"{where}: only a choice field has choices")
    required = data.get("required", False)
    editable = data.get("editable", True)
    for setting, value in (("required", required), ("editable", editable)):
        if not isinstance(value, bool):
            raise ValueError(f"{where}: {setting} must be true or false")
    required_at = data.get("required_at", [])
    if not isinstance(required_at, list) or not all(isinstance(s, str) for s in required_at):
        raise ValueError(f"{where}: required_at must be a list of statuses")
    for status in required_at:
        if status not in statuses:
            raise ValueError(f"{where}: required_at names {status!r}, not a status of the type")
    when = data.get("required_when")
    required_when = None
    if when is not None:
        if (
            not isinstance(when, Mapping)
            or set(when) != {"field", "in"}
            or not isinstance(when["field"], str)
            or not isinstance(when["in"], list)
            or not when["in"]
        ):
            raise ValueError(
                f'{where}: required_when must be {{field = "other_field", in = [values]}}'
            )
        required_when = RequiredWhen(when["field"], tuple(when["in"]))
    minimum, maximum, decimals = data.get("min"), data.get("max"), data.get("decimals", 0)
    if kind != "number" and (minimum is not None or maximum is not None or "decimals" in data):
        raise ValueError(f"{where}: only a number field has min, max or decimals")
    for setting, value in (("min", minimum), ("max", maximum)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{where}: {setting} must be a number")
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise ValueError(f"{where}: decimals must be a whole number from 0 to 4")
    return FieldDef(
        name=name,
        label=label.strip(),
        kind=kind,
        hint=hint,
        choices=tuple(choices),
        required=required,
        required_at=tuple(required_at),
        required_when=required_when,
        editable=editable,
        minimum=None if minimum is None else Decimal(str(minimum)),
        maximum=None if maximum is None else Decimal(str(maximum)),
        decimals=decimals,
    )


def check_references(type_code: str, fields: tuple[FieldDef, ...]) -> None:
    """Every `required_when` names another field of the type, with values it can hold."""
    by_name = {f.name: f for f in fields}
    if len(by_name) != len(fields):
        seen: set[str] = set()
        twice = next(f.name for f in fields if f.name in seen or seen.add(f.name))  # type: ignore[func-returns-value]
        raise ValueError(f"Strand type {type_code!r}: field {twice!r} is defined twice")
    for field in fields:
        when = field.required_when
        if when is None:
            continue
        other = by_name.get(when.field)
        if other is None or other is field:
            raise ValueError(
                f"Strand type {type_code!r}, field {field.name!r}: required_when names "
                f"{when.field!r}, not another field of the type"
            )
        if other.kind == "choice":
            wrong = [v for v in when.values if v not in other.choices]
            if wrong:
                raise ValueError(
                    f"Strand type {type_code!r}, field {field.name!r}: required_when value "
                    f"{wrong[0]!r} is not a choice of {other.name!r}"
                )
