"""Evidence sent with portal changes: up to five files a change, each checked by its content
(`domain.files`), kept in the file store, and given back only through an access check. Files
uploaded for a draft that is never sent are pruned after two days."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.files import APPLICANT_TYPES, FileRefused, Upload, check, put
from domain.pending import EvidenceFile
from domain.storage import FileStore

MAX_FILES_PER_CHANGE = 5


def problem_with(uploads: list[Upload], *, already: int, max_bytes: int) -> str | None:
    """What is wrong with files sent with a change (the first problem), or None."""
    for upload in uploads:
        try:
            check(upload, max_bytes, allowed=APPLICANT_TYPES, field="evidence")
        except FileRefused as exc:
            return str(exc)
    if already + len(uploads) > MAX_FILES_PER_CHANGE:
        return f"Send {MAX_FILES_PER_CHANGE} files or fewer with one change"
    return None


def store(
    session: Session,
    files: FileStore,
    upload: Upload,
    *,
    case_id: int,
    max_bytes: int,
    account_id: int | None = None,
    user_id: int | None = None,
) -> EvidenceFile:
    """Keep one file sent with a change (linked to the change when it is submitted)."""
    return put(
        session,
        files,
        upload,
        case_id=case_id,
        max_bytes=max_bytes,
        source="portal" if account_id is not None else "officer",
        account_id=account_id,
        user_id=user_id,
    )


PRUNE_JOB = "evidence.prune_unsent"
UNSENT_GRACE = dt.timedelta(days=2)


def prune_unsent(
    session: Session, files: FileStore, *, now: dt.datetime, grace: dt.timedelta = UNSENT_GRACE
) -> int:
    """Delete files uploaded for changes that were never sent (drafts abandoned for `grace`)."""
    stale = session.scalars(
        select(EvidenceFile).where(
            EvidenceFile.change_id.is_(None),
            EvidenceFile.uploaded_by_account_id.is_not(None),
            EvidenceFile.created_at < now - grace,
        )
    ).all()
    for record in stale:
        files.delete(record.storage_key)
        session.delete(record)
    return len(stale)


__all__ = ["MAX_FILES_PER_CHANGE", "PRUNE_JOB", "Upload", "problem_with", "prune_unsent", "store"]
