"""kopf handlers for PostgresBackup and PostgresRestore (tracelens.io/v1); core.backup works.

Every handler takes what kopf passes (body, spec, status, meta, patch, memo...) and writes the
resource's status through `patch`, so tests call them directly with real resource bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import kopf
import psycopg

from core.backup import (
    BackupBusy,
    BackupResult,
    BackupStore,
    choose_backup,
    open_store,
    prune_backups,
    restore_backup,
    run_backup,
)
from core.backup.pgtools import check_compression
from core.db import with_database
from core.errors import ConfigError, TransientError
from operators.backup.context import InClusterSecrets, KopfEvents, OperatorContext
from operators.backup.schedule import (
    Decision,
    check_schedule,
    decide,
    iso,
    next_slot,
    parse_time,
)

log = logging.getLogger(__name__)

GROUP, VERSION = "tracelens.io", "v1"
BACKUPS, RESTORES = "postgresbackups", "postgresrestores"
RUN_NOW = "tracelens.io/run-now"
"""Annotate a PostgresBackup with a new value (e.g. the date) to run it once now."""
TICK_S = 30.0


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, memo: kopf.Memo, **_: Any) -> None:
    """Least privilege: state in the resources' own annotations and status, no CRD scanning."""
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=GROUP, key="last-handled-configuration"
    )
    settings.scanning.disabled = True  # no list/watch of CRDs or namespaces needed
    if "ctx" not in memo:  # `kopf run -m operators.backup.handlers` rather than __main__
        from core.observability import start_metrics_server
        from core.settings import Settings

        app_settings = Settings()
        start_metrics_server(app_settings)
        memo["ctx"] = OperatorContext(
            settings=app_settings, secrets=InClusterSecrets(), events=KopfEvents()
        )


def _ctx(memo: Mapping[str, Any]) -> OperatorContext:
    ctx = memo.get("ctx")
    if not isinstance(ctx, OperatorContext):
        raise kopf.PermanentError("the operator was not configured (memo has no context)")
    return ctx


def with_condition(
    conditions: Any, *, type: str, ok: bool, reason: str, message: str, now: datetime
) -> list[dict[str, str]]:
    """The conditions list with `type` set; its transition time moves only when it flips."""
    old = [dict(c) for c in (conditions or [])]
    previous = next((c for c in old if c.get("type") == type), None)
    status = "True" if ok else "False"
    since = iso(now)
    if previous is not None and previous.get("status") == status:
        since = previous.get("lastTransitionTime") or since
    entry = {
        "type": type,
        "status": status,
        "reason": reason,
        "message": message[:1000],
        "lastTransitionTime": since,
    }
    return sorted([c for c in old if c.get("type") != type] + [entry], key=lambda c: c["type"])


# --- PostgresBackup --------------------------------------------------------------------------


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


def _location(spec: Mapping[str, Any]) -> str:
    return f"gs://{spec['bucket']}/{spec.get('prefix') or ''}"


def _next_run(spec: Mapping[str, Any], last: datetime, now: datetime) -> str | None:
    if spec.get("suspend"):
        return None
    nxt = next_slot(spec["schedule"], after=last)
    return iso(max(nxt, now))


@kopf.on.create(GROUP, VERSION, BACKUPS)
@kopf.on.update(GROUP, VERSION, BACKUPS, field="spec")
@kopf.on.resume(GROUP, VERSION, BACKUPS)
def backup_accepted(
    body: Mapping[str, Any],
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    meta: Mapping[str, Any],
    patch: kopf.Patch,
    memo: kopf.Memo,
    reason: str = "",
    **_: Any,
) -> None:
    """Validate the spec, say when it runs next, and note a run an operator restart cut short."""
    ctx = _ctx(memo)
    now = ctx.clock()
    conditions = status.get("conditions")
    try:
        check_backup_spec(spec)
    except ConfigError as exc:
        patch.status["conditions"] = with_condition(
            conditions, type="Ready", ok=False, reason="InvalidSpec", message=str(exc), now=now
        )
        ctx.events.emit(body, type="Warning", reason="InvalidSpec", message=str(exc))
        raise kopf.PermanentError(str(exc)) from exc
    current = status.get("currentRun") or {}
    if reason == "resume" and status.get("phase") == "Running" and current:
        ctx.events.emit(
            body,
            type="Warning",
            reason="RunInterrupted",
            message=f"the {current.get('trigger', 'schedule')} run for {current.get('slot')} "
            "was cut short by an operator restart; it runs again",
        )
    created = parse_time(meta.get("creationTimestamp")) or now
    last = parse_time(status.get("lastScheduleTime")) or created
    nxt = _next_run(spec, last, now)
    patch.status["nextRun"] = nxt
    message = f"schedule {spec['schedule']} (UTC) to {_location(spec)}; next run {nxt}"
    if spec.get("suspend"):
        message = "suspended: scheduled runs are skipped"
    patch.status["conditions"] = with_condition(
        conditions, type="Ready", ok=True, reason="Scheduled", message=message, now=now
    )


@kopf.timer(GROUP, VERSION, BACKUPS, interval=TICK_S, initial_delay=5.0)
def backup_tick(
    body: Mapping[str, Any],
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    meta: Mapping[str, Any],
    name: str,
    namespace: str | None,
    patch: kopf.Patch,
    memo: kopf.Memo,
    **_: Any,
) -> None:
    """Each tick either waits, records a due run (phase Running), or does the recorded run."""
    ctx = _ctx(memo)
    now = ctx.clock()
    try:
        check_backup_spec(spec)
    except ConfigError:
        return  # the Ready condition already says why
    decision = decide(
        schedule=spec["schedule"],
        suspended=bool(spec.get("suspend")),
        status=status,
        created=parse_time(meta.get("creationTimestamp")) or now,
        run_now=(meta.get("annotations") or {}).get(RUN_NOW),
        now=now,
    )
    if decision.action == "wait":
        nxt = iso(decision.next_run) if decision.next_run else None
        if status.get("nextRun") != nxt:
            patch.status["nextRun"] = nxt
        return
    assert decision.slot is not None
    if decision.action == "start":
        patch.status["phase"] = "Running"
        patch.status["currentRun"] = {
            "slot": iso(decision.slot),
            "trigger": decision.trigger,
            "startedAt": iso(now),
        }
        if decision.trigger == "manual":
            patch.status["manualRunToken"] = (meta.get("annotations") or {}).get(RUN_NOW)
        if decision.missed:
            ctx.events.emit(
                body,
                type="Warning",
                reason="MissedSchedule",
                message=f"{decision.missed} scheduled runs passed while no operator ran; "
                f"running the latest, due {iso(decision.slot)}",
            )
        return
    namespace = namespace or "default"
    _run(ctx, body, spec, status, meta, f"{namespace}/{name}", namespace, decision, patch)


def _run(
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
        store = open_store(_location(spec), ctx.settings)
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
        _finish(ctx, spec, status, meta, decision, patch, ok=False, message=str(exc))
        ctx.events.emit(body, type="Warning", reason="BackupFailed", message=str(exc))
        return
    pruned = _prune(ctx, body, store, keep, max_age, label)
    b = result.backup
    message = f"{b.url}: {b.size} bytes, sha256 {b.sha256}, {result.duration_s:.1f}s" + (
        f"; pruned {pruned}" if pruned else ""
    )
    _finish(ctx, spec, status, meta, decision, patch, ok=True, message=message, result=result)
    patch.status["prunedLastRun"] = pruned
    ctx.events.emit(body, type="Normal", reason="BackupSucceeded", message=message)
    log.info("backup %s (started %s): %s", label, iso(started), message)


def _prune(
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


def _finish(
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
    patch.status["nextRun"] = _next_run(spec, last or created, now)
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


# --- PostgresRestore -------------------------------------------------------------------------


@kopf.on.create(GROUP, VERSION, RESTORES, retries=20, backoff=60)
@kopf.on.resume(GROUP, VERSION, RESTORES, retries=20, backoff=60)
def restore_requested(
    body: Mapping[str, Any],
    spec: Mapping[str, Any],
    status: Mapping[str, Any],
    namespace: str | None,
    patch: kopf.Patch,
    memo: kopf.Memo,
    **_: Any,
) -> None:
    """Restore once: a finished restore (either way) is never repeated by a restart."""
    ctx = _ctx(memo)
    if status.get("phase") in ("Succeeded", "Failed"):
        return
    started = ctx.clock()
    patch.status["startedAt"] = status.get("startedAt") or iso(started)
    try:
        for key in ("bucket", "database"):
            if not spec.get(key):
                raise ConfigError(f"spec.{key} is required")
        ref = spec.get("connectionSecretRef") or {}
        if not ref.get("name"):
            raise ConfigError("spec.connectionSecretRef.name is required")
        server = ctx.secrets.read(namespace or "default", ref["name"], ref.get("key") or "url")
        store = open_store(_location(spec), ctx.settings)
        name = spec.get("backupName") or None
        chosen = choose_backup(store, name=name, latest=name is None)
        result = restore_backup(
            store=store,
            backup=chosen,
            target_url=with_database(server, spec["database"]),
            force=bool(spec.get("force")),
        )
    except (BackupBusy, TransientError, psycopg.OperationalError) as exc:
        patch.status["phase"] = "Pending"
        patch.status["message"] = f"waiting: {exc}"[:1000]
        ctx.events.emit(body, type="Normal", reason="RestoreWaiting", message=str(exc))
        raise kopf.TemporaryError(str(exc), delay=60) from exc
    except Exception as exc:
        now = ctx.clock()
        reason = type(exc).__name__
        patch.status["phase"] = "Failed"
        patch.status["message"] = str(exc)[:1000]
        patch.status["finishedAt"] = iso(now)
        patch.status["conditions"] = with_condition(
            status.get("conditions"),
            type="Complete",
            ok=False,
            reason=reason,
            message=str(exc),
            now=now,
        )
        ctx.events.emit(body, type="Warning", reason=reason, message=str(exc))
        raise kopf.PermanentError(str(exc)) from exc
    now = ctx.clock()
    b = result.backup
    message = (
        f"restored {b.url} (sha256 verified) into {result.database!r}: {result.tables} tables"
        f" in {result.duration_s:.1f}s"
    )
    patch.status.update(
        {
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
    )
    ctx.events.emit(body, type="Normal", reason="Restored", message=message)
