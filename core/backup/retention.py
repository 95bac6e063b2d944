"""Which backups a retention rule removes: a pure function of the listing and the time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.backup.metrics import BACKUP_PRUNED
from core.backup.storage import BackupInfo, BackupStore
from core.errors import ConfigError


def prunable(
    backups: Sequence[BackupInfo],
    *,
    keep: int | None,
    max_age: timedelta | None,
    now: datetime,
) -> list[BackupInfo]:
    """The backups to delete, oldest first.

    Complete backups are ranked newest first: those past the `keep` newest go, and so do those
    older than `max_age`, except the newest complete backup, which no rule removes (a database
    whose backups fail for longer than `max_age` keeps its last good one). Incomplete objects (an
    upload that died) count for neither rule and go once they are older than `max_age`.
    """
    if keep is None and max_age is None:
        raise ConfigError("retention needs a keep count, a maximum age, or both")
    if keep is not None and keep < 1:
        raise ConfigError(f"keep must be at least 1, not {keep}")
    if max_age is not None and max_age <= timedelta(0):
        raise ConfigError(f"max age must be positive, not {max_age}")
    complete = sorted((b for b in backups if b.complete), key=lambda b: b.created, reverse=True)
    doomed = []
    for rank, backup in enumerate(complete):
        too_many = keep is not None and rank >= keep
        too_old = max_age is not None and rank > 0 and now - backup.created > max_age
        if too_many or too_old:
            doomed.append(backup)
    if max_age is not None:
        doomed += [b for b in backups if not b.complete and now - b.created > max_age]
    return sorted(doomed, key=lambda b: b.created)


def prune_backups(
    store: BackupStore,
    *,
    keep: int | None,
    max_age: timedelta | None,
    now: datetime,
    dry_run: bool = False,
    label: str | None = None,
) -> list[BackupInfo]:
    """Delete what `prunable` selects from `store` (nothing with `dry_run`); returns it."""
    doomed = prunable(store.list(), keep=keep, max_age=max_age, now=now)
    if not dry_run:
        for backup in doomed:
            store.delete(backup)
        BACKUP_PRUNED.labels(label or store.url).inc(len(doomed))
    return doomed
