"""Write N rendered reports with their truth files and a manifest of how each was drawn."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

from tests.independent import render_blue, render_collegenet
from tests.independent.content import Report, generate
from tests.independent.style import Style, can_draw_with, draw_style, plain_style
from tests.independent.truth import truth

PLAIN_SHARE = 0.15  # reports drawn the plainest way, as a control group

SEASON_TAGS = {
    "Fall": "fa",
    "Spring": "sp",
    "Summer 1": "s1",
    "Summer 2": "s2",
    "Full Summer": "su",
    "Winter": "wi",
}


def make(seed: int, index: int) -> tuple[Report, Style, bytes]:
    """The content, style and PDF bytes of report `index` of the corpus drawn from `seed`."""
    rng = random.Random(seed * 1_000_003 + index)
    layout = "collegenet" if rng.random() < 0.5 else "blue"
    style = draw_style(rng, layout)
    if rng.random() < PLAIN_SHARE:
        style = plain_style(style)
    report = generate(rng, layout, can_draw_with(style.font))
    renderer = render_collegenet if layout == "collegenet" else render_blue
    return report, style, renderer.render(report, style)


def file_name(report: Report, index: int) -> str:
    term = f"{SEASON_TAGS[report.season]}{report.year % 100:02d}"
    return f"{report.code.lower()}-{term}-{report.section}-{index:03d}.pdf"


def write_corpus(out: Path, reports: int, seed: int) -> dict[str, dict[str, Any]]:
    """Write `reports` PDFs, `<name>.truth.json` beside each, and `manifest.json`."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict[str, Any]] = {}
    for index in range(reports):
        report, style, pdf = make(seed, index)
        name = file_name(report, index)
        (out / name).write_bytes(pdf)
        expected = truth(report, file=name, sha256=hashlib.sha256(pdf).hexdigest())
        (out / f"{name}.truth.json").write_text(
            json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        manifest[name] = {"layout": report.layout, **style.axes(report.layout)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
