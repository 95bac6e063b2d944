"""`tracelens eval themes`: the themes and tone stored per comment against labels, both sets.

The generated set's labels come from the corpus generator (evaluation.labelled); the independent set's
from tests/data/independent/labels.jsonl (rag.independent), split DEV/TEST by report file. Each
corpus is stored as parsed in a scratch PostgreSQL, embedded and tagged by the worker's step
(enrichment.tagging.tag_comments); the figures are then read from what was stored:

  precision / recall  per theme, over comments (a comment counts once per theme);
  tone agreement      per theme, over comments labelled and tagged with it that have a labelled
                      tone for it: the stored tone of that theme equals it;
  counts              per (course, theme) with a labelled or stored count: within
                      max(2, 25% of the labelled count), as the qualitative route counts;
  group tone          per (course, theme) with at least 3 labelled comments: the route's tone
                      (enrichment.sentiment.tone_of_counts over the stored comments' tones of the theme)
                      equals the same rule over the labelled tones.

The generated labels have no per-theme tone: a comment's tone stands for each of its themes when
it is positive, negative or neutral, and mixed comments are left out of tone agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db import Conn, connect, scratch_database
from core.settings import Settings
from embeddings.active import load_embedder
from embeddings.indexing import embed_sections
from embeddings.spaces import ensure_space
from enrichment.sentiment import tone_of_counts
from enrichment.tagging import stored_tags, stored_theme_tones, tag_comments
from enrichment.theme_definitions import THEMES
from evaluation.labelled import CommentKey, load_labelled_comments
from rag.independent import (
    INDEPENDENT_DIR,
    comment_keys,
    load_theme_labels,
    report_paths,
    store_corpus,
    truth_paths,
)

TARGETS = {"precision": 0.85, "recall": 0.85, "counts": 0.90}
GROUP_TONE_MIN = 3


@dataclass(frozen=True)
class Labelled:
    key: CommentKey
    course: str
    themes: tuple[str, ...]
    theme_tones: dict[str, str]
    split: str


@dataclass(frozen=True)
class Predicted:
    themes: tuple[str, ...]
    theme_tones: dict[str, str]


@dataclass
class ThemesEval:
    set: str
    split: str
    comments: int
    per_theme: dict[str, dict[str, float]]
    counts: list[dict[str, Any]] = field(default_factory=list)
    group_tone: tuple[int, int] = (0, 0)

    micro_f1: float = 0.0

    @property
    def counts_within(self) -> float:
        return sum(c["within"] for c in self.counts) / len(self.counts) if self.counts else 0.0


def within(labelled: int, predicted: int) -> bool:
    """The issue's tolerance: |predicted - labelled| <= max(2, 25% of labelled)."""
    return abs(predicted - labelled) <= max(2.0, 0.25 * labelled)


def score(
    labels: Sequence[Labelled], predicted: dict[CommentKey, Predicted], *, set_name: str, split: str
) -> ThemesEval:
    """Per-theme precision, recall and tone agreement; per (course, theme) counts and tone."""
    rows = [(lab, predicted[lab.key]) for lab in labels if lab.key in predicted]
    per_theme: dict[str, dict[str, float]] = {}
    for theme in THEMES:
        tp = sum(1 for lab, p in rows if theme in lab.themes and theme in p.themes)
        fp = sum(1 for lab, p in rows if theme not in lab.themes and theme in p.themes)
        fn = sum(1 for lab, p in rows if theme in lab.themes and theme not in p.themes)
        toned = [
            (lab.theme_tones[theme], p.theme_tones.get(theme))
            for lab, p in rows
            if theme in lab.themes and theme in p.themes and theme in lab.theme_tones
        ]
        per_theme[theme] = {
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "support": float(tp + fn),
            "tone": sum(a == b for a, b in toned) / len(toned) if toned else float("nan"),
            "toned": float(len(toned)),
        }
    tp = sum(len(set(lab.themes) & set(p.themes)) for lab, p in rows)
    wrong = sum(len(set(lab.themes) ^ set(p.themes)) for lab, p in rows)
    result = ThemesEval(set_name, split, len(rows), per_theme)
    result.micro_f1 = 2 * tp / (2 * tp + wrong) if tp else 0.0
    agree = total = 0
    for course in sorted({lab.course for lab, _ in rows}):
        mine = [(lab, p) for lab, p in rows if lab.course == course]
        for theme in THEMES:
            real = [lab.theme_tones.get(theme) for lab, _ in mine if theme in lab.themes]
            found = [p.theme_tones.get(theme) for _, p in mine if theme in p.themes]
            if not real and not found:
                continue
            result.counts.append(
                {
                    "course": course,
                    "theme": theme,
                    "labelled": len(real),
                    "stored": len(found),
                    "within": within(len(real), len(found)),
                }
            )
            known = [t for t in real if t]
            if len(known) >= GROUP_TONE_MIN and found:
                total += 1
                agree += tone_of_counts(Counter(t for t in found if t)) == tone_of_counts(
                    Counter(known)
                )
    result.group_tone = (agree, total)
    return result


def predictions(conn: Conn) -> dict[CommentKey, Predicted]:
    """What is stored for each comment: its themes and the tone of each."""
    keys = comment_keys(conn)
    tags = stored_tags(conn, list(keys))
    tones = stored_theme_tones(conn, list(keys))
    return {
        keys[cid]: Predicted(themes, tones.get(cid, {}))
        for cid, (themes, _sentiment) in tags.items()
    }


def _tag_all(conn: Conn, settings: Settings) -> None:
    embedder = load_embedder(settings)
    space = ensure_space(conn, embedder=embedder, text_mode=settings.embedding_text)
    embed_sections(conn, space=space, embedder=embedder, batch_size=settings.embedding_batch_size)
    tag_comments(conn, embedder=embedder)
    conn.commit()


def generated_labels(corpus: Path) -> list[Labelled]:
    out = []
    for c in load_labelled_comments(corpus):
        tones = {t: c.tone for t in c.themes} if c.tone != "mixed" else {}
        out.append(Labelled(c.key, c.course, c.themes, tones, "all"))
    return out


def independent_labels(directory: Path = INDEPENDENT_DIR) -> list[Labelled]:
    out = []
    for lab in load_theme_labels(directory):
        tones = dict(lab.theme_tones or {})
        out.append(Labelled(lab.key, lab.course, lab.themes, tones, lab.split))
    return out


def _evaluate(
    settings: Settings, paths: list[Path], labels: list[Labelled], *, set_name: str
) -> list[ThemesEval]:
    with scratch_database("tl-eval-themes-") as (root, db):
        settings = settings.model_copy(
            update={"database_url": db.url, "state_dir": root / "state", "embedding_space": None}
        )
        with connect(db.url) as conn:
            store_corpus(conn, paths)
            _tag_all(conn, settings)
            found = predictions(conn)
    splits = sorted({lab.split for lab in labels})
    out = [
        score([lab for lab in labels if lab.split == s], found, set_name=set_name, split=s)
        for s in splits
    ]
    if splits != ["all"]:
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
) -> list[ThemesEval]:
    """Score the stored themes of each set: generated (by default 60 reports, seed 23, a seed
    the thresholds were not calibrated on) and independent (DEV, TEST, all)."""
    import tempfile

    from ingestion.corpus.writer import write_corpus

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
            independent_labels(independent),
            set_name="independent",
        )
    return out


def _mark(value: float, target: float) -> str:
    return "ok" if value >= target else "short"


def format_themes_eval(results: Sequence[ThemesEval]) -> str:
    lines = [
        "theme tags and tone against labels (precision/recall per theme; tone = stored tone of"
        " the theme equals the labelled one)",
        f"  targets on the independent set: precision and recall >= {TARGETS['precision']},"
        f" counts within max(2, 25%) for >= {TARGETS['counts']:.0%} of (course, theme) pairs",
    ]
    header = f"  {'theme':17}" + "".join(
        f" {r.set[:5]}:{r.split.upper():4} P/R/tone " for r in results
    )
    lines.append(header)
    for theme in THEMES:
        cells = []
        for r in results:
            t = r.per_theme[theme]
            tone = "  -" if t["toned"] == 0 else f"{t['tone']:.2f}"
            cells.append(f" {t['precision']:.2f}/{t['recall']:.2f}/{tone:>4} ")
        lines.append(f"  {theme:17}" + "".join(f"{c:>22}" for c in cells))
    lines.append("")
    for r in results:
        p_min = min(v["precision"] for v in r.per_theme.values() if v["support"])
        r_min = min(v["recall"] for v in r.per_theme.values() if v["support"])
        agree, total = r.group_tone
        counted = sum(c["within"] for c in r.counts)
        share = r.counts_within
        lines.append(
            f"  {r.set:11} {r.split.upper():4} {r.comments:4d} comments: micro-F1 {r.micro_f1:.3f},"
            f" min precision {p_min:.2f} ({_mark(p_min, TARGETS['precision'])}),"
            f" min recall {r_min:.2f} ({_mark(r_min, TARGETS['recall'])});"
            f" counts within tolerance {counted}/{len(r.counts)} = {share:.0%}"
            f" ({_mark(share, TARGETS['counts'])}); group tone agrees {agree}/{total}"
        )
    for r in results:
        if r.set == "independent" and r.split == "dev":
            off = [c for c in r.counts if not c["within"]]
            if off:
                lines.append(
                    "  DEV counts outside tolerance (course theme labelled→stored): "
                    + ", ".join(
                        f"{c['course']} {c['theme']} {c['labelled']}→{c['stored']}" for c in off
                    )
                )
    return "\n".join(lines)
