"""Where the bytes of files live: one interface, so any number of web and worker processes on
any number of machines share them (a folder in the embedded default, an S3-compatible bucket in
production — see `web.storage`). Records in the database name files by a random key; nothing
here knows about cases or who may read what.

Uploads are streamed from a file object (a spooled temporary file) and downloads come back as
chunks, so no file is ever held whole in memory by the storage layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol

CHUNK = 64 * 1024


class FileMissing(Exception):
    """The record names a key the store does not hold (deleted by hand, or never copied)."""


class FileStore(Protocol):
    """What every store offers. Keys are opaque strings without slashes."""

    kind: str  # "folder" or "s3", for logs and the copy command

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        """Store what `source` holds from its current position, reading it in chunks."""

    def chunks(self, key: str) -> Iterator[bytes]:
        """The file's bytes in order; FileMissing (before the first chunk) if there is none."""

    def size(self, key: str) -> int | None:
        """The stored size in bytes, or None if the key is not there."""

    def delete(self, key: str) -> None:
        """Remove the file if it is there (no error if it is not)."""

    def list_keys(self) -> Iterator[str]:
        """Every key held (for copying one store into another)."""


def read_all(store: FileStore, key: str) -> bytes:
    """A whole small file (letter templates); never use it for a download."""
    return b"".join(store.chunks(key))


__all__ = ["CHUNK", "FileMissing", "FileStore", "read_all"]
