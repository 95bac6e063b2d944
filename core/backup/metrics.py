"""Prometheus series for backups and restores (prometheus-client's default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

BACKUP_LAST_SUCCESS = Gauge(
    "tracelens_backup_last_success_timestamp_seconds",
    "When the last successful backup finished (Unix time)",
    ["backup"],
)
BACKUP_DURATION = Gauge(
    "tracelens_backup_duration_seconds", "How long the last successful backup took", ["backup"]
)
BACKUP_BYTES = Gauge(
    "tracelens_backup_size_bytes", "Size of the last successful backup object", ["backup"]
)
BACKUP_RUNS = Counter(
    "tracelens_backup_runs_total", "Backups by outcome (succeeded, failed)", ["backup", "outcome"]
)
BACKUP_PRUNED = Counter(
    "tracelens_backup_pruned_total", "Backup objects deleted by retention", ["backup"]
)
RESTORE_RUNS = Counter(
    "tracelens_restore_runs_total", "Restores by outcome (succeeded, refused, failed)", ["outcome"]
)


def observe_backup(label: str, *, finished_at: float, duration_s: float, size: int) -> None:
    BACKUP_LAST_SUCCESS.labels(label).set(finished_at)
    BACKUP_DURATION.labels(label).set(duration_s)
    BACKUP_BYTES.labels(label).set(size)
    BACKUP_RUNS.labels(label, "succeeded").inc()


def observe_backup_failure(label: str) -> None:
    BACKUP_RUNS.labels(label, "failed").inc()
