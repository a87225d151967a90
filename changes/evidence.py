"""Evidence files: checked by their content (not their name), size-limited, stored outside the
web root under a random name, and given back only through an access check."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import RuleBroken
from domain.pending import EvidenceFile

ALLOWED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/heic": "HEIC",
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}
MAX_FILES_PER_CHANGE = 5


class FileRefused(RuleBroken):
    pass


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, if it is one we accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    return None


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


def clean_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "file"
    return "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')[:200] or "file"


def check(upload: Upload, max_bytes: int) -> str:
    """The file's content type, or FileRefused with a message for the person who sent it."""
    name = clean_name(upload.filename)
    if not upload.content:
        raise FileRefused(f"{name} is empty", field="evidence")
    if len(upload.content) > max_bytes:
        raise FileRefused(
            f"{name} must be smaller than {max_bytes // (1024 * 1024)}MB", field="evidence"
        )
    content_type = sniff(upload.content[:32])
    if content_type is None:
        raise FileRefused(f"{name} must be a PDF, JPEG, PNG or HEIC file", field="evidence")
    return content_type


def problem_with(uploads: list[Upload], *, already: int, max_bytes: int) -> str | None:
    """What is wrong with files sent with a change (the first problem), or None."""
    for upload in uploads:
        try:
            check(upload, max_bytes)
        except FileRefused as exc:
            return str(exc)
    if already + len(uploads) > MAX_FILES_PER_CHANGE:
        return f"Send {MAX_FILES_PER_CHANGE} files or fewer with one change"
    return None


def store(
    session: Session,
    folder: Path,
    upload: Upload,
    *,
    case_id: int,
    max_bytes: int,
    account_id: int | None = None,
    user_id: int | None = None,
) -> EvidenceFile:
    content_type = check(upload, max_bytes)
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(20)
    (folder / key).write_bytes(upload.content)
    record = EvidenceFile(
        case_id=case_id,
        uploaded_by_account_id=account_id,
        uploaded_by_user_id=user_id,
        original_name=clean_name(upload.filename),
        content_type=content_type,
        size=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        storage_key=key,
    )
    session.add(record)
    session.flush()
    return record


def path_of(folder: Path, record: EvidenceFile) -> Path:
    return folder / record.storage_key


PRUNE_JOB = "evidence.prune_unsent"
UNSENT_GRACE = dt.timedelta(days=2)


def prune_unsent(
    session: Session, folder: Path, *, now: dt.datetime, grace: dt.timedelta = UNSENT_GRACE
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
        path_of(folder, record).unlink(missing_ok=True)
        session.delete(record)
    return len(stale)
