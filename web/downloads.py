"""Sending a stored file to someone the view has already checked may have it."""

from __future__ import annotations

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response


def attachment(path: Path, *, content_type: str, filename: str) -> Response:
    """The file as a download, never cached (it holds personal data); 404 if it is gone."""
    if not path.exists():
        raise HTTPException(404)
    return FileResponse(
        path,
        media_type=content_type,
        filename=filename,
        content_disposition_type="attachment",
        headers={"cache-control": "private, no-store"},
    )


__all__ = ["attachment"]
