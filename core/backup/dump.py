"""Taking a backup: pg_dump's custom-format stream hashed and uploaded as it is read."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from core.backup.errors import BackupBusy, BackupError
from core.backup.lease import lease
from core.backup.metrics import observe_backup, observe_backup_failure
from core.backup.pgtools import check_compression, database_name, start_dump, tool_version
from core.backup.storage import SUFFIX, BackupInfo, BackupStore, backup_metadata
from core.db import connect

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackupResult:
    backup: BackupInfo
    started: datetime
    finished: datetime
    duration_s: float


def backup_name(store: BackupStore, database: str, at: datetime) -> str:
    """`<database>-<UTC stamp>.pgdump`, with `-2`, `-3`... when that second is taken."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", database) or "database"
    base = f"{safe}-{at.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    name, n = base + SUFFIX, 1
    while store.exists(name):
        n += 1
        name = f"{base}-{n}{SUFFIX}"
    return name


def run_backup(
    *,
    source_url: str,
    store: BackupStore,
    schemas: tuple[str, ...] = (),
    compression: str = "gzip",
    label: str | None = None,
    clock: Clock = utcnow,
) -> BackupResult:
    """Dump the database at `source_url` into a new object of `store`.

    The dump is never held whole, in memory or on disk: each chunk pg_dump writes is hashed and
    sent on. The object counts as a backup only once its SHA-256 and size are recorded; a failed
    dump or upload leaves nothing behind. `label` names the metrics series (default the store).
    """
    label = label or store.url
    check_compression(compression)
    database = database_name(source_url)
    started = clock()
    t0 = time.monotonic()
    try:
        with lease(
            source_url,
            key=f"tracelens-backup {store.url}",
            what=f"a backup of {database} to {store.url}",
        ):
            info = _dump(source_url, store, database, schemas, compression, started)
    except BackupBusy:
        raise
    except Exception:
        observe_backup_failure(label)
        raise
    duration = time.monotonic() - t0
    finished = clock()
    observe_backup(label, finished_at=time.time(), duration_s=duration, size=info.size)
    return BackupResult(backup=info, started=started, finished=finished, duration_s=duration)


def _dump(
    url: str,
    store: BackupStore,
    database: str,
    schemas: tuple[str, ...],
    compression: str,
    started: datetime,
) -> BackupInfo:
    name = backup_name(store, database, started)
    metadata = backup_metadata(
        database=database,
        schemas=schemas,
        compression=compression,
        created=started,
        tool=tool_version("pg_dump"),
    )
    excluded = _other_schemas(url, database, schemas) if schemas else ()
    proc = start_dump(url, exclude_schemas=excluded, compression=compression)
    writer = store.create(name, metadata)
    digest, size = hashlib.sha256(), 0
    try:
        stdout = proc.proc.stdout
        assert stdout is not None
        while chunk := stdout.read(store.chunk_size):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        code = proc.wait()
        if code != 0:
            raise BackupError(f"pg_dump of database {database!r} exited with {code}: {proc.tail()}")
        return writer.seal(sha256=digest.hexdigest(), size=size)
    except BaseException:
        proc.stop()
        writer.abort()
        raise
    finally:
        proc.close()


def _other_schemas(url: str, database: str, schemas: tuple[str, ...]) -> tuple[str, ...]:
    """The database's schemas that are not `schemas` (each of which must exist)."""
    with connect(url) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
            "'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\\_%' ORDER BY 1"
        ).fetchall()
    present = [r["nspname"] for r in rows]
    missing = [s for s in schemas if s not in present]
    if missing:
        raise BackupError(f"database {database!r} has no schema {', '.join(map(repr, missing))}")
    return tuple(s for s in present if s not in schemas)
