"""The search benchmark's corpus at scale: a catalogue of courses, terms, instructors and
sections, comments composed by the corpus generator (so full text behaves like real comments),
loaded with COPY, and vectors derived from real embeddings (devtools.bench.vectors), with the
HNSW index built after loading as a bulk re-embed would."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from psycopg import sql

from core.db import Conn
from core.report import SEASONS, Term, parse_term
from core.settings import Settings
from devtools.bench.vectors import comment_vectors, context_vectors
from devtools.corpus.catalogue import COURSES, INSTRUCTOR_NAMES, PROMPTS
from devtools.corpus.comments import CommentContext, compose_comment
from embeddings import spaces
from embeddings.base import Embedder, FakeEmbedder
from embeddings.indexing import map_comments, store_texts
from embeddings.models import load_embedder
from embeddings.spaces import Space
from evaluation.queries import QUERIES
from ingestion.identity import name_key

TextMode = Literal["context", "comment"]


COURSES_PER_SUBJECT = 30
"""A real catalogue: ~330 courses, so one course holds ~0.3% of the comments."""


BASE_TEXTS = 3000
"""Distinct comments embedded for real; every other vector is derived from them."""


INDEX_SETTINGS = {"maintenance_work_mem": "2GB", "max_parallel_maintenance_workers": "2"}


_KIND = dict(zip(PROMPTS, ("strengths", "improve", "inclusive", "online", "self"), strict=True))


_PROMPT_WEIGHTS = (0.36, 0.34, 0.12, 0.10, 0.08)


@dataclass
class BenchCorpus:
    """Generated rows, in COPY order; ids follow that order in a fresh database."""

    terms: list[Term]
    courses: list[tuple[str, str, str]]
    instructors: list[tuple[str, str]]
    sections: list[tuple[int, int, str, tuple[int, ...]]] = field(default_factory=list)
    comments: list[tuple[int, str, int, str]] = field(default_factory=list)
    groups: list[tuple[str, str]] = field(default_factory=list)
    """(first theme, tone) of each comment: derived vectors keep their comment's meaning."""


def generate_corpus(size: int, seed: int) -> BenchCorpus:
    """Sections of 3-45 comments each until `size` comments, composed like real ones."""
    rng = random.Random(f"bench-search|{seed}")
    terms = [t for y in range(2015, 2027) for s in SEASONS if (t := parse_term(f"{s} {y}"))]
    courses: list[tuple[str, str, str]] = []
    for subject, listed in COURSES.items():
        numbers = {n for n, _ in listed}
        courses += [(subject, n, title) for n, title in listed]
        while len(numbers) < COURSES_PER_SUBJECT:
            number = str(rng.randint(1000, 7999))
            if number not in numbers:
                numbers.add(number)
                courses.append((subject, number, f"Topics in {subject} {number}"))
    lasts = [last for last, _ in INSTRUCTOR_NAMES]
    firsts = [first for _, first in INSTRUCTOR_NAMES]
    people = sorted({(rng.choice(lasts), rng.choice(firsts)) for _ in range(400)})
    staff = {s: rng.sample(range(len(people)), k=25) for s in COURSES}
    corpus = BenchCorpus(terms, courses, people)
    taken: set[tuple[int, int, str]] = set()
    while len(corpus.comments) < size:
        ci = rng.randrange(len(courses))
        subject = courses[ci][0]
        ti = rng.randrange(len(terms))
        slot = 1
        while (ci, ti, f"{slot:02d}") in taken:
            slot += 1
        taken.add((ci, ti, f"{slot:02d}"))
        who = tuple(rng.sample(staff[subject], k=rng.choice((1, 1, 1, 1, 2))))
        corpus.sections.append((ci, ti, f"{slot:02d}", who))
        online = rng.random() < 0.15
        forms = ["the professor", "the instructor"]
        for i in who:
            last, first = people[i]
            forms += [f"Professor {last}", f"Prof. {last}", f"Dr. {last}", first.split()[0]]
        ctx = CommentContext(tuple(forms), subject, online)
        p_positive = rng.uniform(0.1, 0.95)
        counters: dict[str, int] = {}
        for _ in range(min(rng.randint(3, 45), size - len(corpus.comments))):
            prompt = rng.choices(PROMPTS, weights=_PROMPT_WEIGHTS)[0]
            if prompt == PROMPTS[3] and not online:
                prompt = PROMPTS[0]
            counters[prompt] = counters.get(prompt, 0) + 1
            c = compose_comment(rng, _KIND[prompt], p_positive, ctx, long=rng.random() < 0.03)
            corpus.comments.append((len(corpus.sections), prompt, counters[prompt], c.text))
            corpus.groups.append((c.themes[0] if c.themes else "none", c.tone))
    return corpus


def _copy(conn: Conn, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _ids(conn: Conn, table: str, count: int) -> np.ndarray:
    """The ids a fresh table gave rows copied in order (checked contiguous)."""
    row = conn.execute(
        sql.SQL("SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM {}").format(
            sql.Identifier(table)
        )
    ).fetchone()
    assert row is not None and row["n"] == count and row["hi"] - row["lo"] + 1 == count, row
    return np.arange(row["lo"], row["hi"] + 1, dtype=np.int64)


def load_catalogue(conn: Conn, corpus: BenchCorpus) -> np.ndarray:
    """COPY every table the search joins; returns comment ids in corpus order."""
    t = corpus.terms
    _copy(
        conn,
        "terms",
        ("label", "season", "year", "sort_key"),
        [(x.label, x.season, x.year, x.sort_key) for x in t],
    )
    _copy(conn, "courses", ("subject", "number", "title"), corpus.courses)
    people = [(last, first, name_key(last, first)) for last, first in corpus.instructors]
    _copy(conn, "instructors", ("last_name", "first_name", "name_key"), people)
    n = len(corpus.sections)
    _copy(
        conn,
        "reports",
        ("sha256", "filename", "media_type", "size_bytes", "layout", "status"),
        [
            (
                hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                f"bench-{i}.pdf",
                "application/pdf",
                1,
                "collegenet",
                "processed",
            )
            for i in range(n)
        ],
    )
    term_ids, course_ids = _ids(conn, "terms", len(t)), _ids(conn, "courses", len(corpus.courses))
    people_ids, report_ids = (
        _ids(conn, "instructors", len(corpus.instructors)),
        _ids(conn, "reports", n),
    )
    _copy(
        conn,
        "sections",
        ("course_id", "term_id", "section", "title", "enrollment", "report_id"),
        [
            (
                int(course_ids[ci]),
                int(term_ids[ti]),
                label,
                corpus.courses[ci][2],
                60,
                int(report_ids[i]),
            )
            for i, (ci, ti, label, _) in enumerate(corpus.sections)
        ],
    )
    section_ids = _ids(conn, "sections", n)
    _copy(
        conn,
        "section_instructors",
        ("section_id", "instructor_id", "position"),
        [
            (int(section_ids[i]), int(people_ids[p]), pos)
            for i, (_, _, _, who) in enumerate(corpus.sections)
            for pos, p in enumerate(who)
        ],
    )
    conn.execute("DROP INDEX comments_tsv_idx")  # rebuilt once below: faster than per row
    _copy(
        conn,
        "comments",
        ("section_id", "prompt", "number", "text"),
        [(int(section_ids[s - 1]), p, num, text) for s, p, num, text in corpus.comments],
    )
    return _ids(conn, "comments", len(corpus.comments))


def bench_embedder(backend: str, settings: Settings | None) -> tuple[Embedder, str | None]:
    """The requested embedder, or the fake one with the reason it could not be loaded."""
    if backend == "fake":
        return FakeEmbedder(), None
    try:
        settings = settings or Settings()
        return load_embedder(
            backend, threads=settings.embedding_threads, cache_dir=settings.model_cache
        ), None
    except Exception as exc:  # any load failure: benchmark the index anyway, and say so
        return FakeEmbedder(), f"{backend} unavailable ({type(exc).__name__}: {exc})"


def corpus_vectors(
    embedder: Embedder,
    corpus: BenchCorpus,
    rng: np.random.Generator,
    base_texts: int,
    text_mode: TextMode,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The corpus's vectors for the embedded text the space holds, and how they were made."""
    texts = [c[3] for c in corpus.comments]
    made = comment_vectors(embedder, texts, corpus.groups, rng, base_texts)
    about: dict[str, Any] = {"embedded": made.embedded, "text_mode": text_mode}
    if text_mode == "comment":
        # a model gives one text one vector: a derived vector stands for every copy of its text
        first: dict[str, int] = {}
        copies = [first.setdefault(text, i) for i, text in enumerate(texts)]
        return made.vectors[np.array(copies)], about
    rows, section_of = [], []
    for s, prompt, _, text in corpus.comments:
        ci, ti, _, _ = corpus.sections[s - 1]
        subject, number, title = corpus.courses[ci]
        label = corpus.terms[ti].label
        rows.append({"course": subject + number, "title": title, "term": label, "prompt": prompt,
                     "text": text})  # fmt: skip
        section_of.append(s)
    vectors, fit = context_vectors(embedder, made, rows, section_of, rng)
    about["context_fit"] = asdict(fit)
    return vectors, about


def load_vectors(
    conn: Conn, space: Space, ids: np.ndarray, corpus: BenchCorpus, vecs: np.ndarray
) -> None:
    """One vector per distinct text and each comment's text, as the worker stores them (with
    context vectors, emulated per comment, every comment is a text of its own)."""
    keys = (
        [c[3] for c in corpus.comments]
        if space.text_mode == "comment"
        else [f"comment {i}" for i in ids.tolist()]
    )
    md5 = [hashlib.md5(k.encode(), usedforsecurity=False).hexdigest() for k in keys]
    store_texts(conn, space=space, vectors=dict(zip(md5, vecs, strict=True)))
    map_comments(conn, space=space, ids=ids.tolist(), digests=md5)


def index_name(space: Space) -> sql.Identifier:
    return spaces.index_name(space)


def build_index(conn: Conn, space: Space) -> float:
    """Create the space's HNSW index over the loaded texts, as `ensure_space` defines it."""
    name = index_name(space)
    for key, value in INDEX_SETTINGS.items():
        conn.execute(sql.SQL("SET {} = {}").format(sql.Identifier(key), sql.Literal(value)))
    started = time.perf_counter()
    conn.execute(
        sql.SQL("CREATE INDEX {} ON {} {}").format(name, space.texts, spaces.index_definition())
    )
    return time.perf_counter() - started


def bench_queries(n: int, seed: int) -> list[str]:
    """Natural phrasings from the retrieval eval set, and variations of them."""
    phrasings = [q for qs in QUERIES.values() for q, _ in qs]
    tails = (
        "",
        "?",
        " this semester",
        " according to students",
        " in the intro course",
        " for the final project",
        " with the new instructor",
        " compared to other classes",
    )
    heads = ("", "do students say ", "comments about whether ", "I heard that ")
    rng = random.Random(seed)
    pool = list(dict.fromkeys(h + p + t for p in phrasings for t in tails for h in heads))
    rng.shuffle(pool)
    ordered = phrasings + [q for q in pool if q not in phrasings]
    return ordered[:n]
