"""How a report is drawn, apart from what it says: the rendering axes real TRACE PDFs vary on.

A `RenderStyle` is drawn from a seed; the ground truth never depends on it. Each field is one
axis the parser must not depend on (../shared/trace-format.md, "Rendering varies"):

- fonts: Helvetica, Times (PDF core fonts) or embedded TrueType DejaVu Sans/Serif and Liberation
  Sans/Serif, found with `fc-match` (core fonts stand in where fontconfig finds none);
- page: Letter or A4, margins 36-72 pt, body size 7-9.5 pt;
- title: a size and a box width that make long `Title (Term)` lines wrap onto two lines;
- tables: value-column widths from 24 pt (header cells wrap, mid-word too; `100%` may wrap) to
  60 pt, the question column taking the rest; cell text left, centred or right; top, middle or
  bottom; ruling as a full grid, row rules, a frame or none; shaded header or not; the header
  row repeated after a page break or not;
- Blue: one table per section or one per question; a question's distribution lines inside its
  cell or below its row, outside the grid;
- comments: CollegeNET numbers on their own line or inline, text hanging or flush with the
  numbers; Blue bullets `•`, `-` or `◦`;
- running headers and footers in several wordings and places, and the page's text drawn in
  stream order or shuffled (reading order must come from positions).
"""

from __future__ import annotations

import functools
import random
import subprocess
from dataclasses import dataclass
from typing import Literal

from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

HAlign = Literal["left", "center", "right"]
VAlign = Literal["top", "middle", "bottom"]
Rules = Literal["grid", "rows", "frame", "none"]

CORE_FAMILIES: dict[str, tuple[str, str, str]] = {
    "Helvetica": ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique"),
    "Times": ("Times-Roman", "Times-Bold", "Times-Italic"),
}
TRUETYPE_FAMILIES = ("DejaVu Sans", "DejaVu Serif", "Liberation Sans", "Liberation Serif")
RUNNING_HEADERS = ("report", "code-term", "title-term", "none")
FOOTERS = ("page-of", "slash", "page", "dashes", "university")


@dataclass(frozen=True)
class Fonts:
    """The regular, bold and italic face names registered with reportlab."""

    family: str
    regular: str
    bold: str
    italic: str
    truetype: bool

    def has_glyph(self, char: str) -> bool:
        """Whether the regular face can draw `char` (core fonts: WinAnsi only)."""
        if not self.truetype:
            try:
                char.encode("cp1252")
            except UnicodeEncodeError:
                return False
            return True
        face = pdfmetrics.getFont(self.regular).face
        return ord(char) in face.charToGlyph


@functools.cache
def _font_file(family: str, weight: str) -> str | None:
    """The TrueType file fontconfig picks for `family` in `weight`, if it really is that family."""
    pattern = f"{family}:style={weight}"
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{family}|%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names, _, path = out.partition("|")
    if family not in names.split(",") or not path.lower().endswith(".ttf"):
        return None
    return path


@functools.cache
def load_fonts(family: str) -> Fonts:
    """Register a family once per process; core families need no registration."""
    if family in CORE_FAMILIES:
        return Fonts(family, *CORE_FAMILIES[family], truetype=False)
    files = [_font_file(family, w) for w in ("Regular", "Bold", "Italic")]
    if files[0] is None:
        return load_fonts("Helvetica")  # fontconfig has no such family here
    names = []
    for weight, path in zip(("", "-Bold", "-Italic"), files, strict=True):
        name = family.replace(" ", "") + weight
        pdfmetrics.registerFont(TTFont(name, path or files[0]))
        names.append(name)
    regular, bold, italic = names
    return Fonts(family, regular, bold, italic, truetype=True)


def available_families() -> tuple[str, ...]:
    """Every family this machine can draw: the core ones and the TrueType ones fontconfig has."""
    found = [f for f in TRUETYPE_FAMILIES if _font_file(f, "Regular")]
    return (*CORE_FAMILIES, *found)


@dataclass(frozen=True)
class RenderStyle:
    """One drawing of a report; see the module docstring for what each axis stands for."""

    family: str
    page: tuple[float, float]
    margin: float
    size: float
    title_size: float
    title_width: float
    """The share of the text width the title box may take."""
    value_width: float
    header_align: HAlign
    header_valign: VAlign
    cell_align: HAlign
    cell_valign: VAlign
    rules: Rules
    shaded_header: bool
    repeat_header: bool
    table_per_question: bool
    distribution_inside: bool
    number_own_line: float
    """The chance that a CollegeNET comment number stands on its own line."""
    flush_comments: bool
    bullet: str
    running_header: str
    footer: str
    footer_align: HAlign
    shuffle: bool

    @property
    def fonts(self) -> Fonts:
        return load_fonts(self.family)

    @property
    def leading(self) -> float:
        """Distance between baselines of body text."""
        return round(self.size * 1.22, 2)


CLASSIC = RenderStyle(
    family="Helvetica",
    page=letter,
    margin=54.0,
    size=8.0,
    title_size=14.0,
    title_width=1.0,
    value_width=34.0,
    header_align="center",
    header_valign="top",
    cell_align="center",
    cell_valign="top",
    rules="grid",
    shaded_header=True,
    repeat_header=True,
    table_per_question=False,
    distribution_inside=True,
    number_own_line=0.4,
    flush_comments=False,
    bullet="•",
    running_header="report",
    footer="page-of",
    footer_align="right",
    shuffle=False,
)
"""The drawing the corpus generator used before styles varied."""


def draw_style(seed: int) -> RenderStyle:
    """A style drawn from the seed: every axis independently, a fifth of reports classic."""
    rng = random.Random(f"style|{seed}")
    if rng.random() < 0.2:
        return CLASSIC
    family = rng.choice(available_families())
    bullets = [b for b in ("•", "-", "◦") if b == "-" or load_fonts(family).has_glyph(b)]
    return RenderStyle(
        family=family,
        page=rng.choice((letter, A4)),
        margin=float(rng.choice((36, 45, 54, 63, 72))),
        size=rng.choice((7.0, 7.5, 8.0, 8.5, 9.0, 9.5)),
        title_size=rng.choice((11.0, 12.0, 14.0, 16.0)),
        title_width=rng.choice((0.45, 0.6, 0.8, 1.0)),
        value_width=float(rng.choice((24, 26, 30, 34, 40, 48, 60))),
        header_align=rng.choice(("left", "center", "right")),
        header_valign=rng.choice(("top", "middle", "bottom")),
        cell_align=rng.choice(("left", "center", "right")),
        cell_valign=rng.choice(("top", "middle", "bottom")),
        rules=rng.choice(("grid", "rows", "frame", "none")),
        shaded_header=rng.random() < 0.5,
        repeat_header=rng.random() < 0.5,
        table_per_question=rng.random() < 0.4,
        distribution_inside=rng.random() < 0.5,
        number_own_line=rng.choice((0.0, 0.4, 1.0)),
        flush_comments=rng.random() < 0.4,
        bullet=rng.choice(bullets),
        running_header=rng.choice(RUNNING_HEADERS),
        footer=rng.choice(FOOTERS),
        footer_align=rng.choice(("left", "center", "right")),
        shuffle=rng.random() < 0.3,
    )


def style_axes(style: RenderStyle) -> dict[str, str]:
    """The style as labels, for per-axis breakdowns of a golden run."""
    return {
        "font": style.family,
        "page": "A4" if style.page == A4 else "Letter",
        "value_width": "narrow" if style.value_width <= 30 else "wide",
        "cell_valign": style.cell_valign,
        "rules": style.rules,
        "repeat_header": str(style.repeat_header),
        "blue_tables": "per-question" if style.table_per_question else "per-section",
        "distribution": "inside" if style.distribution_inside else "below",
        "comments": "flush" if style.flush_comments else "hanging",
        "bullet": style.bullet,
        "running": f"{style.running_header}/{style.footer}",
        "order": "shuffled" if style.shuffle else "stream",
    }
