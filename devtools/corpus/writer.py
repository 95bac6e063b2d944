"""Write a test corpus: rendered reports beside their ground-truth JSON and comment labels."""

from __future__ import annotations

import hashlib
import importlib
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path

from core.report import Layout, ParsedReport
from devtools.corpus.content import Survey, comment_labels, generate_surveys, project
from devtools.corpus.surveys import KINDS, make_export
from devtools.corpus.xlsx_render import render_xlsx

Renderer = Callable[..., bytes]

_RENDERERS: dict[Layout, tuple[str, str]] = {
    "collegenet": ("devtools.corpus.pdf_collegenet", "render_collegenet"),
    "blue": ("devtools.corpus.pdf_blue", "render_blue"),
    "blue-html": ("devtools.corpus.html_blue", "render_blue_html"),
}
SUFFIXES: dict[Layout, str] = {"xlsx": "xlsx", "blue-html": "html"}
XLSX_SHARE = 0.2


def renderer(layout: Layout) -> Renderer:
    """The render function for a layout, imported by name (the PDF ones live elsewhere)."""
    if layout == "xlsx":
        return render_xlsx
    module, name = _RENDERERS[layout]
    fn: Renderer = getattr(importlib.import_module(module), name)
    return fn


def with_html(layouts: list[Layout], seed: int, share: float) -> list[Layout]:
    """`share` of the Blue PDFs saved as Blue web pages instead (drawn apart from the layouts,
    so a corpus without pages is the same corpus as before)."""
    rng = random.Random(f"html|{seed}")
    return ["blue-html" if kind == "blue" and rng.random() < share else kind for kind in layouts]


def assign_layouts(surveys: Sequence[Survey], seed: int) -> list[Layout]:
    """About 20% xlsx, the rest the term's PDF layout; every layout present when possible."""
    rng = random.Random(f"layouts|{seed}")
    layouts: list[Layout] = ["xlsx" if rng.random() < XLSX_SHARE else s.pdf_layout for s in surveys]
    pdf = [s.pdf_layout for s in surveys]
    for kind in ("collegenet", "blue"):
        if kind not in layouts and kind in pdf:
            layouts[pdf.index(kind)] = kind
    if "xlsx" not in layouts and len(surveys) >= 3:
        spare = [i for i, kind in enumerate(layouts) if layouts.count(kind) >= 2]
        layouts[spare[-1]] = "xlsx"
    return layouts


def base_name(survey: Survey) -> str:
    """A readable, unique file stem such as `cs5800-fall2023-01-41457`."""
    c, t = survey.course, survey.term
    season = t.season.lower().replace(" ", "")
    return f"{c.code.lower()}-{season}{t.year}-{c.section.lower()}-{c.crn}"


def write_corpus(
    out_dir: Path,
    *,
    reports: int,
    seed: int,
    html_share: float = 0.0,
    survey_exports: int = 0,
) -> list[Path]:
    """Generate, render and write `reports` reports with truth JSON; returns the report paths.

    `html_share` of the Blue reports are written as saved web pages instead of PDFs, and
    `survey_exports` instructors' survey exports (Google Forms CSV first, then the other
    formats in turn) follow, each naming its course and term in the file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    surveys = generate_surveys(reports, seed)
    layouts = with_html(assign_layouts(surveys, seed), seed, html_share)
    written: list[Path] = []
    for index, (survey, layout) in enumerate(zip(surveys, layouts, strict=True)):
        truth = project(survey, layout)
        data = renderer(layout)(truth, seed=seed * 100_003 + index)
        ext = SUFFIXES.get(layout, "pdf")
        path = out_dir / f"{base_name(survey)}.{ext}"
        path.write_bytes(data)
        truth = _with_file(truth, path.name, data)
        stem = out_dir / base_name(survey)
        Path(f"{stem}.json").write_text(truth.model_dump_json(indent=2) + "\n", encoding="utf-8")
        labels = {
            "file": path.name,
            "instructor_quality": survey.instructor_quality,
            "comments": comment_labels(survey),
        }
        Path(f"{stem}.labels.json").write_text(
            json.dumps(labels, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written + _write_exports(out_dir, survey_exports, seed)


def _write_exports(out_dir: Path, count: int, seed: int) -> list[Path]:
    written = []
    for index in range(count):
        export = make_export(KINDS[index % len(KINDS)], seed=seed * 1_000 + index, in_file=True)
        path = out_dir / export.filename
        path.write_bytes(export.data)
        truth = _with_file(export.truth, path.name, export.data)
        path.with_suffix(".json").write_text(
            truth.model_dump_json(indent=2) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


def _with_file(report: ParsedReport, name: str, data: bytes) -> ParsedReport:
    return report.model_copy(update={"file": name, "sha256": hashlib.sha256(data).hexdigest()})
