"""Bounded readers for values arriving as text from outside (paths, query strings, forms).

Each returns None for anything it does not accept, so a view never passes a value the database
would refuse (an id beyond the column's range, say) or one that would make a query costly.
"""

from __future__ import annotations

import re

from domain.ids import MAX_ID, parse_id

_INDEX = re.compile(r"[0-9]{1,3}")


def parse_index(text: object, *, limit: int = 999) -> int | None:
    """A small position in a list (0-based), e.g. which household member to remove."""
    if not isinstance(text, str) or not _INDEX.fullmatch(text):
        return None
    value = int(text)
    return value if value <= limit else None


def parse_flag(text: object) -> bool:
    """A yes/no query flag: "1", "yes" or "true" mean yes."""
    return isinstance(text, str) and text.lower() in {"1", "yes", "true"}


__all__ = ["MAX_ID", "parse_flag", "parse_id", "parse_index"]
