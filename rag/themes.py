"""Which themes a comment (or a question) is about: prototype similarity plus a small lexicon.

Each theme is described by a handful of prototype phrases written in ordinary student wording
(not copied from any corpus) and a few keyword patterns. A comment mentions a theme when its
embedding is close enough to one of the theme's prototypes, or when it uses one of the theme's
words. The similarity thresholds are calibrated per theme for all-MiniLM-L6-v2 against the
labelled generated corpus (`measure_themes`); with another model they need recalibrating.

Sentence-level detection (the default) gives each sentence at most one theme and finds themes a
long comment mentions in passing, at the price of embedding every sentence; so it runs once per
comment when the comment is stored (`tag_comments`, called by the worker, or `backfill_themes`)
and answering reads the stored themes and tone from `comment_themes`. The prompt a comment
answers counts too (`PromptKind`): answers to "… inclusive learning" are about inclusivity, and
reflections on the student's own conduct are about a theme only where they name it.

Measured by `tracelens eval themes` against the generated labels and the independent set's
(tests/data/independent, written by another hand; DEV half used for tuning, TEST half not).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from core.db import Conn
from embeddings.base import Embedder, embed_texts
from rag.sentiment import Sentiment, score_comment, split_sentences

THEMES: tuple[str, ...] = (
    "workload",
    "clarity",
    "feedback",
    "exams",
    "organisation",
    "inclusivity",
    "pace",
    "enthusiasm",
    "online logistics",
)
GENERAL = "general"
"""The theme of a question that asks about no theme in particular."""

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "workload": (
        "the amount of homework and assignments in this course",
        "way too much work, I spent many hours every week on it",
        "the workload was light and easy to manage",
        "weekly problem sets and projects took a lot of time",
        "the course demands a lot of time outside of class",
        "pointless busywork assignments",
        "the homework took far more hours than expected",
        "there were too many assignments and projects on top of each other",
        "the readings every week were long",
        "the labs and reports took up all my free time",
        "the amount of work was reasonable for the credits",
        "the assignments could have been more challenging, it was too easy",
    ),
    "clarity": (
        "the professor explains difficult concepts clearly",
        "lectures were confusing and hard to understand",
        "good worked examples made the material make sense",
        "explanations were unclear and skipped important steps",
        "lectures and slides were easy to follow",
        "I could not understand what was being taught",
        "he is a very clear lecturer",
        "she explains hard ideas in a way that finally made sense",
        "the examples in class helped me understand the material",
        "the instructions for the assignments were vague and confusing",
        "the lectures were hard to follow and jumped around",
        "I was often lost during lecture",
    ),
    "feedback": (
        "feedback on our assignments and how they were graded",
        "grades came back quickly with helpful comments",
        "we waited weeks to get our grades back",
        "the instructor replies to emails and answers questions",
        "office hours and getting help outside of class",
        "comments on my work helped me improve",
        "assignments were graded and returned quickly",
        "the grading was slow and we did not know our grades for weeks",
        "we got a score with no comments explaining what was wrong",
        "the rubric made it clear how we would be graded",
        "the comments on my essays helped me improve",
        "regrade requests were handled fairly",
    ),
    "exams": (
        "the exams and quizzes in this course",
        "how difficult the midterm and final exam were",
        "tests were fair and matched the practice material",
        "test questions were tricky and there was not enough time",
        "studying and preparing for the exams",
        "the midterm was much harder than the homework",
        "the final exam was too long for the time given",
        "the quizzes were fair and matched what we practiced",
        "the practice exams did not look like the real exam",
        "exam questions were tricky",
    ),
    "organisation": (
        "the course was well organized and clearly structured",
        "the syllabus, the schedule and the deadlines",
        "a disorganized course where due dates kept changing",
        "course materials were easy to find on the course website",
        "it was never clear what we were expected to do",
        "assignments were released late and the plan kept changing",
        "the course website was a mess and things were hard to find",
        "materials and slides were posted on time before class",
        "the two instructors did not coordinate with each other",
        "the deadlines and due dates were confusing and kept moving",
        "everything was laid out clearly in the first week",
        "the lectures did not line up with the homework schedule",
        "the course logistics were well planned",
    ),
    "inclusivity": (
        "the instructor made every student feel welcome and respected",
        "an inclusive classroom where everyone could participate",
        "some students felt excluded or ignored",
        "respect for different backgrounds and opinions",
        "support and accommodations for students' personal situations",
        "discussions were dominated by a few people",
        "never made anyone feel stupid for asking a question",
        "the professor was patient with anyone who was struggling",
        "people from every background felt included",
        "the instructor made sure quieter classmates had a chance to speak",
        "she treated everyone in the class with respect",
        "I felt like I belonged in this class",
        "remarks made in class left some classmates uncomfortable",
    ),
    "pace": (
        "the pace of the course",
        "the lectures moved far too quickly",
        "the class went too slowly and dragged on",
        "we covered the material at a comfortable speed",
        "topics were rushed and crammed in at the end",
        "enough time on each topic before moving on",
        "the material moved too fast to keep up",
        "some weeks were slow and others were rushed",
        "we spent too long on easy topics and rushed the hard ones",
        "it was hard to keep up if you fell behind",
        "the speed of the lectures was just right",
    ),
    "enthusiasm": (
        "the professor is passionate and enthusiastic about the subject",
        "engaging, energetic lectures",
        "boring, monotone lectures",
        "the instructor did not seem to care about teaching",
        "the instructor loves teaching and it shows",
        "made me excited to come to class",
        "the lectures were dry and put me to sleep",
        "the professor reads the slides without any energy",
        "he is funny and makes class entertaining",
        "her energy made me look forward to class",
        "it seemed like the instructor did not want to be there",
        "the professor genuinely cares about the subject",
    ),
    "online logistics": (
        "Zoom and the online class sessions",
        "lecture recordings and videos posted online",
        "technical problems with the online platform",
        "remote learning and virtual office hours",
        "online quizzes and broken links on the course site",
        "audio and video quality in online lectures",
        "the lecture videos and recordings were posted online",
        "the online platform kept crashing",
        "zoom breakout rooms were awkward",
        "the asynchronous online format made it hard to connect",
        "the live online sessions worked well",
        "the software we needed did not work on our laptops",
    ),
}

GENERAL_PROTOTYPES: tuple[str, ...] = (
    "overall opinions of this course",
    "is this class worth taking",
    "what students thought of the professor in general",
    "the best and worst things about the class",
    "should I take this instructor",
    "summary of student comments",
)
"""Questions about nothing in particular: a theme must beat these to be the question's theme."""

GENERAL_STATEMENTS: tuple[str, ...] = (
    *GENERAL_PROTOTYPES,
    "overall it was a good class",
    "I would recommend this course to others",
    "I did not enjoy this class",
    "this course could have been better",
    "it was an okay course",
)
"""Sentences about the course as a whole: a sentence closer to these than to any theme (and
using no theme word) mentions no theme. Without them "Great class overall." counted as
enthusiasm and "I was disappointed by this course." as workload."""

LEXICON_BONUS = 0.2
"""Added to a theme's similarity when the sentence uses one of its words, so the words decide
between close themes; F1-best of 0.05/0.1/0.2 on the seed-11 and seed-23 calibration corpora."""

SENTENCE_CACHE = 50_000
"""Sentences whose theme a detector remembers: students repeat themselves ("N/A", "Great
class."), and a batch of comments is often re-tagged after a detector change."""

DETECTOR_VERSION = "sentence-4"
"""Stored with each comment's themes; change it when prototypes, thresholds or rules change,
and `tag_comments` recomputes every comment."""

# Words that name a theme outright. Deliberately few: each one costs precision elsewhere.
LEXICON: dict[str, str] = {
    "workload": r"work ?load|home ?works?|problem sets?|psets?|busywork|hours (?:a|per) week"
    r"|too much work|assignments? (?:were|was) (?:long|short|heavy|light)",
    # not "clearly" or "explained": "clearly tied to…", "the rubric was explained" are not clarity
    "clarity": r"explains?|explanations?|unclear|confus\w+|hard to follow|easy to follow"
    r"|clear|clearer|clearest",
    "feedback": r"feedback|grading|graded|grades?|rubrics?|office hours|emails?",
    "exams": r"exams?|midterms?|final exam|tests?|quiz(?:zes)?",
    "organisation": r"organi[sz]\w*|disorgani[sz]\w*|syllabus|deadlines?|due dates?|schedule"
    r"|structured?|logistics|canvas|modules?|set up|laid out|well[- ]run|expectations?",
    "inclusivity": r"inclusiv\w*|welcom\w*|respect\w*|divers\w*|excluded|accommodations?"
    r"|belong\w*|unwelcome|patient|included",
    "pace": r"pace|paced|pacing|rushed|too (?:fast|slow)|crammed|slow(?:ed)? down|fast|slow|speed",
    "enthusiasm": r"passion\w*|enthusias\w*|energy|energetic|engaging|boring|monotone"
    r"|loves? teaching|dry|dull|lively|funny",
    "online logistics": r"zoom|online|recorded|recordings?|remote|virtual|breakout"
    r"|asynchronous|synchronous|livestream\w*",
}
_PATTERNS = {t: re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for t, p in LEXICON.items()}

# Per-theme cosine thresholds for all-MiniLM-L6-v2. Comment thresholds were calibrated together
# with the lexicon (alone, comment vectors reach only about 0.57 micro-F1: a comment's vector
# blurs the themes it mixes); the sentence unit, the default, uses SENTENCE_THRESHOLDS.
SENTENCE_THRESHOLDS: dict[str, float] = {
    "workload": 0.50,
    "clarity": 0.25,
    "feedback": 0.43,
    "exams": 0.34,
    "organisation": 0.31,
    "inclusivity": 0.40,
    "pace": 0.25,
    "enthusiasm": 0.37,
    "online logistics": 0.34,
}
"""Detector sentence-3: F1-best per theme on the generated corpus of seed 11 (60 reports), two
rounds of coordinate ascent over 0.25..0.50, with the prompt rules and the prototypes as they
are now; checked on the independent set (`tracelens eval themes`)."""
COMMENT_THRESHOLDS: dict[str, float] = {
    "workload": 0.64,
    "clarity": 0.68,
    "feedback": 0.71,
    "exams": 0.67,
    "organisation": 0.63,
    "inclusivity": 0.52,
    "pace": 0.71,
    "enthusiasm": 0.65,
    "online logistics": 0.55,
}
QUESTION_THRESHOLD = 0.45
"""A question with no theme word is about a theme only when this close to one of its prototypes."""

Unit = Literal["comment", "sentence"]


def lexicon_hits(text: str) -> set[str]:
    """The themes whose words the text uses."""
    return {theme for theme, pattern in _PATTERNS.items() if pattern.search(text)}


_FIRST_PERSON = re.compile(r"\b(?:I|myself)\b")


@dataclass(frozen=True)
class PromptKind:
    """What a comment prompt asks, as far as themes go.

    A prompt that names exactly one theme ("… facilitating inclusive learning", "… the online
    course environment") sets its answers' topic: each answer is about that theme, and another
    theme counts only where the answer uses one of that theme's words. A prompt in the first
    person ("What I could have done …") asks for the student's own conduct, so its answers are
    about a theme only where they use the theme's words ("start the psets early" is advice, not
    a workload complaint).
    """

    topic: str | None = None
    reflective: bool = False

    @property
    def strict(self) -> bool:
        return self.topic is not None or self.reflective


def prompt_kind(prompt: str | None) -> PromptKind:
    if not prompt:
        return PromptKind()
    named = lexicon_hits(prompt)
    topic = next(iter(named)) if len(named) == 1 else None
    return PromptKind(topic=topic, reflective=bool(_FIRST_PERSON.search(prompt)))


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
    ) -> list[tuple[str, ...]]:
        """The themes each comment mentions. `vectors`: the comments' stored vectors, if at hand
        (same embedder, comment text alone), used instead of embedding again when unit='comment'.
        `prompts`: the prompt each comment answers (see PromptKind), in the sentence unit.
        """
        if not texts:
            return []
        if self.unit == "sentence":
            return self._by_sentence(texts, prompts or [None] * len(texts))
        sims = self.similarity(texts, vectors)
        words = [lexicon_hits(t) for t in texts]
        return decide(sims, words, self._limits(), use_lexicon=self.use_lexicon)

    def _by_sentence(
        self, texts: Sequence[str], prompts: Sequence[str | None]
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
                theme_of.update(zip(unique, self._sentence_themes(unique), strict=True))
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

    def _sentence_themes(self, sentences: Sequence[str]) -> list[tuple[str | None, bool]]:
        """Each sentence's one theme or None, and whether the sentence names it in words."""
        vectors = embed_texts(self.embedder, list(sentences))
        sims = self.theme_similarity(vectors)
        general = (vectors @ self._general_statements().T).max(axis=1)
        limits = self._limits()
        out: list[tuple[str | None, bool]] = []
        for i, sentence in enumerate(sentences):
            words = lexicon_hits(sentence) if self.use_lexicon else set()
            bonus = np.array([LEXICON_BONUS if t in words else 0.0 for t in THEMES])
            best = int(np.argmax(sims[i] + bonus))
            name = THEMES[best]
            if not words and general[i] >= sims[i, best]:
                out.append((None, False))  # a remark about the course as a whole
            elif sims[i, best] >= limits[name] or name in words:
                out.append((name, name in words))
            else:
                out.append((None, False))
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


# ---------------------------------------------------------------- stored per comment

TAG_BATCH = 512

BACKFILL_COMMAND = "tracelens themes backfill"
"""Tags comments stored before themes were (or by an older detector version): reads never do."""


def untagged_comments(
    conn: Conn, *, section_ids: Sequence[int] | None = None, ids: Sequence[int] | None = None
) -> list[tuple[int, str, str]]:
    """(id, text, prompt) of comments with no themes from this detector version, or edited."""
    where, params = [], []
    if section_ids is not None:
        where.append("m.section_id = ANY(%s)")
        params.append(list(section_ids))
    if ids is not None:
        where.append("m.id = ANY(%s)")
        params.append(list(ids))
    rows = conn.execute(
        "SELECT m.id, m.text, m.prompt FROM comments m"
        " LEFT JOIN comment_themes ct ON ct.comment_id = m.id"
        " AND ct.detector = %s AND ct.source_md5 = md5(m.text)"
        " WHERE ct.comment_id IS NULL" + "".join(f" AND {w}" for w in where) + " ORDER BY m.id",
        [DETECTOR_VERSION, *params],
    ).fetchall()
    return [(int(r["id"]), str(r["text"]), str(r["prompt"])) for r in rows]


def tag_comments(
    conn: Conn,
    *,
    embedder: Embedder,
    section_ids: Sequence[int] | None = None,
    ids: Sequence[int] | None = None,
) -> int:
    """Detect and store the themes and tone of comments not tagged yet; returns how many.

    Called by the worker after a report's comments are stored (so answering never embeds
    sentences) and by `backfill_themes`; never by a read (a GET or a question).
    """
    pending = untagged_comments(conn, section_ids=section_ids, ids=ids)
    detector = detector_for(embedder)
    for start in range(0, len(pending), TAG_BATCH):
        chunk = pending[start : start + TAG_BATCH]
        texts = [text for _, text, _ in chunk]
        themes = detector.detect(texts, prompts=[prompt for _, _, prompt in chunk])
        rows = []
        for (cid, text, prompt), ts in zip(chunk, themes, strict=True):
            sentiment = score_comment(text, prompt=prompt)
            rows.append(
                (cid, text, DETECTOR_VERSION, list(ts), sentiment.compound, sentiment.tone,
                 list(sentiment.sentences))
            )  # fmt: skip
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO comment_themes (comment_id, source_md5, detector, themes, compound,"
                " tone, sentences) VALUES (%s, md5(%s), %s, %s, %s, %s, %s)"
                " ON CONFLICT (comment_id) DO UPDATE SET source_md5 = EXCLUDED.source_md5,"
                " detector = EXCLUDED.detector, themes = EXCLUDED.themes,"
                " compound = EXCLUDED.compound, tone = EXCLUDED.tone,"
                " sentences = EXCLUDED.sentences",
                rows,
            )
    return len(pending)


def backfill_themes(conn: Conn, *, embedder: Embedder, batch: int = TAG_BATCH) -> int:
    """Tag every comment without current themes, committing per batch; returns how many.

    Resumable: a killed backfill keeps the batches it committed, and running it again does
    only what is left.
    """
    pending = [cid for cid, _, _ in untagged_comments(conn)]
    done = 0
    for start in range(0, len(pending), batch):
        done += tag_comments(conn, embedder=embedder, ids=pending[start : start + batch])
        conn.commit()
    return done


def stored_tags(conn: Conn, ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], Sentiment]]:
    """The stored themes and sentiment of the given comments whose text is unchanged since.

    Themes from an older detector version are returned too (stale until the backfill): an
    answer with stale themes beats one that silently counts nothing.
    """
    rows = conn.execute(
        "SELECT ct.comment_id, ct.themes, ct.compound, ct.tone, ct.sentences"
        " FROM comment_themes ct JOIN comments m ON m.id = ct.comment_id"
        " WHERE ct.comment_id = ANY(%s) AND ct.source_md5 = md5(m.text)",
        (list(ids),),
    ).fetchall()
    return {
        int(r["comment_id"]): (
            tuple(r["themes"]),
            Sentiment(float(r["compound"]), r["tone"], tuple(float(x) for x in r["sentences"])),
        )
        for r in rows
    }


def stored_theme_tones(conn: Conn, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Each comment's tone per stored theme (the comment's tone, for each of its themes)."""
    return {
        cid: {t: sentiment.tone for t in themes}
        for cid, (themes, sentiment) in stored_tags(conn, ids).items()
    }


def theme_report(
    truth: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """Per-theme precision/recall/F1 of multi-label predictions, with micro and macro F1."""
    per_theme: dict[str, dict[str, float]] = {}
    totals = [0, 0, 0]
    for theme in THEMES:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if theme in t and theme in p)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if theme not in t and theme in p)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if theme in t and theme not in p)
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_theme[theme] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    tp, fp, fn = totals
    return {
        "n": len(truth),
        "micro_f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "macro_f1": sum(v["f1"] for v in per_theme.values()) / len(THEMES),
        "per_theme": per_theme,
    }


def measure_themes(
    corpus_dir: Path, embedder: Embedder, *, unit: Unit = "sentence", use_lexicon: bool = True
) -> dict[str, Any]:
    """How well the detector's themes agree with the generator's theme labels."""
    from rag.evalset import load_labelled_comments

    comments = load_labelled_comments(corpus_dir)
    detector = ThemeDetector(embedder, unit=unit, use_lexicon=use_lexicon)
    predicted = detector.detect([c.text for c in comments], prompts=[c.prompt for c in comments])
    report = theme_report([c.themes for c in comments], predicted)
    report.update(unit=unit, lexicon=use_lexicon, embedder=embedder.backend)
    return report
