"""`tracelens eval themes`: its scoring rules by hand, and one run over the independent set."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from devtools.evaluate.themes import run_themes_eval
from evaluation.themes import Labelled, Predicted, format_themes_eval, score, within


def test_count_tolerance_is_two_or_a_quarter() -> None:
    assert within(0, 2) and not within(0, 3)
    assert within(8, 10) and not within(8, 11)  # max(2, 2.0)
    assert within(20, 25) and not within(20, 26)  # max(2, 5.0)


def _label(n: int, course: str, themes: tuple[str, ...], tones: dict[str, str]) -> Labelled:
    return Labelled(("f.json", "p", n), course, themes, tones, "dev")


def test_score_precision_recall_counts_and_tone() -> None:
    labels = [
        _label(1, "A", ("pace",), {"pace": "negative"}),
        _label(2, "A", ("pace", "exams"), {"pace": "negative", "exams": "positive"}),
        _label(3, "A", ("pace",), {"pace": "negative"}),
        _label(4, "A", (), {}),
        _label(5, "B", ("exams",), {"exams": "negative"}),
    ]
    predicted = {
        labels[0].key: Predicted(("pace",), {"pace": "negative"}),
        labels[1].key: Predicted(("pace",), {"pace": "positive"}),
        labels[2].key: Predicted(("pace",), {"pace": "negative"}),
        labels[3].key: Predicted(("exams",), {"exams": "neutral"}),
        # comment 5 was not stored: left out
    }
    result = score(labels, predicted, set_name="t", split="dev")
    assert result.comments == 4
    pace, exams = result.per_theme["pace"], result.per_theme["exams"]
    assert (pace["precision"], pace["recall"], pace["support"]) == (1.0, 1.0, 3.0)
    assert pace["tone"] == pytest.approx(2 / 3) and pace["toned"] == 3.0
    assert (exams["precision"], exams["recall"]) == (0.0, 0.0)
    assert {(c["course"], c["theme"]): (c["labelled"], c["stored"]) for c in result.counts} == {
        ("A", "pace"): (3, 3),
        ("A", "exams"): (1, 1),
    }
    assert result.counts_within == 1.0
    # A's pace: stored tones 2 negative, 1 positive (negative, at 2/3 >= 0.6); labelled negative.
    assert result.group_tone == (1, 1)
    assert 0.0 < result.micro_f1 < 1.0


def test_independent_themes_eval_runs(tmp_path: Path) -> None:
    """Structure only (fake embedder): DEV, TEST and all, every theme, counts for each course."""
    settings = Settings(_env_file=None, state_dir=tmp_path, embedding_backend="fake")  # type: ignore[call-arg]
    results = run_themes_eval(settings, sets=("independent",))
    assert [(r.set, r.split) for r in results] == [
        ("independent", "dev"),
        ("independent", "test"),
        ("independent", "all"),
    ]
    assert [r.comments for r in results] == [186, 200, 386]
    whole = results[-1]
    assert len({c["course"] for c in whole.counts}) == 10
    assert sum(v["support"] for v in whole.per_theme.values()) == 342  # labelled (comment, theme)
    text = format_themes_eval(results)
    assert "independent TEST" in text and "counts within tolerance" in text
