"""Which rating question a question asks about: embedding similarity to the stored question
texts and their word windows, so departments' own questions work."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from embeddings.base import Embedder, embed_texts
from rag.answer.entities.model import Catalog, MetricRef
from rag.answer.entities.text import STOP, WORD, fold

METRIC_THRESHOLD = 0.42
"""Blend of full-text cosine and word coverage; off-topic phrases score ≤ 0.32 on MiniLM-L6."""


WORD_FLOOR = 0.40
"""A word of the ask must come this close to some question or window (or share a stem with
one): on MiniLM-L6 "salary", "tuition", "cost" reach ≤ 0.40, rating words ("clarity",
"workload", "quality") 0.52 or more."""


PHRASE_CACHE = 2048
"""Asks and their words whose vectors a metric index keeps (people ask the same things)."""


MATCH_CANDIDATES = 3
"""Targets tried, best first, for one that understands every word of the ask."""


STRONG_COVER = 0.7
"""A word this close (cosine) to a question or one of its windows is about it; below it a
word must share a stem or a long prefix with the question's words, or be a SYNONYMS word."""


KIN_PREFIX = 7


MEANING_THRESHOLD = 0.40
"""A reading by meaning (some words read past) must score this much for its question: on the
independent DEV half the right readings ("clear next", "engineering inclusive") scored 0.435
and 0.509, misreadings ("how'd come", "head destroy accurate") 0.34 or less."""


MEANING_MARGIN = 0.06
"""... and lead the best question of another text by this much: right readings led by 0.116
or more on DEV, misreadings ("online ethics", "online zoom era setup") by 0.031 or less."""


QUOTED_COVER = 0.8
"""A quoted span names a question when that question holds this share of its word stems (an
asker copies an item loosely: "with my instructor" for "with the instructor")."""


SYNONYMS = {
    "quality": "rating",  # "overall quality"
    "clarity": "clear",
    "clearness": "clear",
    "explain": "clearly",
    "explains": "clearly",
    "explaining": "clearly",
    "explanation": "clearly",
    "explanations": "clearly",
    "grading": "evaluated",
    "grades": "evaluated",
    "graders": "evaluated",
    "grader": "evaluated",
    "marking": "evaluated",
    "helpfulness": "helpful",
    "usefulness": "helpful",
    "difficulty": "challenging",
    "difficult": "challenging",
    "demanding": "challenging",
    "rigor": "challenging",
    "rigour": "challenging",
    "rigorous": "challenging",
    "preparedness": "prepared",
    "punctuality": "prepared",
    "respect": "respectful",
    "inclusion": "inclusive",
    "inclusivity": "inclusive",
    "diversity": "inclusive",
    "welcoming": "inclusive",
    "welcome": "inclusive",
    "included": "inclusive",
    "belonging": "inclusive",
    "caring": "respectful",
    "energy": "enthusiasm",
    "energetic": "enthusiasm",
    "passion": "enthusiasm",
    "passionate": "enthusiasm",
    "engagement": "enthusiasm",
    "engaging": "enthusiasm",
    "excitement": "enthusiasm",
    "excited": "enthusiasm",
    "lively": "enthusiasm",
    "dynamic": "enthusiasm",
    "accessibility": "available",
    "accessible": "available",
    "approachable": "available",
    "approachability": "available",
    "lecture": "sessions",
    "lectures": "sessions",
    "lecturing": "sessions",
    "homework": "assignments",
    "homeworks": "assignments",
    "psets": "assignments",
    "projects": "assignments",
    "readings": "materials",
    "resources": "materials",
    "outline": "syllabus",
    "organized": "syllabus",
    "organised": "syllabus",
    "disorganized": "syllabus",
    "disorganised": "syllabus",
    "organization": "syllabus",
    "organisation": "syllabus",
    "structured": "syllabus",
    "job": "career",
    "jobs": "career",
    "management": "effectively",
    "usage": "effectively",
}
"""Everyday words for what rating questions ask (general English, never the data's own words):
each is read as the word on the right before matching; when that reading matches nothing, the
words as written are tried ("how organized the course is" is the syllabus question of every
section, "organized online materials" the online sections' own question)."""


GENERIC = frozenset(
    [
        "clear",
        "clearly",
        "helpful",
        "useful",
        "good",
        "effective",
        "quality",
        "level",
        "amount",
        "degree",
        "extent",
        "standard",
        "overall",
        "general",
    ]
)
"""Evaluative words that modify what is rated ("how clear the syllabus was"); dropped when the
whole phrase matches nothing."""


def metric_words(masked: str) -> str:
    """The words left once entities and intent words are gone: the thing being measured.

    Hyphenated words count as their parts ("career-skills"), and superlatives as their
    adjective ("clearest" is "clear", "heaviest" "heavy")."""
    words = [w.lower().strip("'-").removesuffix("'s") for w in WORD.findall(masked)]
    parts = [part for w in words for part in w.split("-")]
    return " ".join(_positive(w) for w in parts if w and w not in STOP)


def _positive(word: str) -> str:
    if word.endswith("iest") and len(word) > 6:
        return word[:-4] + "y"
    if word.endswith("est") and len(word) > 6 and word not in ("interest", "honest", "request"):
        return word[:-3]
    return word


@dataclass(frozen=True)
class _Target:
    kind: Literal["question", "hours"]
    question_id: int | None
    text: str
    heading: str | None = None


class MetricIndex:
    """Question texts and their short phrases, embedded once; phrases match short asks.

    A question scores the mean of two similarities: the phrase's cosine to its full text
    (robust to off-topic words) and how well it covers the phrase word by word: each word's
    best cosine to one of its 1-3 word windows ("feedback", "overall rating"), or 1.0 when the
    question uses the same word stem ("fair" in "fairly"). Word by word, because a two-word ask
    must be about both words: "fair grading" is the fairly-evaluated question, not "Problem sets
    were graded promptly", which a whole-phrase window match ("graded") would pick. An ask with
    a word that nothing in the reports comes close to ("salary") matches nothing.
    """

    def __init__(
        self,
        embedder: Embedder,
        targets: Sequence[_Target],
        *,
        threshold: float,
        word_floor: float = WORD_FLOOR,
    ):
        self.threshold = threshold
        self.word_floor = word_floor
        self.targets = tuple(targets)
        texts, owners = [], []
        for index, target in enumerate(self.targets):
            for item in [target.text, *_windows(target.text)]:
                texts.append(item)
                owners.append(index)
        self._owners = np.array(owners, dtype=np.int64)
        self._full = np.array([owners.index(i) for i in range(len(self.targets))], dtype=np.int64)
        self._stems = [_stems(target.text) for target in self.targets]
        self._words = [  # the heading a question is printed under speaks for it too
            _content_words(f"{target.text} {target.heading or ''}") for target in self.targets
        ]
        self._word_stems = [frozenset(_stem(w) for w in words) for words in self._words]
        self._all_stems = [_every_stem(target.text) for target in self.targets]
        self._vectors = embed_texts(embedder, texts)
        self._embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def build(
        cls, catalog: Catalog, embedder: Embedder, *, threshold: float = METRIC_THRESHOLD
    ) -> MetricIndex:
        """Cached per embedder and question set: rebuilding embeds a few hundred phrases."""
        targets = tuple(
            _Target("question", q.id, q.text, q.heading) for q in catalog.questions
        ) + tuple(_Target("hours", None, p) for p in catalog.prompts)
        return _cached_index(embedder, targets, threshold)

    def _embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Vectors of the texts (an ask and its words), those not cached embedded in one batch."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        vectors: list[np.ndarray] = list(self._embedder.embed_batch(missing)) if missing else []
        with self._lock:
            self._cache.update(zip(missing, vectors, strict=True))
            out = [self._cache[t] for t in texts]
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > PHRASE_CACHE:
                self._cache.popitem(last=False)
        return out

    def word_cover(self, word: str, vector: np.ndarray | None = None) -> np.ndarray:
        """Per target, how well it speaks of the word: 1.0 for a shared stem, else the word's
        best cosine to the target's full text or any of its windows."""
        vector = self._embed([word])[0] if vector is None else vector
        cover = np.full(len(self.targets), -1.0, dtype=np.float32)
        np.maximum.at(cover, self._owners, self._vectors @ vector)
        stem = _stem(word)
        for index, stems in enumerate(self._stems):
            if stem in stems:
                cover[index] = 1.0
        return cover

    def _covers(self, phrase: str) -> tuple[np.ndarray, np.ndarray]:
        """(the phrase's cosine to each full text, each word's cover: words × targets)."""
        words = phrase.split()
        vectors = self._embed([phrase, *words])
        full = self._vectors[self._full] @ vectors[0]
        covers = np.array([self.word_cover(w, v) for w, v in zip(words, vectors[1:], strict=True)])
        return np.asarray(full), covers

    def scores(self, phrase: str) -> np.ndarray:
        """One blended similarity per target."""
        full, covers = self._covers(phrase)
        return np.asarray((full + covers.mean(axis=0)) / 2)

    def foreign_words(self, phrase: str) -> list[str]:
        """Words of the phrase that no question or window of the reports comes close to."""
        _, covers = self._covers(phrase)
        return [w for w, c in zip(phrase.split(), covers, strict=True) if c.max() < self.word_floor]

    def match(self, phrase: str) -> MetricRef | None:
        """The best target whose words cover every word of the phrase, or None.

        A target must clear the blended threshold, and each word of the ask must be understood
        by it: the same stem or a shared long prefix ("availability", "available"), a word of
        SYNONYMS, or a close cosine (STRONG_COVER). "parking availability" is then not the
        availability question: "parking" is understood by none.
        """
        if not phrase or not self.targets:
            return None
        found = None
        for reading in dict.fromkeys([_normalise(phrase), _normalise(phrase, synonyms=False)]):
            found = self._match(reading)
            words = reading.split()
            kept = [w for w in words if w not in GENERIC]
            if found is None and kept and len(kept) < len(words):
                found = self._match(" ".join(kept))
            if found is not None:
                break
        return found

    def _match(self, phrase: str) -> MetricRef | None:
        full, covers = self._covers(phrase)
        scores = (full + covers.mean(axis=0)) / 2
        words = phrase.split()
        for top in [int(i) for i in np.argsort(-scores)[:MATCH_CANDIDATES]]:
            if float(scores[top]) < self.threshold:
                break
            if float(covers.max(axis=1).min()) < self.word_floor:
                break
            if all(
                self.understands(top, w, float(c[top])) for w, c in zip(words, covers, strict=True)
            ):
                return self._ref(top, phrase, float(scores[top]))
        return None

    def by_meaning(self, phrase: str) -> MetricRef | None:
        """The question the phrase means when some of its words are read past, or None.

        For asks the strict match turns down because a word is understood by no question
        ("clarity next to the department"): the best question by the blended similarity of the
        whole phrase, when it clears MEANING_THRESHOLD, leads every question of another text
        by MEANING_MARGIN and understands at least one word (see `understands`). The words it
        does not understand are kept in `unread`, so the answer can say how it was read."""
        if not phrase or not self.targets:
            return None
        reading = _normalise(phrase)
        full, covers = self._covers(reading)
        scores = (full + covers.mean(axis=0)) / 2
        order = [int(i) for i in np.argsort(-scores)]
        top = order[0]
        rival = next((i for i in order[1:] if self.targets[i].text != self.targets[top].text), None)
        margin = float(scores[top] - scores[rival]) if rival is not None else 1.0
        words = reading.split()
        read = [
            w for w, c in zip(words, covers, strict=True) if self.understands(top, w, float(c[top]))
        ]
        if not read or len(read) == len(words):
            return None
        if float(scores[top]) < MEANING_THRESHOLD or margin < MEANING_MARGIN:
            return None
        asked = phrase.split()  # the asker's words ("clarity", not "clear"), where they align
        shown = dict(zip(words, asked, strict=True)) if len(asked) == len(words) else {}
        return self._ref(
            top,
            " ".join(shown.get(w, w) for w in read),
            float(scores[top]),
            unread=[shown.get(w, w) for w in words if w not in read],
        )

    def quoted(self, span: str) -> MetricRef | None:
        """The question whose words a quoted span repeats ("mean for 'online interactions with
        my instructor created a sense of connection'"), or None.

        A quote is the asker copying the item, so its words decide, every one of them (the
        embedding match reads "instructor" as scope and could take the classmates item): the
        question holding the most of the span's stems, at least QUOTED_COVER of them and
        strictly more than any other question's text."""
        stems = _every_stem(span)
        if len(stems) < 2:
            return None
        held = [sum(_holds(own, stem) for stem in stems) / len(stems) for own in self._all_stems]
        order = sorted(range(len(held)), key=lambda i: -held[i])
        top = order[0]
        rival = next((i for i in order[1:] if self.targets[i].text != self.targets[top].text), None)
        if held[top] < QUOTED_COVER or (rival is not None and held[rival] >= held[top]):
            return None
        return self._ref(top, span, held[top])

    def _ref(
        self, index: int, phrase: str, similarity: float, *, unread: list[str] | None = None
    ) -> MetricRef:
        """Target `index` as the metric an ask's `phrase` names."""
        target = self.targets[index]
        return MetricRef(
            kind=target.kind,
            question_id=target.question_id,
            text=target.text,
            phrase=phrase,
            similarity=round(similarity, 3),
            unread=unread or [],
        )

    def understands(self, index: int, word: str, cover: float) -> bool:
        """Whether target `index` speaks of `word` (see match)."""
        if cover >= STRONG_COVER:
            return True
        word = SYNONYMS.get(word, word)
        if _stem(word) in self._stems[index] or _stem(word) in self._word_stems[index]:
            return True
        return any(_kin(word, other) for other in self._words[index])

    def unknown_words(self, phrase: str) -> list[str]:
        """The words of a phrase that the best-scoring target does not understand."""
        if not phrase or not self.targets:
            return phrase.split()
        phrase = _normalise(phrase)
        full, covers = self._covers(phrase)
        top = int(np.argmax((full + covers.mean(axis=0)) / 2))
        return [
            w
            for w, c in zip(phrase.split(), covers, strict=True)
            if not self.understands(top, w, float(c[top]))
        ]


_SUFFIXES = ("ation", "ness", "ally", "ity", "ies", "ing", "ed", "ly", "al", "es", "s", "e")


def _stem(word: str) -> str:
    """A crude suffix-stripping stem ("fairly" and "fair", "graded" and "grading" agree,
    "availability" and "available")."""
    word = word.lower().strip("'-")
    word = word.removesuffix("'s")
    for long, short in (("ability", "able"), ("ibility", "ible")):
        if word.endswith(long):
            word = word[: -len(long)] + short
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    return word


def _normalise(phrase: str, *, synonyms: bool = True) -> str:
    """The phrase with everyday words replaced by the words rating questions use (`synonyms`:
    SYNONYMS too, else only the fixed phrases)."""
    phrase = re.sub(r"\bproblem sets?\b", "assignments", phrase)
    return " ".join(SYNONYMS.get(w, w) if synonyms else w for w in phrase.split())


def _words(text: str) -> list[str]:
    """The text's words, lower case and accents folded."""
    return re.findall(r"[a-z][a-z'\-]*", fold(text).lower())


def _content_words(text: str) -> frozenset[str]:
    """A question's content words, hyphenated words also as their parts ("co-op": co, op)."""
    words = _words(text)
    parts = {part for w in words for part in [w, *w.split("-")] if part}
    return frozenset(w for w in parts if w not in _WINDOW_STOP)


def _stems(text: str) -> frozenset[str]:
    """Stems of a question's content words."""
    return frozenset(_stem(w) for w in _content_words(text))


_GLUE = frozenset("a an the of to in on and or for with by my me i is was were".split())  # noqa: SIM905


def _every_stem(text: str) -> frozenset[str]:
    """Stems of every word but the glue ("instructor" and "course" too, which _stems drops)."""
    return frozenset(_stem(w) for w in _words(text) if w not in _GLUE)


def _holds(stems: frozenset[str], stem: str) -> bool:
    """Whether a text with these stems holds a word of this stem, or of its family by a prefix
    ("helped" in "helpful": the crude stems differ); a paraphrase then ties, and names nothing."""
    return stem in stems or (
        len(stem) >= 4
        and any(len(s) >= 4 and (s.startswith(stem) or stem.startswith(s)) for s in stems)
    )


def _kin(word: str, other: str) -> bool:
    """Words of one family: a shared prefix of KIN_PREFIX letters ("enthusiastic",
    "enthusiasm"; "organization", "organized"; "availability", "available")."""
    return len(word) >= KIN_PREFIX and word[:KIN_PREFIX] == other[:KIN_PREFIX]


_INDEXES: dict[tuple[int, tuple[_Target, ...], float], tuple[Embedder, MetricIndex]] = {}


_INDEX_LOCK = threading.Lock()


def _cached_index(
    embedder: Embedder, targets: tuple[_Target, ...], threshold: float
) -> MetricIndex:
    key = (id(embedder), targets, threshold)
    with _INDEX_LOCK:
        hit = _INDEXES.get(key)
    if hit is not None and hit[0] is embedder:
        return hit[1]
    index = MetricIndex(embedder, targets, threshold=threshold)
    with _INDEX_LOCK:
        if len(_INDEXES) >= 16:
            _INDEXES.pop(next(iter(_INDEXES)))
        _INDEXES[key] = (embedder, index)
    return index


_WINDOW_STOP = STOP | {"instructor's", "course's", "e", "g", "helped", "used", "was", "i"}


def _windows(text: str) -> list[str]:
    """Contiguous 1-3 word phrases of a question that start and end on a content word."""
    words = re.findall(r"[a-z][a-z'\-/]*", fold(text).lower())
    out: list[str] = []
    for size in (1, 2, 3):
        for start in range(len(words) - size + 1):
            window = words[start : start + size]
            if window[0] in _WINDOW_STOP or window[-1] in _WINDOW_STOP:
                continue
            phrase = " ".join(window)
            if phrase not in out:
                out.append(phrase)
    return out
