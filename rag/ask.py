"""Answering a question: route it, gather evidence, synthesise, remember the turn.

Numbers come from typed SQL plans over the score tables (rag.analytics); opinions come from
retrieved comments grouped into themes (rag.qualitative). An LLM, when configured, only words
the evidence, and its text is checked against it (rag.synthesis).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel

from core.db import Conn
from core.settings import Settings
from rag.analytics import run_plan
from rag.answers import Answer, Evidence
from rag.conversations import add_turn, last_entities, start_conversation
from rag.entities import Catalog, Entities, MetricIndex, resolve
from rag.filters import SearchFilters
from rag.plans import Unanswerable, detect_intent, intent_of, plan_question
from rag.qualitative import qualitative_evidence
from rag.searcher import Searcher
from rag.synthesis import FinalEvent, SynthesisEvent, stream_synthesis, synthesize

_OPINION = re.compile(
    r"\b(say|says|said|saying|comments?|think|thought|opinions?|complain\w*|like[ds]?|"
    r"dislike[ds]?|praise[ds]?|feel|felt|mention\w*|reviews?|experiences?|"
    r"strengths?|weakness\w*|improve\w*|what\s+(?:do|did)\s+students)\b",
    re.I,
)
_NUMERIC_INTENTS = {"count", "ranking", "trend", "distribution", "comparison", "hours"}


@dataclass
class Asker:
    """What answering needs; built once per process (the model and metric index are slow)."""

    settings: Settings
    searcher: Searcher
    chat_model: BaseChatModel | None

    def gather(
        self,
        conn: Conn,
        *,
        question: str,
        previous: Entities | None,
        filters: SearchFilters | None = None,
    ) -> tuple[Evidence, Entities]:
        """Route the question and collect its evidence.

        The metric (an embedding lookup) is resolved only for the quantitative route: opinions
        need none, and embedding an ask's words costs more than the rest of routing.
        """
        catalog = Catalog.load(conn)
        entities = _with_filters(
            resolve(question, catalog, metric_index=None, previous=previous), filters, catalog
        )
        if entities.unknown_courses:  # never answer for a course the reports don't have
            codes = ", ".join(entities.unknown_courses)
            return Evidence(
                route="unanswerable",
                plan={"reason": f"no reports for course {codes}"},
                searched=f"reports for course {codes}",
            ), entities
        intent = detect_intent(question, entities)
        opinion = _OPINION.search(question) is not None
        if opinion and (intent is None or intent.kind not in _NUMERIC_INTENTS):
            scope = _search_filters(entities, catalog, filters)
            evidence = qualitative_evidence(
                conn, searcher=self.searcher, question=question, filters=scope, k=5
            )
            return evidence, entities
        metric_index = MetricIndex.build(catalog, self.searcher.queries.embedder)
        entities = _with_filters(
            resolve(question, catalog, metric_index=metric_index, previous=previous),
            filters,
            catalog,
        )
        plan = plan_question(question, entities)
        if isinstance(plan, Unanswerable):
            return Evidence(
                route="unanswerable", plan=plan.model_dump(), searched=plan.searched or plan.reason
            ), entities
        return run_plan(conn, plan=plan), entities.model_copy(update={"intent": intent_of(plan)})

    def ask(
        self,
        conn: Conn,
        *,
        question: str,
        principal: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
    ) -> Answer:
        conversation_id, previous = self._conversation(conn, conversation_id, principal)
        evidence, entities = self.gather(
            conn, question=question, previous=previous, filters=filters
        )
        answer = synthesize(question, evidence, chat_model=self.chat_model)
        answer = answer.model_copy(update={"conversation_id": conversation_id})
        self._remember(conn, conversation_id, question, answer, entities)
        return answer

    def ask_stream(
        self,
        conn: Conn,
        *,
        question: str,
        principal: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
    ) -> Iterator[SynthesisEvent]:
        """Token events, then the final event carrying the whole answer (stored before it)."""
        conversation_id, previous = self._conversation(conn, conversation_id, principal)
        evidence, entities = self.gather(
            conn, question=question, previous=previous, filters=filters
        )
        conn.commit()  # no transaction stays open while tokens stream
        for event in stream_synthesis(question, evidence, chat_model=self.chat_model):
            if isinstance(event, FinalEvent):
                answer = event.answer.model_copy(update={"conversation_id": conversation_id})
                self._remember(conn, conversation_id, question, answer, entities)
                event = event.model_copy(update={"answer": answer})
            yield event

    def _conversation(
        self, conn: Conn, conversation_id: str | None, principal: str
    ) -> tuple[str, Entities | None]:
        if conversation_id is None:
            return start_conversation(conn, principal=principal), None
        stored = last_entities(conn, conversation_id=conversation_id, principal=principal)
        return conversation_id, Entities.model_validate(stored) if stored else None

    def _remember(
        self, conn: Conn, conversation_id: str, question: str, answer: Answer, entities: Entities
    ) -> None:
        add_turn(
            conn,
            conversation_id=conversation_id,
            question=question,
            route=answer.route,
            answer=answer.model_dump(mode="json"),
            entities=entities.model_dump(mode="json"),
        )
        conn.commit()


def _with_filters(entities: Entities, filters: SearchFilters | None, catalog: Catalog) -> Entities:
    """Explicit request filters narrow the scope the question's words set."""
    if filters is None:
        return entities
    update: dict[str, Any] = {}
    if filters.course:
        from ingestion.catalog import normalize_code

        update["courses"] = [normalize_code(filters.course)]
    if filters.subject:
        update["subjects"] = [filters.subject.upper()]
    if filters.term:
        update["terms"] = [filters.term]
    keys = {t.label: t.sort_key for t in catalog.terms}
    if filters.term_from and filters.term_from in keys:
        update["term_from"] = keys[filters.term_from]
    if filters.term_to and filters.term_to in keys:
        update["term_to"] = keys[filters.term_to]
    if filters.section:
        update["sections"] = [filters.section]
    return entities.model_copy(update=update)


def _search_filters(
    entities: Entities, catalog: Catalog, explicit: SearchFilters | None
) -> SearchFilters:
    """The comment filters the question's entities imply, explicit filters taking precedence."""
    labels = {t.sort_key: t.label for t in catalog.terms}
    implied = SearchFilters(
        course=entities.courses[0] if len(entities.courses) == 1 else None,
        subject=entities.subjects[0] if len(entities.subjects) == 1 else None,
        instructor_id=entities.instructors[0].id if len(entities.instructors) == 1 else None,
        term=entities.terms[0] if len(entities.terms) == 1 else None,
        term_from=labels.get(entities.term_from) if entities.term_from else None,
        term_to=labels.get(entities.term_to) if entities.term_to else None,
        section=entities.sections[0] if len(entities.sections) == 1 else None,
    )
    if explicit is None:
        return implied
    given = explicit.model_dump(exclude_none=True)
    return implied.model_copy(update=given)


def open_asker(settings: Settings, searcher: Searcher) -> Asker:
    from rag.llm import make_chat_model

    return Asker(settings=settings, searcher=searcher, chat_model=make_chat_model(settings))
