"""`tracelens eval themes`: the themes and tone stored per comment against labels, on the
generated set (the corpus generator's labels) and the independent set's
(tests/data/independent/labels.jsonl, devtools.independent), split DEV/TEST by report file.
Each corpus is stored as parsed in a scratch PostgreSQL, embedded and tagged by the worker's
step; evaluation.themes scores what was stored."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from cli.wiring import model_in_service
from core.db import connect, scratch_database
from core.settings import Settings
from devtools.corpus.writer import write_corpus
from devtools.independent import (
    INDEPENDENT_DIR,
    load_theme_labels,
    report_paths,
    store_corpus,
    truth_paths,
)
from evaluation.labelled import load_labelled_comments
from evaluation.loading import index_stored
from evaluation.themes import Labelled, ThemesEval, predictions, score


def generated_labels(corpus: Path) -> list[Labelled]:
    out = []
    for c in load_labelled_comments(corpus):
        tones = {t: c.tone for t in c.themes} if c.tone != "mixed" else {}
        out.append(Labelled(c.key, c.course, c.themes, tones, "all"))
    return out


def independent_labels(directory: Path = INDEPENDENT_DIR, *, split: str = "all") -> list[Labelled]:
    """The set's labels of one split ("dev", "test") or all of them."""
    out = []
    for lab in load_theme_labels(directory):
        if split not in ("all", lab.split):
            continue
        tones = dict(lab.theme_tones or {})
        out.append(Labelled(lab.key, lab.course, lab.themes, tones, lab.split))
    return out


def _evaluate(
    settings: Settings, paths: list[Path], labels: list[Labelled], *, set_name: str
) -> list[ThemesEval]:
    with scratch_database("tl-eval-themes-") as (root, db):
        settings = settings.with_database(db.url, state_dir=root / "state", embedding_space=None)
        with connect(db.url) as conn:
            store_corpus(conn, paths)
            index_stored(
                conn,
                embedder=model_in_service(settings).embedder,
                text_mode=settings.embedding_text,
                batch_size=settings.embedding_batch_size,
            )
            found = predictions(conn)
    splits = sorted({lab.split for lab in labels})
    out = [
        score([lab for lab in labels if lab.split == s], found, set_name=set_name, split=s)
        for s in splits
    ]
    if len(splits) > 1:
        out.append(score(labels, found, set_name=set_name, split="all"))
    return out


def run_themes_eval(
    settings: Settings,
    *,
    sets: Sequence[str] = ("generated", "independent"),
    corpus: Path | None = None,
    reports: int = 60,
    seed: int = 23,
    independent: Path = INDEPENDENT_DIR,
    split: str = "all",
) -> list[ThemesEval]:
    """Score the stored themes of each set: generated (by default 60 reports, seed 23, a seed
    the thresholds were not calibrated on) and independent (DEV, TEST, all)."""
    out: list[ThemesEval] = []
    if "generated" in sets:
        with tempfile.TemporaryDirectory(prefix="tl-themes-corpus-") as tmp:
            folder = corpus or Path(tmp)
            if corpus is None:
                write_corpus(folder, reports=reports, seed=seed)
            out += _evaluate(
                settings, truth_paths(folder), generated_labels(folder), set_name="generated"
            )
    if "independent" in sets:
        out += _evaluate(
            settings,
            report_paths(independent),
            independent_labels(independent, split=split),
            set_name="independent",
        )
    return out
