"""What every kind of change provides: a portal form, validation into a payload, a conflict key,
a basis (what the record looked like when it was submitted), a before→after preview, and
`apply()` that performs its effects through domain functions."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy.orm import Session
from wtforms import Form

from domain.clock import long_date
from domain.history import Actor
from domain.household_rules import LinkView
from domain.models import Case, CasePerson, Person
from domain.pending import PendingChange

# How far ahead an applicant may date a change (e.g. "will leave on Friday").
FUTURE_LIMIT = dt.timedelta(days=31)


@dataclass(frozen=True)
class Stale:
    """What moved on since a change was sent (`reasons`), and whether that stops it being
    accepted at all (`blocking`, the reason) or only needs the officer's confirmation."""

    reasons: tuple[str, ...] = ()
    blocking: str | None = None

    def __bool__(self) -> bool:
        return bool(self.reasons)


def _show(value: Any) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, list):
        return f"{len(value)} people" if value else "nobody"
    return str(value)


@dataclass(frozen=True)
class Row:
    """One line of a before → after comparison."""

    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def fmt_date(value: dt.date | str | None) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{long_date(value)}"


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def member(case: Case, person_id: int, on: dt.date) -> CasePerson | None:
    """The current household membership of `person_id` on the case, if any."""
    return next(
        (cp for cp in case.people if cp.person_id == person_id and cp.is_member_on(on)), None
    )


def link_of(case: Case, person_id: int) -> CasePerson | None:
    return next((cp for cp in case.people if cp.person_id == person_id), None)


class Kind(ABC):
    code: ClassVar[str]
    title: ClassVar[str]  # what the applicant chooses: "Someone has left your household"
    label: ClassVar[str]  # short name for officers: "Member left"
    hint: ClassVar[str] = ""
    affects_household: ClassVar[bool] = False
    form_class: ClassVar[type[Form]]

    def prepare(self, form: Form, case: Case, applicant: Person, today: dt.date) -> None:
        """Fill in choices that depend on the case (e.g. who is in the household).
        Most kinds have none, so by default this does nothing."""
        return

    def initial(self, case: Case, applicant: Person, today: dt.date) -> dict[str, Any]:
        return {}

    @abstractmethod
    def clean(
        self, session: Session, case: Case, applicant: Person, form: Form, today: dt.date
    ) -> dict[str, Any]:
        """A JSON-safe payload from a validated form; FieldErrors for broken rules."""
        ...

    def target_person_id(self, payload: dict[str, Any]) -> int | None:
        value = payload.get("person_id")
        return int(value) if value is not None else None

    def conflict_key(self, case: Case, payload: dict[str, Any]) -> str | None:
        return None

    def basis(self, session: Session, case: Case, payload: dict[str, Any]) -> dict[str, Any]:
        """The parts of the record this change relies on, as they are now."""
        return {}

    @abstractmethod
    def answers(self, case: Case, payload: dict[str, Any]) -> list[tuple[str, str]]:
        """Question and answer pairs for check-your-answers and the applicant's change page."""
        ...

    @abstractmethod
    def rows(self, session: Session, case: Case, payload: dict[str, Any]) -> list[Row]:
        """What accepting would change, before → after, against the record as it is now."""
        ...

    def project(self, links: list[LinkView], payload: dict[str, Any], today: dt.date) -> None:
        """Make on an in-memory copy of the household (`household_rules.views_of`) the changes
        `apply` would make to the records, by the same rules — so the review page shows the
        bedroom need after acceptance without writing anything. Kinds that affect the
        household must override it."""
        if self.affects_household:
            raise NotImplementedError(f"{self.code} affects the household but cannot project")

    @abstractmethod
    def apply(
        self, session: Session, actor: Actor, change: PendingChange, today: dt.date
    ) -> list[str]:
        """Perform the effects (through domain functions, writing history); returns summaries."""
        ...

    def describe(self, case: Case, payload: dict[str, Any]) -> str:
        """One line for officers (lists, history, banners), naming people in the third person:
        e.g. "Tariq Khan left on 3 March 2026"."""
        return self.label

    def to_applicant(self, case: Case, payload: dict[str, Any]) -> str:
        """The same line in the applicant's words (their pages and emails): "your son"."""
        return self.describe(case, payload)

    # A change about a member who has since left cannot be applied (left, relationship,
    # pregnancy); others only need the officer to confirm they still want it.
    refused_when_target_left: ClassVar[bool] = False

    def staleness(
        self, session: Session, case: Case, change: PendingChange, today: dt.date
    ) -> Stale:
        """How the record has moved on since the change was sent, in words for officers."""
        reasons: list[str] = []
        target = self.target_person_id(change.payload)
        gone = None
        if target is not None:
            link = link_of(case, target)
            if link is not None and link.date_left is not None and link.date_left <= today:
                gone = f"{link.person.full_name} left the household on {fmt_date(link.date_left)}"
                reasons.append(gone + ", after this change was sent")
        now = self.basis(session, case, change.payload)
        then = change.basis or {}
        for key in sorted(now):  # (a key only an older basis had is not compared)
            if key in then and now[key] != then[key]:
                label = key.replace("_", " ")
                reasons.append(
                    f"{label.capitalize()} was {_show(then.get(key))} when this was sent, "
                    f"and is now {_show(now.get(key))}"
                )
        blocking = None
        if gone is not None and self.refused_when_target_left:
            blocking = (
                f"{gone}, so this change no longer applies. Reject it, and tell the applicant why."
            )
        return Stale(tuple(reasons), blocking)
