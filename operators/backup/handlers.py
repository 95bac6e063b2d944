"""kopf handlers for PostgresBackup and PostgresRestore (tracelens.io/v1); core.backup works.

Every handler takes what kopf passes (body, spec, status, meta, patch, memo...) and writes the
resource's status through `patch`, so tests call them directly with real resource bodies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import kopf
import psycopg

from core.backup import (
    BackupBusy,
)
from core.errors import ConfigError, TransientError
from core.observability import start_metrics_server
from core.settings import Settings
from operators.backup.backups import check_backup_spec, location_of, next_run, run_due_backup
from operators.backup.conditions import with_condition
from operators.backup.context import InClusterSecrets, KopfEvents, OperatorContext
from operators.backup.restores import restore, restore_failed, restored
from operators.backup.schedule import (
    decide,
    iso,
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
    nxt = next_run(spec, last, now)
    patch.status["nextRun"] = nxt
    message = f"schedule {spec['schedule']} (UTC) to {location_of(spec)}; next run {nxt}"
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
    run_due_backup(ctx, body, spec, status, meta, f"{namespace}/{name}", namespace, decision, patch)


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
    patch.status["startedAt"] = status.get("startedAt") or iso(ctx.clock())
    try:
        result = restore(ctx, spec, namespace)
    except (BackupBusy, TransientError, psycopg.OperationalError) as exc:
        patch.status["phase"] = "Pending"
        patch.status["message"] = f"waiting: {exc}"[:1000]
        ctx.events.emit(body, type="Normal", reason="RestoreWaiting", message=str(exc))
        raise kopf.TemporaryError(str(exc), delay=60) from exc
    except Exception as exc:
        reason = type(exc).__name__
        patch.status.update(restore_failed(status, exc, now=ctx.clock()))
        ctx.events.emit(body, type="Warning", reason=reason, message=str(exc))
        raise kopf.PermanentError(str(exc)) from exc
    done = restored(status, result, now=ctx.clock())
    patch.status.update(done)
    ctx.events.emit(body, type="Normal", reason="Restored", message=done["message"])
