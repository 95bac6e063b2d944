"""Dictated wording read as written (rag.answer.entities.spoken): a pure unit."""

from __future__ import annotations

import pytest

from rag.answer.entities.spoken import said_as_written

TITLES = ["Fundamentals of Computer Science 1", "General Biology 1", "Algorithms"]
KNOWN = frozenset({"professor", "what", "was", "the", "rate", "for", "lee", "pro"})


@pytest.mark.parametrize(
    ("said", "written"),
    [
        (
            "enrolled in see us fifty eight hundred fall twenty twenty four",
            "enrolled in CS 5800 fall 2024",
        ),
        ("dee ess fifty one ten in spring twenty twenty-five", "DS 5110 in spring 2025"),
        ("psych eleven oh one in two thousand and twenty three", "psych 1101 in 2023"),
        ("eece twenty three twenty two", "eece 2322"),
        ("how many said seventeen to twenty hours", "how many said 17 to 20 hours"),
        ("fundamentals of computer science one", "fundamentals of computer science 1"),
        ("general biology one or two sections", "general biology 1 or two sections"),
        ("the response rate for pro fessor lee", "the response rate for professor lee"),
    ],
)
def test_dictated_numbers_and_split_words_are_written(said: str, written: str) -> None:
    assert said_as_written(said, TITLES, KNOWN) == written


@pytest.mark.parametrize(
    "kept",
    [
        "which one is better",
        "the two sections of CS5800",
        "is it one of the best",
        "top five instructors",
        "for the pro and con",  # both halves known: no join
    ],
)
def test_words_that_are_no_dictated_number_stay(kept: str) -> None:
    assert said_as_written(kept, TITLES, KNOWN | {"and", "con", "procon"}) == kept
