"""Domain exceptions, each named after the rule it protects.

The web layer maps them once: NotFound → 404, PermissionDenied → 403, Conflict → 409,
RuleBroken → 400 with the message shown to the user.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class; the message is written for the person using the product."""


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """Somebody else changed the record first; the message says who and when if known."""


class RuleBroken(DomainError):
    """The request breaks a business rule; nothing was saved."""


class NotAMember(RuleBroken):
    pass


class MissingRelationships(RuleBroken):
    pass
