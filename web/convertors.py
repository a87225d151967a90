"""Path convertors. `{name:id}` matches only a record id the database can hold (1 to
2,147,483,647, the range of an INTEGER column on both databases): anything else — longer, larger,
zero — is simply not a route, so it gets the 404 page instead of a database error."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

from domain.ids import MAX_ID


def _up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 1..limit (no leading zeros)."""
    digits = str(limit)
    width = len(digits)
    shorter = f"[1-9][0-9]{{0,{width - 2}}}" if width > 1 else ""
    alternatives = [shorter] if shorter else []
    # Numbers as long as `limit`: equal to it up to position i, then smaller at i, then anything.
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            top = str(int(digit) - 1)
            part = digits[:i] + (f"[{low}-{top}]" if top != low else low)
            rest = width - i - 1
            alternatives.append(part + (f"[0-9]{{{rest}}}" if rest else ""))
    alternatives.append(digits)
    return "(?:" + "|".join(alternatives) + ")"


class IdConvertor(Convertor[int]):
    regex = _up_to(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(f"{number} is not a record id")
        return str(number)


register_url_convertor("id", IdConvertor())
