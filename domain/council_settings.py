"""Council settings: a small key/value table for choices the council makes as data.

Each value is JSON. Reading a key that was never set gives the caller's default. Every change
writes history (kind "council_setting.changed") in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain import history
from domain.base import Base, timestamp, utcnow
from domain.history import Actor
from domain.history_kinds import HistoryKind


class CouncilSetting(Base):
    __tablename__ = "council_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<CouncilSetting {self.key}={self.value!r}>"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.scalars(_SETTING, {"key": key}).first()
    return default if row is None else row.value


# Built once (reviews and acceptances read the bedroom policy); no autoflush, as with
# `Session.get`: a rule reading a setting mid-change must not flush the change half made.
_SETTING = (
    select(CouncilSetting)
    .where(CouncilSetting.key == bindparam("key"))
    .execution_options(autoflush=False)
)


def set_setting(session: Session, actor: Actor, key: str, value: Any) -> CouncilSetting:
    """Store `value` under `key` (JSON-safe values only) and record the change in history."""
    row = session.get(CouncilSetting, key)
    before = None if row is None else row.value
    value = history.jsonable(value)
    if row is None:
        row = CouncilSetting(key=key, value=value, updated_by_id=actor.user_id)
        session.add(row)
    elif row.value == value:
        return row
    else:
        row.value = value
        row.updated_by_id = actor.user_id
        row.updated_at = utcnow()
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.COUNCIL_SETTING_CHANGED,
        f"Council setting {key!r} changed",
        before={"key": key, "value": before},
        after={"key": key, "value": value},
    )
    return row


__all__ = ["CouncilSetting", "get_setting", "set_setting"]
