"""Queries and small presenters for the back-office case pages (cases list, case tabs).

Views stay thin: anything more than a line or two of querying lives here. Nothing here changes
a record; business rules stay in `domain/` (this module only reads and words things for pages).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from changes import engine
from changes.kinds import kind_of
from domain import clock, notes, paging
from domain.assessments import BedroomAssessmentVersion
from domain.base import UTCDateTime
from domain.bedrooms import UNBORN_SUFFIX
from domain.clock import long_date
from domain.errors import NotFound
from domain.history_kinds import label_of
from domain.household import members_on, past_members
from domain.ids import MAX_ID
from domain.models import (
    Case,
    CaseOfficer,
    CasePerson,
    HistoryEvent,
    Person,
    parse_case_reference,
)
from domain.pending import ChangeStatus, PendingChange
from domain.strands import BEDROOM_ASSESSMENT, HOUSING_REGISTER, REVIEW, STRAND_TYPES, Strand
from domain.strands.editing import key_facts, names_for
from domain.vocab import CaseStatus

CASES_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 200


# --------------------------------------------------------------------------------------------
# One case
# --------------------------------------------------------------------------------------------


# Built once (the case tabs run it on every view): the case, its team and its household with
# each person, in one query (a household is a few rows; a second round trip cost more).
_CASE = (
    select(Case)
    .where(Case.id == bindparam("case_id"))
    .options(
        joinedload(Case.people).joinedload(CasePerson.person),
        joinedload(Case.responsible_team),
    )
)


def load_case(session: Session, case_id: int) -> Case:
    """A case with its household and team loaded, or NotFound (a 404 page)."""
    case = None
    if 0 < case_id <= MAX_ID:
        case = session.scalars(_CASE, {"case_id": case_id}).unique().one_or_none()
    if case is None:
        raise NotFound("There is no case with that number. Check the link, or search for it.")
    return case


def case_header(
    session: Session, case: Case, today: dt.date, pending: list[int | None] | None = None
) -> dict[str, Any]:
    """What the case header and sub navigation show besides the case itself (`pending`: the
    case's `engine.pending_targets`, when the page has read them already).

    Pass the result into the template context (``**case_header(...)``) of any page that
    includes ``backoffice/case/_header.html`` / ``_subnav.html``.
    """
    if pending is None:
        pending = engine.pending_targets(session, case.id)
    return {
        "current_members": members_on(case, today),
        "pending_count": len(pending),
        "case_alerts": notes.active_alerts_for_case(session, case, today),
    }


def current_and_future_members(case: Case, today: dt.date) -> list[CasePerson]:
    """Everyone who has not left by `today` (including anyone recorded as joining later),
    in the case's order: primary applicant first, then by date joined."""
    gone = {cp.id for cp in past_members(case, today)}
    return [cp for cp in case.people if cp.id not in gone]


# --------------------------------------------------------------------------------------------
# The cases list
# --------------------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$")
_REFERENCE = re.compile(r"^(HC)?[\s-]*\d+$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


@dataclass(frozen=True)
class CaseSearch:
    """What an officer typed into the case search, understood."""

    text: str = ""
    case_id: int | None = None
    born: dt.date | None = None
    words: tuple[str, ...] = ()
    error: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text

    @property
    def by(self) -> str:
        if self.is_empty:
            return "recent"
        if self.born is not None:
            return "date of birth"
        if self.words:
            return "name"
        return "reference"


def parse_search(raw: str | None) -> CaseSearch:
    """Understand a search for a case reference (forgiving: "hc 123", "HC-000123", "123"), a date
    of birth (dd/mm/yyyy) or a name (every word must match part of a first or last name)."""
    text = " ".join((raw or "").split())
    if not text:
        return CaseSearch()
    if len(text) > MAX_SEARCH_LENGTH:
        return CaseSearch(
            text=text[:MAX_SEARCH_LENGTH],
            error=f"Search must be {MAX_SEARCH_LENGTH} characters or fewer",
        )
    date_match = _DATE.match(text)
    if date_match:
        day, month, year = (int(part) for part in date_match.groups())
        try:
            return CaseSearch(text=text, born=dt.date(year, month, day))
        except ValueError:
            return CaseSearch(
                text=text, error="Date of birth must be a real date, for example 27/03/1985"
            )
    if _REFERENCE.match(text):
        case_id = parse_case_reference(text)
        return CaseSearch(text=text, case_id=case_id if case_id and case_id <= MAX_ID else 0)
    words = tuple(word.lower() for word in _WORD.findall(text))
    if not words:
        return CaseSearch(
            text=text,
            error="Enter a case reference, a name, or a date of birth like 27/03/1985",
        )
    return CaseSearch(text=text, words=words)


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class CaseRow:
    case: Case
    primary: Person | None
    household_size: int
    matched: list[str] = field(default_factory=list)  # names of the people who matched


CASE_ORDER = (
    paging.SortKey(Case.created_at, descending=True, kind=dt.datetime),
    paging.SortKey(Case.id, descending=True),
)


@dataclass(frozen=True)
class CaseResults:
    rows: list[CaseRow]
    next_cursor: str | None  # the `after` parameter for the next page, if there is one


def search_cases(
    session: Session,
    search: CaseSearch,
    today: dt.date,
    *,
    after: str | None = None,
    officer_id: int | None = None,
) -> CaseResults:
    """Cases matching `search`, newest first, a page at a time (keyset on created_at, id).

    An empty search lists the newest active cases. A search matches anyone who is or was on the
    case, not only the primary applicant. With `officer_id`, only cases that officer is on.
    """
    stmt = select(Case)
    if officer_id is not None:
        stmt = stmt.where(
            Case.id.in_(select(CaseOfficer.case_id).where(CaseOfficer.user_id == officer_id))
        )
    matching_people = None
    if search.error:
        return CaseResults([], None)
    if search.is_empty:
        stmt = stmt.where(Case.status == CaseStatus.ACTIVE.value)
    elif search.case_id is not None:
        stmt = stmt.where(Case.id == search.case_id)
    else:
        if search.born is not None:
            person_match = Person.date_of_birth == search.born
        else:
            person_match = and_(
                *(
                    or_(
                        Person.first_name.ilike(_like(word), escape="\\"),
                        Person.last_name.ilike(_like(word), escape="\\"),
                    )
                    for word in search.words
                )
            )
        matching_people = select(CasePerson.case_id, CasePerson.person_id).join(
            Person, Person.id == CasePerson.person_id
        )
        matching_people = matching_people.where(person_match)
        stmt = stmt.where(Case.id.in_(select(matching_people.subquery().c.case_id)))
    found: paging.Page[Case] = paging.fetch(
        session,
        stmt.options(
            selectinload(Case.people).selectinload(CasePerson.person),
            joinedload(Case.responsible_team),
        ),
        CASE_ORDER,
        cursor=after,
        size=CASES_PAGE_SIZE,
        values_of=lambda case: (case.created_at, case.id),
    )
    cases = found.rows
    matched: dict[int, set[int]] = {}
    if matching_people is not None and cases:
        rows = session.execute(
            matching_people.where(CasePerson.case_id.in_([c.id for c in cases]))
        ).all()
        for case_id, person_id in rows:
            matched.setdefault(case_id, set()).add(person_id)
    results = []
    for case in cases:
        primary = case.primary
        names = [
            cp.person.full_name for cp in case.people if cp.person_id in matched.get(case.id, ())
        ]
        results.append(
            CaseRow(
                case=case,
                primary=primary.person if primary else None,
                household_size=len(members_on(case, today)),
                matched=names,
            )
        )
    return CaseResults(results, found.next_cursor)


# --------------------------------------------------------------------------------------------
# Strands (applications and assessments)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrandSummary:
    strand: Strand
    type_name: str
    version: BedroomAssessmentVersion | None  # the latest version, for bedroom assessments
    facts: list[tuple[str, str]] = field(default_factory=list)  # the type's key facts
    pending_changes: int = 0  # household changes waiting that bear on it
    reviews: list[str] = field(default_factory=list)  # open Reviews that name it

    @property
    def is_bedroom_assessment(self) -> bool:
        return self.strand.type_code == BEDROOM_ASSESSMENT

    @property
    def known(self) -> bool:
        """Its type is defined (a council type removed from the table is not)."""
        return self.strand.type_code in STRAND_TYPES


def latest_versions(
    session: Session, strand_ids: Sequence[int]
) -> dict[int, BedroomAssessmentVersion]:
    """The latest version of each of these bedroom assessment strands, in one query."""
    if not strand_ids:
        return {}
    found = session.scalars(_LATEST_VERSIONS, {"strand_ids": list(strand_ids)})
    return {version.strand_id: version for version in found}


_NEWEST = (
    select(
        BedroomAssessmentVersion.strand_id,
        func.max(BedroomAssessmentVersion.number).label("number"),
    )
    .where(BedroomAssessmentVersion.strand_id.in_(bindparam("strand_ids", expanding=True)))
    .group_by(BedroomAssessmentVersion.strand_id)
    .subquery()
)
_LATEST_VERSIONS = select(BedroomAssessmentVersion).join(
    _NEWEST,
    and_(
        BedroomAssessmentVersion.strand_id == _NEWEST.c.strand_id,
        BedroomAssessmentVersion.number == _NEWEST.c.number,
    ),
)


_STRANDS = (
    select(Strand)
    .where(Strand.case_id == bindparam("case_id"))
    .options(joinedload(Strand.created_by))
    .order_by(Strand.is_open.desc(), Strand.created_at, Strand.id)
)


# Changes to the household bear on these: the bedroom need and the register application.
HOUSEHOLD_DEPENDENT = (BEDROOM_ASSESSMENT, HOUSING_REGISTER)


def strand_summaries(
    session: Session, case_id: int, pending_changes: int = 0
) -> list[StrandSummary]:
    """Every strand on the case, open ones first, each group oldest first, with its key facts
    and what waits on it: the case's pending household changes (on the types they bear on) and
    open Reviews naming it. A fixed number of queries, whatever the number of strands."""
    strands = list(session.scalars(_STRANDS, {"case_id": case_id}))
    known = [s for s in strands if s.type_code in STRAND_TYPES]
    versions = latest_versions(session, [s.id for s in known if s.type_code == BEDROOM_ASSESSMENT])
    records = [(STRAND_TYPES[s.type_code], s.data or {}) for s in known]
    facts = dict(
        zip((s.id for s in known), key_facts(records, names_for(session, records)), strict=True)
    )
    reviews: dict[str, list[str]] = {}
    for s in known:
        named = (s.data or {}).get("reviewed_reference")
        if s.type_code == REVIEW and s.is_open and isinstance(named, str):
            reviews.setdefault(named.strip().upper(), []).append(s.reference)
    return [
        StrandSummary(
            strand=s,
            type_name=STRAND_TYPES[s.type_code].name
            if s.type_code in STRAND_TYPES
            else s.type_code,
            version=versions.get(s.id),
            facts=facts.get(s.id, []),
            pending_changes=pending_changes
            if s.is_open and s.type_code in HOUSEHOLD_DEPENDENT
            else 0,
            reviews=reviews.get(s.reference, []) if s.type_code in STRAND_TYPES else [],
        )
        for s in strands
    ]


CAUSE_LABELS = {
    "application": "Application opened",
    "household_change": "Household change",
    "birthday": "Birthday",
    "pregnancy_due": "Pregnancy",
    "officer_recalculation": "Officer recalculation",
    "policy_change": "Council policy change",
    "override": "Officer override",
}


@dataclass(frozen=True)
class RoomRow:
    number: int
    occupants: list[str]
    reason: str


def room_rows(version: BedroomAssessmentVersion) -> list[RoomRow]:
    """The version's bedrooms with the people in them named (from the snapshot at the time)."""
    names = version.names()

    def name(occupant_id: str) -> str:
        if occupant_id.endswith(UNBORN_SUFFIX):
            parent = occupant_id.removesuffix(UNBORN_SUFFIX)
            return f"The expected baby of {names.get(parent, parent)}"
        return names.get(occupant_id, occupant_id)

    return [
        RoomRow(number, [name(i) for i in room.occupants], room.reason)
        for number, room in enumerate(version.need.rooms, start=1)
    ]


def version_notes(version: BedroomAssessmentVersion) -> list[str]:
    """The explanation's notes (counted or left out, and why), without the rooms or override."""
    lines = version.explanation()[len(version.need.rooms) :]
    if version.is_overridden and lines:
        lines = lines[:-1]
    return lines


# --------------------------------------------------------------------------------------------
# Changes made through the portal
# --------------------------------------------------------------------------------------------

STATUS_TAGS = {
    ChangeStatus.PENDING: "govuk-tag--blue",
    ChangeStatus.ACCEPTED: "govuk-tag--green",
    ChangeStatus.REJECTED: "govuk-tag--red",
    ChangeStatus.WITHDRAWN: "govuk-tag--grey",
    ChangeStatus.SUPERSEDED: "govuk-tag--grey",
}


@dataclass(frozen=True)
class ChangeRow:
    change: PendingChange
    kind_label: str
    description: str
    tag_class: str


def portal_changes(session: Session, case: Case) -> list[ChangeRow]:
    """Every change made through the portal for the case, newest first, worded for officers."""
    changes = engine.changes_for_case(session, case.id)  # (who sent, holds, decided: loaded)
    rows = []
    for change in changes:
        try:
            kind = kind_of(change.kind)
            label, description = kind.label, kind.describe(case, change.payload)
        except (LookupError, ValueError, TypeError):  # a kind retired or a payload malformed
            label, description = change.kind, ""
        rows.append(
            ChangeRow(change, label, description, STATUS_TAGS.get(change.status, "govuk-tag--grey"))
        )
    return rows


# --------------------------------------------------------------------------------------------
# History
# --------------------------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    """A history event kind in words ("household.left" → "Left the household")."""
    return label_of(kind)


@dataclass(frozen=True)
class HistoryFilter:
    kind: str | None = None
    month: str | None = None  # "YYYY-MM"
    after: str | None = None  # keyset cursor: the events after (older than) this page

    def query(self, **changes: str | None) -> dict[str, str]:
        """The query parameters for this filter (with `changes`), for links."""
        params = {"kind": self.kind, "month": self.month, **changes}
        return {key: value for key, value in params.items() if value}


month_bounds = clock.month_bounds
month_label = clock.month_label


HISTORY_ORDER = (
    paging.SortKey(HistoryEvent.occurred_at, descending=True, kind=dt.datetime),
    paging.SortKey(HistoryEvent.id, descending=True),
)


def history_kinds(session: Session, case_id: int) -> list[str]:
    return sorted(session.scalars(_HISTORY_KINDS, {"case_id": case_id}), key=kind_label)


def history_months(session: Session, case_id: int) -> list[str]:
    """The months (in England) with events on the case, newest first, as "YYYY-MM"."""
    moments = session.scalars(_HISTORY_MOMENTS, {"case_id": case_id})
    months = {clock.month_of(moment) for moment in moments}
    return sorted(months, reverse=True)


# Built once (the history tab reads them on every load), as are its pages' statements.
_HISTORY_KINDS = (
    select(HistoryEvent.kind).where(HistoryEvent.case_id == bindparam("case_id")).distinct()
)
_HISTORY_MOMENTS = select(HistoryEvent.occurred_at).where(
    HistoryEvent.case_id == bindparam("case_id")
)


@functools.cache
def _history_of(by_kind: bool, by_month: bool) -> Any:
    stmt = select(HistoryEvent).where(HistoryEvent.case_id == bindparam("case_id"))
    if by_kind:
        stmt = stmt.where(HistoryEvent.kind == bindparam("kind"))
    if by_month:
        stmt = stmt.where(
            HistoryEvent.occurred_at >= bindparam("start", type_=UTCDateTime),
            HistoryEvent.occurred_at < bindparam("end", type_=UTCDateTime),
        )
    return stmt


@dataclass(frozen=True)
class HistoryPage:
    events: list[HistoryEvent]
    next_cursor: str | None


def history_page(session: Session, case_id: int, chosen: HistoryFilter) -> HistoryPage:
    """The case's history, newest first, filtered, a page at a time (keyset on occurred_at, id)."""
    bounds = month_bounds(chosen.month) if chosen.month else None
    start, end = bounds if bounds is not None else (None, None)
    found: paging.Page[HistoryEvent] = paging.fetch(
        session,
        _history_of(bool(chosen.kind), bounds is not None),
        HISTORY_ORDER,
        cursor=chosen.after,
        size=HISTORY_PAGE_SIZE,
        values_of=lambda event: (event.occurred_at, event.id),
        params={"case_id": case_id, "kind": chosen.kind, "start": start, "end": end},
    )
    return HistoryPage(found.rows, found.next_cursor)


@dataclass(frozen=True)
class DetailRow:
    label: str
    before: str
    after: str


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        try:
            return f"{long_date(dt.date.fromisoformat(value))}" if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, Mapping) and all(isinstance(v, str | int | None) for v in value.values()):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "—"
    return json.dumps(value, ensure_ascii=False, default=str)


def detail_rows(event: HistoryEvent) -> list[DetailRow]:
    """The event's before → after values, one row per field."""
    before = event.before or {}
    after = event.after or {}
    keys = list(before) + [key for key in after if key not in before]
    rows = []
    for key in keys:
        label = key.replace("_", " ")
        rows.append(
            DetailRow(label[:1].upper() + label[1:], _show(before.get(key)), _show(after.get(key)))
        )
    return rows
