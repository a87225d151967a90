"""Choosing officers: the drop-downs that offer work to someone, and checking a chosen one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from domain import history
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Team, User, UserPermission
from domain.vocab import Permission


@dataclass(frozen=True)
class OfficerChoice:
    """An officer offered in a drop-down: who, and their team."""

    id: int
    name: str
    team: str | None


def officers_who_can(
    session: Session,
    permission: Permission,
    *,
    team_id: int | None = None,
    including: Sequence[int | None] = (),
) -> list[OfficerChoice]:
    """Active officers holding `permission`, by name, with their teams (one query): for the
    drop-downs that offer work to someone. With `team_id`, only that team's officers and those
    `including` names (a council has hundreds of officers; a list of them all helps nobody and
    costs every page that shows it)."""
    if team_id is None:
        rows = session.execute(_OFFICERS_WHO_CAN, {"permission": permission.value})
    else:
        rows = session.execute(
            _TEAM_OFFICERS_WHO_CAN,
            {
                "permission": permission.value,
                "team_id": team_id,
                "including": [i for i in including if i is not None] or [0],
            },
        )
    return [OfficerChoice(id, name, team) for id, name, team in rows]


def case_teams(session: Session, *, active_only: bool = False) -> list[Team]:
    """The teams that may hold cases, by name (the queue's filter offers them all, inactive
    ones too, since their cases' changes still wait; creating a case only the active ones)."""
    return list(session.scalars(_ACTIVE_CASE_TEAMS if active_only else _CASE_TEAMS))


# Built once: the queue shows them on every load.
_CASE_TEAMS = select(Team).where(Team.allows_cases).order_by(Team.name)
_ACTIVE_CASE_TEAMS = select(Team).where(Team.allows_cases, Team.active).order_by(Team.name)


def active_officer(session: Session, officer_id: int | None) -> User | None:
    """The active officer with this id, or None."""
    officer = session.get(User, officer_id) if officer_id else None
    return officer if officer is not None and officer.active else None


_OFFICERS_WHO_CAN = (
    select(User.id, User.name, Team.name)
    .join(
        UserPermission,
        (UserPermission.user_id == User.id)
        & (UserPermission.permission == bindparam("permission")),
    )
    .outerjoin(Team, Team.id == User.team_id)
    .where(User.active)
    .order_by(User.name, User.id)
)
_TEAM_OFFICERS_WHO_CAN = _OFFICERS_WHO_CAN.where(
    (User.team_id == bindparam("team_id")) | User.id.in_(bindparam("including", expanding=True))
)


def choose_work_digest(session: Session, actor: Actor, officer: User, *, wanted: bool) -> User:
    """An officer turns their morning email of overdue and due-soon work on or off."""
    if officer.work_digest == wanted:
        return officer
    officer.work_digest = wanted
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.OFFICER_UPDATED,
        f"{officer.name} turned the morning work email {'on' if wanted else 'off'}",
        before={"work_digest": not wanted},
        after={"work_digest": wanted, "officer": officer.id},
    )
    return officer
