"""Blob stores: where uploaded report files live, addressed by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.errors import NotFound, TraceLensError

if TYPE_CHECKING:
    from core.settings import Settings


class BlobStore(Protocol):
    """Content-addressed storage: a blob's key is the hex SHA-256 of its bytes."""

    def put(self, data: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class BlobCorrupt(TraceLensError):
    """Stored bytes no longer match their address."""

    code = "blob_corrupt"
    status_code = 500


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalBlobStore:
    """A directory tree `ab/cd/<sha256>`; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise NotFound(f"not a blob key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"blob {key} is missing from {self.root}") from None
        if sha256_hex(data) != key:
            raise BlobCorrupt(f"blob {key} in {self.root} does not match its checksum")
        return data

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def make_blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings name."""
    if settings.blob_backend == "gcs":
        from core.gcs import GcsBlobStore

        assert settings.gcs_bucket is not None  # validated by Settings
        return GcsBlobStore(
            bucket=settings.gcs_bucket,
            prefix=settings.gcs_prefix,
            endpoint=settings.gcs_endpoint,
            project=settings.gcp_project,
        )
    return LocalBlobStore(settings.blob_path)
