"""Domain exceptions, each named after the rule it protects.

A refusal says which field it concerns by name (`field=`, or `FieldErrors` for several), so a
page can put the message by the right box without reading the message's words. The web kit maps
them once: NotFound → 404 page, PermissionDenied → 403 page; RuleBroken, Conflict and
TooManyAttempts raised inside a view's command become errors on the page the person was using
(400, 409 and 429), with nothing of the command saved.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base class; the message is written for the person using the product."""

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)

    @property
    def messages(self) -> tuple[str, ...]:
        """One or more messages, each shown as its own line of an error summary."""
        return (self.message,)


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Conflict(DomainError):
    """Somebody else changed the record first; the message says who and when if known."""


class RuleBroken(DomainError):
    """The request breaks a business rule; nothing was saved."""


class FieldErrors(RuleBroken):
    """Several fields are wrong at once: `errors` maps field names to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()), field=next(iter(errors), None))
        self.errors = dict(errors)


class TooManyAttempts(RuleBroken):
    """An action was tried too often; `retry_after_seconds` says how long to wait."""

    def __init__(self, message: str, *, retry_after_seconds: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after_seconds = retry_after_seconds


class NotAMember(RuleBroken):
    pass


class MissingRelationships(RuleBroken):
    pass
