"""Sending a stored evidence file to someone the view has already checked may have it."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response

from changes import evidence
from domain.pending import EvidenceFile
from hearth.settings import Settings


def files_folder(settings: Settings):  # type: ignore[no-untyped-def]
    return settings.data_dir / "files"


def evidence_response(settings: Settings, record: EvidenceFile) -> Response:
    path = evidence.path_of(files_folder(settings), record)
    if not path.exists():
        raise HTTPException(404)
    return FileResponse(
        path,
        media_type=record.content_type,
        filename=record.original_name,
        content_disposition_type="attachment",
        headers={"cache-control": "private, no-store"},
    )
