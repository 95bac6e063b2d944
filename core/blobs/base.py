"""What every blob store is: content-addressed bytes, a key being the hex SHA-256 of its bytes."""

from __future__ import annotations

import hashlib
from typing import Protocol

from core.errors import NotFound, TraceLensError


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


def checked_key(key: str) -> str:
    """The key itself when it is a hex SHA-256; NotFound (naming it) otherwise."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise NotFound(f"not a blob key: {key!r}")
    return key
