"""Restricted records (for example someone escaping domestic abuse): a restricted case or person
opens only for officers on the case (on one of the person's cases) and holders of the
"Cases: restricted" permission; every view of one is recorded (who, when, which page); others
see "Restricted record" in lists and searches, without details.

A member of a household can be split into a new, restricted case of their own
(`split_privately`): they leave the old household on that day, and nothing about the new case
or where they now live reaches the old household (its portal pages show only its own case, and
a restricted person's address is never shown on them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain import history, household, people
from domain.base import Base, created_timestamp, intpk
from domain.errors import PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CaseOfficer, CasePerson, Person, User
from domain.vocab import OfficerRole, Permission

DENIED = (
    "This is a restricted record. Only officers on the case and officers with the "
    "“Cases: restricted” permission can open it."
)


class RestrictedView(Base):
    """One officer opening one page of a restricted case or person."""

    __tablename__ = "restricted_view"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(300))
    viewed_at: Mapped[created_timestamp]

    __table_args__ = (
        Index("ix_restricted_view_case_id_viewed_at", "case_id", "viewed_at"),
        Index("ix_restricted_view_person_id_viewed_at", "person_id", "viewed_at"),
    )


def _on_cases(session: Session, user: User, case_ids: Iterable[int]) -> set[int]:
    """Which of these cases `user` is an officer on (one query)."""
    ids = list(case_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(CaseOfficer.case_id).where(
                CaseOfficer.user_id == user.id, CaseOfficer.case_id.in_(ids)
            )
        )
    )


def may_open_case(session: Session, user: User, case: Case) -> bool:
    if not case.restricted or user.can(Permission.RESTRICTED):
        return True
    return bool(_on_cases(session, user, [case.id]))


def _person_case_ids(session: Session, person_id: int) -> list[int]:
    return list(
        session.scalars(select(CasePerson.case_id).where(CasePerson.person_id == person_id))
    )


def may_open_person(session: Session, user: User, person: Person) -> bool:
    if not person.restricted or user.can(Permission.RESTRICTED):
        return True
    return bool(_on_cases(session, user, _person_case_ids(session, person.id)))


def hidden_cases(session: Session, user: User, cases: Iterable[tuple[int, bool]]) -> set[int]:
    """Of (case id, restricted) pairs shown in a list, the ids `user` may not open."""
    restricted = {case_id for case_id, is_restricted in cases if is_restricted}
    if not restricted or user.can(Permission.RESTRICTED):
        return set()
    return restricted - _on_cases(session, user, restricted)


def hidden_people(
    session: Session, user: User, rows: Iterable[tuple[int, bool, Iterable[int]]]
) -> set[int]:
    """Of (person id, restricted, their case ids) shown in a list, the people `user` may not
    open (one query)."""
    wanted = [(pid, list(cases)) for pid, is_restricted, cases in rows if is_restricted]
    if not wanted or user.can(Permission.RESTRICTED):
        return set()
    mine = _on_cases(session, user, {c for _, cases in wanted for c in cases})
    return {pid for pid, cases in wanted if not mine & set(cases)}


def open_case(session: Session, user: User, case: Case, page: str) -> None:
    """Let `user` open `case` on `page`, recording the view if it is restricted; refuse
    (PermissionDenied) if it is restricted and they may not."""
    if not case.restricted:
        return
    if not may_open_case(session, user, case):
        raise PermissionDenied(DENIED)
    session.add(RestrictedView(user_id=user.id, case_id=case.id, page=page[:300]))


def open_person(session: Session, user: User, person: Person, page: str) -> None:
    if not person.restricted:
        return
    if not may_open_person(session, user, person):
        raise PermissionDenied(DENIED)
    session.add(RestrictedView(user_id=user.id, person_id=person.id, page=page[:300]))


def views_of(
    session: Session, *, case_id: int | None = None, person_id: int | None = None, limit: int = 50
) -> list[tuple[RestrictedView, str]]:
    """The latest views of a restricted case or person, newest first, with who looked."""
    stmt = select(RestrictedView, User.name).join(User, User.id == RestrictedView.user_id)
    if case_id is not None:
        stmt = stmt.where(RestrictedView.case_id == case_id)
    if person_id is not None:
        stmt = stmt.where(RestrictedView.person_id == person_id)
    stmt = stmt.order_by(RestrictedView.viewed_at.desc(), RestrictedView.id.desc()).limit(limit)
    return [(view, name) for view, name in session.execute(stmt)]


def set_case_restricted(
    session: Session, officer: User, case: Case, restricted: bool, *, reason: str
) -> None:
    """Restrict a case (any officer who can open it may, to protect someone) or lift the
    restriction (only holders of "Cases: restricted"), with a reason and history."""
    if not restricted and case.restricted and not officer.can(Permission.RESTRICTED):
        raise PermissionDenied(
            "Only officers with the “Cases: restricted” permission can lift a restriction"
        )
    actor = Actor.officer(officer)
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken("Enter why", field="reason")
    if case.restricted == restricted:
        return
    case.restricted = restricted
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.CASE_DETAILS,
        f"Case {case.reference} {'restricted' if restricted else 'no longer restricted'}: {reason}",
        case_id=case.id,
        before={"restricted": not restricted},
        after={"restricted": restricted},
    )


def split_privately(
    session: Session,
    actor: Actor,
    case_id: int,
    person_id: int,
    *,
    officer: User,
    today: dt.date,
    reason: str,
    new_address: people.NewAddress | None,
) -> Case:
    """Move a member out of a household into a new restricted case of their own: they leave the
    old one today, they and the new case are restricted, the officer doing it is its Primary
    officer, and a new address (if given) is recorded only on them."""
    reason = " ".join(reason.split())
    if not reason:
        raise RuleBroken("Enter why the case is being split privately", field="reason")
    old = household.lock_case(session, case_id)
    link = next((cp for cp in old.people if cp.person_id == person_id), None)
    if link is None or not link.is_member_on(today):
        raise RuleBroken("Only a current member of the household can be split off")
    if link.is_primary:
        raise RuleBroken(
            "Make someone else the primary applicant first: the primary applicant stays with "
            "the case"
        )
    person = link.person
    household.record_leaving(session, actor, link, today)
    person.restricted = True
    new = household.open_case(
        session, actor, person, team_id=old.responsible_team_id, date_joined=today
    )
    new.restricted = True
    new.summary = "Split privately from another household."
    new.officers.append(CaseOfficer(user=officer, role=OfficerRole.PRIMARY.value))
    session.flush()
    if new_address is not None:
        people.move_home(
            session,
            actor,
            [person],
            line_1=new_address.line_1,
            line_2=new_address.line_2,
            town=new_address.town,
            postcode=new_address.postcode,
            moved_on=new_address.date_from or today,
            case_id=new.id,
        )
    history.record(
        session,
        actor,
        HistoryKind.CASE_DETAILS,
        f"{person.full_name} moved to a restricted case of their own: {reason}",
        case_id=new.id,
        person_id=person.id,
        after={"restricted": True},
    )
    # The old household's history says only that they left (record_leaving, above).
    return new
