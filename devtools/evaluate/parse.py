"""`tracelens eval parse`: exactness of the parser on a fresh generated corpus, styles drawn at
random per report, with field accuracy, failures by reason, silent losses and a breakdown by
style axis.

Field accuracy flattens each report's JSON to its leaf values (list items by position) and
counts the leaves equal on both sides over the leaves on either side; a failed parse scores 0.
A silent loss is a report parsed without error but with fewer questions, comments or frequency
blocks than it holds: the one outcome the parser must never produce.
"""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ParseError
from core.report import ParsedReport
from devtools.corpus.html_style import draw_html_style, html_style_axes
from devtools.corpus.style import draw_style, style_axes
from devtools.corpus.writer import write_corpus
from ingestion.parse import parse_path


def leaves(value: Any, path: str = "") -> dict[str, Any]:
    """{path: scalar} of a JSON value; empty containers are leaves of their own."""
    if isinstance(value, dict) and value:
        return {
            k: v for key, item in value.items() for k, v in leaves(item, f"{path}.{key}").items()
        }
    if isinstance(value, list) and value:
        return {
            k: v for i, item in enumerate(value) for k, v in leaves(item, f"{path}[{i}]").items()
        }
    return {path: value}


@dataclass
class ParseEval:
    reports: int = 0
    exact: int = 0
    fields_right: int = 0
    fields_total: int = 0
    silent_losses: list[str] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    by_axis: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, truth: ParsedReport, parsed: ParsedReport | None, axes: dict[str, str]) -> None:
        self.reports += 1
        want = leaves(truth.model_dump(mode="json", exclude={"warnings"}))
        got = leaves(parsed.model_dump(mode="json", exclude={"warnings"})) if parsed else {}
        keys = set(want) | set(got)
        right = sum(1 for k in keys if k in want and k in got and want[k] == got[k])
        self.fields_right += right
        self.fields_total += len(keys)
        exact = parsed is not None and right == len(keys)
        self.exact += exact
        if parsed is not None and any(
            len(getattr(parsed, name)) < len(getattr(truth, name))
            for name in ("questions", "comments", "frequencies")
        ):
            self.silent_losses.append(truth.file)
        for axis, value in axes.items():
            tally = self.by_axis[f"{axis}={value}"]
            tally[0] += exact
            tally[1] += 1

    def lines(self) -> list[str]:
        out = [
            f"reports: {self.reports}",
            f"exact (every field but warnings): {self.exact}/{self.reports} "
            f"({self.exact / max(self.reports, 1):.1%})",
            f"field accuracy: {self.fields_right}/{self.fields_total} "
            f"({self.fields_right / max(self.fields_total, 1):.2%})",
            f"failed with a reason: {sum(self.failures.values())}"
            + "".join(f"\n  {reason}: {n}" for reason, n in self.failures.most_common()),
            f"silent losses (parsed, but less data than the report holds): "
            f"{len(self.silent_losses)}",
        ]
        layouts = sorted(k for k in self.by_axis if k.startswith("layout="))
        out.append(
            "exact by layout: "
            + ", ".join(f"{k[7:]} {self.by_axis[k][0]}/{self.by_axis[k][1]}" for k in layouts)
        )
        worst = sorted(self.by_axis.items(), key=lambda kv: kv[1][0] / kv[1][1])[:8]
        out.append(
            "least exact style values: " + ", ".join(f"{name} {ok}/{n}" for name, (ok, n) in worst)
        )
        return out


def _axes(truth: ParsedReport, render_seed: int) -> dict[str, str]:
    """The layout, and the style it was drawn in where styles vary (PDFs, saved pages)."""
    if truth.layout == "blue-html":
        return {"layout": truth.layout, **html_style_axes(draw_html_style(render_seed))}
    if truth.layout in ("collegenet", "blue"):
        return {"layout": truth.layout, **style_axes(draw_style(render_seed))}
    return {"layout": truth.layout}


def evaluate_parse(
    *,
    reports: int,
    seed: int,
    folder: Path | None = None,
    html_share: float = 0.0,
    survey_exports: int = 0,
) -> ParseEval:
    """Generate `reports` reports (styles drawn per report; `html_share` of the Blue ones as
    saved pages) and `survey_exports` survey exports, and score the parser on each."""
    result = ParseEval()
    with tempfile.TemporaryDirectory(prefix="tl-eval-parse-") as tmp:
        out = folder or Path(tmp)
        paths = write_corpus(
            out,
            reports=reports,
            seed=seed,
            html_share=html_share,
            survey_exports=survey_exports,
        )
        for index, path in enumerate(paths):
            truth = ParsedReport.model_validate_json(path.with_suffix(".json").read_text("utf-8"))
            axes = _axes(truth, seed * 100_003 + index)
            try:
                parsed: ParsedReport | None = parse_path(path)
            except ParseError as exc:
                result.failures[exc.reason] += 1
                parsed = None
            result.add(truth, parsed, axes)
    return result
