"""Compute every expected answer of questions.jsonl from the corpus JSON and labels.jsonl.

Reads corpus/*.json, labels.jsonl and questions_spec.jsonl (the questions as a person wrote them,
each with a structured spec of what it asks), and writes questions.jsonl with the `expect` field
filled in. Run from anywhere:
    python tests/data/independent/build_answers.py          # rewrite questions.jsonl
    python tests/data/independent/build_answers.py --check  # exit 1 if it would change

Rules (README.md): a mean over several sections is weighted by each section's responses to that
question and rounded half-up to 2 decimals; one section's values are as printed; rankings leave
out sections whose question has fewer than 5 responses; a response rate is the overall-rating
question's responses over enrollment; hours per week come from the frequency bins.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MIN_RESPONSES = 5

QTEXT = {
    "syllabus": "The syllabus was accurate and helpful in delineating expectations and course "
    "outcomes.",
    "materials": "Required and additional course materials were helpful in achieving course "
    "outcomes.",
    "career": "The course helped me build skills I expect to use on co-op or in my career.",
    "inclass": "In-class sessions were helpful for learning.",
    "assignments": "Out-of-class assignments and/or fieldwork were helpful for learning.",
    "challenging": "This course was intellectually challenging.",
    "learned": "I learned a lot in this course.",
    "prepared": "The instructor came to class prepared to teach.",
    "timeuse": "The instructor used class time effectively.",
    "clarity": "The instructor clearly communicated ideas and information.",
    "feedback": "The instructor provided sufficient feedback.",
    "fair": "The instructor fairly evaluated my performance.",
    "available": "The instructor was available to assist students outside of class.",
    "inclusive": "The instructor facilitated a respectful and inclusive learning environment.",
    "enthusiasm": "The instructor displayed enthusiasm for the course.",
    "overall": "What is your overall rating of this instructor's teaching effectiveness?",
    "online_org": "Online course materials were organized to help me navigate through the course "
    "week by week.",
    "online_instr": "Online interactions with my instructor created a sense of connection in the "
    "virtual classroom.",
    "online_community": "Online course interactions created a sense of community and connection "
    "to my classmates.",
    "online_tech": "I had the necessary computer skills and technology to successfully complete "
    "the course.",
}
BINS = ("1-4", "5-8", "9-12", "13-16", "17-20")
MIDPOINTS = {
    "1-4": Fraction(5, 2),
    "5-8": Fraction(13, 2),
    "9-12": Fraction(21, 2),
    "13-16": Fraction(29, 2),
    "17-20": Fraction(37, 2),
}
SEASONS = ("Spring", "Summer 1", "Full Summer", "Summer 2", "Fall", "Winter")


class SpecError(ValueError):
    """A spec that does not fit the corpus (no section, a tie at the top, ...)."""


def half_up(value: Fraction | Decimal | int, places: int = 2) -> float:
    frac = Fraction(value)
    dec = Decimal(frac.numerator) / Decimal(frac.denominator)
    return float(dec.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def exact(value: float) -> Fraction:
    """A printed two-decimal number as an exact fraction (4.35 stays 4.35)."""
    return Fraction(Decimal(str(value)))


def term_key(label: str) -> int:
    season, year = label.rsplit(" ", 1)
    return int(year) * 10 + SEASONS.index(season)


def instructor_names(report: dict) -> list[str]:
    return [f"{i['last']}, {i['first']}" for i in report["instructors"]]


def load_corpus() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8")) for p in sorted((HERE / "corpus").glob("*.json"))
    ]


def load_labels() -> dict[tuple[str, str, int], dict]:
    rows = [
        json.loads(line)
        for line in (HERE / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return {(r["file"], r["prompt"], r["number"]): r for r in rows}


class Answerer:
    def __init__(self, corpus: list[dict], labels: dict[tuple[str, str, int], dict]):
        self.corpus = corpus
        self.labels = labels

    # ---- selection -------------------------------------------------------------------------
    def select(self, sel: dict, *, allow_empty: bool = False) -> list[dict]:
        out = []
        for r in self.corpus:
            if sel.get("course") and r["course"]["code"] != sel["course"]:
                continue
            if sel.get("subject") and r["course"]["subject"] != sel["subject"]:
                continue
            if sel.get("section") and r["course"]["section"] != sel["section"]:
                continue
            if sel.get("term") and r["term"]["label"] != sel["term"]:
                continue
            if sel.get("terms") and r["term"]["label"] not in sel["terms"]:
                continue
            if sel.get("instructor") and sel["instructor"] not in instructor_names(r):
                continue
            if r["course"]["code"] in sel.get("exclude_courses", []):
                continue
            out.append(r)
        if not out and not allow_empty:
            raise SpecError(f"no section matches {sel}")
        return sorted(out, key=lambda r: (term_key(r["term"]["label"]), r["file"]))

    def one(self, sel: dict) -> dict:
        found = self.select(sel)
        if len(found) != 1:
            raise SpecError(f"{sel} matches {len(found)} sections, expected one")
        return found[0]

    @staticmethod
    def question(report: dict, key: str) -> dict | None:
        return next((q for q in report["questions"] if q["text"] == QTEXT[key]), None)

    def rows(self, reports: list[dict], key: str, *, eligible_only: bool = False) -> list[dict]:
        rows = [q for r in reports if (q := self.question(r, key)) is not None]
        if eligible_only:
            rows = [q for q in rows if q["responses"] >= MIN_RESPONSES]
        return rows

    # ---- arithmetic ------------------------------------------------------------------------
    @staticmethod
    def weighted(rows: list[dict], field: str = "course_mean") -> Fraction:
        total = sum(q["responses"] for q in rows)
        if not rows or total == 0:
            raise SpecError("no responses to weight")
        return sum(exact(q[field]) * q["responses"] for q in rows) / total

    def mean(self, reports: list[dict], key: str) -> float:
        rows = self.rows(reports, key)
        if not rows:
            raise SpecError(f"question {key} not asked in {[r['file'] for r in reports]}")
        return half_up(self.weighted(rows))

    def rate(self, reports: list[dict]) -> float:
        responses = sum(self.question(r, "overall")["responses"] for r in reports)
        enrolled = sum(r["enrollment"] for r in reports)
        value = half_up(Fraction(responses, enrolled))
        for r in reports:  # the printed rate agrees with the rule wherever it is printed
            printed = self.question(r, "overall")["response_rate"]
            own = half_up(Fraction(self.question(r, "overall")["responses"], r["enrollment"]))
            if printed is not None and printed != own:
                raise SpecError(f"{r['file']}: printed rate {printed} != {own}")
        return value

    @staticmethod
    def hours_bins(reports: list[dict]) -> dict[str, int]:
        bins = dict.fromkeys(BINS, 0)
        found = False
        for r in reports:
            for f in r["frequencies"]:
                found = True
                for k, v in f["bins"].items():
                    bins[k] += v
        if not found:
            raise SpecError(f"no hours block in {[r['file'] for r in reports]}")
        return bins

    def hours_summary(self, reports: list[dict]) -> tuple[dict[str, float], str]:
        bins = self.hours_bins(reports)
        total = sum(bins.values())
        values: dict[str, float] = dict(bins)
        values["share_9_plus"] = half_up(
            Fraction(bins["9-12"] + bins["13-16"] + bins["17-20"], total)
        )
        values["share_13_plus"] = half_up(Fraction(bins["13-16"] + bins["17-20"], total))
        values["mean_midpoint"] = half_up(sum(MIDPOINTS[k] * v for k, v in bins.items()) / total)
        top = max(bins.values())
        modal = [k for k in BINS if bins[k] == top]
        return values, "/".join(modal)

    def hours_mean(self, reports: list[dict]) -> float:
        return self.hours_summary(reports)[0]["mean_midpoint"]

    # ---- grouping for rankings -------------------------------------------------------------
    def groups(self, reports: list[dict], entity: str) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for r in reports:
            names = instructor_names(r) if entity == "instructor" else [r["course"]["code"]]
            for name in names:
                out[name].append(r)
        return out

    def ranked(self, scores: dict[str, float], order: str) -> tuple[str, float]:
        if not scores:
            raise SpecError("nothing to rank")
        ordered = sorted(scores.items(), key=lambda kv: kv[1], reverse=order == "best")
        if len(ordered) > 1 and ordered[0][1] == ordered[1][1]:
            raise SpecError(f"tie at the top: {ordered[:2]}")
        return ordered[0]

    # ---- specs -----------------------------------------------------------------------------
    @staticmethod
    def scope(sel: dict | None, key: str | None = None) -> dict:
        sel = sel or {}
        term: Any = sel.get("term") or sel.get("terms")
        return {
            "course": sel.get("course"),
            "section": sel.get("section"),
            "term": term,
            "instructor": sel.get("instructor"),
            "question": QTEXT[key] if key else None,
        }

    def merged_scope(self, items: list[dict], key: str | None = None) -> dict:
        """One scope for several compared items: a field the items differ in becomes a list."""
        scopes = [self.scope(item["sel"], key) for item in items]
        out: dict[str, Any] = {}
        for field in scopes[0]:
            values = [sc[field] for sc in scopes]
            out[field] = values[0] if all(v == values[0] for v in values) else values
        return out

    def relevant(
        self, reports: list[dict], theme: str | None, tones: list[str] | None
    ) -> list[dict]:
        files = {r["file"] for r in reports}
        out = []
        for r in reports:
            for c in r["comments"]:
                label = self.labels[(r["file"], c["prompt"], c["number"])]
                if theme and theme not in label["themes"]:
                    continue
                if tones:
                    tone = label["theme_tones"][theme] if theme else label["tone"]
                    if tone not in tones:
                        continue
                out.append({"file": r["file"], "prompt": c["prompt"], "number": c["number"]})
        assert all(x["file"] in files for x in out)
        return out

    def expect(self, spec: dict) -> dict:
        kind = spec["kind"]
        sel = spec.get("sel", {})
        key = spec.get("q")
        if kind == "decline":
            if "fails" in spec:  # prove the data really cannot answer it
                try:
                    self.expect(spec["fails"])
                except SpecError:
                    pass
                else:
                    raise SpecError(f"declined, but {spec['fails']} has an answer")
            return {"type": "decline", "why": spec["why"]}
        if kind == "instructor_sections":
            found = [
                r
                for r in self.corpus
                if any(i["last"] == spec["surname"] for i in r["instructors"])
            ]
            if not found:
                raise SpecError(f"no instructor named {spec['surname']}")
            return {
                "type": "number",
                "value": len(found),
                "what": "sections taught",
                "scope": self.scope({}),
            }
        if kind == "tally":
            # how many distinct sections (one report each), terms, instructors or courses
            reports = self.select(sel)
            keys = {
                "sections": lambda r: [r["file"]],
                "terms": lambda r: [r["term"]["label"]],
                "instructors": instructor_names,
                "courses": lambda r: [r["course"]["code"]],
            }[spec["of"]]
            return {
                "type": "number",
                "value": len({k for r in reports for k in keys(r)}),
                "what": f"number of distinct {spec['of']} with a report in the scope",
                "scope": self.scope(sel),
            }
        if kind == "count":
            reports = self.select(sel)
            values = [r[spec["field"]] for r in reports]
            if any(v is None for v in values):
                raise SpecError(f"{spec['field']} not printed for {sel}")
            what = {
                "enrollment": "enrollment (Enrollment / Invited), summed over the sections",
                "responses_incl_declines": "responses as printed (Responses Incl Declines / "
                "Responded), summed over the sections",
                "declines": "declines as printed, summed over the sections",
            }[spec["field"]]
            return {"type": "number", "value": sum(values), "what": what, "scope": self.scope(sel)}
        if kind == "qfield":
            q = self.question(self.one(sel), key)
            if q is None or q[spec["field"]] is None:
                raise SpecError(f"{spec['field']} of {key} not printed for {sel}")
            return {
                "type": "number",
                "value": q[spec["field"]],
                "what": f"{spec['field']} of the question, as printed",
                "scope": self.scope(sel, key),
            }
        if kind == "qsum":
            rows = self.rows(self.select(sel), key)
            return {
                "type": "number",
                "value": sum(q["responses"] for q in rows),
                "what": "responses to the question, summed over the sections",
                "scope": self.scope(sel, key),
            }
        if kind == "rate":
            return {
                "type": "number",
                "value": self.rate(self.select(sel)),
                "what": "response rate as a fraction: overall-rating responses / enrollment "
                "(pooled over the sections; equals the printed rate where printed)",
                "scope": self.scope(sel),
            }
        if kind == "compare_rate":
            values = {item["label"]: self.rate(self.select(item["sel"])) for item in spec["items"]}
            return {
                "type": "numbers",
                "values": values,
                "what": "response rate per item (fraction)",
                "scope": self.merged_scope(spec["items"]),
            }
        if kind == "trend_rate":
            by_term = self.by_term(self.select(sel))
            return {
                "type": "numbers",
                "values": {t: self.rate(rs) for t, rs in by_term.items()},
                "what": "response rate (fraction) per term, chronological",
                "scope": self.scope(sel),
            }
        if kind == "rank_rate":
            reports = [
                r
                for r in self.select(sel)
                if self.question(r, "overall")["responses"] >= MIN_RESPONSES
            ]
            scores = {n: self.rate(rs) for n, rs in self.groups(reports, spec["entity"]).items()}
            top, value = self.ranked(scores, spec["order"])
            return {
                "type": "ranking",
                "top": top,
                "value": value,
                "what": f"{spec['order']} response rate by {spec['entity']} (sections with "
                "fewer than 5 responses left out)",
                "scope": self.scope(sel),
            }
        if kind == "mean":
            return {
                "type": "number",
                "value": self.mean(self.select(sel), key),
                "what": "course mean of the question (weighted by responses over sections)",
                "scope": self.scope(sel, key),
            }
        if kind == "dist":
            q = self.question(self.one(sel), key)
            if q is None or q["distribution"] is None:
                raise SpecError(f"no distribution for {key} in {sel}")
            return {
                "type": "numbers",
                "values": dict(q["distribution"]),
                "what": "answer counts per option (5 = Strongly Agree / Almost Always "
                "Effective ... 1, na = N/A)",
                "scope": self.scope(sel, key),
            }
        if kind in ("distcount", "share"):
            q = self.question(self.one(sel), key)
            if q is None or q["distribution"] is None:
                raise SpecError(f"no distribution for {key} in {sel}")
            count = sum(q["distribution"][lv] for lv in spec["levels"])
            if kind == "distcount":
                return {
                    "type": "number",
                    "value": count,
                    "what": f"number of answers at option(s) {'+'.join(spec['levels'])}",
                    "scope": self.scope(sel, key),
                }
            if q["distribution"]["na"]:
                raise SpecError("share questions use questions without N/A answers")
            return {
                "type": "number",
                "value": half_up(Fraction(count, q["responses"])),
                "what": f"share (fraction) of answers at option(s) {'+'.join(spec['levels'])}",
                "scope": self.scope(sel, key),
            }
        if kind in ("dept", "dept_median"):
            reports = self.select(sel)
            rows = self.rows(reports, key)
            if kind == "dept_median":
                if len(rows) != 1:
                    raise SpecError("medians are compared for one section only")
                q = rows[0]
                values = {
                    "course_median": q["course_median"],
                    "dept_median": q["dept_median"],
                    "univ_median": q["univ_median"],
                }
                what = "course, department and university medians, as printed"
            else:
                values = {
                    f: half_up(self.weighted(rows, f))
                    for f in ("course_mean", "dept_mean", "univ_mean")
                }
                what = (
                    "course, department and university means (each weighted by the "
                    "section's responses when several sections match)"
                )
            return {
                "type": "numbers",
                "values": values,
                "what": what,
                "scope": self.scope(sel, key),
            }
        if kind == "rank":
            reports = self.select(sel)
            scores = {}
            for name, rs in self.groups(reports, spec["entity"]).items():
                rows = self.rows(rs, key, eligible_only=True)
                if rows:
                    scores[name] = half_up(self.weighted(rows))
            top, value = self.ranked(scores, spec["order"])
            return {
                "type": "ranking",
                "top": top,
                "value": value,
                "what": f"{spec['order']} {spec['entity']} by weighted mean of the question "
                "(sections with fewer than 5 responses left out)",
                "scope": self.scope(sel, key),
            }
        if kind == "rank_change":
            # the change between an entity's earliest and latest term (each term's weighted mean
            # rounded as a trend prints it), over sections with at least 5 responses to the question
            reports = self.select(sel)
            scores = {}
            for name, rs in self.groups(reports, spec["entity"]).items():
                eligible = [
                    r
                    for r in rs
                    if (q := self.question(r, key)) is not None and q["responses"] >= MIN_RESPONSES
                ]
                by_term = self.by_term(eligible, key)
                if len(by_term) < 2:
                    continue
                terms = list(by_term)
                first = exact(self.mean(by_term[terms[0]], key))
                last = exact(self.mean(by_term[terms[-1]], key))
                scores[name] = half_up(last - first)
            top, value = self.ranked(scores, spec["order"])
            change = "largest rise" if spec["order"] == "best" else "largest fall"
            return {
                "type": "ranking",
                "top": top,
                "value": value,
                "what": f"{spec['entity']} with the {change} of the question's mean from its "
                "earliest to its latest term (each term's weighted mean rounded to 2 decimals; "
                "sections with fewer than 5 responses left out; at least two terms needed)",
                "scope": self.scope(sel, key),
            }
        if kind == "rank_hours":
            reports = [
                r
                for r in self.select(sel)
                if r["frequencies"] and self.question(r, "overall")["responses"] >= MIN_RESPONSES
            ]
            scores = {
                n: self.hours_mean(rs) for n, rs in self.groups(reports, spec["entity"]).items()
            }
            top, value = self.ranked(scores, spec["order"])
            most = "most" if spec["order"] == "best" else "fewest"
            return {
                "type": "ranking",
                "top": top,
                "value": value,
                "what": f"{spec['entity']} with the {most}"
                " hours per week outside class: mean of the bins at their midpoints "
                "(2.5, 6.5, 10.5, 14.5, 18.5); sections with fewer than 5 responses left out",
                "scope": self.scope(sel),
            }
        if kind == "trend":
            by_term = self.by_term(self.select(sel), key)
            return {
                "type": "numbers",
                "values": {t: self.mean(rs, key) for t, rs in by_term.items()},
                "what": "mean of the question per term (weighted over that term's sections),"
                " chronological",
                "scope": self.scope(sel, key),
            }
        if kind == "trend_hours":
            by_term = {
                t: rs
                for t, rs in self.by_term(self.select(sel)).items()
                if any(r["frequencies"] for r in rs)
            }
            return {
                "type": "numbers",
                "values": {t: self.hours_mean(rs) for t, rs in by_term.items()},
                "what": "hours per week outside class per term: bin-midpoint mean, "
                "chronological (terms without an hours block left out)",
                "scope": self.scope(sel),
            }
        if kind == "compare":
            values = {
                item["label"]: self.mean(self.select(item["sel"]), key) for item in spec["items"]
            }
            return {
                "type": "numbers",
                "values": values,
                "what": "mean of the question for each (weighted over its sections)",
                "scope": self.merged_scope(spec["items"], key),
            }
        if kind == "compare_hours":
            values = {
                item["label"]: self.hours_mean(self.select(item["sel"])) for item in spec["items"]
            }
            return {
                "type": "numbers",
                "values": values,
                "what": "hours per week outside class for each: bin-midpoint mean",
                "scope": self.merged_scope(spec["items"]),
            }
        if kind == "hours":
            values, modal = self.hours_summary(self.select(sel))
            return {
                "type": "numbers",
                "values": values,
                "modal_bin": modal,
                "what": "hours per week outside class: bin counts summed over the sections "
                "that print the block; share_9_plus / share_13_plus = fraction answering "
                "9+ / 13+ hours; mean_midpoint = mean at bin midpoints 2.5, 6.5, 10.5, "
                "14.5, 18.5",
                "scope": self.scope(sel),
            }
        if kind == "hours_bin":
            bins = self.hours_bins(self.select(sel))
            return {
                "type": "number",
                "value": bins[spec["bin"]],
                "what": f"students answering {spec['bin']} hours per week",
                "scope": self.scope(sel),
            }
        if kind == "qual":
            reports = self.select(sel)
            relevant = self.relevant(reports, spec.get("theme"), spec.get("tones"))
            if not relevant:
                raise SpecError(f"no relevant comment for {spec}")
            out = {
                "type": "qualitative",
                "scope": self.scope(sel),
                "theme": spec.get("theme"),
                "relevant": relevant,
            }
            if spec.get("tones"):
                out["tones"] = spec["tones"]
            return out
        if kind == "open":
            must: dict[str, Any] = {}
            for name, sub in spec["must"].items():
                got = self.expect(sub)
                if got["type"] == "number":
                    must[name] = got["value"]
                elif got["type"] == "numbers":
                    must[name] = got["values"]
                elif got["type"] == "ranking":
                    must[name] = {"top": got["top"], "value": got["value"]}
                else:
                    raise SpecError(f"must_mention {name}: {got['type']}")
            rel = spec.get("rel", {})
            rel_sel = rel.get("sel", sel)
            if "top_of" in rel:  # the comments about whoever the ranking put on top
                ranking = spec["must"][rel["top_of"]]
                rel_sel = {ranking["entity"]: must[rel["top_of"]]["top"]}
            reports = self.select(rel_sel)
            relevant = self.relevant(reports, rel.get("theme"), rel.get("tones"))
            return {
                "type": "open",
                "scope": self.scope(sel),
                "must_mention": must,
                "relevant": relevant,
            }
        raise SpecError(f"unknown spec kind {kind}")

    @staticmethod
    def by_term(reports: list[dict], key: str | None = None) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in sorted(reports, key=lambda r: term_key(r["term"]["label"])):
            if key is None or Answerer.question(r, key) is not None:
                out.setdefault(r["term"]["label"], []).append(r)
        return out


def build() -> list[dict]:
    answerer = Answerer(load_corpus(), load_labels())
    rows = []
    for line in (HERE / "questions_spec.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        spec = json.loads(line)
        try:
            expect = answerer.expect(spec["spec"])
        except SpecError as exc:
            raise SystemExit(f"{spec['id']}: {exc}") from exc
        rows.append(
            {"id": spec["id"], "intent": spec["intent"], "turns": spec["turns"], "expect": expect}
        )
    return rows


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: list[str]) -> int:
    text = render(build())
    target = HERE / "questions.jsonl"
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print("questions.jsonl is out of date: run build_answers.py", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10))} questions to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
