"""What a PostgresBackup's handlers do: check the spec, run a due backup, prune, record the
outcome in the status."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import kopf

from core.backup import (
    BackupBusy,
    BackupResult,
    BackupStore,
    open_store,
    prune_backups,
    run_backup,
)
from core.backup.pgtools import check_compression
from core.db import with_database
from core.errors import ConfigError
from operators.backup.conditions import with_condition
from operators.backup.context import OperatorContext
from operators.backup.schedule import (
    Decision,
    check_schedule,
    iso,
    next_slot,
    parse_time,
)

log = logging.getLogger(__name__)


def check_backup_spec(spec: Mapping[str, Any]) -> tuple[int | None, timedelta | None]:
    """Raise ConfigError naming the first bad field; returns the retention rule."""
    for key in ("database", "bucket"):
        if not spec.get(key):
            raise ConfigError(f"spec.{key} is required")
    check_schedule(spec.get("schedule", ""))
    check_compression(spec.get("compression") or "gzip")
    if not (spec.get("connectionSecretRef") or {}).get("name"):
        raise ConfigError("spec.connectionSecretRef.name is required")
    retention = spec.get("retention") or {}
    keep, days = retention.get("keep"), retention.get("maxAgeDays")
    if keep is not None and (not isinstance(keep, int) or keep < 1):
        raise ConfigError(f"spec.retention.keep must be a whole number of at least 1, not {keep!r}")
    if days is not None and (not isinstance(days, int | float) or days <= 0):
        raise ConfigError(f"spec.retention.maxAgeDays must be positive, not {days!r}")
    return keep, (timedelta(days=days) if days is not None else None)


def location_of(spec: Mapping[str, Any]) -> str:
    return f"gs://{spec['bucket']}/{spec.get('prefix') or ''}"


def next_run(spec: Mapping[str, Any], last: datetime, now: datetime) -> str | None:
    if spec.get("suspend"):
        return None
    nxt = next_slot(spec["schedule"], after=last)
    return iso(max(nxt, now))


def run_due_backup(
    ctx: OperatorContext,
    body: Mapping[str, Any],
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    meta: Mapping[str, Any],
    label: str,
    namespace: str,
    decision: Decision,
    patch: kopf.Patch,
) -> None:
    assert decision.slot is not None
    keep, max_age = check_backup_spec(spec)
    started = ctx.clock()
    try:
        ref = spec["connectionSecretRef"]
        server = ctx.secrets.read(namespace, ref["name"], ref.get("key") or "url")
        store = open_store(location_of(spec), ctx.settings)
        result = run_backup(
            source_url=with_database(server, spec["database"]),
            store=store,
            schemas=tuple(spec.get("schemas") or ()),
            compression=spec.get("compression") or "gzip",
            label=label,
            clock=ctx.clock,
        )
    except BackupBusy as exc:
        ctx.events.emit(body, type="Normal", reason="BackupWaiting", message=str(exc))
        return  # still Running: the next tick tries again
    except Exception as exc:  # any failure is recorded in the status, not retried in a loop
        log.warning("backup %s failed: %s", label, exc, exc_info=not isinstance(exc, ConfigError))
        finish_run(ctx, spec, status, meta, decision, patch, ok=False, message=str(exc))
        ctx.events.emit(body, type="Warning", reason="BackupFailed", message=str(exc))
        return
    pruned = prune_after(ctx, body, store, keep, max_age, label)
    b = result.backup
    message = f"{b.url}: {b.size} bytes, sha256 {b.sha256}, {result.duration_s:.1f}s" + (
        f"; pruned {pruned}" if pruned else ""
    )
    finish_run(ctx, spec, status, meta, decision, patch, ok=True, message=message, result=result)
    patch.status["prunedLastRun"] = pruned
    ctx.events.emit(body, type="Normal", reason="BackupSucceeded", message=message)
    log.info("backup %s (started %s): %s", label, iso(started), message)


def prune_after(
    ctx: OperatorContext,
    body: Mapping[str, Any],
    store: BackupStore,
    keep: int | None,
    max_age: timedelta | None,
    label: str,
) -> int:
    if keep is None and max_age is None:
        return 0
    try:
        gone = prune_backups(store, keep=keep, max_age=max_age, now=ctx.clock(), label=label)
    except Exception as exc:  # a failed prune does not undo a good backup
        ctx.events.emit(body, type="Warning", reason="PruneFailed", message=str(exc))
        return 0
    if gone:
        names = ", ".join(b.name for b in gone)
        ctx.events.emit(body, type="Normal", reason="Pruned", message=f"deleted {names}")
    return len(gone)


def finish_run(
    ctx: OperatorContext,
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    meta: Mapping[str, Any],
    decision: Decision,
    patch: kopf.Patch,
    *,
    ok: bool,
    message: str,
    result: BackupResult | None = None,
) -> None:
    assert decision.slot is not None
    now = ctx.clock()
    current = status.get("currentRun") or {}
    outcome = "Succeeded" if ok else "Failed"
    patch.status["phase"] = outcome
    patch.status["currentRun"] = None
    patch.status["lastRun"] = {
        "slot": iso(decision.slot),
        "trigger": decision.trigger,
        "startedAt": current.get("startedAt") or iso(now),
        "finishedAt": iso(now),
        "outcome": outcome,
        "message": message[:1000],
    }
    last = parse_time(status.get("lastScheduleTime"))
    if decision.trigger == "schedule":
        last = decision.slot
        patch.status["lastScheduleTime"] = iso(decision.slot)
    created = parse_time(meta.get("creationTimestamp")) or now
    patch.status["nextRun"] = next_run(spec, last or created, now)
    if result is not None:
        patch.status["lastSuccess"] = iso(result.finished)
        patch.status["lastObject"] = result.backup.url
        patch.status["sizeBytes"] = result.backup.size
        patch.status["checksum"] = f"sha256:{result.backup.sha256}"
        patch.status["durationSeconds"] = round(result.duration_s, 3)
    patch.status["conditions"] = with_condition(
        status.get("conditions"),
        type="BackupSucceeded",
        ok=ok,
        reason=outcome,
        message=message,
        now=now,
    )
