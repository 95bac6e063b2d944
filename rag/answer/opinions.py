"""What students say, for the questions that ask it and beside the numbers: the theme a
question names, the comments' evidence with the ratings of the same thing, and the comments a
number question goes on to ask for ("... and what did students like about it?")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.db import Conn
from enrichment.detector import detector_for
from enrichment.theme_definitions import GENERAL, lexicon_hits
from rag.answer.analytics.run import run_plan
from rag.answer.answers import Evidence
from rag.answer.declines import catalog_defaults, decline, mixed, themed
from rag.answer.entities.metric_index import MetricIndex
from rag.answer.entities.model import Catalog, Entities, Intent
from rag.answer.entities.people import answered_people
from rag.answer.planning import Defaults
from rag.answer.plans import Comparison, HoursPerWeek, Overview, Plan, metric_of, scope_of
from rag.answer.qualitative import asked_tone, qualitative_evidence
from rag.answer.scoping import comment_filters
from rag.search.filters import SearchFilters
from rag.search.searcher import Searcher

THEME_RATINGS: dict[str, tuple[str, ...]] = {
    "exams": ("fairly evaluated", "intellectually challenging"),
    "pace": ("time effectively", "clearly communicated"),
}
"""The rating questions a comment theme is rated by, where its name matches none: what students
write about exams sits next to how fairly they felt evaluated and how challenging the course was;
about the pace, next to the use of class time and the clarity. Other themes match by name
("feedback", "clarity"), and the workload is the hours per week."""


OPINION = re.compile(
    r"\b(say|says|said|saying|comments?|commented|remarks?|think|thought|thoughts|opinions?|"
    r"complain\w*|"
    r"criticis\w*|criticiz\w*|dislike[ds]?|praise[ds]?|"
    r"(?:feel|felt)(?!\s+(?:welcome|included|respected|valued|comfortable|safe|heard)\b)|"
    r"mention\w*|reviews?|"
    r"experiences?|strengths?|weakness\w*|(?:could|should|can|to)\s+(?:be\s+)?improv\w*|"
    r"improvements?|(?:students|people|ppl|anyone|folks|kids)\s+(?:are\s+|were\s+)?(?:like|"
    r"liked|love|loved|hate|hated|write|wrote|written|writing|saying|tell|telling|told)|"
    r"unhappy|upset|frustrat\w*|disappoint\w*|"
    r"(?:anything|something)\s+(?:negative|positive|good|bad)|"
    r"what\s+(?:do|did)\s+(?:students|people|ppl)\s+(?:like|dislike|write|complain)|"
    r"according\s+to\s+(?:the\s+)?(?:students|comments|reviews|people))\b",
    re.I,
)
"""Words that ask what students say (the comments route), whatever else the question names."""

_TONE_ASKED = re.compile(
    r"\b(complain\w*|criticis\w*|criticiz\w*|negative|positive|praise\w*|dislike\w*|"
    r"problems?|issues?|good\s+things|bad\s+things|strengths?|weakness\w*)\b",
    re.I,
)
"""Words asking for one tone of comments (complaints, praise)."""


WHY = re.compile(
    r"^\W*(?:(?:and|but|so|ok|okay|hm+|huh)\W+)?(?:any\s+idea\s+|do\s+(?:you|we)\s+know\s+)?"
    r"(?:why|how\s+come|what\s+explains\s+(?:that|this|it))\b"
    r"(?:\s+(?:is|was|were|are|did|does|so)\b[^?.!]{0,40})?\W*$",
    re.I,
)
""""why?", "how come?", "why was it so low?" after an answer: what students say about what it
put first (complaints after a ranking from the bottom, praise after one from the top)."""


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


@dataclass(frozen=True)
class Opinions:
    """Comments evidence over one searcher (the embedder reads themes too)."""

    searcher: Searcher

    def said_too(
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
        comments = self._comments(conn, catalog, asked, about, filters)
        return mixed(numbers, comments) if comments.route == "qualitative" else numbers

    def why(
        self,
        conn: Conn,
        catalog: Catalog,
        entities: Entities,
        previous: Entities,
        filters: SearchFilters | None,
    ) -> tuple[Evidence, Entities]:
        """What students say behind the last answer ("why?"): about the one a ranking put
        first, or the same scope; complaints after a ranking from the bottom, praise after one
        from the top, every theme otherwise. A name in the question is who it asks about. The
        conversation goes on from the answer it explains."""
        about = entities
        ranked = previous.intent is not None and previous.intent.kind == "ranking"
        own_course = bool(set(entities.courses) - set(previous.courses))
        own_person = bool(
            {p.id for p in entities.instructors} - {p.id for p in previous.instructors}
        )
        if not (own_course or own_person):  # not "why is CS5800 so low?"
            if ranked and previous.answered:
                about = about.model_copy(update={"instructors": list(previous.answered)})
            elif ranked and previous.answered_course:
                about = about.model_copy(
                    update={"courses": [previous.answered_course], "subjects": [], "sections": []}
                )
        if ranked and previous.intent is not None and previous.intent.order == "asc":
            asked = "what did students complain about"
        elif ranked:
            asked = "what did students praise"
        else:
            asked = "what do students say"
        evidence, _ = self.answer(conn, catalog, asked, about, filters)
        return evidence, previous  # an aside: "flip it" or "and in Fall 2024?" follow the last turn

    def asks_theme(self, question: str, entities: Entities) -> bool:
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

    def asked_theme(self, question: str, entities: Entities) -> str | None:
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

    def answer(
        self,
        conn: Conn,
        catalog: Catalog,
        question: str,
        entities: Entities,
        filters: SearchFilters | None,
        *,
        theme: str | None = None,
        whole: bool = False,
    ) -> tuple[Evidence, Entities]:
        """What students say; about a person or course as a whole, with their ratings too.
        `theme`: the theme the question was read as asking about (else the detector's).
        `whole`: the question asks more than what students say (rag.answer.several), so the
        whole picture comes with a theme's comments too."""
        evidence = self._comments(conn, catalog, question, entities, filters, theme=theme)
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
        if evidence.route == "qualitative" and (general or whole) and defaults.headline is not None:
            overview = run_plan(
                conn, plan=Overview(scope=scope_of(entities), headline=defaults.headline)
            )
            if overview.route == "quantitative":  # asked what students say: the themes lead
                evidence = mixed(overview, evidence)
                evidence.plan["lead"] = "comments"
        elif evidence.route == "qualitative" and theme != GENERAL:
            rated = self.theme_numbers(conn, catalog, theme, entities, defaults)
            if rated is not None:  # what students say, next to the rating of the same thing
                evidence = evidence.model_copy(update={"facts": rated.facts})
        if evidence.route == "unanswerable":
            evidence = decline(
                conn, catalog, entities, plan=evidence.plan, searched=evidence.searched, unclear=[]
            )
        return evidence, entities

    def theme_numbers(
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
        plans: list[Plan] = []
        if theme == "workload" and defaults.hours is not None:
            plans.append(HoursPerWeek(prompt=defaults.hours.text, scope=scope))
        else:
            index = MetricIndex.build(catalog, self.searcher.queries.embedder)
            refs = [index.match(phrase) for phrase in THEME_RATINGS.get(theme, (theme,))]
            asked = {r.question_id: r for r in refs if r is not None and r.kind == "question"}
            plans += [
                Comparison(metric=metric_of(ref), scope=scope, between="dept_univ")
                for ref in asked.values()
            ]
        found = [
            e for e in (run_plan(conn, plan=plan) for plan in plans) if e.route == "quantitative"
        ]
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        facts = []  # several questions: each one's yardsticks say whose they are
        for rated in found:
            item = rated.facts[0].label.split(", ")[0]
            facts += [rated.facts[0]] + [
                f.model_copy(update={"label": f"{item}: {f.label}"}) for f in rated.facts[1:]
            ]
        return found[0].model_copy(update={"facts": facts})

    def with_comments(
        self,
        conn: Conn,
        catalog: Catalog,
        question: str,
        entities: Entities,
        filters: SearchFilters | None,
        overview: Evidence,
    ) -> Evidence:
        """The whole picture of a person or course: the overview's ratings with the comments,
        led by the theme asked about ("is it going too fast?") where one is."""
        comments = self._comments(conn, catalog, question, entities, filters)
        if comments.route != "qualitative":
            return overview
        theme = str(comments.plan.get("theme") or GENERAL)
        if theme != GENERAL and not entities.difficulty:  # "is it going too fast?": the pace
            defaults = catalog_defaults(catalog)
            rated = self.theme_numbers(conn, catalog, theme, entities, defaults)
            return themed(overview, comments, rated)
        return mixed(overview, comments)

    def _comments(
        self,
        conn: Conn,
        catalog: Catalog,
        question: str,
        entities: Entities,
        filters: SearchFilters | None,
        *,
        theme: str | None = None,
    ) -> Evidence:
        """The comments in the entities' scope (five quoted), about `theme` or the one the
        question asks about."""
        return qualitative_evidence(
            conn,
            searcher=self.searcher,
            question=question,
            filters=comment_filters(entities, catalog, filters),
            k=5,
            theme=theme or self.asked_theme(question, entities),
        )
