"""Words that set the scene rather than ask: "advising a sophomore who wants gen bio. roughly how
many students were enrolled in it in fall 2024?", "Provost analytics: CS5800 response rate for
each term it ran". A word nothing understood, found only in a part of the question that asks
nothing while another part asks, says who asks or why, not what to compute; the names in that
part still count (they are read from the whole question)."""

from __future__ import annotations

import re

_PART_END = re.compile(r"(?<=[.!?:;])\s+|\s[-–—]\s|,\s+(?=(?:how|what|which|who)\b)", re.I)

ASK_WORDS = (
    r"(?:how|hows|how's|what|whats|what's|which|who|whose|whom|where|when|is|are|does|do|did|"
    r"was|were|can|could|should|would|will|has|have|any|give|show|tell|list|compare|rank)"
)
"""Words a part opens with when it asks ("how's the vibe", "is he fair", "give me ...")."""

OPENS_ASKING = re.compile(rf"^\W*{ASK_WORDS}\b", re.I)
"""A part that opens as a question or a request."""


def scene_words(question: str, unread: list[str]) -> list[str]:
    """Of the `unread` words, those that occur only in parts of the question asking nothing,
    where another part asks (ends in "?" or opens as a question; else the last part asks)."""
    parts = [p for p in _PART_END.split(question) if p.strip()]
    if len(parts) < 2 or not unread:
        return []
    asking = [p for p in parts if p.rstrip().endswith("?") or OPENS_ASKING.search(p)] or [parts[-1]]
    scene = [p for p in parts if p not in asking]

    def said_in(texts: list[str], word: str) -> bool:
        pattern = re.compile(rf"(?<![\w']){re.escape(word)}(?![\w'])", re.I)
        return any(pattern.search(t) for t in texts)

    return [w for w in unread if said_in(scene, w) and not said_in(asking, w)]
