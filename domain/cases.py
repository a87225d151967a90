"""What an officer does to a case as a whole: start one with its people, officers and team; change
its officers or details; add people to its household and edit their membership; close and
reopen it. Every function writes history in the caller's transaction and never commits.

Household edits go through `household` (the same functions an accepted portal change uses) and
end with the same bedroom recalculation, cause "household change", so an officer's edit and an
applicant's accepted change leave the same trace.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from domain import assessments, case_tasks, history, household, strands
from domain.clock import date_time, long_date
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import (
    Case,
    CaseOfficer,
    CasePerson,
    HistoryEvent,
    Person,
    Team,
    User,
    utcnow,
)
from domain.pending import WAITING, PendingChange, move_with_case
from domain.strands import Strand
from domain.vocab import RELATIONSHIPS, CaseStatus, OfficerRole, Permission

MAX_REASON = 500


@dataclass(frozen=True)
class NewMember:
    """Someone joining a case being started: who, and their place in the household."""

    person: Person
    relationship: str
    joint_applicant: bool = False


def start_case(
    session: Session,
    actor: Actor,
    primary: Person,
    members: Sequence[NewMember],
    *,
    team_id: int | None,
    officers: Sequence[tuple[User, str]],
    today: dt.date,
) -> Case:
    """A new active case: the primary applicant, the other members from today, the officers in
    their roles and the responsible team. Relationships to the primary applicant are recorded on
    the people too."""
    team = _case_team(session, team_id)
    if any(m.person.id == primary.id for m in members):
        raise RuleBroken(f"{primary.full_name} is already the primary applicant", field="people")
    if len({m.person.id for m in members}) != len(members):
        raise RuleBroken("Someone has been added twice", field="people")
    case = household.open_case(
        session, actor, primary, team_id=team.id if team else None, date_joined=today
    )
    for member in members:
        household.join(
            session,
            actor,
            case,
            member.person,
            relationship=member.relationship,
            date_joined=today,
            joint_applicant=member.joint_applicant,
        )
    _assign(session, actor, case, officers, first=True)
    return case


def start_from_draft(
    session: Session,
    actor: Actor,
    people: Sequence[tuple[Person, str, bool]],
    *,
    primary_id: int | None,
    team_id: int | None,
    officers: Sequence[tuple[User, str]],
    today: dt.date,
) -> Case:
    """A case from an officer's draft: the people added (person, relationship to the primary
    applicant, joint applicant), who of them is the primary applicant, the team and officers.
    Refused, naming each field, unless someone is added, the primary applicant chosen and
    everyone else's relationship given."""
    if not people:
        raise RuleBroken("Add at least one person before saving the case", field="q")
    primary = next((p for p, _, _ in people if p.id == primary_id), None)
    if primary is None:
        raise RuleBroken("Choose the primary applicant", field="primary")
    errors = {
        f"relationship_{p.id}": f"Choose {p.full_name}'s relationship to {primary.full_name}"
        for p, relationship, _ in people
        if p is not primary and relationship not in RELATIONSHIPS
    }
    if errors:
        raise FieldErrors(errors)
    return start_case(
        session,
        actor,
        primary,
        [
            NewMember(p, relationship, joint)
            for p, relationship, joint in people
            if p is not primary
        ],
        team_id=team_id,
        officers=officers,
        today=today,
    )


def _case_team(session: Session, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = session.get(Team, team_id)
    if team is None or not team.active or not team.allows_cases:
        raise RuleBroken("Choose a team that holds cases", field="team")
    return team


# --- officers and details ---------------------------------------------------------------------


def _assign(
    session: Session,
    actor: Actor,
    case: Case,
    officers: Sequence[tuple[User, str]],
    *,
    first: bool = False,
) -> bool:
    roles = {r.value for r in OfficerRole}
    wanted: list[tuple[int, str]] = []
    for user, role in officers:
        if role not in roles:
            raise RuleBroken("Choose each officer's role", field="officers")
        if not user.can(Permission.CASES):
            raise RuleBroken(
                f"{user.name} cannot work on cases (no Cases permission)", field="officers"
            )
        if (user.id, role) not in wanted:
            wanted.append((user.id, role))
    before = sorted((o.user.name, o.role) for o in case.officers)
    keep = [o for o in case.officers if (o.user_id, o.role) in wanted]
    for link in list(case.officers):
        if link not in keep:
            case.officers.remove(link)
    have = {(o.user_id, o.role) for o in keep}
    by_id = {user.id: user for user, _ in officers}
    for user_id, role in wanted:
        if (user_id, role) not in have:
            case.officers.append(CaseOfficer(user=by_id[user_id], role=role))
    roles_of = Counter(user_id for user_id, _ in wanted)
    for link in case.officers:
        several = roles_of[link.user_id if link.user_id is not None else link.user.id] > 1
        if link.several_roles is not several:
            link.several_roles = several
    session.flush()
    after = sorted((by_id[u].name, r) for u, r in wanted)
    if before == after:
        return False
    words = ", ".join(f"{name} ({role})" for name, role in after) or "none"
    history.record(
        session,
        actor,
        HistoryKind.CASE_OFFICERS,
        f"Officers on case {case.reference}: {words}"
        if not first
        else f"Officers assigned to case {case.reference}: {words}",
        case_id=case.id,
        before={"officers": [f"{n} ({r})" for n, r in before]},
        after={"officers": [f"{n} ({r})" for n, r in after]},
    )
    return True


def set_officers(
    session: Session,
    actor: Actor,
    case: Case,
    officers: Sequence[tuple[User, str]],
    *,
    expected_version: int,
) -> bool:
    """Replace the officers on a case (any number in each role); True if anything changed."""
    _check_version(session, case, expected_version)
    changed = _assign(session, actor, case, officers)
    if changed:
        _touch(session, case)
    return changed


def set_details(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    team_id: int | None,
    summary: str | None,
    expected_version: int,
) -> list[str]:
    """Change the responsible team and the summary; the case's pending changes move with it to
    the new team. Returns the names of what changed."""
    _check_version(session, case, expected_version)
    team = _case_team(session, team_id)
    summary = (summary or "").strip() or None
    before = {
        "team": case.responsible_team.name if case.responsible_team else None,
        "summary": case.summary,
    }
    after = {"team": team.name if team else None, "summary": summary}
    changed = [k for k in before if before[k] != after[k]]
    if not changed:
        return []
    moved = case.responsible_team_id != (team.id if team else None)
    case.responsible_team_id = team.id if team else None
    case.responsible_team = team
    case.summary = summary
    session.flush()
    if moved:
        move_with_case(session, case)
    history.record(
        session,
        actor,
        HistoryKind.CASE_DETAILS,
        f"Case {case.reference}: {' and '.join(changed)} changed",
        case_id=case.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return changed


def update_case(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    officers: Sequence[tuple[User, str]],
    team_id: int | None,
    summary: str | None,
    expected_version: int,
) -> bool:
    """The Details tab: officers, responsible team and summary at once. True if anything
    changed."""
    _check_version(session, case, expected_version)
    details = set_details(
        session,
        actor,
        case,
        team_id=team_id,
        summary=summary,
        expected_version=case.version,
    )
    moved = _assign(session, actor, case, officers)
    if moved and not details:
        _touch(session, case)
    return bool(details) or moved


def _touch(session: Session, case: Case) -> None:
    """Bump the case's version (officers are rows of their own; the case stands for them)."""
    flag_modified(case, "summary")
    session.flush()


def _check_version(session: Session, case: Case, expected_version: int) -> None:
    session.refresh(case, with_for_update={"of": Case})
    if case.version != expected_version:
        raise Conflict(_moved_on(session, case.id, None, "This case"))


def _moved_on(session: Session, case_id: int, person_id: int | None, what: str) -> str:
    stmt = select(HistoryEvent).where(HistoryEvent.case_id == case_id)
    if person_id is not None:
        stmt = stmt.where(HistoryEvent.person_id == person_id)
    latest = session.scalars(
        stmt.order_by(HistoryEvent.occurred_at.desc(), HistoryEvent.id.desc()).limit(1)
    ).first()
    who = f" by {latest.actor_label} at {date_time(latest.occurred_at)}" if latest else ""
    said = f" ({latest.summary})" if latest else ""
    return (
        f"{what} was changed{who}{said} while you were editing it. Nothing you entered was "
        "saved: check it as it is now and make your change again."
    )


# --- the household ----------------------------------------------------------------------------


def _recalculate(session: Session, actor: Actor, case: Case, what: str, today: dt.date) -> None:
    assessments.recalculate(
        session,
        actor,
        case,
        cause=assessments.HOUSEHOLD_CHANGE,
        cause_detail=f"{what} (by {actor.label})",
        on=today,
    )


def add_person(
    session: Session,
    actor: Actor,
    case_id: int,
    person: Person,
    *,
    relationship: str,
    date_joined: dt.date,
    joint_applicant: bool,
    today: dt.date,
) -> CasePerson:
    """Add someone to a case's household, record their relationship to the primary applicant
    on the people too, and recalculate the bedroom need."""
    case = household.lock_case(session, case_id)
    _check_open(case)
    link = household.join(
        session,
        actor,
        case,
        person,
        relationship=relationship,
        date_joined=date_joined,
        joint_applicant=joint_applicant,
    )
    _recalculate(
        session,
        actor,
        case,
        f"{person.full_name} added to the household from {long_date(date_joined)}",
        today,
    )
    return link


@dataclass(frozen=True)
class MemberEdit:
    date_joined: dt.date
    date_left: dt.date | None
    joint_applicant: bool
    relationship: str | None  # None for the primary applicant (always "Self")


def update_member(
    session: Session,
    actor: Actor,
    case_id: int,
    person_id: int,
    edit: MemberEdit,
    *,
    expected_version: int,
    today: dt.date,
) -> list[str]:
    """Change a member's dates, joint applicant flag or relationship to the primary applicant.
    Leaving is only by a date left (people are never taken off a saved case). The bedroom need
    is recalculated when the household changed. Returns what changed, in words."""
    case = household.lock_case(session, case_id)
    _check_open(case)
    link = next((cp for cp in case.people if cp.person_id == person_id), None)
    if link is None:
        raise RuleBroken("That person is not on this case")
    if link.version != expected_version:
        raise Conflict(_moved_on(session, case.id, person_id, f"{link.person.full_name}'s place"))
    errors: dict[str, str] = {}
    if edit.date_left is not None and edit.date_left < edit.date_joined:
        errors["date_left"] = "Date left must be the same as or after the date joined"
    if link.is_primary and edit.date_left is not None:
        errors["date_left"] = (
            "The primary applicant cannot leave: make someone else the primary applicant first"
        )
    if errors:
        raise FieldErrors(errors)
    done: list[str] = []
    if (
        not link.is_primary
        and edit.relationship
        and edit.relationship != link.relationship_to_primary
    ):
        household.change_relationship(session, actor, case, person_id, edit.relationship)
        done.append(f"relationship now {edit.relationship.lower()}")
    updated: dict[str, tuple[object, object]] = {}
    if edit.date_joined != link.date_joined:
        updated["date_joined"] = (link.date_joined, edit.date_joined)
        link.date_joined = edit.date_joined
    if not link.is_primary and edit.joint_applicant != link.joint_applicant:
        updated["joint_applicant"] = (link.joint_applicant, edit.joint_applicant)
        link.joint_applicant = edit.joint_applicant
    if updated:
        session.flush()
        words = {"date_joined": "date joined", "joint_applicant": "joint applicant"}
        history.record(
            session,
            actor,
            HistoryKind.HOUSEHOLD_MEMBER_UPDATED,
            f"{link.person.full_name}: {', '.join(words[k] for k in updated)} changed",
            case_id=case.id,
            person_id=person_id,
            before={k: v[0] for k, v in updated.items()},
            after={k: v[1] for k, v in updated.items()},
        )
        done.extend(words[k] for k in updated)
    if edit.date_left != link.date_left:
        if edit.date_left is None:
            link.date_left = None
            session.flush()
            history.record(
                session,
                actor,
                HistoryKind.HOUSEHOLD_MEMBER_UPDATED,
                f"{link.person.full_name}'s date left removed: back in the household",
                case_id=case.id,
                person_id=person_id,
                after={"date_left": None},
            )
            done.append("date left removed")
        else:
            household.record_leaving(session, actor, link, edit.date_left)
            done.append(f"left on {long_date(edit.date_left)}")
    if done:
        _recalculate(
            session,
            actor,
            case,
            f"{link.person.full_name}'s place changed: {'; '.join(done)}",
            today,
        )
    return done


def _check_open(case: Case) -> None:
    if case.status != CaseStatus.ACTIVE.value:
        raise RuleBroken(f"Case {case.reference} is closed: reopen it to change its household")


# --- closing and reopening ----------------------------------------------------------------------


@dataclass(frozen=True)
class StillOpen:
    """What is still open on a case that is about to close."""

    strands: list[Strand]
    pending_changes: int

    @property
    def anything(self) -> bool:
        return bool(self.strands) or self.pending_changes > 0


def still_open(session: Session, case_id: int) -> StillOpen:
    strands = list(
        session.scalars(
            select(Strand).where(Strand.case_id == case_id, Strand.is_open).order_by(Strand.id)
        )
    )
    pending = len(
        session.scalars(
            select(PendingChange.id).where(PendingChange.case_id == case_id, WAITING)
        ).all()
    )
    return StillOpen(strands, pending)


def close_case(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    reason: str,
    confirm_open_strands: bool,
    expected_version: int,
) -> None:
    """Close a case. Changes the applicant reported must be decided first (closing would leave
    them unanswered); applications and assessments still open are listed, and the officer must
    confirm closing with them open."""
    _check_version(session, case, expected_version)
    if case.status == CaseStatus.CLOSED.value:
        raise RuleBroken(f"Case {case.reference} is already closed")
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken("Enter why the case is being closed", field="reason")
    if len(reason) > MAX_REASON:
        raise RuleBroken(f"Reason must be {MAX_REASON} characters or fewer", field="reason")
    open_now = still_open(session, case.id)
    if open_now.pending_changes:
        n = open_now.pending_changes
        raise RuleBroken(
            f"{n} {'change' if n == 1 else 'changes'} the applicant reported "
            f"{'is' if n == 1 else 'are'} waiting for a decision: accept or reject "
            f"{'it' if n == 1 else 'them'} before closing the case"
        )
    if open_now.strands and not confirm_open_strands:
        raise RuleBroken(
            "Confirm that the case should close with applications or assessments still open",
            field="confirm_open_strands",
        )
    case.status = CaseStatus.CLOSED.value
    case.closed_at = utcnow()
    case.close_reason = reason
    session.flush()
    strands.rekey_case(session, case)  # frees "one current per primary applicant" keys
    case_tasks.cancel_for_case(session, actor, case, f"the case closed ({reason})")
    left_open = [f"{s.label} {s.reference}" for s in open_now.strands]
    history.record(
        session,
        actor,
        HistoryKind.CASE_CLOSED,
        f"Case {case.reference} closed: {reason}"
        + (f" (left open: {', '.join(left_open)})" if left_open else ""),
        case_id=case.id,
        before={"status": CaseStatus.ACTIVE.value},
        after={"status": CaseStatus.CLOSED.value, "reason": reason, "left_open": left_open},
    )


def reopen_case(
    session: Session, actor: Actor, case: Case, *, reason: str, expected_version: int
) -> None:
    _check_version(session, case, expected_version)
    if case.status != CaseStatus.CLOSED.value:
        raise RuleBroken(f"Case {case.reference} is not closed")
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken("Enter why the case is being reopened", field="reason")
    if len(reason) > MAX_REASON:
        raise RuleBroken(f"Reason must be {MAX_REASON} characters or fewer", field="reason")
    before = {"status": case.status, "closed_reason": case.close_reason}
    case.status = CaseStatus.ACTIVE.value
    case.closed_at = None
    case.close_reason = None
    session.flush()
    # Its open applications count again: refused if the primary applicant has since opened
    # another of a kind they may hold only one of.
    strands.rekey_case(session, case)
    history.record(
        session,
        actor,
        HistoryKind.CASE_REOPENED,
        f"Case {case.reference} reopened: {reason}",
        case_id=case.id,
        before=before,
        after={"status": CaseStatus.ACTIVE.value, "reason": reason},
    )
