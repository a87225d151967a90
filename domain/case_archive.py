"""What a case export holds (SPEC X3), written into a zip as it is read, so memory stays flat
however large the case:

- ``Case.xlsx``: the case's own data and its notes, alerts and actions, household, officers,
  portal changes and every history event (read a batch at a time, see :meth:`add_history`);
- ``People/<name> (PN-…).xlsx``: one per person on the case, their data, addresses, the
  household membership, and the notes, alerts and actions on them;
- ``Applications and assessments/<type> <reference>.xlsx``: one per strand, every field in
  words and its notes and actions;
- a folder beside each spreadsheet (the case, each person, each strand) with the files stored
  on it and the comms sent about it (each message a text file);
- ``Notes.docx``: every note of the case, its people and its strands, grouped by what it is on.

A person the officer may not open (restricted) appears only as "Restricted record". Files are
copied from the store a chunk at a time; spreadsheets go through openpyxl's write-only workbook.
:func:`gather` reads everything but the history and the files' bytes in one short read, as
plain values (nothing of the session is kept).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from domain import restricted
from domain.errors import NotFound
from domain.messages import Message
from domain.models import (
    Case,
    CaseOfficer,
    CasePerson,
    HistoryEvent,
    Person,
    User,
    format_case_reference,
)
from domain.notes import Action, Alert, Note
from domain.pending import EvidenceFile, PendingChange
from domain.strands import Strand
from domain.strands.editing import names_for
from domain.strands.fields import display
from domain.vocab import Sex

LONDON = ZoneInfo("Europe/London")
HISTORY_BATCH = 1000
MB = 1024 * 1024
RESTRICTED = "Restricted record"
CASE_FOLDER = "Case"
PEOPLE = "People"
STRANDS = "Applications and assessments"


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as the wall-clock time in England (spreadsheets know no time zones)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(LONDON).replace(tzinfo=None, microsecond=0)


def _safe(name: str, limit: int = 80) -> str:
    """A name that is a valid file or folder name everywhere."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name)
    return " ".join(cleaned.split()).strip(". ")[:limit] or "unnamed"


@dataclass
class Sheet:
    title: str
    headings: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Area:
    """The case, a person or a strand: its spreadsheet, its folder and its notes."""

    folder: str  # the path of its folder in the zip; its spreadsheet is this + ".xlsx"
    heading: str  # in the notes document
    sheets: list[Sheet]
    notes: list[tuple[dt.datetime | None, str, str, str]] = field(default_factory=list)


@dataclass
class StoredFile:
    path: str
    key: str
    size: int


@dataclass
class Plan:
    reference: str
    case: Area
    areas: list[Area]  # people, then strands
    messages: list[tuple[str, str]]  # (path in the zip, text)
    files: list[StoredFile]
    history_total: int

    @property
    def steps(self) -> int:
        """Units of work, for the progress: each area, message, history batch, megabyte."""
        return (
            2
            + len(self.areas)
            + len(self.messages)
            + self.history_total // HISTORY_BATCH
            + sum(1 + f.size // MB for f in self.files)
        )


def _field_rows(pairs: Iterable[tuple[str, Any]]) -> list[tuple[Any, ...]]:
    return [(label, value) for label, value in pairs]


def _notes_sheet(notes: Sequence[Note], authors: dict[int, str]) -> Sheet:
    return Sheet(
        "Notes",
        ("Written", "By", "Category", "Note", "Corrected"),
        [
            (
                local(n.created_at),
                authors.get(n.created_by_id, ""),
                n.category,
                n.text,
                local(n.edited_at),
            )
            for n in notes
        ],
    )


def _alerts_sheet(alerts: Sequence[Alert], authors: dict[int, str]) -> Sheet:
    return Sheet(
        "Alerts",
        ("Type", "Alert", "From", "Until", "Added by", "Removed", "Why removed"),
        [
            (
                a.alert_type,
                a.text,
                a.date_from,
                a.date_until,
                authors.get(a.created_by_id, ""),
                local(a.removed_at),
                a.removed_reason,
            )
            for a in alerts
        ],
    )


def _actions_sheet(actions: Sequence[Action], authors: dict[int, str]) -> Sheet:
    return Sheet(
        "Actions",
        ("What", "For", "Due", "Added by", "Done", "Outcome"),
        [
            (
                a.what,
                authors.get(a.assignee_id or 0, ""),
                a.due_date,
                authors.get(a.created_by_id, ""),
                local(a.done_at),
                a.outcome,
            )
            for a in actions
        ],
    )


def _note_lines(notes: Sequence[Note], authors: dict[int, str]) -> list[Any]:
    return [(n.created_at, authors.get(n.created_by_id, ""), n.category, n.text) for n in notes]


def _message_text(m: Message, authors: dict[int, str]) -> str:
    lines = [
        f"Sent by: {authors.get(m.sent_by_id, '')}",
        f"Written: {local(m.created_at):%d/%m/%Y %H:%M}",
        f"Channel: {'Email' if m.channel == 'email' else 'Text message'}",
        f"To: {m.to_address}",
        f"Status: {m.status}",
    ]
    if m.subject:
        lines.append(f"Subject: {m.subject}")
    return "\n".join(lines) + "\n\n" + m.body + "\n"


def gather(session: Session, case_id: int, officer: User) -> Plan:
    """Everything of the case but its history and the files' bytes, as plain values."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("There is no such case")
    reference = format_case_reference(case.id)
    links = session.scalars(
        select(CasePerson)
        .where(CasePerson.case_id == case.id)
        .order_by(CasePerson.is_primary.desc(), CasePerson.date_joined, CasePerson.id)
    ).all()
    people = {
        p.id: p
        for p in session.scalars(
            select(Person)
            .where(Person.id.in_([link.person_id for link in links]))
            .options(selectinload(Person.addresses))
        )
    }
    hidden = restricted.hidden_people(
        session, officer, [(p.id, p.restricted, [case.id]) for p in people.values()]
    )
    shown = [pid for pid in people if pid not in hidden]
    strands = session.scalars(
        select(Strand).where(Strand.case_id == case.id).order_by(Strand.id)
    ).all()
    strand_ids = [s.id for s in strands]
    notes = session.scalars(
        select(Note)
        .where(
            or_(
                Note.case_id == case.id,
                Note.person_id.in_(shown),
                Note.strand_id.in_(strand_ids),
            )
        )
        .order_by(Note.created_at, Note.id)
    ).all()
    alerts = session.scalars(
        select(Alert)
        .where(or_(Alert.case_id == case.id, Alert.person_id.in_(shown)))
        .order_by(Alert.date_from, Alert.id)
    ).all()
    actions = session.scalars(
        select(Action)
        .where(
            or_(
                Action.case_id == case.id,
                Action.person_id.in_(shown),
                Action.strand_id.in_(strand_ids),
            )
        )
        .order_by(Action.due_date, Action.id)
    ).all()
    officers = session.execute(
        select(CaseOfficer.role, CaseOfficer.assigned_at, User.name)
        .join(User, User.id == CaseOfficer.user_id)
        .where(CaseOfficer.case_id == case.id)
        .order_by(CaseOfficer.assigned_at, CaseOfficer.id)
    ).all()
    changes = session.scalars(
        select(PendingChange)
        .where(PendingChange.case_id == case.id)
        .order_by(PendingChange.submitted_at, PendingChange.id)
    ).all()
    messages = session.scalars(
        select(Message).where(Message.case_id == case.id).order_by(Message.created_at, Message.id)
    ).all()
    files = session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.case_id == case.id, EvidenceFile.removed_at.is_(None))
        .order_by(EvidenceFile.created_at, EvidenceFile.id)
    ).all()
    user_ids = {n.created_by_id for n in notes} | {a.created_by_id for a in alerts}
    user_ids |= {a.created_by_id for a in actions} | {a.assignee_id or 0 for a in actions}
    user_ids |= {m.sent_by_id for m in messages} | {c.decided_by_id or 0 for c in changes}
    authors = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    names = names_for(session, [(s.type, s.data or {}) for s in strands])
    history_total = (
        session.scalar(
            select(func.count()).select_from(HistoryEvent).where(HistoryEvent.case_id == case.id)
        )
        or 0
    )

    case_notes = [n for n in notes if n.person_id is None and n.strand_id is None]
    case_area = Area(
        CASE_FOLDER,
        f"Case {reference}",
        [
            Sheet(
                "Case",
                ("Field", "Value"),
                _field_rows(
                    [
                        ("Reference", reference),
                        ("Status", case.status),
                        ("Team", case.responsible_team.name if case.responsible_team else None),
                        ("Summary", case.summary),
                        ("Opened", local(case.created_at)),
                        ("Closed", local(case.closed_at)),
                        ("Why closed", case.close_reason),
                        ("Restricted", "Yes" if case.restricted else "No"),
                    ]
                ),
            ),
            Sheet(
                "Household",
                ("Name", "Person", "Relationship", "Primary", "Joint", "Joined", "Left"),
                [
                    (
                        RESTRICTED
                        if link.person_id in hidden
                        else f"{people[link.person_id].first_name} "
                        f"{people[link.person_id].last_name}",
                        people[link.person_id].reference,
                        link.relationship_to_primary,
                        "Yes" if link.is_primary else "No",
                        "Yes" if link.joint_applicant else "No",
                        link.date_joined,
                        link.date_left,
                    )
                    for link in links
                ],
            ),
            Sheet(
                "Officers",
                ("Officer", "Role", "Assigned"),
                [(name, role, local(at)) for role, at, name in officers],
            ),
            _notes_sheet(case_notes, authors),
            _alerts_sheet([a for a in alerts if a.person_id is None], authors),
            _actions_sheet(
                [a for a in actions if a.person_id is None and a.strand_id is None], authors
            ),
            Sheet(
                "Portal changes",
                ("Sent", "What", "Status", "Decided", "By", "Reason"),
                [
                    (
                        local(c.submitted_at),
                        c.kind.replace("_", " ").capitalize(),
                        c.status,
                        local(c.decided_at),
                        authors.get(c.decided_by_id or 0),
                        c.decision_reason,
                    )
                    for c in changes
                ],
            ),
            Sheet("History", ("When", "Who", "What", "Kind")),
        ],
        _note_lines(case_notes, authors),
    )
    areas: list[Area] = []
    folder_of_person: dict[int, str] = {}
    for n, link in enumerate(links, start=1):
        person = people[link.person_id]
        if person.id in hidden:
            folder = f"{PEOPLE}/{n:02d} {RESTRICTED} ({person.reference})"
            areas.append(
                Area(
                    folder,
                    f"{RESTRICTED} ({person.reference})",
                    [Sheet("Person", ("Field", "Value"), [("Person", RESTRICTED)])],
                )
            )
            continue
        name = f"{person.first_name} {person.last_name}"
        folder = f"{PEOPLE}/{n:02d} {_safe(name)} ({person.reference})"
        folder_of_person[person.id] = folder
        own_notes = [x for x in notes if x.person_id == person.id and x.strand_id is None]
        areas.append(
            Area(
                folder,
                f"{name} ({person.reference})",
                [
                    Sheet(
                        "Person",
                        ("Field", "Value"),
                        _field_rows(
                            [
                                ("Reference", person.reference),
                                ("Title", person.title),
                                ("First name", person.first_name),
                                ("Middle names", person.middle_names),
                                ("Last name", person.last_name),
                                ("Date of birth", person.date_of_birth),
                                ("Sex", Sex(person.sex).label),
                                ("Email", person.email),
                                ("Phone", person.phone),
                                ("Preferred contact", person.preferred_contact),
                                ("National Insurance number", person.ni_number),
                                ("Communication needs", person.communication_needs),
                                (
                                    "Cannot share a bedroom",
                                    "Yes" if person.cannot_share_bedroom else "No",
                                ),
                                ("Pregnancy due date", person.pregnancy_due_date),
                                (
                                    "Relationship to the primary applicant",
                                    link.relationship_to_primary,
                                ),
                                ("Primary applicant", "Yes" if link.is_primary else "No"),
                                ("Joint applicant", "Yes" if link.joint_applicant else "No"),
                                ("Joined the household", link.date_joined),
                                ("Left the household", link.date_left),
                                ("Restricted", "Yes" if person.restricted else "No"),
                            ]
                        ),
                    ),
                    Sheet(
                        "Addresses",
                        ("Line 1", "Line 2", "Town", "Postcode", "From", "To"),
                        [
                            (a.line_1, a.line_2, a.town, a.postcode, a.date_from, a.date_to)
                            for a in person.addresses
                        ],
                    ),
                    _notes_sheet(own_notes, authors),
                    _alerts_sheet([a for a in alerts if a.person_id == person.id], authors),
                    _actions_sheet(
                        [a for a in actions if a.person_id == person.id and a.strand_id is None],
                        authors,
                    ),
                ],
                _note_lines(own_notes, authors),
            )
        )
    folder_of_strand: dict[int, str] = {}
    for s in strands:
        stype = s.type
        folder = f"{STRANDS}/{_safe(stype.name)} {s.reference}"
        folder_of_strand[s.id] = folder
        data = s.data or {}
        own_notes = [x for x in notes if x.strand_id == s.id]
        areas.append(
            Area(
                folder,
                f"{stype.name} {s.reference}",
                [
                    Sheet(
                        "Details",
                        ("Field", "Value"),
                        _field_rows(
                            [
                                ("Reference", s.reference),
                                ("Type", stype.name),
                                ("Status", s.status),
                                ("Open", "Yes" if s.is_open else "No"),
                                ("Opened", local(s.created_at)),
                                ("Closed", local(s.closed_at)),
                            ]
                            + [
                                (
                                    f.label,
                                    display(
                                        f,
                                        data.get(f.name),
                                        people=names.people,
                                        officers=names.officers,
                                    ),
                                )
                                for f in stype.fields
                            ]
                        ),
                    ),
                    _notes_sheet(own_notes, authors),
                    _actions_sheet([a for a in actions if a.strand_id == s.id], authors),
                ],
                _note_lines(own_notes, authors),
            )
        )

    def folder_for(person_id: int | None, strand_id: int | None) -> str | None:
        if strand_id in folder_of_strand:
            return folder_of_strand[strand_id or 0]
        if person_id is None:
            return CASE_FOLDER
        return folder_of_person.get(person_id)  # None: a restricted person's, left out

    message_entries = []
    for m in messages:
        place = folder_for(m.person_id, m.strand_id)
        if place is not None:
            message_entries.append(
                (
                    f"{place}/Comms/{local(m.created_at):%Y-%m-%d %H%M} "
                    f"{'email' if m.channel == 'email' else 'text'} {m.id}.txt",
                    _message_text(m, authors),
                )
            )
    stored = []
    for f in files:
        place = folder_for(f.person_id, f.strand_id)
        if place is not None:
            stored.append(
                StoredFile(
                    f"{place}/Files/{f.id} {_safe(f.original_name, 120)}", f.storage_key, f.size
                )
            )
    return Plan(reference, case_area, areas, message_entries, stored, history_total)


__all__ = [
    "CASE_FOLDER",
    "HISTORY_BATCH",
    "LONDON",
    "MB",
    "Area",
    "Plan",
    "Sheet",
    "gather",
    "local",
]
