"""Saved list views (SPEC X1): a list's columns, filters and sort (a cases, case officers or case
people list, its `kind`) kept under a name, private
to the officer who saved it or shared with their team, and each officer's default view (the one
the list opens with).

Only the officer who saved a view changes or deletes it; a team sees views shared with it.
Every change writes history in the caller's transaction; nothing here commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, and_, bindparam, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history
from domain.base import Base, created_timestamp, intpk, json_data, timestamp, utcnow
from domain.case_list import ListSpec
from domain.errors import Conflict, FieldErrors, NotFound, PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.list_kinds import CASES, kind_of
from domain.list_kinds import KINDS as LIST_KINDS
from domain.models import Team, User

KINDS = tuple(LIST_KINDS)
NAME_MAX = 100
MAX_PER_OFFICER = 50


class SavedList(Base):
    __tablename__ = "saved_list"

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20), default=CASES)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    spec: Mapped[json_data]
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    owner: Mapped[User] = relationship()
    team: Mapped[Team | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_saved_list_owner_id_kind", "owner_id", "kind"),
        Index("ix_saved_list_team_id_kind", "team_id", "kind"),
    )

    @property
    def list_spec(self) -> ListSpec:
        return ListSpec.from_json(self.spec, self.kind)


class ListDefault(Base):
    """The view an officer's list of a kind opens with."""

    __tablename__ = "list_default"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("saved_list.id", ondelete="CASCADE"))


def views_for(session: Session, officer: User, kind: str = CASES) -> list[SavedList]:
    """The officer's own views and those shared with their team, by name."""
    mine = SavedList.owner_id == officer.id
    shared = SavedList.team_id == officer.team_id if officer.team_id else None
    return list(
        session.scalars(
            select(SavedList)
            .where(SavedList.kind == kind, or_(mine, shared) if shared is not None else mine)
            .order_by(SavedList.name, SavedList.id)
        )
    )


def _views(*, team: bool) -> Any:
    mine = SavedList.owner_id == bindparam("officer_id")
    return (
        select(SavedList, ListDefault.list_id)
        .outerjoin(
            ListDefault,
            and_(
                ListDefault.list_id == SavedList.id,
                ListDefault.user_id == bindparam("officer_id"),
                ListDefault.kind == bindparam("kind"),
            ),
        )
        .where(
            SavedList.kind == bindparam("kind"),
            or_(mine, SavedList.team_id == bindparam("team_id")) if team else mine,
        )
        .order_by(SavedList.name, SavedList.id)
    )


# Built once (every list page reads them): an officer in a team sees its shared views too.
_VIEWS_WITH_TEAM = _views(team=True)
_VIEWS_OWN = _views(team=False)


def views_and_default(
    session: Session, officer: User, kind: str = CASES
) -> tuple[list[SavedList], SavedList | None]:
    """`views_for` and `default_for` in one query (the list page shows both)."""
    statement = _VIEWS_WITH_TEAM if officer.team_id else _VIEWS_OWN
    rows = session.execute(
        statement, {"officer_id": officer.id, "team_id": officer.team_id, "kind": kind}
    ).all()
    views = [view for view, _ in rows]
    return views, next((view for view, chosen in rows if chosen is not None), None)


def find_view(session: Session, officer: User, list_id: int) -> SavedList | None:
    """A view the officer may open (theirs, or shared with their team), or None."""
    found = session.get(SavedList, list_id)
    if found is None or not (
        found.owner_id == officer.id
        or (found.team_id is not None and found.team_id == officer.team_id)
    ):
        return None
    return found


def view_for(session: Session, officer: User, list_id: int) -> SavedList:
    """As `find_view`, NotFound when there is none the officer may open."""
    found = find_view(session, officer, list_id)
    if found is None:
        raise NotFound("There is no such list view")
    return found


def default_for(session: Session, officer: User, kind: str = CASES) -> SavedList | None:
    row = session.get(ListDefault, (officer.id, kind))
    if row is None:
        return None
    return find_view(session, officer, row.list_id)  # None: no longer shared with them


def save_view(
    session: Session,
    actor: Actor,
    officer: User,
    spec: ListSpec,
    *,
    name: str,
    shared: bool,
    make_default: bool,
    list_id: int | None = None,
    expected_version: int | None = None,
) -> SavedList:
    """Save the list as a new view, or over one of the officer's own (`list_id`)."""
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter a name for the list"
    elif len(name) > NAME_MAX:
        errors["name"] = f"Name must be {NAME_MAX} characters or fewer"
    if shared and officer.team_id is None:
        errors["shared"] = "You are in no team to share the list with"
    if errors:
        raise FieldErrors(errors)
    if list_id is None:
        owned = session.scalars(select(SavedList.id).where(SavedList.owner_id == officer.id)).all()
        if len(owned) >= MAX_PER_OFFICER:
            raise FieldErrors(
                {"name": f"You have {MAX_PER_OFFICER} saved lists: delete one to save another"}
            )
        view = SavedList(kind=spec.kind, name=name, owner_id=officer.id, spec={})
        session.add(view)
    else:
        view = _own(session, officer, list_id)
        if view.kind != spec.kind:
            raise RuleBroken(
                f"“{view.name}” is a {kind_of(view.kind).title.lower()}: save this list under a "
                "new name instead"
            )
        if expected_version is not None and view.version != expected_version:
            raise Conflict("This list was changed in another window: open it again and re-save")
        view.updated_at = utcnow()
    before = None if list_id is None else _summary(view)
    view.name = name
    view.team_id = officer.team_id if shared else None
    view.spec = spec.as_json()
    session.flush()
    if make_default:
        set_default(session, actor, officer, view)
    history.record(
        session,
        actor,
        HistoryKind.LIST_SAVED,
        f"List “{view.name}” saved" + (" and shared with the team" if shared else ""),
        before=before,
        after=_summary(view),
    )
    return view


def set_default(
    session: Session, actor: Actor, officer: User, view: SavedList | None, kind: str = CASES
) -> None:
    """The view the officer's list of a kind opens with (None: the standard columns)."""
    if view is not None:
        kind = view.kind
    session.execute(
        delete(ListDefault).where(ListDefault.user_id == officer.id, ListDefault.kind == kind)
    )
    if view is not None:
        session.add(ListDefault(user_id=officer.id, kind=kind, list_id=view.id))
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.LIST_SAVED,
        f"{officer.name}'s {kind_of(kind).title.lower()} opens with "
        + (f"“{view.name}”" if view is not None else "the standard columns"),
        after={"default": view.id if view is not None else None, "officer": officer.id},
    )


def delete_view(session: Session, actor: Actor, officer: User, list_id: int) -> str:
    view = _own(session, officer, list_id)
    name = view.name
    history.record(
        session, actor, HistoryKind.LIST_DELETED, f"List “{name}” deleted", before=_summary(view)
    )
    session.delete(view)
    session.flush()
    return name


def _own(session: Session, officer: User, list_id: int) -> SavedList:
    view = view_for(session, officer, list_id)
    if view.owner_id != officer.id:
        raise PermissionDenied(f"Only {view.owner.name} can change the list “{view.name}”")
    return view


def _summary(view: SavedList) -> dict[str, Any]:
    return {"list": view.id, "name": view.name, "team": view.team_id, "spec": view.spec}


__all__ = [
    "CASES",
    "ListDefault",
    "SavedList",
    "default_for",
    "delete_view",
    "find_view",
    "save_view",
    "set_default",
    "view_for",
    "views_and_default",
    "views_for",
]
