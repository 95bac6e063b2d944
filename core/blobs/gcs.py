"""Google Cloud Storage behind the BlobStore interface (content-addressed, verified on read).

Credentials come from Application Default Credentials (Workload Identity on GKE); no key files.
With `gcs_endpoint` set (the emulator in tests), the client talks to that URL anonymously.
"""

from __future__ import annotations

import contextlib
from typing import Any

import requests
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from core.blobs.base import BlobCorrupt, checked_key, sha256_hex
from core.errors import NotFound, TransientError

UNAVAILABLE = (
    exceptions.ServerError,
    exceptions.TooManyRequests,
    exceptions.RetryError,  # the retry deadline passed: GCS (or the network) is down
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
)
"""Failures worth another try later: raised as TransientError (503 at the API)."""


def make_client(*, endpoint: str | None = None, project: str | None = None) -> Any:
    """A storage client: ADC against Google Cloud, or anonymous against an emulator's URL."""
    if endpoint:
        return storage.Client(
            project=project or "tracelens-local",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": endpoint},
        )
    return storage.Client(project=project)


class GcsBlobStore:
    """Objects named `<prefix><sha[:2]>/<sha>`; writes are create-only, reads check the SHA-256."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        endpoint: str | None = None,
        project: str | None = None,
        client: Any | None = None,
        deadline_s: float = 10.0,
    ):
        if client is None:
            client = make_client(endpoint=endpoint, project=project)
        self.bucket = client.bucket(bucket)
        self.prefix = prefix
        # the library's default retries for 120 s: an upload would hang that long while GCS is
        # down; each call here retries for deadline_s, then fails as unavailable
        self.retry = DEFAULT_RETRY.with_deadline(deadline_s)
        self.timeout = min(deadline_s, 60.0)

    def _name(self, key: str) -> str:
        key = checked_key(key)
        return f"{self.prefix}{key[:2]}/{key}"

    def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        blob = self.bucket.blob(self._name(key))
        try:
            # Create-only: the same bytes under the same name are already there when this fails.
            blob.upload_from_string(
                data,
                content_type="application/octet-stream",
                if_generation_match=0,
                checksum="crc32c",
                retry=self.retry,
                timeout=self.timeout,
            )
        except exceptions.PreconditionFailed:
            pass
        except UNAVAILABLE as exc:
            raise TransientError(f"storing blob {key} in GCS failed: {exc}") from exc
        return key

    def get(self, key: str) -> bytes:
        name = self._name(key)
        try:
            data: bytes = self.bucket.blob(name).download_as_bytes(
                retry=self.retry, timeout=self.timeout
            )
        except exceptions.NotFound:
            raise NotFound(f"blob {key} is missing from gs://{self.bucket.name}/{name}") from None
        except UNAVAILABLE as exc:
            raise TransientError(f"reading blob {key} from GCS failed: {exc}") from exc
        if sha256_hex(data) != key:
            raise BlobCorrupt(f"blob gs://{self.bucket.name}/{name} does not match its checksum")
        return data

    def delete(self, key: str) -> None:
        try:
            with contextlib.suppress(exceptions.NotFound):
                self.bucket.blob(self._name(key)).delete(retry=self.retry, timeout=self.timeout)
        except UNAVAILABLE as exc:
            raise TransientError(f"deleting blob {key} from GCS failed: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            blob = self.bucket.blob(self._name(key))
            return bool(blob.exists(retry=self.retry, timeout=self.timeout))
        except UNAVAILABLE as exc:
            raise TransientError(f"looking up blob {key} in GCS failed: {exc}") from exc
