"""Sending a stored file to someone the view has already checked may have it."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse

from domain.storage import FileMissing, FileStore


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{quote(filename)}"


def attachment(
    store: FileStore, key: str, *, content_type: str, filename: str, size: int | None = None
) -> Response:
    """The file as a download streamed from the store in chunks, never cached (it holds
    personal data); 404 if the store no longer has it."""
    try:
        chunks = store.chunks(key)
    except FileMissing:
        raise HTTPException(404) from None
    headers = {
        "content-disposition": _disposition(filename),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
    }
    if size is not None:
        headers["content-length"] = str(size)
    return StreamingResponse(chunks, media_type=content_type, headers=headers)


__all__ = ["attachment"]
