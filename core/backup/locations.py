"""Where a backup location points: a GCS prefix (gs://bucket/prefix) or a folder (file:///path)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from core.backup.storage import BackupStore, FileBackupStore
from core.errors import ConfigError
from core.settings import Settings


def open_store(url: str, settings: Settings) -> BackupStore:
    """`gs://bucket/prefix` (GCS, or the emulator at `gcs_endpoint`) or `file:///path`."""
    parts = urlsplit(url)
    if parts.scheme == "gs" and parts.netloc:
        # Start-up speed: google-cloud-storage is imported only for a gs:// location.
        from core.backup.gcs import GcsBackupStore
        from core.blobs.gcs import make_client

        client = make_client(endpoint=settings.gcs_endpoint, project=settings.gcp_project)
        return GcsBackupStore(bucket=parts.netloc, prefix=parts.path.lstrip("/"), client=client)
    if parts.scheme == "file" and parts.netloc in ("", "localhost") and parts.path:
        return FileBackupStore(Path(unquote(parts.path)))
    raise ConfigError(f"a backup location is gs://bucket/prefix or file:///path, not {url!r}")
