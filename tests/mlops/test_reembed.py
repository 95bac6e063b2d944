"""The re-embed job: shards tile the corpus, a kill -9 resumes, uploads reach both spaces,
and the gate promotes a model that is as good and keeps a worse one as challenger."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.wiring import model_in_service
from core.db import Conn, connect
from core.errors import ConfigError
from core.settings import Settings
from embeddings.base import FakeEmbedder
from embeddings.spaces import get_space
from mlops.reembed import Shard, parse_shard, reembed, shard_ranges
from mlops.registry import RegisteredModel, register, resolve
from mlops.tracking import client
from tests.conftest import settings_env, work_queue


@pytest.mark.parametrize(
    ("first", "last", "count"), [(1, 193, 2), (5, 5, 3), (1, 0, 2), (7, 1000, 7)]
)
def test_shard_ranges_tile_the_id_line(first: int, last: int, count: int) -> None:
    ranges = shard_ranges(first, last, count)
    assert len(ranges) == count and ranges[0][0] == first and ranges[-1][1] is None
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert end == start  # half-open: no overlap, no gap
    for i in range(first, last + 50):
        owners = [r for r in ranges if r[0] <= i and (r[1] is None or i < r[1])]
        assert len(owners) == 1, i


def test_shard_argument() -> None:
    assert parse_shard("1/4") == Shard(1, 4)
    for bad in ("4/4", "-1/2", "1", "a/b"):
        with pytest.raises(ConfigError, match="shard must be"):
            parse_shard(bad)


def _vectors(conn: Conn, space_id: int) -> tuple[int, int, int]:
    """(vectors, distinct comment ids among them, comments without a vector)."""
    row = conn.execute(
        f"SELECT count(*) AS n, count(DISTINCT comment_id) AS d,"
        f" (SELECT count(*) FROM comments m WHERE NOT EXISTS"
        f"   (SELECT 1 FROM comment_vectors_{space_id} v WHERE v.comment_id = m.id)) AS missing"
        f" FROM comment_vectors_{space_id}"
    ).fetchone()
    assert row is not None
    return int(row["n"]), int(row["d"]), int(row["missing"])


def _url(settings: Settings) -> str:
    assert settings.database_dsn is not None
    return settings.database_dsn


def test_two_shards_cover_the_corpus_and_the_gate_promotes(
    ml: Settings, champion: RegisteredModel
) -> None:
    candidate = register(ml, embedder=FakeEmbedder(), text_mode="prompt")
    first = reembed(ml, _url(ml), model_ref=candidate.uri, shard=Shard(0, 2), progress=False)
    assert first.gate is None and "other shards" in first.note
    second = reembed(ml, _url(ml), model_ref=candidate.uri, shard=Shard(1, 2), progress=False)
    gate = second.gate
    assert gate is not None and gate.promoted, gate
    assert gate.candidate_ndcg is not None and gate.champion_ndcg is not None
    assert gate.candidate_ndcg >= gate.champion_ndcg - ml.gate_ndcg_tolerance

    with connect(_url(ml)) as conn:
        space = get_space(conn, name=second.job.space.name)
        comments = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
        assert comments is not None
        assert _vectors(conn, space.id) == (comments["n"], comments["n"], 0)
        shards = conn.execute(
            "SELECT * FROM reembed_shards WHERE space_id = %s ORDER BY shard", (space.id,)
        ).fetchall()
        assert [s["done"] for s in shards] == [True, True]
        assert shards[0]["end_id"] == shards[1]["start_id"] and shards[1]["end_id"] is None
        assert sum(s["embedded"] for s in shards) == comments["n"]  # each comment once
        statuses = dict(
            (r["name"], r["status"])
            for r in conn.execute("SELECT name, status FROM embedding_spaces").fetchall()
        )
    assert statuses[space.name] == "active" and list(statuses.values()).count("active") == 1
    assert "retired" in statuses.values()  # the old champion's space

    assert resolve(ml, "champion").version == candidate.version
    assert resolve(ml, "challenger").version == champion.version
    tags = resolve(ml, candidate.uri).tags
    assert tags["eval_run_id"] == gate.run_id and tags["gate"] == "promoted"
    run = client(ml).get_run(gate.run_id)
    assert run.data.metrics["candidate_ndcg_at_10"] == pytest.approx(gate.candidate_ndcg)
    assert run.data.tags["decision"] == "promoted"

    again = reembed(ml, _url(ml), model_ref=candidate.uri, shard=None, progress=False)
    assert again.gate is None and again.note.startswith("already decided: promoted")


def test_the_gate_keeps_a_worse_model_as_challenger(
    ml: Settings, champion: RegisteredModel
) -> None:
    worse = register(ml, embedder=FakeEmbedder(dimension=8), text_mode="prompt")
    outcome = reembed(ml, _url(ml), model_ref=worse.uri, shard=None, progress=False)
    gate = outcome.gate
    assert gate is not None and not gate.promoted
    assert gate.candidate_ndcg is not None and gate.champion_ndcg is not None
    assert gate.candidate_ndcg < gate.champion_ndcg - ml.gate_ndcg_tolerance
    assert "below the champion" in gate.reason
    assert resolve(ml, "champion").version == champion.version
    assert resolve(ml, "challenger").version == worse.version
    assert resolve(ml, worse.uri).tags["gate"] == "rejected"
    with connect(_url(ml)) as conn:
        assert get_space(conn, name=outcome.job.space.name).status == "ready"
        job = conn.execute("SELECT status, decision FROM reembed_jobs").fetchone()
    assert job == {"status": "challenger", "decision": gate.reason}


def _grow(conn: Conn, copies: int) -> None:
    """Many more comments (copies of the real ones, numbered apart): a corpus worth killing."""
    conn.execute(
        "INSERT INTO comments (section_id, prompt, number, text)"
        " SELECT section_id, prompt, number + 1000 * g, text || ' (copy ' || g || ')'"
        " FROM comments, generate_series(1, %s) g",
        (copies,),
    )
    conn.commit()


def test_a_shard_killed_with_sigkill_resumes_without_duplicates_or_gaps(
    ml: Settings, champion: RegisteredModel
) -> None:
    ml = ml.model_copy(update={"reembed_batch_size": 128})
    with connect(_url(ml)) as conn:
        _grow(conn, 60)
        total = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
    assert total is not None and total["n"] > 10_000
    candidate = register(ml, embedder=FakeEmbedder(), text_mode="prompt")
    env = settings_env(ml)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "reembed", "--model", candidate.uri, "--shard", "0/1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    checkpoint = None
    try:
        with connect(_url(ml), autocommit=True) as conn:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and proc.poll() is None:
                row = conn.execute("SELECT done_id, embedded, done FROM reembed_shards").fetchone()
                if row is not None and row["embedded"] >= 1000:
                    checkpoint = row
                    break
                time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert checkpoint is not None and not checkpoint["done"], "the shard was not caught mid-way"
    assert proc.returncode == -signal.SIGKILL

    with connect(_url(ml)) as conn:
        space = get_space(conn, name="fake-hashing@1/fake/prompt")
        before = conn.execute("SELECT done_id, embedded FROM reembed_shards").fetchone()
        assert before is not None and before["embedded"] < total["n"]
        stored, distinct, _ = _vectors(conn, space.id)
        assert stored == distinct == before["embedded"]  # vectors and checkpoint agree

    resumed = reembed(ml, _url(ml), model_ref=candidate.uri, shard=Shard(0, 1), progress=False)
    assert resumed.shards[0].resumed_from == before["embedded"]
    assert resumed.shards[0].embedded == total["n"] - before["embedded"]
    assert resumed.gate is not None
    with connect(_url(ml)) as conn:
        assert _vectors(conn, space.id) == (total["n"], total["n"], 0)


def test_uploads_during_a_reembed_land_in_both_spaces(
    ml: Settings, champion: RegisteredModel, tmp_path: Path
) -> None:
    from core.blobs import make_blob_store
    from devtools.corpus.writer import write_corpus
    from ingestion.intake import accept_file
    from ingestion.queue import make_queue
    from mlops.reembed import plan

    candidate = register(ml, embedder=FakeEmbedder(), text_mode="prompt")
    with connect(_url(ml)) as conn:
        from embeddings.spaces import ensure_space

        building = ensure_space(
            conn, embedder=FakeEmbedder(), text_mode="prompt", status="building", index=False
        )
        conn.commit()
        plan(conn, model=resolve(ml, candidate.uri), space=building, shard_count=1)

    extra = tmp_path / "extra"
    write_corpus(extra, reports=1, seed=99)
    path = next(p for p in sorted(extra.iterdir()) if p.suffix in (".pdf", ".xlsx"))
    with connect(_url(ml), autocommit=True) as conn:
        report = accept_file(
            conn,
            blobs=make_blob_store(ml),
            queue=make_queue(ml),
            data=path.read_bytes(),
            filename=path.name,
        ).report
    assert work_queue(ml) == 1  # the worker serves the champion and dual-writes

    with connect(_url(ml)) as conn:
        active = conn.execute("SELECT * FROM embedding_spaces WHERE status = 'active'").fetchone()
        assert active is not None and active["text_mode"] == "comment"
        new_ids = {
            r["id"]
            for r in conn.execute(
                "SELECT m.id FROM comments m JOIN sections s ON s.id = m.section_id"
                " WHERE s.report_id = %s",
                (report["id"],),
            ).fetchall()
        }
        assert new_ids
        for space_id in (active["id"], building.id):
            got = {
                r["comment_id"]
                for r in conn.execute(
                    f"SELECT comment_id FROM comment_vectors_{space_id} WHERE comment_id = ANY(%s)",
                    (list(new_ids),),
                ).fetchall()
            }
            assert got == new_ids, space_id

    outcome = reembed(ml, _url(ml), model_ref=candidate.uri, shard=None, progress=False)
    assert outcome.gate is not None
    with connect(_url(ml)) as conn:
        count = conn.execute("SELECT count(*) AS n FROM comments").fetchone()
        assert count is not None
        assert _vectors(conn, building.id) == (count["n"], count["n"], 0)


def test_a_worker_from_before_a_switch_survives_the_old_space_being_dropped(
    ml: Settings, champion: RegisteredModel, tmp_path: Path
) -> None:
    from core.blobs import make_blob_store
    from devtools.corpus.writer import write_corpus
    from embeddings.spaces import drop_space
    from ingestion.intake import accept_file
    from ingestion.queue import make_queue
    from ingestion.workers.table import Worker

    blobs, queue = make_blob_store(ml), make_queue(ml)
    # serves the champion
    worker = Worker(settings=ml, url=_url(ml), blobs=blobs, queue=queue, model=model_in_service(ml))
    try:
        old = worker.processor.space
        candidate = register(ml, embedder=FakeEmbedder(), text_mode="prompt")
        outcome = reembed(ml, _url(ml), model_ref=candidate.uri, shard=None, progress=False)
        assert outcome.gate is not None and outcome.gate.promoted
        with connect(_url(ml)) as conn:
            drop_space(conn, name=old.name)  # retired, so it may go

        extra = tmp_path / "extra"
        write_corpus(extra, reports=1, seed=77)
        path = next(p for p in sorted(extra.iterdir()) if p.suffix in (".pdf", ".xlsx"))
        with connect(_url(ml), autocommit=True) as conn:
            report = accept_file(
                conn, blobs=blobs, queue=queue, data=path.read_bytes(), filename=path.name
            ).report
        verdict = worker.run_once()
        assert verdict is not None and verdict.status == "processed", verdict
    finally:
        worker.close()
    with connect(_url(ml)) as conn:
        space = get_space(conn, name=outcome.job.space.name)
        missing = conn.execute(
            f"SELECT count(*) AS n FROM comments m JOIN sections s ON s.id = m.section_id"
            f" WHERE s.report_id = %s AND NOT EXISTS (SELECT 1 FROM comment_vectors_{space.id} v"
            f" WHERE v.comment_id = m.id)",
            (report["id"],),
        ).fetchone()
    assert missing == {"n": 0}
