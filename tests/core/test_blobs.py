from pathlib import Path

import pytest

from core.blobs import BlobCorrupt, LocalBlobStore, sha256_hex
from core.errors import NotFound


def test_round_trip_is_content_addressed(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    key = store.put(b"report bytes")
    assert key == sha256_hex(b"report bytes")
    assert store.put(b"report bytes") == key
    assert store.get(key) == b"report bytes"
    assert (tmp_path / key[:2] / key[2:4] / key).exists()
    assert not list(tmp_path.rglob(".incoming-*"))


def test_corruption_and_absence_are_reported(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    key = store.put(b"original")
    (tmp_path / key[:2] / key[2:4] / key).write_bytes(b"tampered")
    with pytest.raises(BlobCorrupt, match=key):
        store.get(key)
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(NotFound, match=key):
        store.get(key)
    with pytest.raises(NotFound, match="not a blob key"):
        store.get("../../etc/passwd")
