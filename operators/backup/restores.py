"""What a PostgresRestore's handler does: restore the named (or latest) backup into the
database the spec names, and the status it ends with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.backup import RestoreResult, choose_backup, open_store, restore_backup
from core.db import with_database
from core.errors import ConfigError
from operators.backup.backups import location_of
from operators.backup.conditions import with_condition
from operators.backup.context import OperatorContext
from operators.backup.schedule import iso


def restore(ctx: OperatorContext, spec: Mapping[str, Any], namespace: str | None) -> RestoreResult:
    """Check the spec, read the connection Secret, and restore the chosen backup."""
    for key in ("bucket", "database"):
        if not spec.get(key):
            raise ConfigError(f"spec.{key} is required")
    ref = spec.get("connectionSecretRef") or {}
    if not ref.get("name"):
        raise ConfigError("spec.connectionSecretRef.name is required")
    server = ctx.secrets.read(namespace or "default", ref["name"], ref.get("key") or "url")
    store = open_store(location_of(spec), ctx.settings)
    name = spec.get("backupName") or None
    chosen = choose_backup(store, name=name, latest=name is None)
    return restore_backup(
        store=store,
        backup=chosen,
        target_url=with_database(server, spec["database"]),
        force=bool(spec.get("force")),
    )


def restore_failed(status: Mapping[str, Any], exc: Exception, *, now: datetime) -> dict[str, Any]:
    """The status of a restore that failed for good."""
    return {
        "phase": "Failed",
        "message": str(exc)[:1000],
        "finishedAt": iso(now),
        "conditions": with_condition(
            status.get("conditions"),
            type="Complete",
            ok=False,
            reason=type(exc).__name__,
            message=str(exc),
            now=now,
        ),
    }


def restored(status: Mapping[str, Any], result: RestoreResult, *, now: datetime) -> dict[str, Any]:
    """The status of a restore that succeeded."""
    b = result.backup
    message = (
        f"restored {b.url} (sha256 verified) into {result.database!r}: {result.tables} tables"
        f" in {result.duration_s:.1f}s"
    )
    return {
        "phase": "Succeeded",
        "message": message,
        "backupName": b.name,
        "backupObject": b.url,
        "checksum": f"sha256:{b.sha256}",
        "sizeBytes": b.size,
        "tables": result.tables,
        "createdDatabase": result.created_database,
        "replacedRelations": result.replaced,
        "finishedAt": iso(now),
        "durationSeconds": round(result.duration_s, 3),
        "conditions": with_condition(
            status.get("conditions"),
            type="Complete",
            ok=True,
            reason="Restored",
            message=message,
            now=now,
        ),
    }
