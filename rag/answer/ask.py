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
from enrichment.detector import detector_for
from enrichment.theme_definitions import GENERAL, lexicon_hits
from rag.answer.analytics.overview import workload_by_comments
from rag.answer.analytics.run import run_plan
from rag.answer.analytics.teaching import co_taught
from rag.answer.answers import Answer, Evidence
from rag.answer.conversations import add_turn, last_entities, start_conversation
from rag.answer.declines import catalog_defaults, decline, mixed, scope_in_force, themed
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, Entities, Intent
from rag.answer.entities.people import answered_people
from rag.answer.entities.resolve import resolve_asked
from rag.answer.intents import IntentIndex, intent_note
from rag.answer.llm import make_chat_model
from rag.answer.meaning import (
    follow_up_by_meaning,
    may_retell,
    meaning_note,
    plan_by_meaning,
    read_by_meaning,
)
from rag.answer.planner import Planner
from rag.answer.planning import Defaults, detect_intent, intent_of, plan_question
from rag.answer.plans import (
    Comparison,
    Count,
    HoursPerWeek,
    Overview,
    Plan,
    Ranking,
    Unanswerable,
    metric_of,
    scope_of,
)
from rag.answer.qualitative import asked_tone, qualitative_evidence
from rag.answer.scoping import comment_filters, narrowed, unclear_words
from rag.answer.second_measure import both_measures, measure_label, second_plan
from rag.answer.synthesis import FinalEvent, SynthesisEvent, stream_synthesis, synthesize
from rag.answer.vocabulary import COMMENTS_TOO, LIKED, WORKLOAD
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher

_OPINION = re.compile(
    r"\b(say|says|said|saying|comments?|commented|think|thought|thoughts|opinions?|complain\w*|"
    r"criticis\w*|criticiz\w*|dislike[ds]?|praise[ds]?|feel|felt|mention\w*|reviews?|"
    r"experiences?|strengths?|weakness\w*|(?:could|should|can|to)\s+(?:be\s+)?improv\w*|"
    r"improvements?|(?:students|people|anyone|folks)\s+(?:like|liked|love|loved|hate|hated|"
    r"write|wrote|written)|unhappy|upset|frustrat\w*|disappoint\w*|"
    r"(?:anything|something)\s+(?:negative|positive|good|bad)|"
    r"what\s+(?:do|did)\s+(?:students|people)\s+(?:like|dislike|write|complain)|"
    r"according\s+to\s+(?:the\s+)?(?:students|comments|reviews|people))\b",
    re.I,
)
_TONE_ASKED = re.compile(
    r"\b(complain\w*|criticis\w*|criticiz\w*|negative|positive|praise\w*|dislike\w*|"
    r"problems?|issues?|good\s+things|bad\s+things|strengths?|weakness\w*)\b",
    re.I,
)
_HOURS_ASKED = re.compile(r"\b(?:hours?|hrs?)\b", re.I)


_OPINION_WORDS = re.compile(
    r"\b(?:students?|people|anyone|everyone|folks|they|think\w*|thought|feel\w*|felt|"
    r"like[ds]?|love[ds]?|hate[ds]?|dislike[ds]?|enjoy\w*|prais\w*|complain\w*|criticis\w*|"
    r"criticiz\w*|say\w*|said|wr[io]te|written|writ\w*|comments?|reviews?|opinions?|"
    r"mention\w*|good|bad|great|best|worst|most|least|things?|negative|positive|strengths?|"
    r"weakness\w*|unhappy|happy|teach\w*|teacher|prof\w*|instructor|class|course|"
    r"experiences?|verdict|take|honest\w*|overall)\b",
    re.I,
)
"""Words of an opinion question that name no theme: with only these left, the question asks
about the course or person as a whole, and the most-mentioned themes lead."""


def _declined(
    conn: Conn, catalog: Catalog, entities: Entities, reason: str, searched: str
) -> Evidence:
    """A decline before any plan: for a course or person the reports lack, or a fact no report
    prints."""
    return decline(conn, catalog, entities, plan={"reason": reason}, searched=searched, unclear=[])


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
    return question[: m.start()].strip(" ,;"), question[m.end() :]


@dataclass
class Asker:
    """What answering needs; built once per process (the model and metric index are slow)."""

    settings: Settings
    searcher: Searcher
    chat_model: BaseChatModel | None
    planner: Planner | None = None

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
        intent = detect_intent(question, entities)
        liked = LIKED.search(question) is not None  # "what do students like most about X"
        opinion = liked or _OPINION.search(question) is not None
        comments_follow_up = (
            previous is not None
            and previous.intent is not None
            and previous.intent.kind == "qualitative"
            and not entities.names_measure()
            and intent is None
        )
        if (
            (opinion or comments_follow_up)
            and (liked or intent is None or intent.kind not in _NUMERIC_INTENTS)
            and not entities.figure
        ):
            topic = question if opinion else (entities.topic or question)
            return self._opinions(conn, catalog, topic, entities, filters)
        metric_index = MetricIndex.build(catalog, self.searcher.queries.embedder)
        entities = narrowed(
            resolve_asked(said, catalog, metric_index=metric_index, previous=previous)[1],
            filters,
            catalog,
        )
        entities = read_by_meaning(question, entities)
        defaults = catalog_defaults(catalog)
        plan = self._plan(question, entities, catalog, defaults)
        verdict = isinstance(plan, Overview) and bool(plan.unread)
        if (isinstance(plan, Unanswerable) or verdict) and self._asks_theme(question, entities):
            # words no rating question holds, but a comment theme does ("the pace"): comments
            return self._opinions(conn, catalog, question, entities, filters)
        meant = None
        if isinstance(plan, Unanswerable):  # the rules read no intent, or left words unread
            plan, entities, meant = self._by_meaning(question, entities, defaults, plan)
        elif previous is not None and entities.plain and may_retell(question, entities):
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
        evidence = run_plan(conn, plan=plan)
        if evidence.route == "unanswerable" and isinstance(plan, HoursPerWeek) and _work(question):
            # "is EECE2322 a lot of work?" where its reports print no hours: workload comments
            return self._opinions(conn, catalog, question, entities, filters, theme="workload")
        if (
            evidence.route == "unanswerable"
            and isinstance(plan, Ranking)
            and plan.metric.kind == "hours"
        ):  # "heaviest workload" where no report prints hours per week: what comments say
            evidence = workload_by_comments(conn, plan=plan, access=self.searcher.access)
        also = second_plan(question, plan, defaults) if evidence.route == "quantitative" else None
        if also is not None:  # "which is lighter, and which is better rated?": both measures
            second = run_plan(conn, plan=also)
            if second.route == "quantitative":
                evidence = both_measures(evidence, second, measure_label(also))
        update: dict[str, object] = {"intent": intent_of(plan), "topic": None}
        if isinstance(plan, Ranking) and plan.by == "change":
            update["breakdown"] = None  # "over the years" was the change; a follow-up ranks again
        entities = entities.model_copy(update=update)
        if isinstance(plan, Overview) and evidence.route == "quantitative":
            evidence = self._with_comments(conn, catalog, question, entities, filters, evidence)
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
            evidence = self._said_too(conn, catalog, comments_asked, entities, filters, evidence)
        return evidence, entities

    def _said_too(
        self,
        conn: Conn,
        catalog: Catalog,
        asked: str,
        entities: Entities,
        filters: SearchFilters | None,
        numbers: Evidence,
    ) -> Evidence:
        """The comments a number question went on to ask for ("... and what did students like
        about it?"): about the ranking's first where it ranked, else about its scope."""
        about = entities
        if numbers.answered:
            about = about.model_copy(
                update={"instructors": answered_people(conn, numbers.answered)}
            )
        elif numbers.answered_course:
            about = about.model_copy(update={"courses": [numbers.answered_course], "subjects": []})
        comments = qualitative_evidence(
            conn,
            searcher=self.searcher,
            question=asked,
            filters=comment_filters(about, catalog, filters),
            k=5,
            theme=self._asked_theme(asked, about),
        )
        return mixed(numbers, comments) if comments.route == "qualitative" else numbers

    def _plan(
        self, question: str, entities: Entities, catalog: Catalog, defaults: Defaults
    ) -> Plan | Unanswerable:
        """The rule-based plan, or the LLM planner's when one is configured and its plan
        validates against the catalogue (else the rules' plan, and the rejection is logged)."""
        ruled = plan_question(question, entities, defaults)
        if self.planner is None:
            return ruled
        return self.planner.plan(question, entities, catalog, fallback=ruled)

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

    def _asks_theme(self, question: str, entities: Entities) -> bool:
        """Whether an unmatched metric phrase names a theme students write about."""
        unmatched = list(entities.leftover)
        if not unmatched and entities.metric_phrase and entities.metric is None:
            unmatched = [entities.metric_phrase]
        if not unmatched or entities.outside or entities.future:
            return False
        if entities.unprinted:
            return False
        if not entities.evaluative:  # "how is the pace", not "what's the grade distribution"
            return False
        detector = detector_for(self.searcher.queries.embedder)
        return detector.question_theme(" ".join(unmatched)) != GENERAL

    def _asked_theme(self, question: str, entities: Entities) -> str | None:
        """The theme a comments question names, or GENERAL when it names none ("what do students
        say about Okafor's teaching"): a theme word, or what is left of its words once scope and
        opinion words go; None leaves it to the detector (whole-question reading)."""
        if lexicon_hits(question):
            return None
        rest = _OPINION_WORDS.sub(" ", entities.metric_phrase or "")
        if entities.hours or entities.difficulty or entities.metric is not None:
            return None
        words = [w for w in rest.split() if len(w) > 2]
        if not words:
            return GENERAL
        detector = detector_for(self.searcher.queries.embedder)
        return detector.question_theme(" ".join(words))

    def _opinions(
        self,
        conn: Conn,
        catalog: Catalog,
        question: str,
        entities: Entities,
        filters: SearchFilters | None,
        *,
        theme: str | None = None,
    ) -> tuple[Evidence, Entities]:
        """What students say; about a person or course as a whole, with their ratings too.
        `theme`: the theme the question was read as asking about (else the detector's)."""
        scope = comment_filters(entities, catalog, filters)
        theme = theme or self._asked_theme(question, entities)
        evidence = qualitative_evidence(
            conn, searcher=self.searcher, question=question, filters=scope, k=5, theme=theme
        )
        entities = entities.model_copy(  # a comments turn leaves no metric to follow up on
            update={
                "intent": Intent(kind="qualitative"),
                "topic": question,
                "metric": None,
                "metric_phrase": None,
                "figure": None,
                "statistic": None,
                "hours": False,
                "options": [],
                "leftover": [],
            }
        )
        theme = str(evidence.plan.get("theme") or GENERAL)
        toned = _TONE_ASKED.search(question) or asked_tone(question) is not None
        general = theme == GENERAL and not toned
        defaults = catalog_defaults(catalog)
        if evidence.route == "qualitative" and general and defaults.headline is not None:
            overview = run_plan(
                conn, plan=Overview(scope=scope_of(entities), headline=defaults.headline)
            )
            if overview.route == "quantitative":  # asked what students say: the themes lead
                evidence = mixed(overview, evidence)
                evidence.plan["lead"] = "comments"
        elif evidence.route == "qualitative" and theme != GENERAL:
            rated = self._theme_numbers(conn, catalog, theme, entities, defaults)
            if rated is not None:  # what students say, next to the rating of the same thing
                evidence = evidence.model_copy(update={"facts": rated.facts})
        if evidence.route == "unanswerable":
            evidence = decline(
                conn, catalog, entities, plan=evidence.plan, searched=evidence.searched, unclear=[]
            )
        return evidence, entities

    def _theme_numbers(
        self,
        conn: Conn,
        catalog: Catalog,
        theme: str,
        entities: Entities,
        defaults: Defaults,
    ) -> Evidence | None:
        """The numbers a report prints about a comment theme: hours per week for the workload,
        the rating question the theme's name matches (clarity, feedback, ...) otherwise."""
        scope = scope_of(entities)
        plan: Plan | None = None
        if theme == "workload" and defaults.hours is not None:
            plan = HoursPerWeek(prompt=defaults.hours.text, scope=scope)
        else:
            index = MetricIndex.build(catalog, self.searcher.queries.embedder)
            ref = index.match(theme)
            if ref is not None and ref.kind == "question":
                plan = Comparison(metric=metric_of(ref), scope=scope, between="dept_univ")
        if plan is None:
            return None
        evidence = run_plan(conn, plan=plan)
        return evidence if evidence.route == "quantitative" else None

    def _with_comments(
        self,
        conn: Conn,
        catalog: Catalog,
        question: str,
        entities: Entities,
        filters: SearchFilters | None,
        overview: Evidence,
    ) -> Evidence:
        scope = comment_filters(entities, catalog, filters)
        comments = qualitative_evidence(
            conn,
            searcher=self.searcher,
            question=question,
            filters=scope,
            k=5,
            theme=self._asked_theme(question, entities),
        )
        if comments.route != "qualitative":
            return overview
        theme = str(comments.plan.get("theme") or GENERAL)
        if theme != GENERAL and not entities.difficulty:  # "is it going too fast?": the pace
            defaults = catalog_defaults(catalog)
            rated = self._theme_numbers(conn, catalog, theme, entities, defaults)
            return themed(overview, comments, rated)
        return mixed(overview, comments)

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
