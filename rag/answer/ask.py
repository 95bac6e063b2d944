"""Answering a question: route it, gather evidence, synthesise, remember the turn.

Numbers come from typed SQL plans over the score tables (rag.answer.analytics); opinions come from
retrieved comments grouped into themes (rag.answer.qualitative). An LLM, when configured, only words
the evidence, and its text is checked against it (rag.answer.synthesis).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from core.db import Conn
from core.settings import Settings
from rag.answer.analytics.overview import workload_by_comments
from rag.answer.analytics.run import run_plan
from rag.answer.analytics.teaching import co_taught
from rag.answer.answers import Answer, Evidence
from rag.answer.conversations import add_turn, last_entities, start_conversation
from rag.answer.declines import catalog_defaults, decline, scope_in_force
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, Entities
from rag.answer.entities.people import answered_people
from rag.answer.entities.resolve import resolve_asked
from rag.answer.intent_rules import detect_intent
from rag.answer.intents import IntentIndex, intent_note
from rag.answer.llm import make_chat_model
from rag.answer.meaning import (
    follow_up_by_meaning,
    may_retell,
    meaning_note,
    plan_by_meaning,
    read_by_meaning,
)
from rag.answer.measures import base_plan, each_measure, listed_measures, with_measure
from rag.answer.opinions import OPINION, WHY, Opinions
from rag.answer.planner import Planner
from rag.answer.planning import Defaults, about_someone, intent_of, plan_question
from rag.answer.plans import (
    Comparison,
    Count,
    HoursPerWeek,
    Overview,
    Plan,
    Ranking,
    Unanswerable,
    scope_of,
)
from rag.answer.scoping import narrowed, unclear_words
from rag.answer.second_measure import both_measures, measure_label, second_plan
from rag.answer.several import asks_several, asks_summary, one_scope, other_end, whole_too
from rag.answer.sides import by_sides
from rag.answer.synthesis import FinalEvent, SynthesisEvent, stream_synthesis, synthesize
from rag.answer.vocabulary import COMMENTS_TOO, LIKED, WORKLOAD
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher


def _declined(
    conn: Conn, catalog: Catalog, entities: Entities, reason: str, searched: str
) -> Evidence:
    """A decline before any plan: for a course or person the reports lack, or a fact no report
    prints."""
    return decline(conn, catalog, entities, plan={"reason": reason}, searched=searched, unclear=[])


_HOURS_ASKED = re.compile(r"\b(?:hours?|hrs?)\b", re.I)


_ANYTHING_ABOUT = re.compile(
    r"^\W*(?:and\s+|ok\s+|so\s+)?(?:anything|any|something|more|what)\s+(?:\w+\s+){0,2}?"
    r"(?:about|on|regarding)\b",
    re.I,
)
"""'anything specifically about how it was organised?' after comments: more comments, on that."""


def _work(question: str) -> bool:
    """Asks about the work ("a lot of work"), not the hours a report prints or declines."""
    return WORKLOAD.search(question) is not None and not _HOURS_ASKED.search(question)


_NUMERIC_INTENTS = {"count", "ranking", "trend", "distribution", "comparison", "hours"}


@dataclass(frozen=True)
class Prepared:
    """A question with its evidence gathered and its turn's conversation known."""

    conversation_id: str
    question: str
    evidence: Evidence
    entities: Entities


def _comments_clause(question: str) -> tuple[str, str | None]:
    """The number question and, where it goes on to ask what students say (COMMENTS_TOO), that
    clause: "which course was best rated in Fall 2024" and "what did students like about it?"."""
    m = COMMENTS_TOO.search(question)
    if m is None or not question[: m.start()].strip(" ,;"):
        return question, None
    asked, clause = question[: m.start()].strip(" ,;"), question[m.end() :]
    if clause.rstrip().endswith("?") and not asked.endswith("?"):
        asked += "?"  # still a question: an aside before it is told apart by that (split_aside)
    return asked, clause


@dataclass
class Asker:
    """What answering needs; built once per process (the model and metric index are slow)."""

    settings: Settings
    searcher: Searcher
    chat_model: BaseChatModel | None
    planner: Planner | None = None

    @property
    def opinions(self) -> Opinions:
        """What students say (rag.answer.opinions), over this asker's searcher."""
        return Opinions(self.searcher)

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
        question, comments_asked = _comments_clause(question)
        said = question  # with the asker's aside, whose names are context (resolve_asked)
        question, entities = resolve_asked(said, catalog, metric_index=None, previous=previous)
        question = entities.spelled or question  # the wording rules read "higest" as "highest"
        entities = narrowed(entities, filters, catalog)
        if entities.unknown_courses or entities.unknown_instructors or entities.ambiguous_courses:
            # never answer for a course or person the reports don't have, nor guess which course
            names = [f"course {c}" for c in entities.unknown_courses]
            names += [f"instructor {p}" for p in entities.unknown_instructors]
            names += [f"“{w}” (several courses)" for w in entities.ambiguous_courses]
            searched = f"reports for {', '.join(names)}"
            return _declined(conn, catalog, entities, f"no {searched}", searched), entities
        if entities.unprinted:  # names, cheating, grades: not in any report, opinions included
            words = " ".join(entities.leftover)
            reason = f"evaluation reports hold no {words}"
            held = _declined(conn, catalog, entities, reason, f"the reports for {words}")
            return held.model_copy(update={"missing": [reason]}), entities
        if previous is not None and previous.intent is not None and WHY.match(question):
            return self.opinions.why(conn, catalog, entities, previous, filters)
        intent = detect_intent(question, entities)
        liked = LIKED.search(question) is not None  # "what do students like most about X"
        opinion = liked or OPINION.search(question) is not None
        comments_follow_up = (
            previous is not None
            and previous.intent is not None
            and previous.intent.kind == "qualitative"
            and (not entities.names_measure() or _ANYTHING_ABOUT.match(question) is not None)
            and intent is None
        )
        if (
            (opinion or comments_follow_up)
            and (liked or intent is None or intent.kind not in _NUMERIC_INTENTS)
            and not entities.figure
        ):
            topic = question if opinion else (entities.topic or question)
            numbers = entities.difficulty or entities.hours or entities.figure or entities.statistic
            # "strengths and weaknesses, with how she sits against the department", "a summary
            # of his evaluations": the whole picture too
            asked = (bool(numbers) and asks_several(said)) or entities.versus_dept
            asked = asked or asks_summary(said)
            whole = asked and about_someone(scope_of(entities))
            return self.opinions.answer(conn, catalog, topic, entities, filters, whole=whole)
        metric_index = MetricIndex.build(catalog, self.searcher.queries.embedder)
        entities = narrowed(
            resolve_asked(said, catalog, metric_index=metric_index, previous=previous)[1],
            filters,
            catalog,
        )
        entities = read_by_meaning(question, entities)
        defaults = catalog_defaults(catalog)
        plan = by_sides(question, catalog, self._plan(question, entities, catalog, defaults))
        verdict = isinstance(plan, Overview) and bool(plan.unread)
        listed = listed_measures(said, catalog, metric_index, defaults)
        base = base_plan(question, plan, entities, defaults) if listed else None
        each = [with_measure(base, m) for m in listed] if base is not None else []
        themed = (isinstance(plan, Unanswerable) or verdict) and self.opinions.asks_theme(
            question, entities
        )
        if themed and not each:
            # words no rating question holds, but a comment theme does ("the pace"): comments
            return self.opinions.answer(conn, catalog, question, entities, filters)
        if each:  # "overall, clarity and fairness against the department": one plan per measure
            plan = each[0]
            if themed and comments_asked is None:  # "is the feedback useful, the workload
                comments_asked = question  # manageable?": what students say follows the numbers
        meant = None
        if isinstance(plan, Unanswerable):  # the rules read no intent, or left words unread
            plan, entities, meant = self._by_meaning(question, entities, defaults, plan)
            if isinstance(plan, Unanswerable) and comments_asked is not None:
                # "ECON1116 exams, what do students write about them?": no number to give, but
                # what students say was asked too
                return self.opinions.answer(conn, catalog, said, entities, filters)
        elif (
            not each and previous is not None and entities.plain and may_retell(question, entities)
        ):
            reading = IntentIndex.build(self.searcher.queries.embedder).read(entities.plain)
            retold = None
            if reading is not None:
                retold = follow_up_by_meaning(
                    question, entities, defaults, reading, previous=previous
                )
            if retold is not None and reading is not None:
                plan, meant = retold, intent_note(reading)
        if isinstance(plan, Unanswerable):
            return decline(
                conn,
                catalog,
                entities,
                plan=plan.model_dump(),
                searched=plan.searched or plan.reason,
                unclear=unclear_words(entities, plan),
            ), entities
        several = (asks_several(said) or comments_asked is not None) and not each
        if isinstance(plan, Comparison) and plan.between in ("instructors", "courses") and several:
            plan = plan.model_copy(update={"whole": True})  # "who's better overall and on feedback"
        evidence = run_plan(conn, plan=plan)
        if len(each) > 1:
            evidence = each_measure(
                [(evidence, plan)] + [(run_plan(conn, plan=p), p) for p in each[1:]]
            )
        if evidence.route == "unanswerable" and isinstance(plan, HoursPerWeek) and _work(question):
            # "is EECE2322 a lot of work?" where its reports print no hours: workload comments
            return self.opinions.answer(
                conn, catalog, question, entities, filters, theme="workload"
            )
        if (
            evidence.route == "unanswerable"
            and isinstance(plan, Ranking)
            and plan.metric.kind == "hours"
        ):  # "heaviest workload" where no report prints hours per week: what comments say
            evidence = workload_by_comments(conn, plan=plan, access=self.searcher.access)
        also = None
        if evidence.route == "quantitative" and not each:
            also = second_plan(question, plan, defaults)
        if also is not None:  # "which is lighter, and which is better rated?": both measures
            second = run_plan(conn, plan=also)
            if second.route == "quantitative":
                evidence = both_measures(evidence, second, measure_label(also))
        reverse = other_end(question, plan) if evidence.route == "quantitative" else None
        if reverse is not None:  # "top-rated and bottom-rated course": both ends
            bottom = run_plan(conn, plan=reverse)
            if bottom.route == "quantitative":
                end = "lowest first" if reverse.order == "asc" else "highest first"
                evidence = both_measures(evidence, bottom, end)
        if evidence.route == "quantitative" and several and one_scope(plan) and also is None:
            # (the second measure, where read, answered the other ask already)
            picture = self._whole(conn, plan, defaults)
            evidence = whole_too(evidence, picture) if picture is not None else evidence
        elif evidence.route == "unanswerable" and several and one_scope(plan):
            # "is EECE2322 worth taking? how many hours?" where no report prints hours: the
            # whole picture, saying which ask it cannot answer
            picture = self._whole(conn, plan, defaults)
            if picture is not None:
                lacking = f"No answer for {evidence.searched.rstrip('.')}"
                evidence = picture.model_copy(update={"notes": [*picture.notes, lacking]})
        update: dict[str, object] = {"intent": intent_of(plan), "topic": None}
        if isinstance(plan, Ranking) and plan.by == "change":
            update["breakdown"] = None  # "over the years" was the change; a follow-up ranks again
        if isinstance(plan, Ranking):  # the scope a ranking widened is the one in force after it
            if not plan.scope.courses and entities.courses:
                update["courses"] = []  # (its sections went with it: the next test clears them)
            if not plan.scope.instructor_ids and entities.instructors:
                update["instructors"] = []
            if not plan.scope.sections and entities.sections:
                update["sections"] = []
        entities = entities.model_copy(update=update)
        if isinstance(plan, Overview) and evidence.route == "quantitative":
            evidence = self.opinions.with_comments(
                conn, catalog, question, entities, filters, evidence
            )
            unread = [
                f"“{w}” was read as no rating: this is the whole picture" for w in plan.unread
            ]
            evidence = evidence.model_copy(update={"notes": [*evidence.notes, *unread]})
        for note in (meaning_note(entities), meant):
            if note is not None and evidence.route != "unanswerable":
                evidence = evidence.model_copy(update={"notes": [*evidence.notes, note]})
        if evidence.route != "unanswerable" and not isinstance(plan, (Ranking, Count)):
            shared = co_taught(conn, scope=plan.scope)  # one evaluation of two people
            evidence = evidence.model_copy(update={"notes": [*evidence.notes, *shared]})
        if evidence.route == "unanswerable":
            evidence = decline(
                conn, catalog, entities, plan=evidence.plan, searched=evidence.searched, unclear=[]
            )
        elif comments_asked and evidence.route == "quantitative":
            evidence = self.opinions.said_too(
                conn, catalog, comments_asked, entities, filters, evidence
            )
        return evidence, entities

    def _plan(
        self, question: str, entities: Entities, catalog: Catalog, defaults: Defaults
    ) -> Plan | Unanswerable:
        """The rule-based plan, or the LLM planner's when one is configured and its plan
        validates against the catalogue (else the rules' plan, and the rejection is logged)."""
        ruled = plan_question(question, entities, defaults)
        if self.planner is None:
            return ruled
        return self.planner.plan(question, entities, catalog, fallback=ruled)

    @staticmethod
    def _whole(conn: Conn, plan: Plan, defaults: Defaults) -> Evidence | None:
        """For a question that asks several things about one person or course
        (rag.answer.several): the whole picture of the plan's sections, if it finds any."""
        scope = getattr(plan, "scope", None)
        if defaults.headline is None or scope is None or not about_someone(scope):
            return None
        whole = run_plan(conn, plan=Overview(scope=scope, headline=defaults.headline))
        return whole if whole.route == "quantitative" else None

    def _by_meaning(
        self, question: str, entities: Entities, defaults: Defaults, declined: Unanswerable
    ) -> tuple[Plan | Unanswerable, Entities, str | None]:
        """The plan for the intent the question means by similarity to example questions
        (rag.answer.intents), with a note saying how it was read; else the decline."""
        if not entities.plain:
            return declined, entities, None
        index = IntentIndex.build(self.searcher.queries.embedder)
        reading = index.read(entities.plain, unread=entities.leftover)
        if reading is None:
            return declined, entities, None
        meant = plan_by_meaning(question, entities, defaults, reading)
        if meant is None:
            return declined, entities, None
        return meant[0], meant[1], intent_note(reading)

    def prepare(
        self,
        conn: Conn,
        *,
        question: str,
        principal: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
        fresh: bool = False,
    ) -> Prepared:
        """Everything an answer needs from the database, committed: the conversation and the
        evidence. The LLM writes afterwards, without a connection (`write`, `write_stream`).

        `fresh`: the question starts from no scope, even inside a conversation."""
        conversation_id, previous = self._conversation(conn, conversation_id, principal)
        evidence, entities = self.gather(
            conn, question=question, previous=None if fresh else previous, filters=filters
        )
        if evidence.answered:  # whom "his", "her", "that person" mean in the next turn
            entities = entities.model_copy(
                update={"answered": answered_people(conn, evidence.answered)}
            )
        if evidence.answered_course:  # what "there", "that class", "it" mean in the next turn
            entities = entities.model_copy(update={"answered_course": evidence.answered_course})
        if entities.read_as:  # "last fall": say which term it was read as
            evidence = evidence.model_copy(update={"notes": [*entities.read_as, *evidence.notes]})
        conn.commit()  # no transaction stays open while a model writes
        return Prepared(conversation_id, question, evidence, entities)

    def write(self, prepared: Prepared) -> Answer:
        """The answer in words (the LLM's when it passes the guard); needs no connection."""
        answer = synthesize(prepared.question, prepared.evidence, chat_model=self.chat_model)
        return self._placed(prepared, answer)

    def write_stream(self, prepared: Prepared) -> Iterator[SynthesisEvent]:
        """The answer's events (rag.answer.synthesis.stream_synthesis): with an LLM a `checking`
        event while it writes, then the checked text (or the extractive answer) as tokens, then
        the final event carrying the whole answer; needs no connection."""
        events = stream_synthesis(prepared.question, prepared.evidence, chat_model=self.chat_model)
        for event in events:
            if isinstance(event, FinalEvent):
                event = event.model_copy(update={"answer": self._placed(prepared, event.answer)})
            yield event

    def remember(self, conn: Conn, prepared: Prepared, answer: Answer) -> None:
        """Store the turn, so that follow-ups resolve against it."""
        add_turn(
            conn,
            conversation_id=prepared.conversation_id,
            question=prepared.question,
            route=answer.route,
            answer=answer.model_dump(mode="json"),
            entities=prepared.entities.model_dump(mode="json"),
        )
        conn.commit()

    def ask(
        self,
        conn: Conn,
        *,
        question: str,
        principal: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
        fresh: bool = False,
    ) -> Answer:
        """Prepare, write and remember on one connection (the CLI and the evaluations; the API
        releases its connection while the model writes)."""
        prepared = self.prepare(
            conn,
            question=question,
            principal=principal,
            conversation_id=conversation_id,
            filters=filters,
            fresh=fresh,
        )
        answer = self.write(prepared)
        self.remember(conn, prepared, answer)
        return answer

    @staticmethod
    def _placed(prepared: Prepared, answer: Answer) -> Answer:
        return answer.model_copy(
            update={
                "conversation_id": prepared.conversation_id,
                "scope": scope_in_force(prepared.entities),
            }
        )

    def _conversation(
        self, conn: Conn, conversation_id: str | None, principal: str
    ) -> tuple[str, Entities | None]:
        if conversation_id is None:
            return start_conversation(conn, principal=principal), None
        stored = last_entities(conn, conversation_id=conversation_id, principal=principal)
        return conversation_id, Entities.model_validate(stored) if stored else None


def open_asker(settings: Settings, searcher: Searcher) -> Asker:
    chat_model = make_chat_model(settings)
    planner = None
    if chat_model is not None and settings.llm_planner:
        planner = Planner(chat_model=chat_model)
    return Asker(settings=settings, searcher=searcher, chat_model=chat_model, planner=planner)
