"""Render a ParsedReport as a saved Explorance Blue web report (`blue-html`), in a markup drawn
per report (devtools.corpus.html_style) inside the page chrome a browser saves with it."""

from __future__ import annotations

import random
from html import escape
from itertools import groupby

from core.report import Comment, ParsedReport, Question
from devtools.corpus.html_style import HtmlStyle, draw_html_style
from devtools.corpus.pdf_blue import HEADERS, NO_RESPONSE, distribution_lines
from devtools.corpus.pdf_collegenet import blocks_with_empty_prompt, instructor_line, score_cells
from devtools.corpus.pdf_common import fmt, typographic

_CSS = "body{font-family:Arial,sans-serif}table{border-collapse:collapse}td,th{padding:2px 6px}"


class _Page:
    """The HTML being written and the choices that stay fixed across one report."""

    def __init__(self, style: HtmlStyle, rng: random.Random):
        self.style = style
        self.rng = rng
        self.parts: list[str] = []

    def add(self, *html: str) -> None:
        self.parts.extend(html)

    def attrs(self, cls: str) -> str:
        """A class, and sometimes an inline style, as real page builders sprinkle them."""
        inline = ""
        if self.style.inline_styles and self.rng.random() < 0.5:
            rule = self.rng.choice(("margin:0 0 4px 0", "color:#222", "padding:2px"))
            inline = f' style="{rule}"'
        return f' class="{cls}"{inline}'

    def num(self, value: str) -> str:
        if not value or not self.style.wrapped_numbers:
            return escape(value)
        align = self.rng.choice(("left", "center", "right"))
        tag = self.rng.choice(("span", "div"))
        return f'<{tag} style="text-align:{align}">{escape(value)}</{tag}>'


def render_blue_html(report: ParsedReport, *, seed: int, style: HtmlStyle | None = None) -> bytes:
    """The report as a saved Blue page: chrome, title, header items, rating tables with their
    distributions, the hours block and the comments."""
    rng = random.Random(seed)
    style = style or draw_html_style(seed)
    page = _Page(style, rng)
    course = report.course
    title = f"Student TRACE report for {course.code}-{course.section} {course.title}"
    page.add(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f"<title>Blue | {escape(course.code)} {escape(report.term.label)}</title>",
        f"<style>{_CSS}</style>",
        f"<script>window.__report = {{title: {title!r}, term: {report.term.label!r}}};</script>",
        "</head><body>",
    )
    if style.chrome:
        _chrome_top(page, f"{course.code}-{course.section}")
    for depth in range(style.wrappers):
        page.add(f"<div{page.attrs(f'wrap-{depth}')}>")
    _title(page, title)
    _items(page, report)
    _ratings(page, report)
    for freq in report.frequencies:
        _frequency(page, typographic(freq.text, rng), freq.bins)
    _comments(page, report.comments)
    page.add("</div>" * style.wrappers)
    if style.chrome:
        page.add(
            "<footer><p>© 2025 Explorance Inc. · <a href='/privacy'>Privacy</a></p></footer>",
            "<script>document.querySelectorAll('a').forEach(a => a.rel = 'noopener');</script>",
        )
    page.add("</body></html>\n")
    return "".join(page.parts).encode("utf-8")


def _chrome_top(page: _Page, label: str) -> None:
    page.add(
        "<header><div class='banner'>Northeastern University · Explorance Blue</div>"
        "<div class='user'>Signed in as <a href='/me'>instructor</a></div></header>",
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/reports'>My Reports</a></li>"
        "<li><a href='/help'>Help</a></li><li><a href='/logout'>Sign out</a></li></ul></nav>",
        f"<div class='breadcrumb'><a href='/'>Home</a> › <a href='/reports'>Reports</a> › "
        f"<a href='#'>{escape(label)}</a></div>",
        "<div class='cookie'>This site uses cookies to keep you signed in.</div>",
    )


def _title(page: _Page, title: str) -> None:
    kind = page.style.title
    if kind in ("h1", "h2"):
        page.add(f"<{kind}{page.attrs('title')}>{escape(title)}</{kind}>")
    else:
        tag = "div" if kind == "div-strong" else "p"
        lead, _, rest = title.partition(" for ")
        page.add(f"<{tag}{page.attrs('title')}><strong>{escape(lead)} for</strong> ")
        page.add(f"{escape(rest)}</{tag}>")


def _items(page: _Page, report: ParsedReport) -> None:
    items = [
        ("Term", report.term.label),
        ("Course ID", report.course.crn or ""),
        ("Instructor", instructor_line(report)),
        ("Invited", fmt(report.enrollment, "int")),
        ("Responded", fmt(report.responses_incl_declines, "int")),
    ]
    kind = page.style.items
    if kind == "paragraphs":
        page.add(*(f"<p>{escape(k)}: {escape(v)}</p>" for k, v in items))
    elif kind == "spans":
        page.add(
            *(
                f"<div{page.attrs('item')}><span class='k'>{escape(k)}:</span> "
                f"<span class='v'>{escape(v)}</span></div>"
                for k, v in items
            )
        )
    elif kind == "dl":
        page.add("<dl>", *(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in items))
        page.add("</dl>")
    else:
        page.add(f"<table{page.attrs('meta')}>")
        page.add(*(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in items))
        page.add("</table>")


def _header_row(page: _Page) -> str:
    cells = []
    for name in HEADERS:
        text = escape(name)
        if page.style.header_breaks and " " in name:
            text = escape(name).replace(" ", "<br>", 1)
        cells.append(f"<th>{text}</th>" if page.style.thead else f"<td>{text}</td>")
    row = "<tr>" + "".join(cells) + "</tr>"
    return f"<thead>{row}</thead><tbody>" if page.style.thead else f"<tbody>{row}"


def _ratings(page: _Page, report: ParsedReport) -> None:
    style, rng = page.style, page.rng
    for section, group in groupby(report.questions, key=lambda q: q.section):
        heading = escape(typographic(section or "", rng))
        caption = f"<caption>{heading}</caption>" if style.heading == "caption" else ""
        if style.heading in ("h2", "h3"):
            page.add(f"<{style.heading}>{heading}</{style.heading}>")
        elif style.heading == "div":
            page.add(f"<div{page.attrs('section')}><b>{heading}</b></div>")
        questions = list(group)
        tables = [[q] for q in questions] if style.table_per_question else [questions]
        for k, batch in enumerate(tables):
            page.add(f"<table{page.attrs('ratings')}>{caption if k == 0 else ''}")
            page.add(_header_row(page))
            for q in batch:
                _question_rows(page, q)
            page.add("</tbody></table>")
            if style.distribution == "table-after":
                _distribution_table(page, batch[0])
            if style.body_scripts and rng.random() < 0.3:
                page.add(f"<script>drawChart({rng.randint(1, 99)});</script>")
        if style.back_links:
            page.add("<p><a href='#top'>Back to top</a></p>")


def _question_rows(page: _Page, q: Question) -> None:
    style = page.style
    lines = distribution_lines(q)
    text = escape(typographic(q.text, page.rng))
    cell = f"<div class='q'>{text}</div>"
    if style.distribution == "cell-list":
        cell += "<ul class='dist'>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"
    elif style.distribution == "cell-table":
        cell += _three_columns(lines, head=False)
    values = [fmt(q.responses, "int"), *(fmt(v, "score") for v in score_cells(q))]
    page.add("<tr><td>" + cell + "</td>")
    page.add(*(f"<td>{page.num(v)}</td>" for v in values), "</tr>")
    if style.distribution == "row":
        inner = "".join(f"<div>{escape(x)}</div>" for x in lines)
        page.add(f"<tr class='dist'><td colspan='{len(HEADERS)}'>{inner}</td></tr>")


def _three_columns(lines: list[str], *, head: bool) -> str:
    rows = []
    for line in lines:
        label, count, pct = line.rsplit(" ", 2)
        rows.append(f"<tr><td>{escape(label)}</td><td>{count}</td><td>{pct}</td></tr>")
    header = "<thead><tr><th>Option</th><th>Count</th><th>Percent</th></tr></thead>" if head else ""
    return f"<table class='dist'>{header}{''.join(rows)}</table>"


def _distribution_table(page: _Page, q: Question) -> None:
    page.add(_three_columns(distribution_lines(q), head=page.rng.random() < 0.5))


def _frequency(page: _Page, text: str, bins: dict[str, int]) -> None:
    style = page.style
    caption = ""
    if style.heading == "caption":
        caption = f"<caption>{escape(text)}</caption>"
    else:
        page.add(f"<h4>{escape(text)}</h4>")
    page.add(f"<table{page.attrs('hours')}>{caption}")
    if style.frequency == "vertical":
        page.add("<tr><th>Response</th><th>Count</th></tr>")
        page.add(*(f"<tr><td>{escape(b)}</td><td>{n}</td></tr>" for b, n in bins.items()))
    else:
        page.add("<tr><th>Response</th>" + "".join(f"<th>{escape(b)}</th>" for b in bins))
        page.add("</tr><tr><td>Count</td>" + "".join(f"<td>{n}</td>" for n in bins.values()))
        page.add("</tr>")
    page.add("</table>")


def _comments(page: _Page, comments: list[Comment]) -> None:
    style, rng = page.style, page.rng
    if not comments:
        return
    for prompt, group in blocks_with_empty_prompt(comments, rng, chance=0.5):
        entries: list[str | None] = [c.text for c in group]
        for _ in range(rng.randrange(3) if entries else 1):
            entries.insert(rng.randrange(len(entries) + 1), None)
        shown = escape(typographic(prompt, rng))
        answers = [escape(e) if e is not None else NO_RESPONSE for e in entries]
        if style.answers == "table":
            head = f"<tr><th>{shown}</th></tr>"
            page.add(f"<table{page.attrs('comments')}>")
            page.add(f"<thead>{head}</thead><tbody>" if style.thead else f"<tbody>{head}")
            page.add(*(f"<tr><td>{a}</td></tr>" for a in answers), "</tbody></table>")
            continue
        if style.prompt == "p-strong":
            page.add(f"<p><strong>{shown}</strong></p>")
        else:
            page.add(f"<{style.prompt}>{shown}</{style.prompt}>")
        if style.answers == "bullets":
            page.add(*(f"<p{page.attrs('c')}>{style.bullet} {a}</p>" for a in answers))
        else:
            tag = style.answers
            page.add(f"<{tag}>", *(f"<li>{a}</li>" for a in answers), f"</{tag}>")
        if style.body_scripts and rng.random() < 0.2:
            page.add("<script>trackView('comments');</script>")
