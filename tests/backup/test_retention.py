"""Retention by count and by age, with a fixed clock: exactly the right objects go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.backup import BackupInfo, prunable, prune_backups, run_backup
from core.backup.gcs import GcsBackupStore
from core.backup.pgtools import database_name
from core.backup.storage import BackupStore, FileBackupStore
from core.blobs.gcs import make_client
from core.errors import ConfigError
from tests.backup.conftest import BUCKET, unique_prefix

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


def _info(days_old: float, *, complete: bool = True) -> BackupInfo:
    at = NOW - timedelta(days=days_old)
    return BackupInfo(
        name=f"db-{at:%Y%m%dT%H%M%SZ}.pgdump",
        url="",
        created=at,
        size=10,
        sha256="ab" * 32 if complete else None,
    )


def _names(backups: list[BackupInfo]) -> list[str]:
    return [b.name for b in backups]


def test_keep_count_removes_all_but_the_newest_n() -> None:
    backups = [_info(d) for d in (0.5, 3, 1, 10, 2)]  # listing order does not matter
    doomed = prunable(backups, keep=3, max_age=None, now=NOW)
    assert _names(doomed) == _names([_info(10), _info(3)])  # oldest first


def test_max_age_removes_the_old_but_never_the_newest() -> None:
    backups = [_info(d) for d in (1, 6.9, 7.1, 30)]
    doomed = prunable(backups, keep=None, max_age=timedelta(days=7), now=NOW)
    assert _names(doomed) == _names([_info(30), _info(7.1)])
    # Backups that stopped working 40 days ago: the last good one stays.
    stale = [_info(40), _info(45), _info(50)]
    assert _names(prunable(stale, keep=None, max_age=timedelta(days=7), now=NOW)) == _names(
        [_info(50), _info(45)]
    )


def test_both_rules_together_and_incomplete_uploads() -> None:
    backups = [_info(d) for d in (0, 1, 2, 3, 20)] + [
        _info(0.1, complete=False),  # an upload that may still be going: kept
        _info(9, complete=False),  # a dead upload older than max age: removed
    ]
    doomed = prunable(backups, keep=4, max_age=timedelta(days=8), now=NOW)
    assert _names(doomed) == _names([_info(20), _info(9, complete=False)])
    # Incomplete objects never take a place among the kept.
    assert _names(prunable(backups, keep=5, max_age=None, now=NOW)) == []


def test_rules_are_checked() -> None:
    with pytest.raises(ConfigError, match="keep count, a maximum age"):
        prunable([], keep=None, max_age=None, now=NOW)
    with pytest.raises(ConfigError, match="keep must be at least 1"):
        prunable([], keep=0, max_age=None, now=NOW)
    with pytest.raises(ConfigError, match="max age must be positive"):
        prunable([], keep=None, max_age=timedelta(0), now=NOW)


@pytest.fixture(params=["file", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BackupStore:
    if request.param == "file":
        return FileBackupStore(tmp_path / "backups")
    emulator = request.getfixturevalue("gcs_emulator")
    return GcsBackupStore(
        bucket=BUCKET, prefix=unique_prefix("retention"), client=make_client(endpoint=emulator)
    )


def test_prune_deletes_exactly_the_selected_objects(store: BackupStore, db_url: str) -> None:
    """Real backups made at fixed times (daily at 02:00 for six days), then pruned at NOW."""
    made = []
    for days_ago in range(6, 0, -1):
        at = datetime(2026, 3, 15, 2, 0, tzinfo=UTC) - timedelta(days=days_ago - 1)
        made.append(run_backup(source_url=db_url, store=store, clock=lambda at=at: at).backup)
    assert len({b.name for b in made}) == 6
    assert made[0].name.endswith("-20260310T020000Z.pgdump")

    planned = prune_backups(store, keep=4, max_age=None, now=NOW, dry_run=True)
    assert _names(planned) == _names(made[:2]) and len(store.list()) == 6  # dry run: all kept

    gone = prune_backups(store, keep=4, max_age=timedelta(days=3), now=NOW)
    # keep 4 keeps 12th..15th; older than 3 days (before 12 March 12:00) also drops the 12th.
    assert _names(gone) == _names(made[:3])
    assert sorted(_names(store.list())) == sorted(_names(made[3:]))

    again = prune_backups(store, keep=4, max_age=timedelta(days=3), now=NOW)
    assert again == []

    later = NOW + timedelta(days=30)  # long after the last backup: only the newest remains
    assert _names(prune_backups(store, keep=10, max_age=timedelta(days=3), now=later)) == _names(
        made[3:5]
    )
    assert _names(store.list()) == [made[5].name]


def test_same_second_backups_get_distinct_names(tmp_path: Path, db_url: str) -> None:
    store = FileBackupStore(tmp_path / "backups")
    fixed = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
    names = [
        run_backup(source_url=db_url, store=store, clock=lambda: fixed).backup.name
        for _ in range(2)
    ]
    database = database_name(db_url)
    assert names == [f"{database}-20260315T020000Z.pgdump", f"{database}-20260315T020000Z-2.pgdump"]
