"""Each theme's vocabulary: the ordinary English people use when they talk about it.

Query expansion searches these words as a leg of their own when a question is about a theme, so
"does the class move too quickly" also reaches "rushed", "crammed" and "hard to keep up". The
lists were written from the theme definitions (what workload, clarity, … mean in a course
evaluation), as general English about teaching: no word was taken from an evaluation set.
Single words only; full-text search stems them ("grade" matches "graded", "grading").
"""

from __future__ import annotations

# fmt: off
VOCABULARY: dict[str, tuple[str, ...]] = {
    "workload": (
        "workload", "homework", "assignment", "problem", "pset", "project", "lab", "reading",
        "essay", "paper", "hours", "weekly", "heavy", "light", "busywork", "load", "demanding",
        "manageable", "time-consuming", "effort", "tedious", "overwhelming", "weekend",
        "all-nighter", "deliverable",
    ),
    "clarity": (
        "clear", "clearly", "unclear", "explain", "explanation", "confusing", "confused",
        "understand", "understandable", "example", "follow", "lost", "concise", "intuitive",
        "vague", "click", "sense", "step", "walkthrough", "derivation",
    ),
    "feedback": (
        "feedback", "grade", "grading", "graded", "rubric", "comment", "returned", "turnaround",
        "regrade", "responsive", "reply", "email", "score", "critique", "annotated",
    ),
    "exams": (
        "exam", "midterm", "final", "quiz", "test", "practice", "study", "studying", "curve",
        "cheatsheet", "proctored", "timed", "question",
    ),
    "organisation": (
        "organized", "organised", "disorganized", "structure", "structured", "syllabus",
        "schedule", "deadline", "due", "canvas", "website", "module", "announcement",
        "logistics", "planned", "posted", "expectation", "calendar", "instructions",
    ),
    "inclusivity": (
        "inclusive", "welcoming", "welcome", "respectful", "respect", "belong", "diverse",
        "diversity", "identity", "safe", "judged", "judgment", "patient", "supportive",
        "accommodating", "background", "included", "excluded", "heard", "valued", "stupid",
        "dumb", "condescending", "dismissive",
    ),
    "pace": (
        "pace", "paced", "fast", "slow", "speed", "rushed", "rush", "quick", "quickly",
        "crammed", "behind", "keep", "dragged", "hurried", "tempo", "speeds",
    ),
    "enthusiasm": (
        "enthusiastic", "enthusiasm", "passionate", "passion", "energy", "energetic",
        "engaging", "boring", "dry", "monotone", "dull", "lively", "fun", "funny", "excited",
        "exciting", "cares", "interesting", "animated", "charismatic", "bored",
    ),
    "online logistics": (
        "online", "zoom", "recording", "recorded", "video", "livestream", "remote", "virtual",
        "asynchronous", "synchronous", "hybrid", "audio", "microphone", "mic", "internet",
        "platform", "software", "technical", "breakout", "camera", "stream", "connection",
    ),
}
# fmt: on
