"""Database backups: pg_dump streamed to GCS or a folder, verified restores, retention.

The library behind `tracelens backup` and the Kubernetes operator in `operators/backup`.
"""

from core.backup.dump import BackupResult, run_backup, utcnow
from core.backup.errors import BackupBusy, BackupCorrupt, BackupError, RestoreRefused
from core.backup.locations import open_store
from core.backup.restore import RestoreResult, choose_backup, fingerprints, restore_backup
from core.backup.retention import prunable, prune_backups
from core.backup.storage import BackupInfo, BackupStore

__all__ = [
    "BackupBusy",
    "BackupCorrupt",
    "BackupError",
    "BackupInfo",
    "BackupResult",
    "BackupStore",
    "RestoreRefused",
    "RestoreResult",
    "choose_backup",
    "fingerprints",
    "open_store",
    "prunable",
    "prune_backups",
    "restore_backup",
    "run_backup",
    "utcnow",
]
