"""Backup failures, in the one TraceLensError hierarchy; messages name the object or database."""

from __future__ import annotations

from core.errors import TraceLensError


class BackupError(TraceLensError):
    """pg_dump or pg_restore failed, or a backup cannot be used."""

    status_code = 500
    code = "backup_error"


class BackupCorrupt(BackupError):
    """A stored backup does not match the SHA-256 and size recorded when it was made."""

    status_code = 422
    code = "backup_corrupt"


class BackupBusy(BackupError):
    """Another backup of this database to this place (or a restore into it) holds the lease."""

    status_code = 409
    code = "backup_busy"


class RestoreRefused(BackupError):
    """The target database holds tables and the restore was not told to replace them."""

    status_code = 409
    code = "restore_refused"
