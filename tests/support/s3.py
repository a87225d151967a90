"""A real S3-speaking server for tests: moto in server mode (`python -m moto.server`), started as
a separate process on loopback and spoken to over HTTP by boto3, exactly as production speaks to
a council's bucket. Nothing in the client is patched.

    with s3_server() as s3:
        settings = make_settings(..., **s3.env("hearth-files"))   # S3_BUCKET, S3_ENDPOINT_URL…
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.browser import free_port

START_TIMEOUT = 30.0
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",  # moto accepts any credentials
    "AWS_DEFAULT_REGION": "eu-west-2",
}


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket (one per test keeps tests apart)."""
        name = f"hearth-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]},
        )
        return name

    def env(self, bucket: str) -> dict[str, str]:
        """Settings (as environment variables) that send the app's files to `bucket`."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": CREDENTIALS["AWS_DEFAULT_REGION"],
        }


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/moto-api/", timeout=1):  # noqa: S310 (loopback)
            return True
    except OSError:
        return False


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """Start moto's S3 server, wait until it answers, stop it afterwards. boto3 in this process
    finds the test credentials in the environment (as it would an instance's)."""
    for key, value in CREDENTIALS.items():
        os.environ.setdefault(key, value)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _ready(url):
            if process.poll() is not None:
                raise RuntimeError(
                    f"moto server exited: {process.stderr.read() if process.stderr else ''}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError("moto server did not start in time")
            time.sleep(0.1)
        yield S3Server(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
