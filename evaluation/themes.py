"""How the stored themes and tone agree with labels: the detector and the tone over a labelled
corpus, and the stored tags against the generated and independent sets' labels.

Figures read from what was stored (`tracelens eval themes`, devtools.evaluate.themes):

  precision / recall  per theme, over comments (a comment counts once per theme);
  tone agreement      per theme, over comments labelled and tagged with it that have a labelled
                      tone for it: the stored tone of that theme equals it;
  counts              per (course, theme) with a labelled or stored count: within
                      max(2, 25% of the labelled count), as the qualitative route counts;
  group tone          per (course, theme) with at least 3 labelled comments: the route's tone
                      (enrichment.sentiment.tone_of_counts over the stored comments' tones of the
                      theme) equals the same rule over the labelled tones.

The generated labels have no per-theme tone: a comment's tone stands for each of its themes when
it is positive, negative or neutral, and mixed comments are left out of tone agreement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db import Conn
from embeddings.base import Embedder
from enrichment.detector import ThemeDetector, Unit
from enrichment.sentiment import TONES, score_comment, tone_of_counts
from enrichment.tagging import stored_tags, stored_theme_tones
from enrichment.theme_definitions import THEMES
from evaluation.labelled import CommentKey, load_labelled_comments, stored_keys
from evaluation.metrics import classification_report, theme_report


def measure_themes(
    corpus_dir: Path, embedder: Embedder, *, unit: Unit = "sentence", use_lexicon: bool = True
) -> dict[str, Any]:
    """How well the detector's themes agree with the generator's theme labels."""
    comments = load_labelled_comments(corpus_dir)
    detector = ThemeDetector(embedder, unit=unit, use_lexicon=use_lexicon)
    predicted = detector.detect([c.text for c in comments], prompts=[c.prompt for c in comments])
    report = theme_report([c.themes for c in comments], predicted)
    report.update(unit=unit, lexicon=use_lexicon, embedder=embedder.backend)
    return report


def measure_sentiment(corpus_dir: Path) -> dict[str, Any]:
    """How well tone_of agrees with the generator's tone labels over a generated corpus."""
    comments = load_labelled_comments(corpus_dir)
    predicted = [score_comment(c.text, prompt=c.prompt).tone for c in comments]
    return classification_report([c.tone for c in comments], predicted, TONES)


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
    keys = stored_keys(conn)
    tags = stored_tags(conn, list(keys))
    tones = stored_theme_tones(conn, list(keys))
    return {
        keys[cid]: Predicted(themes, tones.get(cid, {}))
        for cid, (themes, _sentiment) in tags.items()
    }


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
