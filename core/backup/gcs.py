"""Backups in Google Cloud Storage (gs://bucket/prefix), streamed by resumable upload."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from google.api_core import exceptions

from core.backup.storage import BACKUP_NAME, CHUNK, BackupInfo, backup_info, check_name
from core.errors import ConfigError, NotFound, TransientError


class GcsBackupStore:
    """Backups under one prefix of a bucket, streamed by resumable upload (no local copy)."""

    def __init__(self, *, bucket: str, prefix: str, client: Any, chunk_size: int = CHUNK):
        if chunk_size <= 0 or chunk_size % (256 * 1024):
            raise ConfigError(f"GCS chunk size must be a multiple of 256 KiB, not {chunk_size}")
        self.chunk_size = chunk_size
        self.client = client
        self.bucket = client.bucket(bucket)
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.url = f"gs://{bucket}/{self.prefix}".rstrip("/")

    def _info(self, blob: Any) -> BackupInfo:
        name = blob.name[len(self.prefix) :]
        created = blob.time_created or datetime.now(UTC)
        url = f"gs://{self.bucket.name}/{blob.name}"
        info = backup_info(name, url, int(blob.size or 0), dict(blob.metadata or {}), created)
        return replace(info, generation=blob.generation)

    def list(self) -> list[BackupInfo]:
        blobs = self.client.list_blobs(self.bucket, prefix=self.prefix, delimiter="/")
        return [self._info(b) for b in blobs if BACKUP_NAME.match(b.name[len(self.prefix) :])]

    def stat(self, name: str) -> BackupInfo:
        blob = self.bucket.get_blob(self.prefix + check_name(name))
        if blob is None:
            raise NotFound(f"backup {name} is not in {self.url}")
        return self._info(blob)

    def exists(self, name: str) -> bool:
        return bool(self.bucket.blob(self.prefix + check_name(name)).exists())

    def create(self, name: str, metadata: dict[str, str]) -> _GcsWriter:
        return _GcsWriter(self, check_name(name), metadata)

    def read(self, info: BackupInfo) -> Iterator[bytes]:
        blob = self.bucket.blob(self.prefix + check_name(info.name), generation=info.generation)
        try:
            with blob.open("rb", chunk_size=self.chunk_size) as fh:
                while chunk := fh.read(self.chunk_size):
                    yield chunk
        except exceptions.NotFound:
            raise NotFound(f"backup {info.name} is not in {self.url}") from None
        except (exceptions.ServerError, exceptions.TooManyRequests, ConnectionError) as exc:
            raise TransientError(f"reading {info.url} failed: {exc}") from exc

    def delete(self, info: BackupInfo) -> None:
        blob = self.bucket.blob(self.prefix + check_name(info.name))
        with contextlib.suppress(exceptions.NotFound):
            blob.delete(if_generation_match=info.generation)


class _GcsWriter:
    """A resumable upload: each full chunk goes out as it fills; nothing is visible until the
    last one, and an aborted upload is cancelled. Sealing patches in the checksum."""

    def __init__(self, store: GcsBackupStore, name: str, metadata: dict[str, str]):
        self.store = store
        self.blob = store.bucket.blob(store.prefix + name, chunk_size=store.chunk_size)
        self.blob.metadata = dict(metadata)
        self.fh = self.blob.open(
            "wb", content_type="application/octet-stream", if_generation_match=0
        )
        self.sealed = False

    def write(self, chunk: bytes) -> None:
        try:
            self.fh.write(chunk)
        except (exceptions.ServerError, exceptions.TooManyRequests, ConnectionError) as exc:
            raise TransientError(f"uploading {self.blob.name} failed: {exc}") from exc

    def seal(self, *, sha256: str, size: int) -> BackupInfo:
        try:
            self.fh.close()
            self.sealed = True
            self.blob.reload()
            if int(self.blob.size or 0) != size:
                raise TransientError(
                    f"gs://{self.store.bucket.name}/{self.blob.name} holds {self.blob.size} "
                    f"bytes, not the {size} that were uploaded"
                )
            self.blob.metadata = {**(self.blob.metadata or {}), "sha256": sha256, "size": str(size)}
            self.blob.patch(if_metageneration_match=self.blob.metageneration)
        except (exceptions.ServerError, exceptions.TooManyRequests, ConnectionError) as exc:
            raise TransientError(f"finishing {self.blob.name} failed: {exc}") from exc
        return self.store._info(self.blob)

    def abort(self) -> None:
        if not self.sealed:
            with contextlib.suppress(Exception):  # cancelling is best effort; it expires anyway
                self.fh.terminate()
            return
        with contextlib.suppress(Exception):
            self.blob.delete(if_generation_match=self.blob.generation)
