"""`tracelens reembed`: build a registry model's space beside the active one, then gate it.

The first shard to start plans the job: it fixes the comment-id line [first, last] and cuts it
into N ranges, the last one open-ended, so shards neither overlap nor leave a gap and comments
stored later still belong to one. Each batch's vectors and the shard's checkpoint commit in one
transaction: a shard killed at any point (kill -9 included) resumes after its last commit, and
running a finished shard again does nothing. The shard that completes the job builds the HNSW
index, embeds anything a racing upload left out, and runs the gate (mlops.gate).
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from psycopg import sql
from tqdm import tqdm

from core.db import Conn, connect
from core.errors import ConfigError
from core.settings import Settings
from embeddings.base import Embedder, embed_texts
from embeddings.feeding import FeedStats, describe_stats, feed
from embeddings.indexing import (
    comment_rows,
    embedding_text,
    map_comments,
    store_texts,
    store_vectors,
    stored_texts,
    text_md5,
)
from embeddings.spaces import Space, build_index, ensure_space, get_space_by_id, set_status
from mlops.gate import GateResult, run_gate
from mlops.registry import RegisteredModel, load_registered, resolve
from mlops.tracking import tracked_run

log = logging.getLogger(__name__)

TRACK_EVERY_S = 10.0
"""Throughput goes to MLflow at most this often while a shard runs (and once at its end)."""


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`i/N` with 0 <= i < N (a Kubernetes indexed Job passes JOB_COMPLETION_INDEX as i)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if match is None or not 0 <= int(match[1]) < int(match[2]):
        raise ConfigError(f"shard must be i/N with 0 <= i < N, not {text!r}")
    return Shard(int(match[1]), int(match[2]))


def shard_ranges(first_id: int, last_id: int, count: int) -> list[tuple[int, int | None]]:
    """[start, end) id ranges tiling [first_id, ∞): equal widths over [first, last], last open."""
    width = max(last_id - first_id + 1, 0)
    starts = [first_id + (width * i) // count for i in range(count)]
    ends: list[int | None] = [*starts[1:], None]
    return list(zip(starts, ends, strict=True))


@dataclass(frozen=True)
class Job:
    space: Space
    model: RegisteredModel
    shard_count: int
    status: str
    decision: str | None


def plan(conn: Conn, *, model: RegisteredModel, space: Space, shard_count: int) -> Job:
    """The job for this space, planned now if new (shard counts must agree across shards)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('reembed'), %s)", (space.id,))
        row = conn.execute("SELECT * FROM reembed_jobs WHERE space_id = %s", (space.id,)).fetchone()
        if row is None:
            bounds = conn.execute(
                "SELECT coalesce(min(id), 1) AS lo, coalesce(max(id), 0) AS hi FROM comments"
            ).fetchone()
            assert bounds is not None
            row = conn.execute(
                "INSERT INTO reembed_jobs (space_id, model_uri, model_version, shard_count,"
                " first_id, last_id) VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
                (space.id, model.uri, model.version, shard_count, bounds["lo"], bounds["hi"]),
            ).fetchone()
            assert row is not None
            for i, (start, end) in enumerate(shard_ranges(bounds["lo"], bounds["hi"], shard_count)):
                conn.execute(
                    "INSERT INTO reembed_shards (space_id, shard, start_id, end_id)"
                    " VALUES (%s, %s, %s, %s)",
                    (space.id, i, start, end),
                )
            if space.status not in ("active", "building"):
                space = set_status(conn, space=space, status="building")
        elif row["shard_count"] != shard_count:
            raise ConfigError(
                f"the re-embed of {space.name!r} was planned with {row['shard_count']} shards;"
                f" got a shard of {shard_count}"
            )
    conn.commit()
    return Job(space, model, shard_count, row["status"], row["decision"])


@dataclass
class ShardResult:
    shard: Shard
    embedded: int
    """Comments embedded by this call (0 when the shard was already done)."""
    seconds: float
    load_seconds: float
    total: int
    resumed_from: int


def _progress(total: int, initial: int, shard: Shard, enabled: bool) -> Any:
    return tqdm(
        total=total,
        initial=initial,
        unit="comment",
        desc=f"re-embed shard {shard}",
        disable=not enabled,
        mininterval=1.0,
        smoothing=0.1,
    )


def run_shard(
    conn: Conn,
    settings: Settings,
    *,
    job: Job,
    shard: Shard,
    embedder: Embedder,
    progress: bool = True,
    on_batch: Callable[[int, float], None] | None = None,
) -> ShardResult:
    """Embed the shard's comments after its checkpoint, committing each batch with it."""
    space = job.space
    got = conn.execute(
        "SELECT pg_try_advisory_lock(hashtext('reembed-shard'), %s) AS ok",
        (space.id * 1000 + shard.index,),
    ).fetchone()
    if got is None or not got["ok"]:
        raise ConfigError(f"shard {shard} of {space.name!r} is being run by another process")
    try:
        return _run_locked(conn, settings, job, shard, embedder, progress, on_batch)
    finally:
        conn.execute(
            "SELECT pg_advisory_unlock(hashtext('reembed-shard'), %s)",
            (space.id * 1000 + shard.index,),
        )
        conn.commit()


def _run_locked(
    conn: Conn,
    settings: Settings,
    job: Job,
    shard: Shard,
    embedder: Embedder,
    progress: bool,
    on_batch: Callable[[int, float], None] | None,
) -> ShardResult:
    space = job.space
    state = conn.execute(
        "SELECT * FROM reembed_shards WHERE space_id = %s AND shard = %s", (space.id, shard.index)
    ).fetchone()
    assert state is not None
    start, end = state["start_id"], state["end_id"]
    bound = "AND id < %(end)s" if end is not None else ""
    counts = conn.execute(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE id <= %(done)s) AS done"
        f" FROM comments WHERE id >= %(start)s {bound}",
        {"start": start, "end": end, "done": state["done_id"] or start - 1},
    ).fetchone()
    conn.commit()
    assert counts is not None
    total, already = int(counts["total"]), int(counts["done"])
    if state["done"]:
        return ShardResult(shard, 0, 0.0, 0.0, total, already)
    after = state["done_id"] if state["done_id"] is not None else start - 1
    embedded = 0
    started = time.perf_counter()
    with _progress(total, already, shard, progress) as bar:

        def written(count: int) -> None:
            nonlocal embedded
            embedded += count
            bar.update(count)
            if on_batch is not None:
                on_batch(embedded, time.perf_counter() - started)

        stats = feed_shard(
            conn,
            space=space,
            embedder=embedder,
            shard=shard,
            after=after,
            end=end,
            batch=settings.reembed_batch_size,
            model_batch=settings.embedding_batch_size,
            written=written,
        )
    log.info("re-embed shard %s: %s", shard, describe_stats(stats))
    seconds = time.perf_counter() - started
    conn.execute(
        "UPDATE reembed_shards SET done = true, seconds = seconds + %s, updated_at = now()"
        " WHERE space_id = %s AND shard = %s",
        (seconds, space.id, shard.index),
    )
    conn.commit()
    return ShardResult(shard, embedded, seconds, 0.0, total, already)


@dataclass(frozen=True)
class _Chunk:
    """One checkpoint's worth of comments, read ahead of the model."""

    ids: list[int]
    digests: list[str]
    new: dict[str, str]
    """Texts the space does not hold yet, by md5 (each distinct text once)."""


IN_FLIGHT = 8
"""Chunks whose new texts are remembered: a text read again before its vector was written is
not embedded twice (the reader checks the space ahead of the writer)."""


def feed_shard(
    conn: Conn,
    *,
    space: Space,
    embedder: Embedder,
    shard: Shard,
    after: int,
    end: int | None,
    batch: int,
    model_batch: int,
    written: Callable[[int], None],
) -> FeedStats:
    """Embed the comments in (after, end) in chunks of `batch`: a reader thread fetches the next
    chunk and what the space already holds, this thread runs the model, and a writer thread
    COPYs each chunk's vectors and commits them with the shard's checkpoint, in order.

    The reader and writer share `conn` (psycopg serialises its use); the reader only reads, so
    whatever it adds to the writer's transaction commits harmlessly with the next checkpoint.
    """

    def read() -> Iterator[_Chunk]:
        last = after
        while True:
            rows = comment_rows(conn, after_id=last, end_id=end, limit=batch)
            if not rows:
                return
            texts = [embedding_text(r, space.text_mode) for r in rows]
            digests = [text_md5(t) for t in texts]
            held = stored_texts(conn, space=space, digests=digests)
            new = {d: t for d, t in zip(digests, texts, strict=True) if d not in held}
            yield _Chunk([int(r["id"]) for r in rows], digests, new)
            last = int(rows[-1]["id"])

    recent: deque[set[str]] = deque(maxlen=IN_FLIGHT)

    def model(chunk: _Chunk) -> tuple[_Chunk, dict[str, np.ndarray]]:
        todo = {d: t for d, t in chunk.new.items() if not any(d in r for r in recent)}
        recent.append(set(todo))
        texts = list(todo.values())
        vectors = embed_texts(embedder, texts, batch_size=model_batch)
        return chunk, dict(zip(todo, vectors, strict=True))

    def write(done: tuple[_Chunk, dict[str, np.ndarray]]) -> None:
        chunk, vectors = done
        store_texts(conn, space=space, vectors=vectors)
        map_comments(conn, space=space, ids=chunk.ids, digests=chunk.digests)
        conn.execute(
            "UPDATE reembed_shards SET done_id = %s, embedded = embedded + %s,"
            " updated_at = now() WHERE space_id = %s AND shard = %s",
            (chunk.ids[-1], len(chunk.ids), space.id, shard.index),
        )
        conn.commit()  # the vectors and the checkpoint, together
        written(len(chunk.ids))

    return feed(read(), model, write, name=f"reembed-{shard.index}")


def complete(conn: Conn, *, job: Job, embedder: Embedder) -> bool:
    """When every shard is done, claim the job (one process does): index and catch up."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('reembed'), %s)", (job.space.id,))
        left = conn.execute(
            "SELECT count(*) FILTER (WHERE NOT done) AS n FROM reembed_shards WHERE space_id = %s",
            (job.space.id,),
        ).fetchone()
        if left is None or left["n"]:
            return False
        claimed = conn.execute(
            "UPDATE reembed_jobs SET status = 'embedded' WHERE space_id = %s"
            " AND status = 'running' RETURNING space_id",
            (job.space.id,),
        ).fetchone()
        if claimed is None:
            return False
    conn.commit()
    catch_up(conn, space=job.space, embedder=embedder)
    conn.execute("SET maintenance_work_mem = '1GB'")
    build_index(conn, job.space)
    conn.commit()
    return True


def catch_up(conn: Conn, *, space: Space, embedder: Embedder, batch: int = 256) -> int:
    """Comments still without a vector (an upload that raced the shards): embed them now."""
    query = sql.SQL(
        "SELECT m.id FROM comments m WHERE NOT EXISTS"
        " (SELECT 1 FROM {} v WHERE v.comment_id = m.id) ORDER BY m.id"
    ).format(space.mapping)
    missing = [r["id"] for r in conn.execute(query).fetchall()]
    for i in range(0, len(missing), batch):
        ids = missing[i : i + batch]
        rows = conn.execute(
            "SELECT m.id, m.text, m.prompt, c.code AS course, s.title, t.label AS term"
            " FROM comments m JOIN sections s ON s.id = m.section_id"
            " JOIN courses c ON c.id = s.course_id JOIN terms t ON t.id = s.term_id"
            " WHERE m.id = ANY(%s) ORDER BY m.id",
            (ids,),
        ).fetchall()
        texts = [embedding_text(r, space.text_mode) for r in rows]
        vectors = embed_texts(embedder, texts)
        store_vectors(conn, space=space, ids=[r["id"] for r in rows], texts=texts, vectors=vectors)
        conn.commit()
    if missing:
        log.info("caught up %d comments stored while the shards ran", len(missing))
    return len(missing)


@dataclass
class Outcome:
    job: Job
    shards: list[ShardResult]
    gate: GateResult | None
    note: str


def reembed(
    settings: Settings,
    url: str,
    *,
    model_ref: str,
    shard: Shard | None,
    progress: bool = True,
    track: bool = True,
    notify: Callable[[], str] | None = None,
) -> Outcome:
    """Run one shard (or, with no shard given, every shard of the job), then finish if last."""
    model = resolve(settings, model_ref)
    started = time.perf_counter()
    embedder = load_registered(model, settings=settings)
    load_seconds = time.perf_counter() - started
    with connect(url) as conn:
        space = ensure_space(
            conn, embedder=embedder, text_mode=model.text_mode, status="building", index=False
        )
        conn.commit()
        existing = conn.execute(
            "SELECT shard_count FROM reembed_jobs WHERE space_id = %s", (space.id,)
        ).fetchone()
        count = shard.count if shard else (existing["shard_count"] if existing else 1)
        job = plan(conn, model=model, space=space, shard_count=count)
        if job.status in ("promoted", "challenger"):
            return Outcome(job, [], None, f"already decided: {job.status} ({job.decision})")
        todo = [shard] if shard else [Shard(i, count) for i in range(count)]
        results = []
        if job.status == "running":
            for one in todo:
                result = _tracked_shard(conn, settings, job, one, embedder, progress, track)
                result.load_seconds = load_seconds
                results.append(result)
            if not complete(conn, job=job, embedder=embedder):
                return Outcome(job, results, None, "waiting for the other shards to finish")
        # status 'embedded' on entry: the process that ran the gate died; run it again
        space = get_space_by_id(conn, space_id=space.id)
        gate = run_gate(conn, settings, candidate=model, space=space, embedder=embedder)
        conn.execute(
            "UPDATE reembed_jobs SET status = %s, decision = %s, finished_at = now()"
            " WHERE space_id = %s",
            ("promoted" if gate.promoted else "challenger", gate.reason, space.id),
        )
        conn.commit()
        note = notify() if (gate.promoted and notify is not None) else ""
        return Outcome(job, results, gate, note)


def _tracked_shard(
    conn: Conn,
    settings: Settings,
    job: Job,
    shard: Shard,
    embedder: Embedder,
    progress: bool,
    track: bool,
) -> ShardResult:
    if not track:
        return run_shard(conn, settings, job=job, shard=shard, embedder=embedder, progress=progress)
    with tracked_run(
        settings,
        kind="reembed",
        name=f"{job.model.backend}/{job.model.text_mode} shard {shard}",
        tags={"space": job.space.name, "model_uri": job.model.uri},
    ) as run:
        run.params(
            {
                "model": job.model.uri,
                "backend": job.model.backend,
                "text_mode": job.model.text_mode,
                "space": job.space.name,
                "shard": str(shard),
                "batch_size": settings.reembed_batch_size,
                "threads": settings.embedding_threads,
            }
        )
        last = [time.monotonic()]

        def on_batch(done: int, seconds: float) -> None:
            if time.monotonic() - last[0] >= TRACK_EVERY_S:
                last[0] = time.monotonic()
                run.metrics({"comments": done, "comments_per_s": done / seconds}, step=done)

        result = run_shard(
            conn,
            settings,
            job=job,
            shard=shard,
            embedder=embedder,
            progress=progress,
            on_batch=on_batch,
        )
        final = {"comments": result.embedded, "seconds": result.seconds, "total": result.total}
        if result.seconds > 0:
            final["comments_per_s"] = result.embedded / result.seconds
        run.metrics(final, step=result.embedded)
        run.tags({"resumed_from": result.resumed_from})
    return result


def format_outcome(outcome: Outcome) -> str:
    job = outcome.job
    lines = [f"re-embed {job.model.uri} ({job.model.backend}) into {job.space.name}"]
    for r in outcome.shards:
        rate = r.embedded / r.seconds if r.seconds else 0.0
        lines.append(
            f"  shard {r.shard}: {r.embedded} comments embedded in {r.seconds:.1f} s"
            f" ({rate:.0f}/s), {r.total} in range, resumed after {r.resumed_from}"
        )
    gate = outcome.gate
    if gate is not None:
        verdict = "PROMOTED to champion" if gate.promoted else "kept as challenger"
        lines.append(f"  gate: {verdict}: {gate.reason}")
        lines.append(f"  gate run: {gate.run_id}")
    if outcome.note:
        lines.append(f"  {outcome.note}")
    return "\n".join(lines)
