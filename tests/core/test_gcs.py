"""The GCS blob store against gcp-storage-emulator running on 127.0.0.1 (a real HTTP server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.blobs import BlobCorrupt, make_blob_store, sha256_hex
from core.blobs.gcs import GcsBlobStore
from core.errors import NotFound
from core.settings import Settings
from devtools.processes import free_port
from devtools.stack.scaleout import gcs_emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    port = free_port()
    with gcs_emulator(port, bucket="tracelens-test"):
        yield f"http://127.0.0.1:{port}"


def _store(url: str, prefix: str = "reports/") -> GcsBlobStore:
    return GcsBlobStore(bucket="tracelens-test", prefix=prefix, endpoint=url)


def test_round_trip_and_idempotent_put(emulator: str) -> None:
    store = _store(emulator)
    data = b"%PDF-1.4 a report"
    key = store.put(data)
    assert key == sha256_hex(data)
    assert store.put(data) == key  # create-only write of the same bytes is fine
    assert store.exists(key) and store.get(key) == data
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is harmless


def test_checksum_mismatch_is_detected(emulator: str) -> None:
    store = _store(emulator, prefix="tampered/")
    key = sha256_hex(b"original bytes")
    store.bucket.blob(f"tampered/{key[:2]}/{key}").upload_from_string(b"other bytes")
    with pytest.raises(BlobCorrupt, match=key):
        store.get(key)


def test_missing_object_is_a_clear_not_found(emulator: str) -> None:
    key = sha256_hex(b"never stored")
    with pytest.raises(NotFound, match=f"blob {key} is missing from gs://tracelens-test/"):
        _store(emulator).get(key)


def test_settings_select_gcs(emulator: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, blob_backend="gcs", gcs_bucket="tracelens-test", gcs_endpoint=emulator
    )
    store = make_blob_store(settings)
    assert isinstance(store, GcsBlobStore)
    assert store.get(store.put(b"via settings")) == b"via settings"
    with pytest.raises(ValueError, match="gcs_bucket"):
        Settings(_env_file=None, blob_backend="gcs")  # type: ignore[call-arg]
