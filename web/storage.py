"""The two file stores behind `domain.storage.FileStore`, and the one the settings choose.

- `FolderStore`: a folder on this machine (the embedded default, or a shared mount).
- `S3Store`: any S3-compatible object store (AWS S3, a council cloud's bucket, MinIO…), chosen
  by setting `S3_BUCKET`; `S3_ENDPOINT_URL`, `S3_REGION` and `S3_PREFIX` tune it, and the
  credentials come from boto3's usual sources (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, an
  instance role…). Uploads go through boto3's managed transfer (multipart for large files, read
  in chunks from the file object); downloads stream the response body.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from domain.storage import CHUNK, FileMissing, FileStore
from web.settings import Settings


class FolderStore:
    kind = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        if not key or "/" in key or "\\" in key or key.startswith("."):
            raise FileMissing(key)
        return self.folder / key

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self._path(key)
        partial = self.folder / f".{key}.{secrets.token_hex(4)}.part"
        with partial.open("wb") as out:
            while chunk := source.read(CHUNK):
                out.write(chunk)
        os.replace(partial, final)  # readers never see half a file

    def chunks(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise FileMissing(key) from None
        return _read(handle)

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except (FileNotFoundError, FileMissing):
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self) -> Iterator[str]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield path.name


def _read(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class S3Store:
    kind = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
    ) -> None:
        import boto3  # imported here: the embedded default never needs it
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region or None,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, source: BinaryIO, *, content_type: str) -> None:
        self.client.upload_fileobj(
            source, self.bucket, self._key(key), ExtraArgs={"ContentType": content_type}
        )

    def chunks(self, key: str) -> Iterator[bytes]:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileMissing(key) from None
            raise
        body = response["Body"]
        return _stream(body)

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]


def _stream(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def copy_all(source: FileStore, target: FileStore) -> tuple[int, int]:
    """Copy every file from one store to another (the folder into the bucket when a council
    moves to object storage); a file already there with the same size is left alone, so the copy
    can be run again after an interruption. Returns (copied, already there)."""
    copied = skipped = 0
    for key in source.list_keys():
        size = source.size(key)
        if size is not None and target.size(key) == size:
            skipped += 1
            continue
        reader = _ChunkReader(source.chunks(key))
        target.put(key, reader, content_type="application/octet-stream")  # type: ignore[arg-type]
        copied += 1
    return copied, skipped


class _ChunkReader:
    """A file-like `read()` over a store's chunks, so a copy streams without a temporary file."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def folder_store(settings: Settings) -> FolderStore:
    return FolderStore(settings.files_dir)


def store_for(settings: Settings) -> FileStore:
    """The store these settings choose: the bucket when `S3_BUCKET` is set, else the folder."""
    if settings.s3_bucket:
        return S3Store(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
        )
    return folder_store(settings)


__all__ = ["FolderStore", "S3Store", "copy_all", "folder_store", "store_for"]
