"""Several measures named in one ask ("overall, clarity and feedback against the department",
"enrollment and response rate"), end to end over the hand-made reports of test_ask_numbers (real
PostgreSQL, the fake embedder, the extractive answerer): each measure is answered, in the order
named, over the same sections and the same comparison."""

from __future__ import annotations

from core.db import Conn
from rag.answer.ask import Asker
from tests.rag.answer import test_ask_numbers as base
from tests.rag.answer.test_ask_numbers import ask

loaded = base.loaded  # the same reports and database as test_ask_numbers
asker_ = base.asker
conn_ = base.conn


def _measured(plan: dict[str, object]) -> list[str]:
    """The measures of a plan and of the plans run after it, in order."""
    out: list[str] = []
    while isinstance(plan, dict):
        metric = plan.get("metric")
        out.append(metric["text"] if isinstance(metric, dict) else str(plan.get("kind")))
        plan = plan.get("also")  # type: ignore[assignment]
    return out


def test_three_ratings_against_the_department(asker_: Asker, conn_: Conn) -> None:
    answer = ask(
        asker_,
        conn_,
        "Compare CS5800 to its department on the things that matter: overall, clarity and"
        " feedback.",
    )
    assert answer.route in ("quantitative", "mixed"), answer.answer  # feedback: comments too
    first, *rest = _measured(answer.plan.get("ratings", answer.plan))
    assert "overall rating" in first, answer.plan
    assert [m for m in rest if "clearly" in m] and [m for m in rest if "feedback" in m], rest
    departments = [f for f in answer.facts if f.label.endswith("department mean")]
    assert len(departments) == 3, answer.facts  # each measure against the department
    lead = answer.answer.split("\n")[0]
    assert lead.index("Overall rating") < lead.index("Clearly") < lead.index("feedback"), lead


def test_two_figures_asked_in_one_message(asker_: Asker, conn_: Conn) -> None:
    """The enrollment and the response rate: both numbers, neither a rating."""
    answer = ask(asker_, conn_, "CS5800 spring 2024 - class size and response rate pls")
    assert answer.route == "quantitative", answer.answer
    got = {f.label.split(",")[0]: f.value for f in answer.facts}
    assert got.get("enrollment") == 40, answer.facts
    assert round(float(got["response rate"]), 2) == round(26 / 40, 2), answer.facts


def test_two_people_side_by_side_on_each_measure(asker_: Asker, conn_: Conn) -> None:
    answer = ask(
        asker_, conn_, "CS5800 fall 2023: Okafor or Lee? pros/cons on feedback and on clarity"
    )
    assert answer.plan["kind"] == "comparison", answer.plan
    assert not answer.plan.get("whole"), answer.plan  # the two measures, not every rating
    measured = _measured(answer.plan)
    assert "feedback" in measured[0] and "clearly" in measured[1], measured
    for person in ("Chinedu Okafor", "Hannah Lee"):
        assert sum(f.label.startswith(person) for f in answer.facts) == 2, answer.facts


def test_one_measure_or_a_summary_is_no_list(asker_: Asker, conn_: Conn) -> None:
    """One measure in two terms is one plan; a summary naming measures is the whole picture,
    which holds them all."""
    answer = ask(asker_, conn_, "overall rating for CS5800 in fall 2023 and in spring 2024")
    assert "also" not in answer.plan, answer.plan
    # a piece that qualifies another names no measure of its own
    declines = ask(
        asker_, conn_, "how many responses did CS5800 get in fall 2023, including declines?"
    )
    assert "also" not in declines.plan and declines.facts[0].label.startswith("responses")
    feedback = ask(asker_, conn_, "Okafor's feedback rating, overall")  # "overall": scope here
    assert "also" not in feedback.plan and "feedback" in feedback.plan["metric"]["text"]
    summary = ask(
        asker_,
        conn_,
        "Could you summarise Okafor's evaluations - trajectory, clarity and feedback?",
    )
    assert summary.route == "quantitative", summary.answer
    assert "also" not in summary.plan or summary.plan["also"].get("kind") == "overview", (
        summary.plan
    )


def test_against_the_department_and_over_the_terms(asker_: Asker, conn_: Conn) -> None:
    """A measure against the department, and whether it is getting better: both, the same
    measure by term after the comparison."""
    answer = ask(
        asker_,
        conn_,
        "how do students rate Okafor's feedback against the department, and is it getting any"
        " better over the terms?",
    )
    assert answer.plan["between"] == "dept_univ", answer.plan
    assert answer.plan["also"]["kind"] == "trend", answer.plan
    assert "feedback" in answer.plan["also"]["metric"]["text"], answer.plan
    labels = [f.label for f in answer.facts]
    for term in ("Fall 2023", "Spring 2024"):  # the trend's terms, after the comparison
        assert f"provided sufficient feedback: {term}" in labels, labels
