"""How the stored themes and tone agree with labels: the detector and the tone over a labelled
corpus, and the stored tags against the generated and independent sets' labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from embeddings.base import Embedder
from enrichment.detector import ThemeDetector, Unit
from enrichment.sentiment import TONES, score_comment
from evaluation.labelled import load_labelled_comments
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
