"""Every kind of change an applicant can report, by code."""

from __future__ import annotations

from changes.kinds.base import Kind, Row
from changes.kinds.details import Address, Contact, Other
from changes.kinds.family import Birth, Pregnancy
from changes.kinds.joined import Joined
from changes.kinds.left import Left
from changes.kinds.relationship import Relationship
from domain.errors import FieldErrors

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Joined(),
        Left(),
        Relationship(),
        Pregnancy(),
        Birth(),
        Contact(),
        Address(),
        Other(),
    )
}


def kind_of(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise LookupError(f"no such kind of change: {code!r}") from None


__all__ = ["KINDS", "FieldErrors", "Kind", "Row", "kind_of"]
