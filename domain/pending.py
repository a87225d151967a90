"""Records of the pending-change flow: what an applicant submitted, and evidence files.

A pending change never edits the case record by itself. It waits, as submitted, until an officer
accepts it (then `changes.engine` applies its effects in one transaction) or rejects it. The
rules live in `changes/`; this module only describes the tables.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain.base import Base, created_timestamp, inline, intpk, json_data, str320, timestamp
from domain.models import Case, Person, PortalAccount, User

CHANGE_REFERENCE_PREFIX = "PC-"


def format_change_reference(change_id: int) -> str:
    return f"{CHANGE_REFERENCE_PREFIX}{change_id:06d}"


class ChangeStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"
    ALL = (PENDING, ACCEPTED, REJECTED, WITHDRAWN, SUPERSEDED)


PENDING_INDEXES: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "submitted_at", "id"),
    "team": ("team_id", "submitted_at", "id"),
    "assigned": ("assigned_to_id", "submitted_at", "id"),
    "target": ("target_date", "id"),
}
# The queue's filters combine (a team's overdue changes, a kind within a team…). On PostgreSQL
# each index also carries the other filters' columns, so a count of any combination reads one
# index and never the table.
QUEUE_FILTER_COLUMNS = ("kind", "team_id", "assigned_to_id", "target_date", "submitted_at")


def pending_index_include(name: str) -> list[str]:
    return [c for c in QUEUE_FILTER_COLUMNS if c not in PENDING_INDEXES[name]]


class PendingChange(Base):
    __tablename__ = "pending_change"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    # The case's responsible team, carried on the change so the queue filters and counts by team
    # from its own index instead of joining every case. Set when the change is sent; whatever
    # moves a case to another team moves its changes with it (`move_with_case`).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[json_data]
    # The record as it was when the change was submitted, to tell a stale change from a fresh one.
    basis: Mapped[json_data]
    target_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Two pending changes with the same key conflict (e.g. two "left" reports for one person).
    conflict_key: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default=ChangeStatus.PENDING)
    submitted_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    submitted_at: Mapped[created_timestamp]
    target_date: Mapped[dt.date] = mapped_column(Date)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[timestamp | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[timestamp | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # What the decision changed, before → after, as it stood then (rows, bedroom need, and what
    # had moved on since the change was sent), so a decided change still reads as it did.
    decision_record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    withdrawn_at: Mapped[timestamp | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    case: Mapped[Case] = relationship()
    target_person: Mapped[Person | None] = relationship()
    submitted_by: Mapped[PortalAccount | None] = relationship()
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="change", order_by="EvidenceFile.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_pending_change_status_submitted_at_id", "status", "submitted_at", "id"),
        Index("ix_pending_change_case_id_status", "case_id", "status"),
        # The review queue: pending changes only, each filter in submission order (keyset), and
        # the counts beside the filters, all from small indexes.
        *(
            Index(
                f"ix_pending_change_pending_{name}",
                *columns,
                sqlite_where=text("status = 'pending'"),
                postgresql_where=text("status = 'pending'"),
                postgresql_include=pending_index_include(name),
            )
            for name, columns in PENDING_INDEXES.items()
        ),
        Index("ix_pending_change_account_submitted_at", "submitted_by_account_id", "submitted_at"),
        # A team's pending changes by target date (the team's view of My work).
        Index(
            "ix_pending_change_pending_team_id_target_date",
            "team_id",
            "target_date",
            "id",
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "uq_pending_change_one_pending_per_conflict_key",
            "conflict_key",
            unique=True,
            sqlite_where=text("status = 'pending' AND conflict_key IS NOT NULL"),
            postgresql_where=text("status = 'pending' AND conflict_key IS NOT NULL"),
        ),
    )

    @property
    def reference(self) -> str:
        return format_change_reference(self.id)

    @property
    def is_pending(self) -> bool:
        return self.status == ChangeStatus.PENDING


# A change still waiting, as a query condition: the partial indexes on pending changes apply to
# prepared statements' generic plans too (`domain.base.inline`).
WAITING = PendingChange.status == inline(ChangeStatus.PENDING)


class EvidenceFile(Base):
    """A file an applicant sent with a change (or an officer attached). Stored outside the web
    root under a random key; served only through an access check."""

    __tablename__ = "evidence_file"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("pending_change.id", ondelete="SET NULL")
    )
    uploaded_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str320] = mapped_column(unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # Where it came from: "portal" (sent with a change), "officer" (uploaded in the back office)
    # or "letter" (generated from a letter template).
    source: Mapped[str] = mapped_column(String(20), default="portal", server_default="portal")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    strand_id: Mapped[int | None] = mapped_column(ForeignKey("strand.id", ondelete="SET NULL"))
    category: Mapped[str | None] = mapped_column(String(60))
    # A generated letter's PDF, once made (when a converter is configured).
    pdf_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_file.id", ondelete="SET NULL"))
    # The evidence request it answers (sent from the portal for a request).
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_request.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_timestamp]
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    removed_reason: Mapped[str | None] = mapped_column(Text)

    change: Mapped[PendingChange | None] = relationship(back_populates="files")

    __table_args__ = (
        Index("ix_evidence_file_case_id_created_at_id", "case_id", "created_at", "id"),
        Index("ix_evidence_file_change_id", "change_id"),
        Index("ix_evidence_file_request_id", "request_id"),
        CheckConstraint("source IN ('portal', 'officer', 'letter')", name="source_known"),
    )


class FileDownload(Base):
    """One download of a case file: who, when, which file (for the activity log)."""

    __tablename__ = "file_download"

    id: Mapped[intpk]
    file_id: Mapped[int] = mapped_column(ForeignKey("evidence_file.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("housing_case.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_account.id"))
    downloaded_at: Mapped[created_timestamp]

    __table_args__ = (
        Index("ix_file_download_file_id_downloaded_at", "file_id", "downloaded_at"),
        Index("ix_file_download_case_id_downloaded_at", "case_id", "downloaded_at"),
        Index("ix_file_download_user_id_downloaded_at", "user_id", "downloaded_at"),
        CheckConstraint("user_id IS NOT NULL OR account_id IS NOT NULL", name="by_someone"),
    )


def move_with_case(session: Session, case: Case) -> None:
    """The case has moved to another team: its pending changes follow it (call it in the same
    transaction as the move)."""
    session.execute(
        update(PendingChange)
        .where(PendingChange.case_id == case.id, WAITING)
        .values(team_id=case.responsible_team_id)
        .execution_options(synchronize_session="fetch")
    )
