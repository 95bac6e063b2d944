"""How much of a file the parser will read before refusing it, each refusal named.

Enforced inside the parse sandbox (ingestion.sandbox), so a hostile file is cut off early and
the report fails with the cap it broke rather than exhausting the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.errors import ParseError
from core.report import ParsedReport

if TYPE_CHECKING:
    from core.settings import Settings


@dataclass(frozen=True)
class ParseLimits:
    max_pages: int = 200
    max_comments: int = 2_000
    max_comment_chars: int = 10_000
    max_sheet_rows: int = 5_000
    max_sheet_columns: int = 64
    max_unzipped_bytes: int = 64 * 1024 * 1024
    max_zip_ratio: int = 200
    """A member this many times larger unpacked than packed (and over 1 MiB) is a zip bomb."""
    max_html_depth: int = 200
    """Nesting deeper than this is refused (libxml2 gives up at 256, and nothing is read)."""
    max_html_elements: int = 200_000


def limits_of(settings: Settings) -> ParseLimits:
    """The caps the settings name (every one a TRACELENS_* variable)."""
    return ParseLimits(
        max_pages=settings.max_pages,
        max_comments=settings.max_comments,
        max_comment_chars=settings.max_comment_chars,
        max_sheet_rows=settings.max_sheet_rows,
        max_sheet_columns=settings.max_sheet_columns,
        max_unzipped_bytes=settings.max_unzipped_bytes,
    )


def check_parsed(report: ParsedReport, limits: ParseLimits) -> None:
    """Caps on what a parse holds: comments per report and comment length."""
    if len(report.comments) > limits.max_comments:
        raise ParseError(
            f"{len(report.comments)} comments, more than the cap of {limits.max_comments}",
            reason="too_large",
        )
    for c in report.comments:
        if len(c.text) > limits.max_comment_chars:
            raise ParseError(
                f"comment {c.number} of {c.prompt[:40]!r} has {len(c.text)} characters, more"
                f" than the cap of {limits.max_comment_chars}",
                reason="too_large",
            )
