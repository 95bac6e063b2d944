"""How one report is drawn: every rendering choice the format page allows, drawn from the seed.

Fonts come from the PDF core set (Helvetica, Times, Courier; text encoded as WinAnsi) or from
TrueType files found with `fc-match` (embedded as subsets). The content generator is told which
characters the chosen font can draw, so the truth never holds text the PDF could not show.
"""

from __future__ import annotations

import functools
import random
import shutil
import subprocess
from dataclasses import asdict, dataclass, field, replace
from typing import Any

CORE_FONTS = ("Helvetica", "Times", "Courier")
TTF_CANDIDATES = (
    "DejaVu Sans",
    "DejaVu Serif",
    "DejaVu Sans Condensed",
    "Liberation Sans",
    "Liberation Serif",
    "Liberation Sans Narrow",
)
PAGES = {"Letter": (215.9, 279.4), "A4": (210.0, 297.0), "Letter-landscape": (279.4, 215.9)}
BORDERS = ("ALL", "NONE", "HORIZONTAL_LINES", "MINIMAL", "SINGLE_TOP_LINE", "NO_HORIZONTAL_LINES")

CN_HEADERS = (
    "Student TRACE report: {code}-{sec} {title} ({term})",
    "{code}-{sec} {title} ({term})",
    "TRACE Report | {subject} {number} {sec} | {term}",
    "{title} - {term} - {instructors}",
    "Northeastern University Student TRACE Evaluation: {code}-{sec}",
)
BLUE_HEADERS = (
    "Student TRACE report for {code}-{sec} {title}",
    "{code}-{sec} {title} | {term}",
    "Explorance Blue · Student TRACE report · {term}",
    "Course evaluation results: {code}-{sec} ({term})",
)
FOOTERS = (
    "Page {p} of {nb}",
    "{p} / {nb}",
    "Page {p}",
    "- {p} -",
    "Northeastern University | TRACE | Page {p} of {nb}",
    "Generated {date} · {p}",
)


@functools.lru_cache(maxsize=1)
def ttf_fonts() -> dict[str, tuple[str, str]]:
    """TrueType families present on this machine: name -> (regular file, bold file)."""
    if shutil.which("fc-match") is None:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for name in TTF_CANDIDATES:
        files = []
        for pattern in (f"{name}:style=Regular", f"{name}:weight=bold"):
            out = subprocess.run(
                ["fc-match", "-f", "%{family}|%{file}", pattern],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            families, _, path = out.partition("|")
            files.append(path if name in families.split(",") and path.endswith(".ttf") else "")
        if files[0]:
            found[name] = (files[0], files[1] or files[0])
    return found


@functools.lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


def can_draw_with(font: str) -> Any:
    """A predicate telling whether `font` has a glyph for every character of a text."""
    if font in CORE_FONTS:

        def core(text: str) -> bool:
            try:
                text.encode("cp1252")
            except UnicodeEncodeError:
                return False
            return True

        return core
    cmap = _cmap(ttf_fonts()[font][0])
    return lambda text: all(ord(c) in cmap for c in text if c not in "\n")


@dataclass
class Style:
    """The drawing choices for one report; `axes()` are the ones the scorer breaks down by."""

    font: str
    page: str
    margins: tuple[float, float, float, float]  # left, top, right, bottom (mm)
    body_pt: float
    table_pt: float
    title_pt: float
    title_box: float  # share of the text width the title may use before wrapping
    header_block: str  # "joined": "Key: value"; "columns": keys then values, two passes
    heading: str  # "plain" line or "banner" (filled box)
    borders: str
    head_align: str
    num_align: str
    text_align: str
    v_align: str
    q_share: float
    col_jitter: list[float]
    padding: float
    head_fill: bool
    head_bold: bool
    repeat_headings: bool
    squeeze_numbers: bool
    comment_number: str  # collegenet: own_line | inline | hanging; blue: inline | hanging
    draw_order: str  # natural | numbers_first | reversed (comment pages' content stream)
    comment_gap: bool
    comments_new_page: bool
    running_header: int
    running_align: str
    footer: int
    footer_align: str
    footer_first_page: bool
    furniture_late: bool
    blue_tables: str  # section | question
    blue_dist: str  # in_cell | below
    dist_line: str  # string | tabbed
    freq_style: str  # htable | vtable | lines
    date: str
    plain: bool = False  # the control group: the plainest drawing the format page describes
    seen: dict[str, Any] = field(default_factory=dict)  # facts known after drawing

    def axes(self, layout: str) -> dict[str, str]:
        """Categorical style facts of a report of `layout`, for the per-axis breakdown."""
        raw = asdict(self)
        keep = [
            "font",
            "page",
            "header_block",
            "heading",
            "borders",
            "head_align",
            "num_align",
            "v_align",
            "repeat_headings",
            "squeeze_numbers",
            "comment_number",
            "draw_order",
            "comments_new_page",
            "running_header",
            "footer",
            "footer_first_page",
            "furniture_late",
            "plain",
        ]
        keep += ["blue_tables", "blue_dist", "dist_line"] if layout == "blue" else ["freq_style"]
        out = {k: str(raw[k]) for k in keep}
        if layout == "blue" and self.blue_dist == "in_cell":
            out["dist_line"] = "n/a"  # lines inside a cell are always one string
        out["font_kind"] = "core" if self.font in CORE_FONTS else "ttf"
        out["margins"] = "narrow" if min(self.margins) < 15 else "wide"
        out.update({k: str(v) for k, v in self.seen.items()})
        return out


def draw_style(rng: random.Random, layout: str) -> Style:
    """Every drawing choice for one report of `layout`, from the report's own generator."""
    fonts = list(CORE_FONTS) + sorted(ttf_fonts())
    left = rng.uniform(8, 28)
    return Style(
        font=rng.choice(fonts),
        page=rng.choices(list(PAGES), weights=(45, 40, 15))[0],
        margins=(
            left,
            rng.uniform(16, 30),
            left if rng.random() < 0.6 else rng.uniform(8, 28),
            rng.uniform(14, 26),
        ),
        body_pt=rng.choice((8, 9, 9.5, 10, 11)),
        table_pt=rng.choice((7, 7.5, 8, 9, 10)),
        title_pt=rng.choice((11, 13, 14, 16, 18, 20)),
        title_box=rng.choice((1.0, 1.0, 0.75, 0.5)),
        header_block=rng.choice(("joined", "columns")),
        heading=rng.choice(("plain", "banner")),
        borders=rng.choice(BORDERS),
        head_align=rng.choice("LCR"),
        num_align=rng.choice("LCR"),
        text_align=rng.choice(("L", "L", "L", "C")),
        v_align=rng.choice("TMB"),
        q_share=rng.uniform(0.26, 0.55),
        col_jitter=[rng.uniform(0.8, 1.25) for _ in range(8)],
        padding=rng.choice((0.5, 1.0, 1.5, 2.0)),
        head_fill=rng.random() < 0.4,
        head_bold=rng.random() < 0.7,
        repeat_headings=rng.random() < 0.5,
        squeeze_numbers=rng.random() < 0.08,
        comment_number=(
            rng.choice(("own_line", "inline", "hanging"))
            if layout == "collegenet"
            else rng.choice(("inline", "hanging"))
        ),
        draw_order=rng.choices(("natural", "numbers_first", "reversed"), weights=(50, 25, 25))[0],
        comment_gap=rng.random() < 0.5,
        comments_new_page=rng.random() < 0.7,
        running_header=rng.randrange(len(CN_HEADERS if layout == "collegenet" else BLUE_HEADERS)),
        running_align=rng.choice("LCR"),
        footer=rng.randrange(len(FOOTERS)),
        footer_align=rng.choice("LCR"),
        footer_first_page=rng.random() < 0.5,
        furniture_late=rng.random() < 0.3,
        blue_tables=rng.choice(("section", "question")),
        blue_dist=rng.choice(("in_cell", "below")),
        dist_line=rng.choice(("string", "tabbed")),
        freq_style=rng.choice(("htable", "vtable", "lines")),
        date=f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    )


def plain_style(style: Style) -> Style:
    """The same report drawn the plainest way: one core font, ruled tables, nothing reordered.

    A control group for the breakdown: it tells whether a failure needs any variation at all.
    """
    return replace(
        style,
        font="Helvetica",
        page="Letter",
        margins=(20.0, 22.0, 20.0, 20.0),
        body_pt=9,
        table_pt=7,
        title_pt=13,
        title_box=1.0,
        header_block="joined",
        heading="plain",
        borders="ALL",
        head_align="C",
        num_align="R",
        text_align="L",
        v_align="T",
        q_share=0.25,
        col_jitter=[1.0] * 8,
        padding=0.5,
        head_fill=False,
        head_bold=True,
        repeat_headings=True,
        squeeze_numbers=False,
        comment_number="inline",
        draw_order="natural",
        comment_gap=False,
        comments_new_page=True,
        running_header=0,
        running_align="L",
        footer=0,
        footer_align="C",
        footer_first_page=False,
        furniture_late=False,
        blue_tables="section",
        blue_dist="below",
        dist_line="string",
        freq_style="lines",
        plain=True,
    )
