"""A labelled corpus on disk: each report's ground truth beside `<report>.labels.json`, whose
comments carry their themes and tone. The corpus generator writes it (devtools.corpus); the
MLOps gate reads the sample corpus `make run` loads, so reading it is product code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core.db import Conn

CommentKey = tuple[str, str, int]
"""(report file name, prompt, comment number): a comment's identity before it is stored."""


@dataclass(frozen=True)
class LabelledComment:
    key: CommentKey
    text: str
    prompt: str
    course: str
    instructors: tuple[str, ...]
    themes: tuple[str, ...]
    tone: str


def load_labelled_comments(corpus_dir: Path) -> list[LabelledComment]:
    """Every comment of a generated corpus with its labels and the scope fields filters use."""
    out: list[LabelledComment] = []
    for labels_path in sorted(corpus_dir.glob("*.labels.json")):
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
        truth_path = labels_path.with_name(labels_path.name.replace(".labels.json", ".json"))
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        people = tuple(f"{i['last']}, {i['first']}" for i in truth["instructors"])
        for c in labels["comments"]:
            out.append(
                LabelledComment(
                    key=(labels["file"], c["prompt"], int(c["number"])),
                    text=c["text"],
                    prompt=c["prompt"],
                    course=truth["course"]["code"],
                    instructors=people,
                    themes=tuple(c["themes"]),
                    tone=c["tone"],
                )
            )
    return out


def stored_keys(conn: Conn) -> dict[int, CommentKey]:
    """Stored comment id -> (report file, prompt, number), the key the labels use."""
    rows = conn.execute(
        "SELECT r.filename, m.prompt, m.number, m.id FROM comments m"
        " JOIN sections s ON s.id = m.section_id JOIN reports r ON r.id = s.report_id"
    ).fetchall()
    return {int(r["id"]): (str(r["filename"]), str(r["prompt"]), int(r["number"])) for r in rows}
