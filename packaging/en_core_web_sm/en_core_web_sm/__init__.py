"""spaCy's blank English pipeline with the rule-based sentencizer, loaded by `spacy.load`.

It splits sentences and tokenizes; it has no tagger, so part-of-speech tags are empty (TraceLens
never reads unstructured's heuristic element categories that depend on them).
"""

from __future__ import annotations

from typing import Any

import spacy
from spacy.language import Language

BLANK = True
"""Marks this stand-in, so callers can tell it from the trained package."""


def load(**overrides: Any) -> Language:
    """What `spacy.load("en_core_web_sm", ...)` returns; `exclude`/`disable` name components
    this pipeline does not have, so they are accepted and ignored."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp
