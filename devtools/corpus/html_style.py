"""How a saved Blue HTML report is marked up, apart from what it says: the axes real saved pages
vary on, as style.py does for the PDFs.

An `HtmlStyle` is drawn from a seed; the ground truth never depends on it. Each field is one axis
the HTML parser (ingestion.parsers.blue_html) must not depend on:

- page chrome: a `<head>` with styles and scripts (one of them quoting report text), a site
  banner in `<header>`, a `<nav>` menu, a breadcrumb trail and a cookie notice before the report,
  "Back to top" links between sections, inline `<script>`s in the body, a `<footer>`;
- nesting: the report wrapped in 0-8 `div`s, with inline styles and classes;
- title: `h1`, `h2`, or a `div`/`p` with `strong`; header items as `Key: value` paragraphs,
  `span` pairs, a definition list (`dt`/`dd`) or a two-column table;
- rating tables: with `thead` and `th`, or header cells as plain `td` in the first row; header
  cells broken with `<br>`; cells' numbers wrapped in `span`/`div` with inline alignment; one
  table per section or one per question; the section heading as `h2`/`h3`/`div` or the table's
  `caption`;
- distributions: a list or a nested table inside the question's cell, a row of its own under
  the question's row (`colspan`), or a small table of their own after the question's table;
- the hours-per-week block as a vertical (`Response | Count`) or a horizontal table;
- comments: prompts as `h3`/`h4`/`p > strong`; answers as `ul`/`ol` items, bulleted paragraphs
  (`•`, `◦`, `-`) or the rows of a one-column table headed by the prompt; `[No Response]` blanks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

TitleTag = Literal["h1", "h2", "div-strong", "p-strong"]
Items = Literal["paragraphs", "spans", "dl", "table"]
Heading = Literal["h2", "h3", "div", "caption"]
Distribution = Literal["cell-list", "cell-table", "row", "table-after"]
Frequency = Literal["vertical", "horizontal"]
PromptTag = Literal["h3", "h4", "p-strong"]
Answers = Literal["ul", "ol", "bullets", "table"]


@dataclass(frozen=True)
class HtmlStyle:
    """One markup of a report; see the module docstring for what each axis stands for."""

    chrome: bool
    """Banner, navigation, breadcrumb, cookie notice, scripts and footer around the report."""
    back_links: bool
    body_scripts: bool
    wrappers: int
    inline_styles: bool
    title: TitleTag
    items: Items
    thead: bool
    header_breaks: bool
    wrapped_numbers: bool
    table_per_question: bool
    heading: Heading
    distribution: Distribution
    frequency: Frequency
    prompt: PromptTag
    answers: Answers
    bullet: str


def draw_html_style(seed: int) -> HtmlStyle:
    """A markup drawn from the seed, every axis independently."""
    rng = random.Random(f"html-style|{seed}")
    per_question = rng.random() < 0.4
    placements: tuple[Distribution, ...] = ("cell-list", "cell-table", "row")
    if per_question:
        placements += ("table-after",)
    return HtmlStyle(
        chrome=rng.random() < 0.8,
        back_links=rng.random() < 0.4,
        body_scripts=rng.random() < 0.5,
        wrappers=rng.randint(0, 8),
        inline_styles=rng.random() < 0.5,
        title=rng.choice(("h1", "h2", "div-strong", "p-strong")),
        items=rng.choice(("paragraphs", "spans", "dl", "table")),
        thead=rng.random() < 0.5,
        header_breaks=rng.random() < 0.5,
        wrapped_numbers=rng.random() < 0.5,
        table_per_question=per_question,
        heading=rng.choice(("h2", "h3", "div", "caption")),
        distribution=rng.choice(placements),
        frequency=rng.choice(("vertical", "horizontal")),
        prompt=rng.choice(("h3", "h4", "p-strong")),
        answers=rng.choice(("ul", "ol", "bullets", "table")),
        bullet=rng.choice(("•", "◦", "-")),
    )


def html_style_axes(style: HtmlStyle) -> dict[str, str]:
    """The markup as labels, for per-axis breakdowns of a golden run."""
    return {
        "chrome": str(style.chrome),
        "wrappers": "deep" if style.wrappers >= 4 else "shallow",
        "title": style.title,
        "items": style.items,
        "thead": str(style.thead),
        "tables": "per-question" if style.table_per_question else "per-section",
        "heading": style.heading,
        "distribution": style.distribution,
        "frequency": style.frequency,
        "answers": style.answers,
    }
