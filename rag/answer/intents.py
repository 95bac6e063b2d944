"""What a question asks for (a ranking, a trend, ...) read by meaning: its similarity to example
questions (rag.answer.intent_examples), for questions the word rules read no intent from."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from pydantic import BaseModel

from embeddings.base import Embedder, embed_texts
from rag.answer.intent_examples import EXAMPLES

INTENT_THRESHOLD = 0.55
"""The best reading's score (the mean cosine of its two nearest examples) must reach this."""


INTENT_MARGIN = 0.05
"""... and lead the best reading of another kind by this much ("ranking" and "ranking_low"
are one kind). On the independent DEV half, readings of the questions the rules read an intent
from agree with the rules 77% of the time at this margin (90 of 189 read), 83% at 0.08 (65
read), but 0.08 loses a DEV question this fallback answers; the readings it exists for ("X
through the semesters", "give me the rundown on X") lead by 0.14 or more."""


NEAREST = 2
"""A reading scores the mean cosine of its this many nearest examples: one odd example alone
does not decide."""


CARRIED = 0.02
"""Words the rules could not read are read as part of the intent when the question without
them reads as that intent no more surely than with them (up to this much): "give me the
rundown on X" reads as an overview less surely without "rundown" (+0.18), "X vs X head to
head" as a comparison (+0.07); a measure nobody prints dilutes it ("which prof has the best
jokes" reads as a ranking by 0.23 more surely without "jokes", "X's humor over the years" as a
trend by 0.18)."""


TEXT_CACHE = 1024


KINDS = {name: name.removesuffix("_low") for name in EXAMPLES}


class IntentReading(BaseModel):
    """An intent read by meaning: which reading, how sure, and the example it was nearest."""

    reading: str
    similarity: float
    margin: float
    example: str
    carried_by: list[str] = []
    """Words the rules left unread that carry the intent (see CARRIED)."""

    @property
    def kind(self) -> str:
        return KINDS[self.reading]


_READ_AS = {
    "ranking": "a ranking, highest first",
    "ranking_low": "a ranking, lowest first",
    "trend": "a trend over the terms",
    "comparison": "a comparison",
    "count": "a count",
    "distribution": "how the answers were spread",
    "average": "an average",
    "overview": "the whole picture",
}


def intent_note(reading: IntentReading) -> str:
    """How the question was read by meaning, so a person can tell a misreading."""
    note = f"the question was read by meaning as asking for {_READ_AS[reading.reading]}"
    note += f" (it is closest to “{reading.example}”)"
    if reading.carried_by:
        words = ", ".join(f"“{w}”" for w in reading.carried_by)
        note += f"; {words} read as part of that, not as a rating"
    return note


class IntentIndex:
    """The example questions, embedded once per embedder."""

    def __init__(self, embedder: Embedder, examples: dict[str, tuple[str, ...]] = EXAMPLES):
        self._embedder = embedder
        self.readings = tuple(examples)
        texts = [text.lower() for reading in self.readings for text in examples[reading]]
        self._texts = [text for reading in self.readings for text in examples[reading]]
        self._owners = np.array(
            [i for i, reading in enumerate(self.readings) for _ in examples[reading]],
            dtype=np.int64,
        )
        self._vectors = embed_texts(embedder, texts)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def build(cls, embedder: Embedder) -> IntentIndex:
        """Cached per embedder: the examples are embedded once per process."""
        with _INDEX_LOCK:
            hit = _INDEXES.get(id(embedder))
        if hit is not None and hit[0] is embedder:
            return hit[1]
        index = cls(embedder)
        with _INDEX_LOCK:
            if len(_INDEXES) >= 8:
                _INDEXES.pop(next(iter(_INDEXES)))
            _INDEXES[id(embedder)] = (embedder, index)
        return index

    def _embed(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
        if hit is not None:
            return hit
        vector = np.asarray(self._embedder.embed_batch([text])[0], dtype=np.float32)
        with self._lock:
            self._cache[text] = vector
            while len(self._cache) > TEXT_CACHE:
                self._cache.popitem(last=False)
        return vector

    def scores(self, text: str) -> dict[str, tuple[float, int]]:
        """Per reading: (the mean cosine of its NEAREST nearest examples, the nearest's index)."""
        cosines = self._vectors @ self._embed(text.lower())
        out: dict[str, tuple[float, int]] = {}
        for i, reading in enumerate(self.readings):
            own = np.flatnonzero(self._owners == i)
            best = own[np.argsort(-cosines[own])[:NEAREST]]
            out[reading] = (float(cosines[best].mean()), int(best[0]))
        return out

    def read(self, text: str, *, unread: list[str] | None = None) -> IntentReading | None:
        """The reading the text means, when it clears INTENT_THRESHOLD and leads every reading
        of another kind by INTENT_MARGIN; else None. `unread`: words the rules could not read,
        kept in `carried_by` when the text without them is read less surely (CARRIED)."""
        if not text.strip():
            return None
        scores = self.scores(text)
        ranked = sorted(scores, key=lambda r: -scores[r][0])
        top = ranked[0]
        rival = next((r for r in ranked[1:] if KINDS[r] != KINDS[top]), None)
        best, nearest = scores[top]
        margin = best - scores[rival][0] if rival is not None else 1.0
        if best < INTENT_THRESHOLD or margin < INTENT_MARGIN:
            return None
        carried: list[str] = []
        if unread:
            drop = [w.lower() for phrase in unread for w in phrase.split()]
            rest = " ".join(w for w in text.split() if not _among(w, drop))
            if rest != text and self.scores(rest)[top][0] - best <= CARRIED:
                carried = list(unread)
        return IntentReading(
            reading=top,
            similarity=round(best, 3),
            margin=round(margin, 3),
            example=self._texts[nearest],
            carried_by=carried,
        )


def _among(word: str, unread: list[str]) -> bool:
    """Whether a word of the text is one the rules left unread (they may have corrected or
    shortened it: "stack" for "stacks", "clos" for "closest")."""
    word = word.lower().strip("?,.!:;'\"()")
    return any(
        word == u or (min(len(word), len(u)) >= 4 and (word.startswith(u) or u.startswith(word)))
        for u in unread
    )


_INDEXES: dict[int, tuple[Embedder, IntentIndex]] = {}


_INDEX_LOCK = threading.Lock()
