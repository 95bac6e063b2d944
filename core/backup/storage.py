"""Where backups are kept: a GCS prefix or a local folder, each object with its metadata.

A backup object is `<database>-<UTC stamp>.pgdump`. Its metadata (GCS custom metadata, or a
`.json` file beside a local one) records what was dumped and, once the upload is finished,
its size and SHA-256; an object without them is incomplete and is never restored.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from core.errors import NotFound, TransientError

CHUNK = 8 * 1024 * 1024
"""Bytes per read and per resumable-upload request (a multiple of GCS's 256 KiB)."""

SUFFIX = ".pgdump"
FORMAT_VERSION = "1"
BACKUP_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.pgdump$")


@dataclass(frozen=True)
class BackupInfo:
    """One stored backup as listed: enough to order, prune and verify it."""

    name: str
    url: str
    created: datetime
    size: int
    sha256: str | None
    database: str = ""
    schemas: tuple[str, ...] = ()
    compression: str = ""
    generation: int | None = field(default=None, compare=False)

    @property
    def complete(self) -> bool:
        """True once the upload finished and its size and checksum were recorded."""
        return self.sha256 is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "created": self.created.isoformat(),
            "size": self.size,
            "sha256": self.sha256,
            "database": self.database,
            "schemas": list(self.schemas),
            "compression": self.compression,
            "complete": self.complete,
        }


def backup_metadata(
    *, database: str, schemas: tuple[str, ...], compression: str, created: datetime, tool: str
) -> dict[str, str]:
    """What is known before the dump starts; `seal` adds sha256 and size at the end."""
    return {
        "tracelens-backup": FORMAT_VERSION,
        "database": database,
        "schemas": ",".join(schemas),
        "compression": compression,
        "created": created.astimezone(UTC).isoformat(),
        "pg-dump": tool,
    }


def backup_info(
    name: str, url: str, size: int, meta: dict[str, str], fallback: datetime
) -> BackupInfo:
    created = fallback
    with contextlib.suppress(KeyError, ValueError):
        created = datetime.fromisoformat(meta["created"])
    sha = meta.get("sha256")
    recorded = meta.get("size")
    if sha is not None and recorded is not None and recorded != str(size):
        sha = None  # the object's length is not what was sealed: treat as incomplete
    return BackupInfo(
        name=name,
        url=url,
        created=created,
        size=size,
        sha256=sha,
        database=meta.get("database", ""),
        schemas=tuple(s for s in meta.get("schemas", "").split(",") if s),
        compression=meta.get("compression", ""),
    )


def check_name(name: str) -> str:
    if not BACKUP_NAME.match(name):
        raise NotFound(f"not a backup name: {name!r} (expected <database>-<stamp>{SUFFIX})")
    return name


class BackupWriter(Protocol):
    def write(self, chunk: bytes) -> None: ...

    def seal(self, *, sha256: str, size: int) -> BackupInfo:
        """Finish the object and record its checksum; nothing is visible as complete before."""
        ...

    def abort(self) -> None:
        """Drop whatever was written; safe to call after a failed seal."""
        ...


class BackupStore(Protocol):
    """A flat namespace of backup objects (one GCS prefix, or one folder)."""

    url: str
    chunk_size: int

    def list(self) -> list[BackupInfo]: ...

    def stat(self, name: str) -> BackupInfo: ...

    def exists(self, name: str) -> bool: ...

    def create(self, name: str, metadata: dict[str, str]) -> BackupWriter: ...

    def read(self, info: BackupInfo) -> Iterator[bytes]:
        """The object's bytes in chunks, from the version `info` describes."""
        ...

    def delete(self, info: BackupInfo) -> None: ...


# --- a local folder (file:///path) ----------------------------------------------------------


class FileBackupStore:
    """Backups as files in one folder, each with a `<name>.json` holding its metadata."""

    def __init__(self, root: Path, *, chunk_size: int = CHUNK):
        self.root = root
        self.url = f"file://{root}"
        self.chunk_size = chunk_size

    def _meta_path(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def _stat(self, path: Path) -> BackupInfo:
        try:
            meta = json.loads(self._meta_path(path.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        stat = path.stat()
        mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        return backup_info(path.name, f"{self.url}/{path.name}", stat.st_size, meta, mtime)

    def list(self) -> list[BackupInfo]:
        if not self.root.is_dir():
            return []
        return [self._stat(p) for p in sorted(self.root.glob(f"*{SUFFIX}")) if p.is_file()]

    def stat(self, name: str) -> BackupInfo:
        path = self.root / check_name(name)
        if not path.is_file():
            raise NotFound(f"backup {name} is not in {self.url}")
        return self._stat(path)

    def exists(self, name: str) -> bool:
        return (self.root / check_name(name)).exists()

    def create(self, name: str, metadata: dict[str, str]) -> _FileWriter:
        self.root.mkdir(parents=True, exist_ok=True)
        return _FileWriter(self, check_name(name), metadata)

    def read(self, info: BackupInfo) -> Iterator[bytes]:
        try:
            with (self.root / check_name(info.name)).open("rb") as fh:
                while chunk := fh.read(self.chunk_size):
                    yield chunk
        except FileNotFoundError:
            raise NotFound(f"backup {info.name} is not in {self.url}") from None

    def delete(self, info: BackupInfo) -> None:
        for path in (self.root / check_name(info.name), self._meta_path(info.name)):
            path.unlink(missing_ok=True)


class _FileWriter:
    """Writes `.<name>.partial`; sealing writes the metadata, then renames the data into place."""

    def __init__(self, store: FileBackupStore, name: str, metadata: dict[str, str]):
        self.store = store
        self.name = name
        self.metadata = dict(metadata)
        self.partial = store.root / f".{name}.partial"
        self.fh = self.partial.open("xb")

    def write(self, chunk: bytes) -> None:
        self.fh.write(chunk)

    def seal(self, *, sha256: str, size: int) -> BackupInfo:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if self.partial.stat().st_size != size:
            raise TransientError(
                f"{self.partial} holds {self.partial.stat().st_size} bytes, "
                f"not the {size} that were written"
            )
        meta_path = self.store._meta_path(self.name)
        tmp = meta_path.with_name(f".{meta_path.name}.tmp")
        tmp.write_text(json.dumps({**self.metadata, "sha256": sha256, "size": str(size)}))
        os.replace(tmp, meta_path)
        os.replace(self.partial, self.store.root / self.name)
        return self.store.stat(self.name)

    def abort(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        self.partial.unlink(missing_ok=True)
