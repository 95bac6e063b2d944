"""`tracelens backup ...` as a user runs it: a configured database, and the embedded one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.backup.pgtools import database_name
from tests.backup.conftest import BUCKET, Corpus, unique_prefix


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", "backup", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    env.update({f"TRACELENS_{k.upper()}": v for k, v in values.items()})
    return env


def test_run_list_restore_compare_prune_against_gcs(
    corpus_db: Corpus, gcs_emulator: str, tmp_path: Path, fresh_db: str
) -> None:
    env = _env(database_url=corpus_db.url, gcs_endpoint=gcs_emulator, state_dir=str(tmp_path))
    where = f"gs://{BUCKET}/{unique_prefix('cli')}"

    first = _cli("run", "--to", where, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{where}backup_corpus-") and "sha256 " in first.stdout
    second = _cli("run", "--to", where, "--compression", "gzip:9", env=env)
    assert second.returncode == 0, second.stderr

    listed = _cli("list", "--from", where, "--json", env=env)
    backups = json.loads(listed.stdout)
    assert len(backups) == 2 and all(b["complete"] for b in backups)
    assert [b["compression"] for b in backups] == ["gzip", "gzip:9"]

    refused = _cli("restore", "--from", where, "--latest", env=env)
    assert refused.returncode == 1
    assert "error: target database 'backup_corpus' is not empty" in refused.stderr
    assert "--force" in refused.stderr

    drill = database_name(fresh_db)  # dropped after the test
    restored = _cli(
        "restore", "--from", where, "--name", backups[0]["name"], "--target-db", drill, env=env
    )
    assert restored.returncode == 0, restored.stderr
    assert f"restored {backups[0]['name']} (sha256 verified) into '{drill}' (created" in (
        restored.stdout
    )
    compared = subprocess.run(
        [sys.executable, "-m", "cli", "backup", "compare", "--target-db", drill],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert compared.stdout.splitlines()[-1].endswith("; 0 differ")
    assert "same      public.comments" in compared.stdout

    pruned = _cli("prune", "--from", where, "--keep", "1", env=env)
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.splitlines() == [f"deleted {backups[0]['name']}", "1 pruned, 1 kept"]
    bad = _cli("prune", "--from", where, env=env)
    assert bad.returncode == 1 and "keep count, a maximum age" in bad.stderr


def test_without_database_url_the_embedded_database_is_used(tmp_path: Path) -> None:
    env = _env(state_dir=str(tmp_path / "state"))
    where = f"file://{tmp_path / 'backups'}"
    made = _cli("run", "--to", where, env=env)
    assert made.returncode == 0, made.stderr
    assert "embedded PostgreSQL started at" in made.stderr and (tmp_path / "state/pgdata").is_dir()
    assert "embedded PostgreSQL stopped" in made.stderr  # the command owned it, so it stops it
    [name] = [p.name for p in (tmp_path / "backups").glob("*.pgdump")]
    restored = _cli("restore", "--from", where, "--name", name, "--target-db", "drill", env=env)
    assert restored.returncode == 0, restored.stderr
    assert "into 'drill' (created" in restored.stdout
    corrupt = tmp_path / "backups" / name
    data = corrupt.read_bytes()
    corrupt.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    again = _cli("restore", "--from", where, "--latest", "--target-db", "drill2", env=env)
    assert again.returncode == 1 and "does not match its checksum" in again.stderr
