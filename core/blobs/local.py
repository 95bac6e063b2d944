"""Blobs in a local directory: the embedded default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core.blobs.base import BlobCorrupt, checked_key, sha256_hex
from core.errors import NotFound


class LocalBlobStore:
    """A directory tree `ab/cd/<sha256>`; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        key = checked_key(key)
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
