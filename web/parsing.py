"""Bounded readers for values arriving as text from outside (paths, query strings, forms).

Each returns None for anything it does not accept, so a view never passes a value the database
would refuse (an id beyond the column's range, say) or one that would make a query costly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.datastructures import FormData, UploadFile

from domain.ids import MAX_ID, parse_id

# C0 control characters other than tab, line feed and carriage return, and DEL: nothing a person
# types, and PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_INDEX = re.compile(r"[0-9]{1,3}")


def parse_index(text: object, *, limit: int = 999) -> int | None:
    """A small position in a list (0-based), e.g. which household member to remove."""
    if not isinstance(text, str) or not _INDEX.fullmatch(text):
        return None
    value = int(text)
    return value if value <= limit else None


def clean_text(value: str) -> str:
    """Text without control characters (tabs and line breaks stay)."""
    return _CONTROL.sub("", value)


def clean_form(form: FormData) -> FormData:
    """Every text value of a posted form cleaned, once, at the edge: no view, form or command
    ever sees a NUL byte (files pass through untouched)."""
    return FormData(
        [
            (key, value if isinstance(value, UploadFile) else clean_text(value))
            for key, value in form.multi_items()
        ]
    )


def clean_query(params: Mapping[str, str]) -> dict[str, str]:
    return {clean_text(key): clean_text(value) for key, value in params.items()}


def parse_flag(text: object) -> bool:
    """A yes/no query flag: "1", "yes" or "true" mean yes."""
    return isinstance(text, str) and text.lower() in {"1", "yes", "true"}


__all__ = [
    "MAX_ID",
    "clean_form",
    "clean_query",
    "clean_text",
    "parse_flag",
    "parse_id",
    "parse_index",
]
