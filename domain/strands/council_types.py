"""A council's own application and assessment types: TOML definitions an administrator adds and
edits in the back office, stored as rows, so an authority adds a generic type without code or a
deploy.

Saving checks the definition as the shipped ones are checked (errors name the type and the
field) and against what is already recorded: the code and reference prefix stay as first saved
(references already given out must keep reading back), no status that strands are at may go,
and the cardinality rule cannot change while strands of the type exist (their keys were given
under the old rule).

Every process keeps the types in :data:`domain.strands.STRAND_TYPES`. :func:`sync` reloads
them when the table has changed — requests call it as they start, reading the table's
(code, version) pairs at most every few seconds — so a type saved in one web process is offered
by the others moments later.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history
from domain.base import Base, created_timestamp, timestamp, utcnow
from domain.errors import Conflict, NotFound, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import User
from domain.strands.model import Strand
from domain.strands.types import (
    BUILT_IN_CODES,
    COUNCIL,
    STRAND_TYPES,
    StrandType,
    check_registry,
    parse_toml,
    replace_council_types,
)

log = logging.getLogger(__name__)

DEFINITION_MAX = 20_000
CHECK_EVERY_SECONDS = 5.0


class StrandTypeDefinition(Base):
    __tablename__ = "strand_type_definition"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


TEMPLATE = """code = "tenancy_sustainment"
name = "Tenancy sustainment"
prefix = "TS"
description = "Support to keep a tenancy going."
cardinality = "one_open_per_case"   # or "many", or "one_current_per_primary_applicant"
key_facts = ["support_worker", "review_date"]

[[statuses]]
label = "Referred"
open = true

[[statuses]]
label = "Supporting"
open = true

[[statuses]]
label = "Ended"
open = false

[[fields]]
name = "support_worker"
label = "Support worker"
kind = "officer"
required_at = ["Supporting"]

[[fields]]
name = "review_date"
label = "Review date"
kind = "date"

[moves]
"Referred" = ["Supporting", "Ended"]
"Supporting" = ["Ended"]
"Ended" = ["Supporting"]
"""


def definitions(session: Session) -> list[StrandTypeDefinition]:
    return list(session.scalars(select(StrandTypeDefinition).order_by(StrandTypeDefinition.name)))


def save(
    session: Session,
    actor: Actor,
    text: str,
    *,
    code: str | None = None,
    expected_version: int | None = None,
) -> StrandType:
    """Add a council type (`code` None) or replace the definition of the council type `code`.

    Refuses (RuleBroken on the field "definition") a definition that does not read or breaks a
    rule; Conflict when someone saved the type since `expected_version`.
    """
    text = text.replace("\r\n", "\n").strip() + "\n"
    if len(text) > DEFINITION_MAX:
        raise RuleBroken(
            f"The definition must be {DEFINITION_MAX:,} characters or fewer", field="definition"
        )
    try:
        stype = parse_toml(text, source=COUNCIL)
    except ValueError as error:
        raise RuleBroken(str(error), field="definition") from None
    row: StrandTypeDefinition | None = None
    if code is None:
        existing = session.get(StrandTypeDefinition, stype.code)
        if stype.code in BUILT_IN_CODES or existing is not None:
            raise RuleBroken(
                f"There is already a type with the code {stype.code!r}", field="definition"
            )
    else:
        row = session.get(StrandTypeDefinition, code, with_for_update=True)
        if row is None:
            raise NotFound(f"There is no council type {code!r}")
        if expected_version is not None and row.version != expected_version:
            raise Conflict(
                f"{row.name} was saved by someone else after you opened it. Nothing was "
                "changed: reload the page to see the latest definition."
            )
        _check_change(session, row, stype)
    others = [t for t in STRAND_TYPES.values() if t.code != stype.code]
    try:
        check_registry({**{t.code: t for t in others}, stype.code: stype})
    except ValueError as error:
        raise RuleBroken(str(error), field="definition") from None
    before = None
    if row is None:
        row = StrandTypeDefinition(code=stype.code, created_at=utcnow())
        session.add(row)
    else:
        before = {"definition": row.definition}
    row.prefix = stype.prefix
    row.name = stype.name
    row.definition = text
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.STRAND_TYPE_SAVED,
        f"{'Added' if before is None else 'Changed'} the application or assessment type "
        f"{stype.name} ({stype.prefix})",
        before=before,
        after={"code": stype.code, "definition": text},
    )
    invalidate()
    return stype


def _check_change(session: Session, row: StrandTypeDefinition, stype: StrandType) -> None:
    if stype.code != row.code:
        raise RuleBroken(
            f"The code stays {row.code!r}: strands and history refer to it", field="definition"
        )
    if stype.prefix != row.prefix:
        raise RuleBroken(
            f"The prefix stays {row.prefix!r}: references already given out use it",
            field="definition",
        )
    in_use = set(
        session.scalars(select(Strand.status).where(Strand.type_code == row.code).distinct())
    )
    gone = sorted(in_use - {s.label for s in stype.statuses})
    if gone:
        raise RuleBroken(
            f"Strand type {row.code!r}: strands are at the status {gone[0]!r}, so it must stay",
            field="definition",
        )
    current = STRAND_TYPES.get(row.code)
    if current is not None and current.cardinality != stype.cardinality:
        count = session.scalar(
            select(func.count()).select_from(Strand).where(Strand.type_code == row.code)
        )
        if count:
            raise RuleBroken(
                f"Strand type {row.code!r}: the cardinality rule cannot change once there are "
                "strands of the type",
                field="definition",
            )


def get(session: Session, code: str) -> StrandTypeDefinition:
    row = session.get(StrandTypeDefinition, code)
    if row is None:
        raise NotFound(f"There is no council type {code!r}")
    return row


# --------------------------------------------------------------------------------------------
# Keeping every process's registry in step
# --------------------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict[str, object] = {"checked": -1e9, "signature": ()}


def invalidate() -> None:
    """Read the table again at the next sync (after this process saved a type)."""
    with _lock:
        _state["checked"] = -1e9
        _state["signature"] = None


def settle() -> None:
    """Take the registry as it is until the next `invalidate` (tests: the shipped types only,
    and no query to check the table)."""
    with _lock:
        _state["checked"] = float("inf")
        _state["signature"] = ()


def sync(session: Session) -> None:
    """Load the council's types when the table changed (checked at most every few seconds)."""
    now = time.monotonic()
    with _lock:
        if now - float(_state["checked"]) < CHECK_EVERY_SECONDS:  # type: ignore[arg-type]
            return
        _state["checked"] = now
    signature = tuple(
        session.execute(
            select(StrandTypeDefinition.code, StrandTypeDefinition.version).order_by(
                StrandTypeDefinition.code
            )
        ).all()
    )
    with _lock:
        if signature == _state["signature"]:
            return
    _reload(session)
    with _lock:
        _state["signature"] = signature


def _reload(session: Session) -> None:
    """Make the registry's council types those of the table."""
    found: dict[str, StrandType] = {
        code: t for code, t in STRAND_TYPES.items() if code in BUILT_IN_CODES
    }
    for row in definitions(session):
        try:
            stype = parse_toml(row.definition, source=COUNCIL)
            check_registry({**found, stype.code: stype})
        except ValueError:
            log.exception("council strand type %r no longer reads; it is not offered", row.code)
            continue
        found[stype.code] = stype
    replace_council_types([t for code, t in found.items() if code not in BUILT_IN_CODES])
