"""Backup → restore → the same database: embedded PostgreSQL's pg_dump/pg_restore, GCS emulator."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from cli.wiring import model_in_service
from core.backup import (
    BackupBusy,
    BackupCorrupt,
    BackupError,
    RestoreRefused,
    choose_backup,
    fingerprints,
    open_store,
    restore_backup,
    run_backup,
)
from core.backup.gcs import GcsBackupStore
from core.backup.lease import lease
from core.backup.storage import FileBackupStore
from core.blobs.gcs import make_client
from core.db import Database, connect
from core.settings import Settings
from rag.answer.ask import open_asker
from rag.search.searcher import open_searcher
from tests.backup.conftest import BUCKET, Corpus, database_exists, unique_prefix

QUERIES = ["the homework load was heavy", "lectures were clear", "exams felt unfair"]


def _gcs_store(emulator: str, tag: str, *, chunk_size: int = 256 * 1024) -> GcsBackupStore:
    client = make_client(endpoint=emulator)
    return GcsBackupStore(
        bucket=BUCKET, prefix=unique_prefix(tag), client=client, chunk_size=chunk_size
    )


def _answers(url: str, settings: Settings) -> dict[str, Any]:
    """Search hits and ask answers, without the per-call conversation id."""
    with connect(url) as conn:
        course = conn.execute("SELECT code FROM courses ORDER BY code LIMIT 1").fetchone()
        assert course is not None
        searcher = open_searcher(conn, model_in_service(settings))
        out: dict[str, Any] = {
            q: [h.model_dump() for h in searcher.search(conn, query=q, k=10)] for q in QUERIES
        }
        asker = open_asker(settings, searcher)
        for question in (
            f"what is the average overall rating of {course['code']}?",
            f"what do students say about the workload in {course['code']}?",
        ):
            answer = asker.ask(conn, question=question, principal="test")
            out[question] = answer.model_dump(exclude={"conversation_id"})
    return out


def test_gcs_backup_restores_the_same_tables_and_answers(
    corpus_db: Corpus, gcs_emulator: str, fresh_db: str, pg_server: Database
) -> None:
    store = _gcs_store(gcs_emulator, "roundtrip")
    result = run_backup(source_url=corpus_db.url, store=store, label="roundtrip")
    info = result.backup
    assert info.complete and info.name.startswith("backup_corpus-") and info.size > 0

    # The object's bytes hash to the SHA-256 in its metadata, and the listing says so.
    blob = store.bucket.get_blob(store.prefix + info.name)
    data = blob.download_as_bytes()
    assert data[:5] == b"PGDMP"  # pg_dump's custom format
    assert blob.metadata["sha256"] == hashlib.sha256(data).hexdigest() == info.sha256
    assert blob.metadata["size"] == str(len(data))
    assert [b.name for b in store.list()] == [info.name]
    labels = {"backup": "roundtrip"}
    assert REGISTRY.get_sample_value("tracelens_backup_size_bytes", labels) == info.size
    assert REGISTRY.get_sample_value("tracelens_backup_last_success_timestamp_seconds", labels)

    restored = restore_backup(
        store=store, backup=choose_backup(store, name=None, latest=True), target_url=fresh_db
    )
    assert restored.created_database and restored.replaced == 0

    with connect(corpus_db.url) as a, connect(fresh_db) as b:
        source, copy = fingerprints(a), fingerprints(b)
    assert set(copy) == set(source) and len(source) >= 15
    for table in ("public.reports", "public.comments", "public.question_scores"):
        assert source[table][0] > 0, table
    vectors = [t for t in source if t.startswith("public.comment_texts_")]  # a text per comment
    assert vectors and all(source[t][0] == source["public.comments"][0] for t in vectors)
    assert copy == source  # every table: the same row count and the same rows
    assert restored.tables == len(source)

    assert _answers(fresh_db, corpus_db.settings) == _answers(corpus_db.url, corpus_db.settings)


def test_restore_refuses_a_non_empty_target_unless_forced(
    corpus_db: Corpus, tmp_path: Path, db_url: str
) -> None:
    store = FileBackupStore(tmp_path / "backups")
    info = run_backup(source_url=corpus_db.url, store=store, compression="none").backup
    assert (tmp_path / "backups" / info.name).stat().st_size == info.size
    assert not list((tmp_path / "backups").glob(".*"))  # no partial or temporary file left

    # db_url is a migrated (so non-empty) database.
    with pytest.raises(RestoreRefused, match=r"target database 't_\d+_\d+' is not empty.*--force"):
        restore_backup(store=store, backup=info, target_url=db_url)
    with connect(db_url) as conn:
        assert fingerprints(conn)["public.reports"][0] == 0  # untouched

    forced = restore_backup(store=store, backup=info, target_url=db_url, force=True)
    assert forced.replaced > 0 and not forced.created_database
    with connect(corpus_db.url) as a, connect(db_url) as b:
        assert fingerprints(b) == fingerprints(a)


def test_a_schema_backup_holds_that_schema_and_the_extension(
    db_url: str, tmp_path: Path, fresh_db: str
) -> None:
    with connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA scratch")
        conn.execute("CREATE TABLE scratch.notes AS SELECT g AS n FROM generate_series(1, 5) g")
        conn.execute(
            "INSERT INTO terms (label, season, year, sort_key)"
            " VALUES ('Fall 2031', 'Fall', 2031, 1)"
        )
    store = FileBackupStore(tmp_path / "backups")
    info = run_backup(source_url=db_url, store=store, schemas=("public",)).backup
    assert info.schemas == ("public",)
    restore_backup(store=store, backup=info, target_url=fresh_db)
    with connect(db_url) as a, connect(fresh_db) as b:
        source, copy = fingerprints(a), fingerprints(b)
        assert "scratch.notes" in source and "scratch.notes" not in copy
        assert copy == {t: v for t, v in source.items() if t.startswith("public.")}
        assert copy["public.terms"][0] == 1
        assert b.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()


def test_a_changed_object_is_refused_and_nothing_is_restored(
    corpus_db: Corpus, gcs_emulator: str, fresh_db: str, pg_server: Database
) -> None:
    store = _gcs_store(gcs_emulator, "tampered")
    info = run_backup(source_url=corpus_db.url, store=store).backup
    blob = store.bucket.get_blob(store.prefix + info.name)
    data = bytearray(blob.download_as_bytes())
    data[len(data) // 2] ^= 0x01
    blob.upload_from_string(bytes(data))  # same name and length, one bit changed
    blob.metadata = {**(blob.metadata or {}), **_sealed(info)}
    blob.patch()
    changed = store.stat(info.name)
    assert changed.sha256 == info.sha256 and changed.size == info.size

    with pytest.raises(BackupCorrupt, match="does not match its checksum") as caught:
        restore_backup(store=store, backup=changed, target_url=fresh_db)
    message = str(caught.value)
    assert info.sha256 in message and hashlib.sha256(data).hexdigest() in message
    assert not database_exists(pg_server.url, fresh_db)  # created for the restore, then dropped


def test_streamed_restore_of_a_changed_file_commits_nothing(
    corpus_db: Corpus, tmp_path: Path, db_url: str
) -> None:
    """Small chunks: pg_restore has applied the changed rows when the checksum fails at the end."""
    store = FileBackupStore(tmp_path / "backups", chunk_size=16 * 1024)
    info = run_backup(source_url=corpus_db.url, store=store, compression="none").backup
    path = tmp_path / "backups" / info.name
    data = bytearray(path.read_bytes())
    with connect(corpus_db.url) as conn:
        row = conn.execute("SELECT text FROM comments ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    at = bytes(data).find(row["text"].encode("utf-8"))
    assert 0 < at < info.size - 2 * store.chunk_size  # fed to pg_restore before the last chunk
    data[at] ^= 0x20  # a letter's case: still a valid archive, just different rows
    path.write_bytes(bytes(data))
    with connect(db_url) as conn:
        before = fingerprints(conn)
    with pytest.raises(BackupCorrupt, match="nothing was restored"):
        restore_backup(store=store, backup=store.stat(info.name), target_url=db_url, force=True)
    with connect(db_url) as conn:
        assert fingerprints(conn) == before


def test_incomplete_objects_are_never_restored(
    corpus_db: Corpus, gcs_emulator: str, fresh_db: str
) -> None:
    store = _gcs_store(gcs_emulator, "incomplete")
    store.bucket.blob(store.prefix + "backup_corpus-20260101T000000Z.pgdump").upload_from_string(
        b"PGDMP half an upload"
    )
    [listed] = store.list()
    assert not listed.complete
    with pytest.raises(BackupCorrupt, match="no recorded checksum"):
        restore_backup(store=store, backup=listed, target_url=fresh_db)
    with pytest.raises(Exception, match="no complete backup"):
        choose_backup(store, name=None, latest=True)


def test_one_backup_at_a_time_and_failures_leave_nothing(corpus_db: Corpus, tmp_path: Path) -> None:
    store = FileBackupStore(tmp_path / "backups")
    with (
        lease(corpus_db.url, key=f"tracelens-backup {store.url}", what="a held lease"),
        pytest.raises(BackupBusy, match="already running"),
    ):
        run_backup(source_url=corpus_db.url, store=store)
    assert store.list() == []

    failed = {"backup": store.url, "outcome": "failed"}
    before = REGISTRY.get_sample_value("tracelens_backup_runs_total", failed) or 0
    missing = corpus_db.url.replace("/backup_corpus", "/no_such_database")
    with pytest.raises(Exception, match="no_such_database"):
        run_backup(source_url=missing, store=store)
    assert REGISTRY.get_sample_value("tracelens_backup_runs_total", failed) == before + 1
    assert store.list() == [] and not list((tmp_path / "backups").glob(".*partial"))

    with pytest.raises(BackupError, match="has no schema 'no_such_schema'"):
        run_backup(source_url=corpus_db.url, store=store, schemas=("no_such_schema",))
    assert store.list() == []

    assert run_backup(source_url=corpus_db.url, store=store).backup.complete  # lease released


def test_locations_are_checked(corpus_db: Corpus) -> None:
    settings = corpus_db.settings
    assert isinstance(open_store("file:///tmp/x", settings), FileBackupStore)
    for bad in ("s3://bucket/x", "/tmp/x", "file://host/x", "gs:///x"):
        with pytest.raises(Exception, match="gs://bucket/prefix or file:///path"):
            open_store(bad, settings)
    with pytest.raises(Exception, match="compression"):
        run_backup(source_url=corpus_db.url, store=FileBackupStore(Path("/tmp")), compression="xz")


def _sealed(info: Any) -> dict[str, str]:
    return {"sha256": info.sha256, "size": str(info.size)}
