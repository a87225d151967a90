"""The file stores behind every upload and download: the folder (embedded default) and an
S3-compatible bucket (moto's server, a separate process on loopback). The same behaviour is
asserted of both, and the copy from the folder into a bucket."""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path

import pytest

from domain.storage import CHUNK, FileMissing, FileStore, read_all
from hearth.cli import main
from tests.support.s3 import S3Server
from web.storage import FolderStore, S3Store, copy_all


@pytest.fixture
def store(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> FileStore:
    if store_kind == "s3":
        server: S3Server = request.getfixturevalue("s3")
        return S3Store(server.new_bucket(), endpoint_url=server.endpoint_url, region="eu-west-2")
    return FolderStore(tmp_path / "files")


def test_a_file_put_comes_back_whole_and_can_be_deleted(store: FileStore) -> None:
    store.put("k1", io.BytesIO(b"%PDF-1.4 hello"), content_type="application/pdf")
    assert read_all(store, "k1") == b"%PDF-1.4 hello"
    assert store.size("k1") == 14
    assert list(store.list_keys()) == ["k1"]
    store.delete("k1")
    assert store.size("k1") is None
    assert list(store.list_keys()) == []
    store.delete("k1")  # deleting what is gone is not an error


def test_a_missing_key_is_reported_before_any_bytes(store: FileStore) -> None:
    with pytest.raises(FileMissing):
        store.chunks("never-stored")
    assert store.size("never-stored") is None


def test_a_large_file_streams_in_and_out_in_chunks(store: FileStore) -> None:
    """20 MB from a spooled temporary file (as Starlette hands uploads over): stored without
    reading it whole (S3 takes it as a multipart upload) and read back in bounded chunks."""
    block = bytes(range(256)) * 4096  # 1 MiB
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spooled:
        digest = hashlib.sha256()
        for _ in range(20):
            spooled.write(block)
            digest.update(block)
        spooled.seek(0)
        store.put("big", spooled, content_type="application/pdf")  # type: ignore[arg-type]
    sizes, back = [], hashlib.sha256()
    for chunk in store.chunks("big"):
        sizes.append(len(chunk))
        back.update(chunk)
    assert back.hexdigest() == digest.hexdigest()
    assert sum(sizes) == 20 * len(block) and max(sizes) <= CHUNK


def test_the_folder_copies_into_a_bucket_and_a_second_run_copies_nothing(
    s3: S3Server, tmp_path: Path
) -> None:
    folder = FolderStore(tmp_path / "files")
    for n in range(3):
        folder.put(f"key{n}", io.BytesIO(f"file {n}".encode() * 1000), content_type="x/y")
    bucket = S3Store(s3.new_bucket(), endpoint_url=s3.endpoint_url, region="eu-west-2")
    bucket.put("key0", io.BytesIO(b"file 0" * 1000), content_type="x/y")  # copied before
    assert copy_all(folder, bucket) == (2, 1)
    assert sorted(bucket.list_keys()) == ["key0", "key1", "key2"]
    assert read_all(bucket, "key2") == b"file 2" * 1000
    assert copy_all(folder, bucket) == (0, 3)


def test_the_copy_command_moves_a_councils_files_into_its_bucket(
    s3: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY", "HEARTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    FolderStore(tmp_path / "files").put("abc", io.BytesIO(b"%PDF-1.4"), content_type="x/y")
    assert main(["files", "copy-to-bucket"]) == 2  # no bucket configured: a clear refusal
    assert "S3_BUCKET" in capsys.readouterr().err
    bucket = s3.new_bucket()
    for key, value in s3.env(bucket).items():
        monkeypatch.setenv(key, value)
    assert main(["files", "copy-to-bucket"]) == 0
    assert "Copied 1 file(s)" in capsys.readouterr().out
    assert read_all(S3Store(bucket, endpoint_url=s3.endpoint_url), "abc") == b"%PDF-1.4"
