"""Reading record ids that arrive as text (paths, query strings, form fields)."""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # the largest id either database stores in an INTEGER column
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text: object) -> int | None:
    """A positive id that fits the database, or None for anything else."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
