"""Answer synthesis: evidence in, prose out, and a guard so an LLM never becomes a source of facts.

The extractive answerer (rag.answer.extractive) composes text from the evidence alone and is
always available. An LLM, when configured, only words the evidence; its answer is checked
(rag.answer.guard) and replaced by the extractive one on any violation or failure."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from rag.answer.answers import Answer, Evidence, Fact
from rag.answer.extractive import EXTRACTIVE, FALLBACK, extractive_answer
from rag.answer.guard import check_answer
from rag.answer.llm import answerer_name
from rag.answer.prompt import build_messages

logger = logging.getLogger(__name__)


CHUNK_WORDS = 3


def synthesize(question: str, evidence: Evidence, *, chat_model: BaseChatModel | None) -> Answer:
    """The answer to show: the LLM's when it passes the guard, else the extractive one."""
    fallback = extractive_answer(question, evidence)
    if chat_model is None or not _worth_asking(evidence):
        return _answer(fallback, evidence, EXTRACTIVE)
    name = answerer_name(chat_model)
    try:
        text = str(chat_model.invoke(build_messages(question, evidence)).text).strip()
    except Exception as exc:  # any failure of an optional rewriter falls back; logged below
        _reject(name, evidence, error=exc)
        return _answer(fallback, evidence, FALLBACK)
    violations = check_answer(text, evidence, question=question)
    if violations:
        _reject(name, evidence, violations=violations)
        return _answer(fallback, evidence, FALLBACK)
    return _answer(text, evidence, name)


CHECKING = "Checking the answer against the evidence…"


class CheckingEvent(BaseModel):
    """Sent first while an LLM writes: its words are held until the guard passes, so a client
    shows the facts and a checking state meanwhile."""

    kind: Literal["checking"] = "checking"
    message: str = CHECKING
    facts: list[Fact] = Field(default_factory=list)


class TokenEvent(BaseModel):
    """A piece of the answer; the client appends `text` to what it shows. A model's text is sent
    only once the whole of it has passed the guard."""

    kind: Literal["token"] = "token"
    text: str


class FinalEvent(BaseModel):
    """The accepted answer, always last. `replaced`: the model's answer failed the guard (listed
    in `violations`) or the model failed, and the tokens were the extractive answer instead."""

    kind: Literal["final"] = "final"
    answer: Answer
    replaced: bool = False
    violations: list[str] = Field(default_factory=list)


SynthesisEvent = CheckingEvent | TokenEvent | FinalEvent


def stream_synthesis(
    question: str, evidence: Evidence, *, chat_model: BaseChatModel | None
) -> Iterator[SynthesisEvent]:
    """The extractive answer as token events; with a model, a checking event with the facts,
    then the model's text once it passes the guard (or else the extractive answer); then one
    FinalEvent with the whole answer. No unchecked word of a model ever leaves."""
    fallback = extractive_answer(question, evidence)
    if chat_model is None or not _worth_asking(evidence):
        yield from _chunks(fallback)
        yield FinalEvent(answer=_answer(fallback, evidence, EXTRACTIVE))
        return
    name = answerer_name(chat_model)
    yield CheckingEvent(facts=evidence.facts)
    try:
        pieces = chat_model.stream(build_messages(question, evidence))
        text = "".join(str(chunk.text) for chunk in pieces).strip()
    except Exception as exc:  # any failure of an optional rewriter falls back; logged below
        _reject(name, evidence, error=exc)
        yield from _chunks(fallback)
        yield FinalEvent(answer=_answer(fallback, evidence, FALLBACK), replaced=True)
        return
    violations = check_answer(text, evidence, question=question)
    if violations:
        _reject(name, evidence, violations=violations)
        yield from _chunks(fallback)
        answer = _answer(fallback, evidence, FALLBACK)
        yield FinalEvent(answer=answer, replaced=True, violations=violations)
        return
    yield from _chunks(text)
    yield FinalEvent(answer=_answer(text, evidence, name))


def _worth_asking(evidence: Evidence) -> bool:
    """An LLM only rephrases evidence; with none, 'the reports don't say' needs no model."""
    return evidence.route != "unanswerable" and bool(
        evidence.facts or evidence.quotes or evidence.themes
    )


def _chunks(text: str) -> Iterator[TokenEvent]:
    """The text in pieces of a few words whose concatenation is exactly the text."""
    words = re.findall(r"\s*\S+\s*", text) or [text]
    for i in range(0, len(words), CHUNK_WORDS):
        yield TokenEvent(text="".join(words[i : i + CHUNK_WORDS]))


def _answer(text: str, evidence: Evidence, answerer: str) -> Answer:
    return Answer(
        answer=text,
        route=evidence.route,
        facts=evidence.facts,
        citations=evidence.quotes,
        themes=evidence.themes,
        plan=evidence.plan,
        answerer=answerer,
    )


def _reject(
    answerer: str,
    evidence: Evidence,
    *,
    violations: list[str] | None = None,
    error: BaseException | None = None,
) -> None:
    logger.warning(
        "llm answer rejected",
        extra={
            "event": "llm_answer_rejected",
            "answerer": answerer,
            "route": evidence.route,
            "reason": "model_error" if error is not None else "guard",
            "violations": violations or [],
            "error": f"{type(error).__name__}: {error}" if error is not None else None,
        },
    )
