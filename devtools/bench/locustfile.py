"""Mixed traffic for `tracelens bench load`: several principals searching, asking and reading
dashboards, as a department's staff would. Run by locust (headless) against one API.

Configured by the environment the benchmark sets: TRACELENS_LOAD_ANALYST_KEYS and
TRACELENS_LOAD_VIEWER_KEYS (comma-separated API keys, one principal each), TRACELENS_LOAD_COURSES
(course codes) and TRACELENS_LOAD_INSTRUCTORS (instructor ids).
"""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

SEARCHES = (
    "is the homework load heavy",
    "the professor explains clearly",
    "exams were unfair",
    "office hours helped",
    "too much reading",
    "the lectures were boring",
    "great feedback on assignments",
    "the pace was too fast",
)
QUESTIONS = (
    "how many sections of {code} are there?",
    "what is the average overall rating of {code}?",
    "what do students say about the workload in {code}?",
    "how has {code} changed over the years?",
)


def _listed(name: str) -> list[str]:
    return [v for v in os.environ.get(name, "").split(",") if v]


class _Principal(HttpUser):
    abstract = True
    keys_from = ""

    def on_start(self) -> None:
        keys = _listed(self.keys_from)
        self.client.headers["Authorization"] = f"Bearer {random.choice(keys)}"
        self.courses = _listed("TRACELENS_LOAD_COURSES")
        self.instructors = _listed("TRACELENS_LOAD_INSTRUCTORS")

    def course_dashboard(self) -> None:
        code = random.choice(self.courses)
        self.client.get(f"/v1/dashboards/courses/{code}", name="course dashboard")

    def instructor_dashboard(self) -> None:
        person = random.choice(self.instructors)
        self.client.get(f"/v1/dashboards/instructors/{person}", name="instructor dashboard")


class Analyst(_Principal):
    """Reads comments: search most, dashboards, and now and then a question."""

    weight = 3
    wait_time = between(0.05, 0.3)
    keys_from = "TRACELENS_LOAD_ANALYST_KEYS"

    @task(6)
    def search(self) -> None:
        body = {"query": random.choice(SEARCHES), "k": 10}
        self.client.post("/v1/search", json=body, name="search")

    @task(1)
    def ask(self) -> None:
        question = random.choice(QUESTIONS).format(code=random.choice(self.courses))
        self.client.post("/v1/ask", json={"question": question}, name="ask")

    @task(2)
    def dashboards(self) -> None:
        self.course_dashboard()


class Viewer(_Principal):
    """Aggregate scores only: the dashboards."""

    weight = 1
    wait_time = between(0.1, 0.5)
    keys_from = "TRACELENS_LOAD_VIEWER_KEYS"

    @task(2)
    def read_course(self) -> None:
        self.course_dashboard()

    @task(1)
    def read_instructor(self) -> None:
        self.instructor_dashboard()
