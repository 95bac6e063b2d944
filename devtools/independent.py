"""The independent evaluation set (tests/data/independent): its queries, labels and DEV/TEST split.

The set was written by someone who never read the code; it decides whether search and themes
are good, so tuning may look only at its DEV half. The split is fixed and documented:

- search queries: DEV when the numeric part of the id is odd (s001, s003, …), TEST when even;
- labelled comments: by report file, DEV when the first byte of sha256(file name) is even.

The corpus is stored the way a generated one is (evaluation.loading.store_parsed): each
ParsedReport as the worker would store it, in file-name order; the caller embeds and tags (the
worker's steps).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.db import Conn
from core.report import ParsedReport
from evaluation.labelled import CommentKey
from evaluation.loading import store_parsed
from evaluation.retrieval import Split

INDEPENDENT_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "independent"


def query_split(query_id: str) -> Split:
    """DEV for odd numeric ids, TEST for even ones."""
    digits = "".join(ch for ch in query_id if ch.isdigit())
    if not digits:
        raise ValueError(f"search query id {query_id!r} has no number")
    return "dev" if int(digits) % 2 == 1 else "test"


def file_split(filename: str) -> Split:
    """DEV when the first byte of the file name's SHA-256 is even, TEST when odd."""
    return "dev" if hashlib.sha256(filename.encode("utf-8")).digest()[0] % 2 == 0 else "test"


@dataclass(frozen=True)
class SearchCase:
    """One paraphrased query, its optional course filter and the comments that answer it."""

    id: str
    query: str
    course: str | None
    relevant: frozenset[CommentKey]
    split: Split


@dataclass(frozen=True)
class ThemeLabel:
    """One comment's labels: themes, overall tone and each theme's tone."""

    key: CommentKey
    course: str
    themes: tuple[str, ...]
    tone: str
    theme_tones: dict[str, str] | None
    split: Split


def _jsonl(path: Path) -> list[dict[str, object]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _key(item: dict[str, object]) -> CommentKey:
    return (str(item["file"]), str(item["prompt"]), int(str(item["number"])))


def load_search_cases(root: Path = INDEPENDENT_DIR) -> list[SearchCase]:
    out = []
    for row in _jsonl(root / "search.jsonl"):
        relevant = row["relevant"]
        assert isinstance(relevant, list)
        course = row.get("course")
        out.append(
            SearchCase(
                id=str(row["id"]),
                query=str(row["query"]),
                course=str(course) if course else None,
                relevant=frozenset(_key(r) for r in relevant),
                split=query_split(str(row["id"])),
            )
        )
    return out


def report_paths(root: Path = INDEPENDENT_DIR) -> list[Path]:
    return sorted((root / "corpus").glob("*.json"))


def truth_paths(corpus: Path) -> list[Path]:
    """A generated corpus's ground-truth reports (parse JSON), in devtools.goldset's load order."""
    return [
        path.with_suffix(".json")
        for path in sorted(corpus.glob("*.pdf")) + sorted(corpus.glob("*.xlsx"))
    ]


def load_theme_labels(root: Path = INDEPENDENT_DIR) -> list[ThemeLabel]:
    courses = {
        path.name: json.loads(path.read_text(encoding="utf-8"))["course"]["code"]
        for path in report_paths(root)
    }
    out = []
    for row in _jsonl(root / "labels.jsonl"):
        key = _key(row)
        themes = row["themes"]
        tones = row.get("theme_tones")
        assert isinstance(themes, list)
        out.append(
            ThemeLabel(
                key=key,
                course=courses[key[0]],
                themes=tuple(str(t) for t in themes),
                tone=str(row["tone"]),
                theme_tones={str(k): str(v) for k, v in tones.items()}
                if isinstance(tones, dict)
                else None,
                split=file_split(key[0]),
            )
        )
    return out


def store_corpus(conn: Conn, paths: Iterable[Path]) -> list[int]:
    """Store each parsed report (JSON) as the worker would; returns the section ids.

    The report row is named after the report's own `file`, the name its labels use.
    """
    sections = []
    for path in paths:
        data = path.read_bytes()
        parsed = ParsedReport.model_validate_json(data)
        sections.append(
            store_parsed(
                conn,
                parsed,
                filename=parsed.file,
                sha256=hashlib.sha256(data).hexdigest(),
                media_type="application/json",
                size_bytes=len(data),
            )
        )
    conn.commit()
    return sections


def in_split(items: Sequence[SearchCase], split: Split | None) -> list[SearchCase]:
    return [c for c in items if split is None or c.split == split]
