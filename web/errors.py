"""Errors on a page, collected one way.

A view never builds an error summary. Errors reach the page from two places: a WTForms form's own
validation, and a command refused by the domain (`Ctx.attempt`). Both end up in
:class:`Problems`; `Ctx.render` puts field errors by their fields and hands the base templates
one list for the GOV.UK error summary (and the "Error: " title prefix).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import Form

from domain.errors import Conflict, DomainError, FieldErrors, TooManyAttempts

log = logging.getLogger("hearth.web")

STALE_RECORD = (
    "Someone else changed this record while you were working on it. Nothing you sent was "
    "saved: reload the page to see the latest version."
)
WRITE_CLASH = (
    "Someone else was saving a change to the same records at the same moment. Nothing you sent "
    "was saved: try again."
)


@dataclass(frozen=True)
class Problem:
    message: str
    field: str | None = None  # the form field it concerns, by name; None: the page


@dataclass
class Problems:
    """What went wrong on this request, and the status the page should answer with."""

    items: list[Problem] = field(default_factory=list)
    status: int = 400

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def add(self, message: str, field: str | None = None, *, status: int | None = None) -> None:
        if Problem(message, field) not in self.items:
            self.items.append(Problem(message, field))
        if status is not None and status > self.status:
            self.status = status

    def take(self) -> list[Problem]:
        """Remove and return the problems, for a view that shows a refusal as a page of its own
        rather than as errors on a form."""
        taken, self.items, self.status = self.items, [], 400
        return taken

    def add_refusal(self, exc: Exception) -> None:
        """Record a domain refusal (or a clash the database reported) as page or field errors."""
        if isinstance(exc, FieldErrors):
            for name, message in exc.errors.items():
                self.add(message, name)
            return
        if isinstance(exc, TooManyAttempts):
            self.add(exc.message, exc.field, status=429)
        elif isinstance(exc, Conflict):
            self.add(exc.message, exc.field, status=409)
        elif isinstance(exc, DomainError):
            for message in exc.messages:
                self.add(message, exc.field)
        elif isinstance(exc, StaleDataError):
            self.add(STALE_RECORD, status=409)
        elif isinstance(exc, IntegrityError | OperationalError):
            self.add(WRITE_CLASH, status=409)
        else:  # pragma: no cover - attempt() only passes the types above
            raise exc


def is_write_clash(exc: OperationalError) -> bool:
    """SQLite's 'database is locked' and PostgreSQL's serialization failure or deadlock."""
    text = str(exc.orig).lower()
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return "database is locked" in text or sqlstate in {"40001", "40P01"}


def _anchor(field: Any) -> str:
    return str(getattr(field, "error_anchor", None) or field.id)


def summary_items(problems: Problems, forms: Iterable[Form]) -> list[dict[str, str]]:
    """The error summary's list: each field at fault (linked to it), then page-level problems.

    Field problems from a refused command are first added to the form field of that name, so the
    message also shows by the field; a problem naming a field no form has links to that id.
    """
    forms = [f for f in forms if f is not None]
    for problem in problems:
        target = next(
            (f[problem.field] for f in forms if problem.field and problem.field in f), None
        )
        if target is not None and problem.message not in target.errors:
            target.errors = [*target.errors, problem.message]
    items: list[dict[str, str]] = []
    for form in forms:
        for name in form._fields:
            bound = form[name]
            if bound.errors:
                items.append({"text": str(bound.errors[0]), "href": f"#{_anchor(bound)}"})
        items += [{"text": str(message)} for message in form.form_errors]
    placed = {item["text"] for item in items}
    for problem in problems:
        if problem.message in placed:
            continue
        placed.add(problem.message)
        item = {"text": problem.message}
        if problem.field and not any(problem.field in f for f in forms):
            item["href"] = f"#{problem.field}"
        items.append(item)
    return items


__all__ = [
    "STALE_RECORD",
    "WRITE_CLASH",
    "Problem",
    "Problems",
    "is_write_clash",
    "summary_items",
]
