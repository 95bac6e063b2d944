"""Blob stores: where uploaded report files live, addressed by their SHA-256 (local or GCS)."""

from __future__ import annotations

from core.blobs.base import BlobCorrupt, BlobStore, checked_key, sha256_hex
from core.blobs.local import LocalBlobStore
from core.settings import Settings

__all__ = [
    "BlobCorrupt",
    "BlobStore",
    "LocalBlobStore",
    "checked_key",
    "make_blob_store",
    "sha256_hex",
]


def make_blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings name."""
    if settings.blob_backend == "gcs":
        # Start-up speed: google-cloud-storage is imported only when the GCS backend is chosen.
        from core.blobs.gcs import GcsBlobStore

        assert settings.gcs_bucket is not None  # validated by Settings
        return GcsBlobStore(
            bucket=settings.gcs_bucket,
            prefix=settings.gcs_prefix,
            endpoint=settings.gcs_endpoint,
            project=settings.gcp_project,
            deadline_s=settings.gcs_deadline_s,
        )
    return LocalBlobStore(settings.blob_path)
