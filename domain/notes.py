"""Notes, alerts and actions on a case, a person or an application/assessment (SPEC N1).

- A **note** records something (a call, a visit, what was agreed) with a category. Its author
  may correct it for a short while (`NOTE_EDIT_MINUTES`); after that it stands as written, so the
  record can be relied on. Adding and correcting write history.
- An **alert** warns every officer who opens the case or the person ("Violent or aggressive",
  "Safeguarding", "Interpreter needed", …) from a date, optionally until one. It is shown on the
  case header, the person page, the review page of every change on the case and in search
  results; it is removed (not deleted) with a reason.
- An **action** is something to do: what, for an officer or a team, by a date; it is done (or
  closed, e.g. when its application moves to another case) with who and when.

A note or action on a strand is also on the strand's case; one on a person shows on the person
page and on the Notes & actions tab of every case they are on. Functions here change records and
write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history
from domain.base import Base, created_timestamp, intpk, one_of, str200, timestamp, utcnow
from domain.errors import Conflict, FieldErrors, PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, Person, Team, User
from domain.strands import Strand

NOTE_CATEGORIES = (
    "General",
    "Phone call",
    "Visit",
    "Office interview",
    "Email",
    "Letter",
    "Safeguarding",
    "Other",
)
ALERT_TYPES = (
    "Violent or aggressive",
    "Risk to staff: do not visit alone",
    "Safeguarding",
    "Vulnerable adult",
    "Interpreter needed",
    "Medical",
    "Other",
)
NOTE_MAX = 5000
ALERT_MAX = 500
ACTION_MAX = 200
REASON_MAX = 500
NOTE_EDIT_MINUTES = 30


class Note(Base):
    __tablename__ = "note"

    id: Mapped[intpk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created_timestamp]
    edited_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_by: Mapped[User] = relationship()
    person: Mapped[Person | None] = relationship()
    strand: Mapped[Strand | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("case_id IS NOT NULL OR person_id IS NOT NULL", name="on_something"),
        CheckConstraint(one_of("category", NOTE_CATEGORIES), name="category_known"),
        Index("ix_note_case_id_created_at_id", "case_id", "created_at", "id"),
        Index("ix_note_person_id_created_at_id", "person_id", "created_at", "id"),
    )

    kind = "note"


class Alert(Base):
    __tablename__ = "alert"

    id: Mapped[intpk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    alert_type: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_until: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created_timestamp]
    removed_at: Mapped[timestamp | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    person: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("case_id IS NOT NULL OR person_id IS NOT NULL", name="on_something"),
        CheckConstraint(one_of("alert_type", ALERT_TYPES), name="type_known"),
        CheckConstraint("date_until IS NULL OR date_until >= date_from", name="until_after_from"),
        Index("ix_alert_case_id_created_at_id", "case_id", "created_at", "id"),
        Index("ix_alert_person_id_created_at_id", "person_id", "created_at", "id"),
    )

    kind = "alert"

    def is_active(self, today: dt.date) -> bool:
        return (
            self.removed_at is None
            and self.date_from <= today
            and (self.date_until is None or self.date_until >= today)
        )


class Action(Base):
    __tablename__ = "action"

    id: Mapped[intpk]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"))
    what: Mapped[str200]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[created_timestamp]
    done_at: Mapped[timestamp | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(Text)  # "Done", or why it was closed
    version: Mapped[int] = mapped_column(Integer, default=1)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    team: Mapped[Team | None] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    case: Mapped[Case | None] = relationship()
    person: Mapped[Person | None] = relationship()
    strand: Mapped[Strand | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("case_id IS NOT NULL OR person_id IS NOT NULL", name="on_something"),
        CheckConstraint("assignee_id IS NOT NULL OR team_id IS NOT NULL", name="for_someone"),
        Index("ix_action_case_id_created_at_id", "case_id", "created_at", "id"),
        Index("ix_action_person_id_created_at_id", "person_id", "created_at", "id"),
        Index(
            "ix_action_open_assignee_id_due_date",
            "assignee_id",
            "due_date",
            "id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
        Index(
            "ix_action_open_team_id_due_date",
            "team_id",
            "due_date",
            "id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    kind = "action"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today


@dataclass(frozen=True)
class About:
    """What a note, alert or action is on: a case, a person, a strand (and so its case)."""

    case: Case | None = None
    person: Person | None = None
    strand: Strand | None = None

    @property
    def case_id(self) -> int | None:
        if self.strand is not None:
            return self.strand.case_id
        return self.case.id if self.case is not None else None

    @property
    def person_id(self) -> int | None:
        return self.person.id if self.person is not None else None

    def check(self) -> None:
        if self.case_id is None and self.person_id is None:
            raise RuleBroken("Say what it is about: a case, a person or an application")


def _text(value: str, limit: int, name: str, field: str, errors: dict[str, str]) -> str:
    text = (value or "").strip().replace("\r\n", "\n")
    if not text:
        errors[field] = f"Enter the {name}"
    elif len(text) > limit:
        errors[field] = f"The {name} must be {limit:,} characters or fewer"
    return text


# --------------------------------------------------------------------------------------------
# Notes
# --------------------------------------------------------------------------------------------


def add_note(
    session: Session, actor: Actor, officer: User, about: About, *, category: str, text: str
) -> Note:
    about.check()
    errors: dict[str, str] = {}
    if category not in NOTE_CATEGORIES:
        errors["category"] = "Select the kind of note"
    text = _text(text, NOTE_MAX, "note", "text", errors)
    if errors:
        raise FieldErrors(errors)
    note = Note(
        case_id=about.case_id,
        person_id=about.person_id,
        strand_id=about.strand.id if about.strand is not None else None,
        category=category,
        text=text,
        created_by_id=officer.id,
    )
    session.add(note)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.NOTE_ADDED,
        f"{category} note added: {_short(text)}",
        case_id=note.case_id,
        person_id=note.person_id,
        after={"note": note.id, "category": category, "text": text},
    )
    return note


def may_edit(note: Note, officer: User, now: dt.datetime) -> bool:
    return note.created_by_id == officer.id and now - note.created_at <= dt.timedelta(
        minutes=NOTE_EDIT_MINUTES
    )


def edit_note(
    session: Session,
    actor: Actor,
    officer: User,
    note: Note,
    *,
    category: str,
    text: str,
    expected_version: int,
) -> Note:
    """Correct a note: its author only, within NOTE_EDIT_MINUTES of writing it."""
    if note.created_by_id != officer.id:
        raise PermissionDenied("Only the officer who wrote a note can correct it")
    if not may_edit(note, officer, utcnow()):
        raise RuleBroken(
            f"A note can be corrected for {NOTE_EDIT_MINUTES} minutes after it is written; add "
            "another note instead"
        )
    if note.version != expected_version:
        raise Conflict("The note was changed after you opened it: reload it and try again")
    errors: dict[str, str] = {}
    if category not in NOTE_CATEGORIES:
        errors["category"] = "Select the kind of note"
    text = _text(text, NOTE_MAX, "note", "text", errors)
    if errors:
        raise FieldErrors(errors)
    before = {"category": note.category, "text": note.text}
    if before == {"category": category, "text": text}:
        return note
    note.category, note.text, note.edited_at = category, text, utcnow()
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.NOTE_EDITED,
        f"Note corrected: {_short(text)}",
        case_id=note.case_id,
        person_id=note.person_id,
        before={"note": note.id, **before},
        after={"note": note.id, "category": category, "text": text},
    )
    return note


# --------------------------------------------------------------------------------------------
# Alerts
# --------------------------------------------------------------------------------------------


def add_alert(
    session: Session,
    actor: Actor,
    officer: User,
    about: About,
    *,
    alert_type: str,
    text: str,
    date_from: dt.date | None,
    date_until: dt.date | None,
    today: dt.date,
) -> Alert:
    if about.strand is not None:
        raise RuleBroken("Alerts are on a case or a person")
    about.check()
    errors: dict[str, str] = {}
    if alert_type not in ALERT_TYPES:
        errors["alert_type"] = "Select the type of alert"
    text = _text(text, ALERT_MAX, "alert's details", "text", errors)
    start = date_from or today
    if date_until is not None and date_until < start:
        errors["date_until"] = "The date it ends must be on or after the date it starts"
    if errors:
        raise FieldErrors(errors)
    alert = Alert(
        case_id=about.case_id,
        person_id=about.person_id,
        alert_type=alert_type,
        text=text,
        date_from=start,
        date_until=date_until,
        created_by_id=officer.id,
    )
    session.add(alert)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.ALERT_ADDED,
        f"Alert added: {alert_type} — {_short(text)}",
        case_id=alert.case_id,
        person_id=alert.person_id,
        after={
            "alert": alert.id,
            "type": alert_type,
            "text": text,
            "from": start,
            "until": date_until,
        },
    )
    return alert


def remove_alert(
    session: Session,
    actor: Actor,
    officer: User,
    alert: Alert,
    *,
    reason: str,
    expected_version: int,
) -> Alert:
    if alert.removed_at is not None:
        raise RuleBroken("The alert has already been removed")
    if alert.version != expected_version:
        raise Conflict("The alert was changed after you opened it: reload it and try again")
    errors: dict[str, str] = {}
    reason = _text(reason, REASON_MAX, "reason for removing it", "reason", errors)
    if errors:
        raise FieldErrors(errors)
    alert.removed_at, alert.removed_by_id, alert.removed_reason = utcnow(), officer.id, reason
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.ALERT_REMOVED,
        f"Alert removed: {alert.alert_type} — reason: {_short(reason)}",
        case_id=alert.case_id,
        person_id=alert.person_id,
        before={"alert": alert.id, "type": alert.alert_type, "text": alert.text},
        after={"alert": alert.id, "removed": True, "reason": reason},
    )
    return alert


def active_alerts_for_case(session: Session, case: Case, today: dt.date) -> list[Alert]:
    """Alerts on the case and on anyone in its household today, newest first (one query)."""
    people = [cp.person_id for cp in case.people if cp.is_member_on(today)]
    return active_alerts(session, [case.id], people, today)


def active_alerts(
    session: Session, case_ids: Sequence[int], person_ids: Sequence[int], today: dt.date
) -> list[Alert]:
    """Active alerts on any of these cases or people, newest first (one query)."""
    if not case_ids and not person_ids:
        return []
    return list(
        session.scalars(
            _ACTIVE_ALERTS,
            {"case_ids": list(case_ids), "person_ids": list(person_ids), "today": today},
        )
    )


# Built once (a case page and a review each run it): an empty list matches nothing.
_ACTIVE_ALERTS = (
    select(Alert)
    .where(
        or_(
            Alert.case_id.in_(bindparam("case_ids", expanding=True)),
            Alert.person_id.in_(bindparam("person_ids", expanding=True)),
        ),
        Alert.removed_at.is_(None),
        Alert.date_from <= bindparam("today"),
        or_(Alert.date_until.is_(None), Alert.date_until >= bindparam("today")),
    )
    .order_by(Alert.created_at.desc(), Alert.id.desc())
)


def case_member_ids(session: Session, case_id: int) -> list[int]:
    return list(session.scalars(select(CasePerson.person_id).where(CasePerson.case_id == case_id)))


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------


def add_action(
    session: Session,
    actor: Actor,
    officer: User,
    about: About,
    *,
    what: str,
    assignee_id: int | None,
    team_id: int | None,
    due_date: dt.date | None,
    today: dt.date,
) -> Action:
    about.check()
    errors: dict[str, str] = {}
    what = _text(what, ACTION_MAX, "action", "what", errors)
    assignee = session.get(User, assignee_id) if assignee_id else None
    team = session.get(Team, team_id) if team_id else None
    if assignee_id and (assignee is None or not assignee.active):
        errors["assignee"] = "Choose an officer from the list"
    if team_id and (team is None or not team.active):
        errors["team"] = "Choose a team from the list"
    if not assignee_id and not team_id:
        errors["assignee"] = "Choose the officer or the team who will do it"
    if due_date is None:
        errors["due_date"] = "Enter the date it is due"
    elif due_date < today:
        errors["due_date"] = "The date it is due must be today or later"
    if errors:
        raise FieldErrors(errors)
    assert due_date is not None
    action = Action(
        case_id=about.case_id,
        person_id=about.person_id,
        strand_id=about.strand.id if about.strand is not None else None,
        what=what,
        assignee_id=assignee.id if assignee else None,
        team_id=team.id if team else None,
        due_date=due_date,
        created_by_id=officer.id,
    )
    session.add(action)
    session.flush()
    who = assignee.name if assignee else (team.name if team else "")
    history.record(
        session,
        actor,
        HistoryKind.ACTION_ADDED,
        f"Action for {who}, due {due_date:%d/%m/%Y}: {_short(what)}",
        case_id=action.case_id,
        person_id=action.person_id,
        after={"action": action.id, "what": what, "for": who, "due": due_date},
    )
    return action


def finish_action(
    session: Session,
    actor: Actor,
    officer: User | None,
    action: Action,
    *,
    outcome: str = "Done",
    expected_version: int | None = None,
) -> Action:
    """Mark the action done (or closed, with why in `outcome`)."""
    if action.done_at is not None:
        raise RuleBroken("The action is already done")
    if expected_version is not None and action.version != expected_version:
        raise Conflict("The action was changed after you opened it: reload it and try again")
    action.done_at = utcnow()
    action.done_by_id = officer.id if officer else None
    action.outcome = outcome[:REASON_MAX]
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.ACTION_DONE,
        f"Action {'done' if outcome == 'Done' else 'closed'}: {_short(action.what)}"
        + ("" if outcome == "Done" else f" ({outcome})"),
        case_id=action.case_id,
        person_id=action.person_id,
        before={"action": action.id, "open": True},
        after={"action": action.id, "open": False, "outcome": outcome},
    )
    return action


def open_actions_on_strand(session: Session, strand_id: int) -> list[Action]:
    return list(
        session.scalars(
            select(Action)
            .where(Action.strand_id == strand_id, Action.done_at.is_(None))
            .order_by(Action.id)
        )
    )


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 120 else one_line[:117] + "…"


__all__ = [
    "ACTION_MAX",
    "ALERT_TYPES",
    "NOTE_CATEGORIES",
    "NOTE_EDIT_MINUTES",
    "About",
    "Action",
    "Alert",
    "Note",
    "active_alerts",
    "active_alerts_for_case",
    "add_action",
    "add_alert",
    "add_note",
    "case_member_ids",
    "edit_note",
    "finish_action",
    "may_edit",
    "open_actions_on_strand",
    "remove_alert",
]
