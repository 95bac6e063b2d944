"""`tracelens eval …`: quality evaluations of the parser, search, themes and answers, on generated
data and the independent set (devtools.evaluate runs them; evaluation scores them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from devtools.commands.requirements import require

app = typer.Typer(no_args_is_help=True, help="Quality evaluations on generated data.")


WhichSet = Annotated[
    str, typer.Option("--set", help="generated, independent or both (side by side)")
]
Split = Annotated[
    str,
    typer.Option(
        "--split",
        help="The independent set's half: dev (odd ids; tune on this), test (held out) or all",
    ),
]


def _split(split: str) -> str:
    """--split checked: tuning looks at the independent set's DEV half only."""
    if split not in ("dev", "test", "all"):
        raise typer.BadParameter(f"--split {split!r}: dev, test or all")
    return split


@app.command("parse")
def eval_parse(
    reports: Annotated[int, typer.Option(min=1)] = 1000,
    seed: Annotated[int, typer.Option()] = 2026,
    html_share: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of Blue reports as saved pages")
    ] = 0.0,
    survey_exports: Annotated[int, typer.Option(min=0, help="Survey exports to add")] = 0,
) -> None:
    """Exact-report rate and field accuracy of the parser on a fresh corpus, styles at random."""
    require("eval parse", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from devtools.evaluate.parse import evaluate_parse

    result = evaluate_parse(
        reports=reports, seed=seed, html_share=html_share, survey_exports=survey_exports
    )
    print("\n".join(result.lines()))
    raise typer.Exit(0 if result.exact == result.reports else 1)


@app.command("retrieval")
def eval_retrieval(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    k: Annotated[int, typer.Option(min=1)] = 10,
    which: WhichSet = "both",
    split: Split = "all",
    track: Annotated[bool, typer.Option("--track/--no-track", help="Log an MLflow run")] = True,
) -> None:
    """recall@k, MRR and nDCG@10 by mode; P@10, R@10, nDCG@10 by search signals on both sets."""
    require("eval retrieval", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.evaluate.retrieval import run_retrieval_eval
    from evaluation.retrieval import SETS, format_retrieval_eval
    from mlops.evals import log_retrieval_eval

    sets = SETS if which == "both" else tuple(s for s in SETS if s == which)
    if not sets:
        raise typer.BadParameter(f"--set {which!r}: generated, independent or both")
    settings = load_settings()
    run = run_retrieval_eval(
        settings,
        corpus=corpus,
        reports=reports,
        seed=seed,
        k=k,
        sets=sets,
        split=_split(split),
    )
    print(format_retrieval_eval(run, k=k))
    if track:
        run_id = log_retrieval_eval(
            settings, run, k=k, reports=reports, seed=seed, corpus=str(corpus) if corpus else None
        )
        print(f"  MLflow run {run_id} in {settings.mlflow_uri}")


@app.command("themes")
def eval_themes(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 60,
    seed: Annotated[int, typer.Option()] = 23,
    which: WhichSet = "both",
    split: Split = "all",
) -> None:
    """Stored theme tags and tone against labels: precision/recall per theme, counts, tone."""
    require("eval themes", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.evaluate.themes import run_themes_eval
    from evaluation.retrieval import SETS
    from evaluation.themes import format_themes_eval

    sets = SETS if which == "both" else tuple(s for s in SETS if s == which)
    if not sets:
        raise typer.BadParameter(f"--set {which!r}: generated, independent or both")
    results = run_themes_eval(
        load_settings(), sets=sets, corpus=corpus, reports=reports, seed=seed, split=_split(split)
    )
    print(format_themes_eval(results))


@app.command("ask")
def eval_ask(
    corpus: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    reports: Annotated[int, typer.Option(min=3)] = 120,
    seed: Annotated[int, typer.Option()] = 7,
    which: Annotated[
        str,
        typer.Option(
            "--set",
            help="generated (the gold set built from a generated corpus), independent"
            " (tests/data/independent, written by another hand) or both",
        ),
    ] = "both",
    independent_dir: Annotated[
        Path | None, typer.Option(exists=True, file_okay=False, help="The independent set")
    ] = None,
    split: Split = "all",
    track: Annotated[bool, typer.Option("--track/--no-track", help="Log an MLflow run")] = True,
) -> None:
    """Numeric exactness, citation precision/recall, theme counts and refusals on the gold sets."""
    require("eval ask", "reportlab")
    # optional extra, and start-up speed: tooling loads once `require` found the dev extra
    from cli.wiring import load_settings
    from devtools.evaluate.ask import format_side_by_side, independent_as_result, run_ask_eval
    from devtools.evaluate.independent import DEFAULT_DIR, format_independent, run_independent_eval
    from evaluation.ask import format_ask_eval
    from mlops.evals import log_ask_eval

    if which not in ("generated", "independent", "both"):
        raise typer.BadParameter("--set is generated, independent or both")
    settings = load_settings()
    generated = independent = None
    if which in ("generated", "both"):
        generated = run_ask_eval(settings, corpus=corpus, reports=reports, seed=seed)
    if which in ("independent", "both"):
        independent = run_independent_eval(
            settings, directory=independent_dir or DEFAULT_DIR, split=_split(split)
        )
    if generated and independent:
        print(format_side_by_side(generated, independent, split=split), end="\n\n")
    if generated:
        print(format_ask_eval(generated))
    if independent:
        print(("\n" if generated else "") + format_independent(independent, split=split))
    if track:
        if generated:
            run_id = log_ask_eval(
                settings,
                generated,
                reports=reports,
                seed=seed,
                corpus=str(corpus) if corpus else None,
            )
            print(f"  MLflow run {run_id} in {settings.mlflow_uri}")
        if independent:
            run_id = log_ask_eval(
                settings,
                independent_as_result(independent),
                reports=independent.reports,
                seed=0,
                corpus=f"independent:{independent_dir or DEFAULT_DIR}",
            )
            print(f"  MLflow run {run_id} (independent set) in {settings.mlflow_uri}")
