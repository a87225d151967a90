"""Making a PDF of a generated letter with LibreOffice (`LETTER_PDF_CONVERTER`, its `soffice`),
as a background job: the Word letter is read from the file store into a private temporary
folder, converted there (each run with its own LibreOffice profile, so several workers can
convert at once), and the PDF is kept beside it (`domain.letters.attach_pdf`)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from domain import files, letters
from domain.pending import EvidenceFile
from domain.storage import read_all
from hearth.worker_context import JobContext
from web.storage import store_for

TIMEOUT_SECONDS = 120


class ConversionFailed(Exception):
    pass


def to_pdf(converter: str, docx: bytes) -> bytes:
    """The PDF LibreOffice makes of a Word document."""
    with tempfile.TemporaryDirectory(prefix="hearth-letter-") as folder:
        work = Path(folder)
        source = work / "letter.docx"
        source.write_bytes(docx)
        result = subprocess.run(  # noqa: S603 (the converter is the administrator's setting)
            [
                converter,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={(work / 'profile').as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        made = work / "letter.pdf"
        if result.returncode != 0 or not made.exists():
            said = (result.stderr or result.stdout).strip()[-500:]
            raise ConversionFailed(f"{converter} could not convert the letter: {said}")
        return made.read_bytes()


def make_letter_pdf(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Job handler for `letters.pdf`."""
    converter = ctx.settings.letter_pdf_converter
    if not converter:
        return {"skipped": "LETTER_PDF_CONVERTER is not set"}
    letter = session.get(EvidenceFile, int(payload["file_id"]))
    if letter is None or letter.removed_at is not None:
        return {"skipped": "the letter is gone"}
    if letter.pdf_id is not None:
        return {"skipped": "already made", "pdf": letter.pdf_id}
    store = store_for(ctx.settings)
    pdf = to_pdf(converter, read_all(store, letter.storage_key))
    record = letters.attach_pdf(session, store, letter, files.Upload.of("letter.pdf", pdf))
    return {"pdf": record.id, "bytes": len(pdf)}


__all__ = ["ConversionFailed", "make_letter_pdf", "to_pdf"]
