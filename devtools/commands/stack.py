"""`tracelens demo-corpus` and `tracelens run` (what `make run` starts)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from devtools.commands.requirements import require


def demo_corpus(
    out: Annotated[Path, typer.Option(help="Folder to write reports and ground truth into")],
    reports: Annotated[int, typer.Option(min=1)] = 60,
    seed: Annotated[int, typer.Option()] = 7,
    html_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of Blue reports saved as web pages")
    ] = 0.3,
    survey_exports: Annotated[
        int, typer.Option(min=0, help="Instructors' survey exports written beside the reports")
    ] = 2,
) -> None:
    """Write a realistic generated corpus in every layout (PDF, xlsx, saved Blue pages) and
    survey exports, with ground-truth JSON."""
    require("demo-corpus", "reportlab")
    # optional extra: the generator (reportlab) loads once `require` found it
    from devtools.corpus.writer import write_corpus

    written = write_corpus(
        out, reports=reports, seed=seed, html_share=html_share, survey_exports=survey_exports
    )
    print(f"wrote {len(written)} reports to {out}")


def run(
    sample_reports: Annotated[int, typer.Option(min=0)] = 60,
) -> None:
    """Everything embedded: PostgreSQL, worker, API, UI, MLflow and the sample corpus ingested."""
    require("run", "reportlab")
    # optional extra: the stack (and the generator it runs) loads once `require` found it
    from cli.wiring import load_settings
    from devtools.stack.supervisor import run_all

    sys.exit(run_all(load_settings(), sample_reports=sample_reports))
