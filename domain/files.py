"""Case files (SPEC N3): what applicants send with a change, what officers upload, and letters
generated from templates — one table (`evidence_file`), one store (`domain.storage`).

- A file is checked by its **content**, not its name or the type the browser claims, and by
  size. Applicants may send PDF, JPEG, PNG or HEIC; officers may also upload Word documents.
- Its bytes go to the store under a random key; the record keeps the name it was sent with, its
  type, size and SHA-256. Uploads are read from the (spooled) file object in chunks, twice at
  most (hash, then store), never held whole in memory.
- Every download is recorded (who, when, which file) for the activity log; removing a file
  hides it from the Files tab with a reason and keeps the record (and the bytes) for the audit.

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain import history
from domain.base import utcnow
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, PortalAccount, User
from domain.pending import EvidenceFile, FileDownload
from domain.storage import CHUNK, FileStore
from domain.strands import Strand

PDF, JPEG, PNG, HEIC = "application/pdf", "image/jpeg", "image/png", "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", HEIC: "HEIC", DOCX: "Word document"}
APPLICANT_TYPES = (PDF, JPEG, PNG, HEIC)
OFFICER_TYPES = (PDF, JPEG, PNG, HEIC, DOCX)
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}
MAX_FILES_AT_ONCE = 10

DOCUMENT_TYPES = (
    "Proof of identity",
    "Proof of address",
    "Proof of income",
    "Medical evidence",
    "Tenancy agreement",
    "Notice to quit or eviction",
    "Correspondence",
    "Decision letter",
    "Photograph",
    "Other",
)


class FileRefused(RuleBroken):
    pass


def clean_name(filename: str) -> str:
    name = Path(filename.replace("\\", "/")).name.strip() or "file"
    return "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')[:200] or "file"


@dataclass
class Upload:
    """A file as sent: its name and a readable, seekable file object (Starlette spools uploads
    to disk past 1 MB)."""

    filename: str
    file: BinaryIO
    _size: int | None = field(default=None, repr=False)

    @classmethod
    def of(cls, filename: str, content: bytes) -> Upload:
        return cls(filename, io.BytesIO(content))

    @property
    def name(self) -> str:
        return clean_name(self.filename)

    @property
    def size(self) -> int:
        if self._size is None:
            self.file.seek(0, io.SEEK_END)
            self._size = self.file.tell()
            self.file.seek(0)
        return self._size

    def head(self, n: int = 32) -> bytes:
        self.file.seek(0)
        data = self.file.read(n)
        self.file.seek(0)
        return data

    def sha256(self) -> str:
        digest = hashlib.sha256()
        self.file.seek(0)
        while chunk := self.file.read(CHUNK):
            digest.update(chunk)
        self.file.seek(0)
        return digest.hexdigest()


def _is_docx(upload: Upload) -> bool:
    try:
        upload.file.seek(0)
        with zipfile.ZipFile(upload.file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.file.seek(0)
    return "word/document.xml" in names and "[Content_Types].xml" in names


def sniff(upload: Upload) -> str | None:
    """The content type from the file's first bytes (and, for Word, its parts)."""
    head = upload.head(32)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04") and _is_docx(upload):
        return DOCX
    return None


def _listing(types: Sequence[str]) -> str:
    names = [TYPE_NAMES[t] for t in types]
    return ", ".join(names[:-1]) + " or " + names[-1]


def check(
    upload: Upload, max_bytes: int, *, allowed: Sequence[str] = APPLICANT_TYPES, field: str
) -> str:
    """The file's content type, or FileRefused naming the file and what is wrong."""
    name = upload.name
    if upload.size == 0:
        raise FileRefused(f"{name} is empty", field=field)
    if upload.size > max_bytes:
        raise FileRefused(
            f"{name} must be smaller than {max_bytes // (1024 * 1024)}MB", field=field
        )
    content_type = sniff(upload)
    if content_type is None or content_type not in allowed:
        raise FileRefused(f"{name} must be a {_listing(allowed)} file", field=field)
    return content_type


def put(
    session: Session,
    store: FileStore,
    upload: Upload,
    *,
    case_id: int,
    max_bytes: int,
    source: str,
    allowed: Sequence[str] = APPLICANT_TYPES,
    field: str = "evidence",
    account_id: int | None = None,
    user_id: int | None = None,
    person_id: int | None = None,
    strand_id: int | None = None,
    category: str | None = None,
    description: str | None = None,
) -> EvidenceFile:
    """Check the file, send its bytes to the store and record it (no history: callers say why
    the file arrived)."""
    content_type = check(upload, max_bytes, allowed=allowed, field=field)
    key = secrets.token_hex(20)
    sha = upload.sha256()
    store.put(key, upload.file, content_type=content_type)
    record = EvidenceFile(
        case_id=case_id,
        uploaded_by_account_id=account_id,
        uploaded_by_user_id=user_id,
        original_name=upload.name,
        content_type=content_type,
        size=upload.size,
        sha256=sha,
        storage_key=key,
        source=source,
        person_id=person_id,
        strand_id=strand_id,
        category=category,
        description=description,
    )
    session.add(record)
    session.flush()
    return record


DESCRIPTION_MAX = 500


def upload_to_case(
    session: Session,
    store: FileStore,
    actor: Actor,
    officer: User,
    case: Case,
    uploads: Sequence[Upload],
    *,
    category: str,
    description: str,
    person_id: int | None,
    strand_id: int | None,
    max_bytes: int,
) -> list[EvidenceFile]:
    """An officer uploads one or more files to a case; every problem is reported together and
    nothing is kept unless all of them are good."""
    errors: dict[str, str] = {}
    if not uploads:
        errors["files"] = "Select a file to upload"
    elif len(uploads) > MAX_FILES_AT_ONCE:
        errors["files"] = f"Upload {MAX_FILES_AT_ONCE} files or fewer at once"
    else:
        for upload in uploads:
            try:
                check(upload, max_bytes, allowed=OFFICER_TYPES, field="files")
            except FileRefused as exc:
                errors["files"] = str(exc)
                break
    if category not in DOCUMENT_TYPES:
        errors["category"] = "Select the type of document"
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be {DESCRIPTION_MAX} characters or fewer"
    if person_id is not None and not session.scalar(
        select(CasePerson.id).where(
            CasePerson.case_id == case.id, CasePerson.person_id == person_id
        )
    ):
        errors["person"] = "Select someone in this household"
    if strand_id is not None:
        strand = session.get(Strand, strand_id)
        if strand is None or strand.case_id != case.id:
            errors["strand"] = "Select an application or assessment on this case"
    if errors:
        raise FieldErrors(errors)
    records = [
        put(
            session,
            store,
            upload,
            case_id=case.id,
            max_bytes=max_bytes,
            source="officer",
            allowed=OFFICER_TYPES,
            field="files",
            user_id=officer.id,
            person_id=person_id,
            strand_id=strand_id,
            category=category,
            description=description or None,
        )
        for upload in uploads
    ]
    names = ", ".join(r.original_name for r in records)
    history.record(
        session,
        actor,
        HistoryKind.FILE_UPLOADED,
        f"{category}: {names}"
        if len(records) == 1
        else f"{len(records)} files ({category}): {names}",
        case_id=case.id,
        person_id=person_id,
        after={"files": [r.id for r in records], "category": category, "names": names},
    )
    return records


def remove(
    session: Session,
    actor: Actor,
    officer: User,
    record: EvidenceFile,
    *,
    reason: str,
) -> EvidenceFile:
    """Hide a file from the Files tab (uploaded in error, on the wrong case…) with a reason; the
    record and its downloads stay for the audit."""
    reason = reason.strip()
    if not reason:
        raise FieldErrors({"reason": "Enter why the file is being removed"})
    if len(reason) > DESCRIPTION_MAX:
        raise FieldErrors({"reason": f"Reason must be {DESCRIPTION_MAX} characters or fewer"})
    if record.removed_at is not None:
        raise RuleBroken("This file has already been removed", field="reason")
    if record.source == "portal" and record.change_id is not None:
        change = record.change
        if change is not None and change.is_pending:
            raise RuleBroken(
                "This file was sent with a change that is still waiting for review: "
                "decide the change first",
                field="reason",
            )
    # One statement that only removes a file not yet removed: of two officers removing it at
    # once, one wins and the other is told.
    done = session.execute(
        update(EvidenceFile)
        .where(EvidenceFile.id == record.id, EvidenceFile.removed_at.is_(None))
        .values(removed_at=utcnow(), removed_by_id=officer.id, removed_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Another officer has just removed this file")
    session.refresh(record)
    history.record(
        session,
        actor,
        HistoryKind.FILE_REMOVED,
        f"{record.original_name} removed: {reason}",
        case_id=record.case_id,
        person_id=record.person_id,
        before={"file": record.id, "name": record.original_name},
        after={"reason": reason},
    )
    return record


def record_download(
    session: Session,
    record: EvidenceFile,
    *,
    user: User | None = None,
    account: PortalAccount | None = None,
) -> FileDownload:
    """Who downloaded which file, when — written even though the request is a GET (an explicit
    audit write, like restricted-record views)."""
    row = FileDownload(
        file_id=record.id,
        case_id=record.case_id,
        user_id=user.id if user is not None else None,
        account_id=account.id if account is not None else None,
    )
    session.add(row)
    session.flush()
    return row


__all__ = [
    "APPLICANT_TYPES",
    "DOCUMENT_TYPES",
    "DOCX",
    "MAX_FILES_AT_ONCE",
    "OFFICER_TYPES",
    "FileRefused",
    "Upload",
    "check",
    "clean_name",
    "put",
    "record_download",
    "remove",
    "sniff",
    "upload_to_case",
]
