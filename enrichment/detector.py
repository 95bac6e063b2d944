"""Which themes a comment (or a question) is about: prototype similarity plus the theme words.

Sentence-level detection (the default) gives each sentence at most one theme and finds themes a
long comment mentions in passing. A sentence's vector is pooled from its comment's model pass
(embeddings.spans: the worker gets them while embedding the comments); it runs once per
comment when the comment is stored (enrichment.tagging), and answering reads the stored themes
and tone. Measured by `tracelens eval themes` against the generated labels and the independent
set's (tests/data/independent, written by another hand; DEV half used for tuning, TEST not)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from embeddings.base import Embedder, embed_texts
from embeddings.spans import embed_with_parts
from enrichment.sentiment import split_sentences
from enrichment.theme_definitions import (
    COMMENT_THRESHOLDS,
    GENERAL,
    GENERAL_PROTOTYPES,
    GENERAL_STATEMENTS,
    LEXICON_BONUS,
    PROTOTYPES,
    QUESTION_THRESHOLD,
    SENTENCE_THRESHOLDS,
    THEMES,
    lexicon_hits,
    prompt_kind,
)

POOLED_DOUBT = 0.08
"""A sentence judged on its pooled vector (embeddings.spans) whose theme would change with this
much less or more similarity is embedded on its own and judged again."""

SENTENCE_CACHE = 50_000
"""Sentences whose theme a detector remembers: students repeat themselves ("N/A", "Great
class."), and a batch of comments is often re-tagged after a detector change."""


DETECTOR_VERSION = "sentence-7"
"""Stored with each comment's themes; change it when prototypes, thresholds or rules change,
and `tag_comments` recomputes every comment."""


Unit = Literal["comment", "sentence"]


def decide(
    similarity: np.ndarray,
    lexical: Sequence[set[str]],
    thresholds: Mapping[str, float],
    *,
    use_lexicon: bool = True,
) -> list[tuple[str, ...]]:
    """Themes per row: similarity (rows × THEMES) at or over the theme's threshold, or a word hit.

    Pure, so calibration can sweep thresholds without embedding anything again.
    """
    limits = np.array([thresholds[t] for t in THEMES], dtype=np.float32)
    over = similarity >= limits
    out = []
    for row, words in zip(over, lexical, strict=True):
        out.append(tuple(t for i, t in enumerate(THEMES) if row[i] or (use_lexicon and t in words)))
    return out


@dataclass
class ThemeDetector:
    """Themes of comments and questions for one embedder (its prototypes are embedded once)."""

    embedder: Embedder
    unit: Unit = "sentence"
    thresholds: Mapping[str, float] | None = None
    use_lexicon: bool = True
    _prototypes: np.ndarray | None = field(default=None, init=False, repr=False)
    _owners: np.ndarray | None = field(default=None, init=False, repr=False)
    _general: np.ndarray | None = field(default=None, init=False, repr=False)
    _statements: np.ndarray | None = field(default=None, init=False, repr=False)
    _sentence_cache: dict[str, tuple[str | None, bool]] = field(
        default_factory=dict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def _limits(self) -> Mapping[str, float]:
        if self.thresholds is not None:
            return self.thresholds
        return COMMENT_THRESHOLDS if self.unit == "comment" else SENTENCE_THRESHOLDS

    def theme_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """(rows × THEMES): each row's best cosine to any prototype of each theme."""
        if self._prototypes is None or self._owners is None:
            phrases = [(t, p) for t in THEMES for p in PROTOTYPES[t]]
            self._prototypes = embed_texts(self.embedder, [p for _, p in phrases])
            self._owners = np.array([THEMES.index(t) for t, _ in phrases])
        sims = np.asarray(vectors, dtype=np.float32) @ self._prototypes.T
        out = np.full((sims.shape[0], len(THEMES)), -1.0, dtype=np.float32)
        for i in range(len(THEMES)):
            cols = sims[:, self._owners == i]
            if cols.size:
                out[:, i] = cols.max(axis=1)
        return out

    def similarity(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Per-comment theme similarity: of the stored comment vectors, or max over sentences."""
        if self.unit == "comment":
            if vectors is None:
                vectors = embed_texts(self.embedder, list(texts))
            return self.theme_similarity(vectors)
        pieces = [split_sentences(t) or [t] for t in texts]
        flat = [s for piece in pieces for s in piece]
        sims = self.theme_similarity(embed_texts(self.embedder, flat))
        # A sentence is about one thing: only its closest theme may count.
        sims = np.where(sims == sims.max(axis=1, keepdims=True), sims, -1.0)
        out = np.full((len(texts), len(THEMES)), -1.0, dtype=np.float32)
        start = 0
        for row, piece in enumerate(pieces):
            out[row] = sims[start : start + len(piece)].max(axis=0)
            start += len(piece)
        return out

    def detect(
        self,
        texts: Sequence[str],
        vectors: np.ndarray | None = None,
        *,
        prompts: Sequence[str | None] | None = None,
        known: Mapping[str, np.ndarray] | None = None,
    ) -> list[tuple[str, ...]]:
        """The themes each comment mentions. `vectors`: the comments' stored vectors, if at hand
        (same embedder, comment text alone), used instead of embedding again when unit='comment'.
        `prompts`: the prompt each comment answers (see PromptKind), in the sentence unit.
        `known`: vectors this detector's embedder already made, by text (the worker's comment
        vectors and their sentences', pooled from the same pass); a sentence among them is not
        embedded again, and the others are pooled from a pass over their comments.
        """
        if not texts:
            return []
        if self.unit == "sentence":
            return self._by_sentence(texts, prompts or [None] * len(texts), known or {})
        sims = self.similarity(texts, vectors)
        words = [lexicon_hits(t) for t in texts]
        return decide(sims, words, self._limits(), use_lexicon=self.use_lexicon)

    def _by_sentence(
        self,
        texts: Sequence[str],
        prompts: Sequence[str | None],
        known: Mapping[str, np.ndarray],
    ) -> list[tuple[str, ...]]:
        """A comment's themes are its sentences' themes; a sentence has at most one.

        A sentence's theme is its closest (a theme word adds LEXICON_BONUS), kept when it clears
        the theme's threshold or the sentence uses the theme's word; a sentence with no theme
        word that is closer to a general remark than to its best theme has none. Under a strict
        prompt (PromptKind) only themes the sentence names in words count, and a topic prompt
        adds its topic. A sentence seen before (up to SENTENCE_CACHE of them) is not embedded
        again.
        """
        pieces = [split_sentences(t) or [t] for t in texts]
        with self._lock:  # API threads share one detector and its cache
            cache = self._sentence_cache
            theme_of = {s: cache[s] for piece in pieces for s in piece if s in cache}
            unique = [s for s in dict.fromkeys(s for p in pieces for s in p) if s not in theme_of]
            if unique:
                known = self._with_sentence_vectors(texts, pieces, unique, known)
                whole = set(texts)
                pooled = {s for p in pieces if len(p) > 1 for s in p if s not in whole}
                themes = self._sentence_themes(unique, known, pooled)
                theme_of.update(zip(unique, themes, strict=True))
                cache.update(theme_of)
                while len(cache) > SENTENCE_CACHE:
                    del cache[next(iter(cache))]
        out = []
        for piece, prompt in zip(pieces, prompts, strict=True):
            kind = prompt_kind(prompt)
            found = {
                theme
                for theme, worded in (theme_of[s] for s in piece)
                if theme is not None and (worded or not kind.strict)
            }
            if kind.topic is not None:
                found.add(kind.topic)
            out.append(tuple(t for t in THEMES if t in found))
        return out

    def _with_sentence_vectors(
        self,
        texts: Sequence[str],
        pieces: Sequence[list[str]],
        sentences: Sequence[str],
        known: Mapping[str, np.ndarray],
    ) -> Mapping[str, np.ndarray]:
        """`known` and the vectors of the `sentences` it lacks, pooled from one model pass over
        the comments that hold them (embeddings.spans) — as the worker gets them while embedding
        the comments, so a backfill tags exactly as the worker does."""
        lacking = {s for s in sentences if s not in known}
        if not lacking:
            return known
        owners = [t for t, piece in zip(texts, pieces, strict=True) if lacking.intersection(piece)]
        _, pooled = embed_with_parts(self.embedder, list(dict.fromkeys(owners)), split_sentences)
        return {**known, **pooled}

    def _sentence_themes(
        self,
        sentences: Sequence[str],
        known: Mapping[str, np.ndarray] | None = None,
        pooled: Collection[str] = (),
    ) -> list[tuple[str | None, bool]]:
        """Each sentence's one theme or None, and whether the sentence names it in words.

        A `pooled` sentence's vector came from its comment's pass (embeddings.spans); one whose
        decision it leaves within POOLED_DOUBT of going the other way is embedded on its own and
        decided again."""
        known = known or {}
        missing = [s for s in sentences if s not in known]
        embedded = dict(zip(missing, embed_texts(self.embedder, missing), strict=True))
        vectors = np.stack([known[s] if s in known else embedded[s] for s in sentences])
        decided = self._decide(sentences, vectors)
        doubtful = [
            i for i, (_, _, margin) in enumerate(decided)
            if margin < POOLED_DOUBT and sentences[i] in pooled
        ]  # fmt: skip
        if doubtful:
            again = [sentences[i] for i in doubtful]
            for i, redone in zip(
                doubtful, self._decide(again, embed_texts(self.embedder, again)), strict=True
            ):
                decided[i] = redone
        return [(name, worded) for name, worded, _ in decided]

    def _decide(
        self, sentences: Sequence[str], vectors: np.ndarray
    ) -> list[tuple[str | None, bool, float]]:
        """Each sentence's theme or None, whether it names it in words, and by how much of
        similarity the decision would have gone otherwise (inf when its words decided)."""
        sims = self.theme_similarity(vectors)
        general = (vectors @ self._general_statements().T).max(axis=1)
        limits = self._limits()
        out: list[tuple[str | None, bool, float]] = []
        for i, sentence in enumerate(sentences):
            words = lexicon_hits(sentence) if self.use_lexicon else set()
            bonus = np.array([LEXICON_BONUS if t in words else 0.0 for t in THEMES])
            scored = sims[i] + bonus
            best = int(np.argmax(scored))
            name = THEMES[best]
            runner_up = float(np.partition(scored, -2)[-2])
            margin = min(
                float(scored[best]) - runner_up,
                abs(float(general[i] - sims[i, best])),
                abs(float(sims[i, best]) - limits[name]),
            )
            if name in words:
                margin = float("inf")
            if not words and general[i] >= sims[i, best]:
                out.append((None, False, margin))  # a remark about the course as a whole
            elif sims[i, best] >= limits[name] or name in words:
                out.append((name, name in words, margin))
            else:
                out.append((None, False, margin))
        return out

    def _general_statements(self) -> np.ndarray:
        if self._statements is None:
            self._statements = embed_texts(self.embedder, list(GENERAL_STATEMENTS))
        return self._statements

    def question_theme(self, question: str, vector: np.ndarray | None = None) -> str:
        """The theme a question asks about, or GENERAL.

        Theme words decide first (the best-matching of them when several appear); otherwise the
        closest prototype must pass QUESTION_THRESHOLD, so "what do students think of CS5800?"
        stays general. General-question prototypes compete with the themes', because any question
        about a course lands fairly close to some theme.
        """
        if vector is None:
            vector = self.embedder.embed_batch([question])[0]
        vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        sims = self.theme_similarity(vector)[0]
        words = lexicon_hits(question)
        if words:
            return max(words, key=lambda t: float(sims[THEMES.index(t)]))
        if self._general is None:
            self._general = embed_texts(self.embedder, list(GENERAL_PROTOTYPES))
        general = float((self._general @ vector[0]).max())
        best = int(np.argmax(sims))
        if sims[best] >= QUESTION_THRESHOLD and sims[best] > general:
            return THEMES[best]
        return GENERAL


_DETECTORS: dict[int, ThemeDetector] = {}


_DETECTORS_LOCK = threading.Lock()


def detector_for(embedder: Embedder) -> ThemeDetector:
    """One detector per embedder, so its prototypes are embedded once per process.

    Keyed by identity: embedders are loaded once per process (embeddings.models.load_embedder).
    """
    with _DETECTORS_LOCK:
        detector = _DETECTORS.get(id(embedder))
        if detector is None or detector.embedder is not embedder:
            detector = _DETECTORS[id(embedder)] = ThemeDetector(embedder)
        return detector
