"""Write the independent corpus (corpus/*.json), labels.jsonl and search.jsonl.

The sections below and comments.txt are the hand-made source; every score is drawn once from a
seeded profile per instructor so the files are reproducible. Run from anywhere:
    python tests/data/independent/make_corpus.py
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent

COURSE_Q = "Course Related Questions"
LEARN_Q = "Learning Related Questions"
INSTR_Q = "Instructor Related Questions"
EFF_Q = "Instructor Effectiveness"
ONLINE_Q = "Online Experience Questions"

QUESTIONS: list[tuple[str, str, str]] = [
    (
        "syllabus",
        COURSE_Q,
        "The syllabus was accurate and helpful in delineating expectations and course outcomes.",
    ),
    (
        "materials",
        COURSE_Q,
        "Required and additional course materials were helpful in achieving course outcomes.",
    ),
    (
        "career",
        COURSE_Q,
        "The course helped me build skills I expect to use on co-op or in my career.",
    ),
    ("inclass", LEARN_Q, "In-class sessions were helpful for learning."),
    (
        "assignments",
        LEARN_Q,
        "Out-of-class assignments and/or fieldwork were helpful for learning.",
    ),
    ("challenging", LEARN_Q, "This course was intellectually challenging."),
    ("learned", LEARN_Q, "I learned a lot in this course."),
    ("prepared", INSTR_Q, "The instructor came to class prepared to teach."),
    ("timeuse", INSTR_Q, "The instructor used class time effectively."),
    ("clarity", INSTR_Q, "The instructor clearly communicated ideas and information."),
    ("feedback", INSTR_Q, "The instructor provided sufficient feedback."),
    ("fair", INSTR_Q, "The instructor fairly evaluated my performance."),
    ("available", INSTR_Q, "The instructor was available to assist students outside of class."),
    (
        "inclusive",
        INSTR_Q,
        "The instructor facilitated a respectful and inclusive learning environment.",
    ),
    ("enthusiasm", INSTR_Q, "The instructor displayed enthusiasm for the course."),
    ("overall", EFF_Q, "What is your overall rating of this instructor's teaching effectiveness?"),
    (
        "online_org",
        ONLINE_Q,
        "Online course materials were organized to help me navigate through "
        "the course week by week.",
    ),
    (
        "online_instr",
        ONLINE_Q,
        "Online interactions with my instructor created a sense of "
        "connection in the virtual classroom.",
    ),
    (
        "online_community",
        ONLINE_Q,
        "Online course interactions created a sense of community and connection to my classmates.",
    ),
    (
        "online_tech",
        ONLINE_Q,
        "I had the necessary computer skills and technology to successfully complete the course.",
    ),
]
HOURS_TEXT = (
    "What is the average number of hours per week you devoted to this course outside of class?"
)
HOUR_BINS = ("1-4", "5-8", "9-12", "13-16", "17-20")
PROMPTS = {
    "S": "What were the strengths of this course and/or this instructor?",
    "B": "What could the instructor do to make this course better?",
    "I": "Please expand on the instructor's strengths and/or areas for improvement in "
    "facilitating inclusive learning.",
    "O": "Please comment on your experience of the online course environment in the open-ended "
    "text box.",
    "M": "What I could have done to make this course better for myself.",
}
THEMES = {
    "wl": "workload",
    "cl": "clarity",
    "fb": "feedback",
    "ex": "exams",
    "org": "organisation",
    "inc": "inclusivity",
    "pace": "pace",
    "ent": "enthusiasm",
    "onl": "online logistics",
}
TONES = {"pos": "positive", "neg": "negative", "mix": "mixed", "neu": "neutral"}
MARKS = {"+": "positive", "-": "negative", "~": "mixed", "=": "neutral"}

COURSES = {
    "CS5800": ("CS", "5800", "Algorithms"),
    "DS5110": ("DS", "5110", "Introduction to Data Management and Processing"),
    "EECE2322": ("EECE", "2322", "Fundamentals of Digital Design and Computer Organization"),
    "MATH2331": ("MATH", "2331", "Linear Algebra"),
    "PSYC1101": ("PSYC", "1101", "Foundations of Psychology"),
    "CS2500": ("CS", "2500", "Fundamentals of Computer Science 1"),
    "BIOL1111": ("BIOL", "1111", "General Biology 1"),
    "ECON1116": ("ECON", "1116", "Principles of Microeconomics"),
    "PHIL1145": ("PHIL", "1145", "Technology and Human Values"),
    "CS7180": ("CS", "7180", "Special Topics in Artificial Intelligence (Responsible ML)"),
}
INSTRUCTORS = {
    "okafor": ("Okafor", "Chinedu"),
    "lee": ("Lee", "Hannah"),
    "nunez": ("Núñez", "José"),
    "obrien": ("O'Brien-Smith", "Mary Ann"),
    "fitz": ("Fitzgerald-Ávila", "Carmen"),
    "rama": ("Ramanathan", "Priya"),
    "kowal": ("Kowalczyk", "Tomasz"),
    "dubois": ("Dubois", "Étienne"),
    "haddad": ("Haddad", "Samir"),
    "schafer": ("Schäfer", "Anja"),
    "mbeki": ("Mbeki-Jones", "Thandiwe"),
}
# Base level of every answer, then per-question offsets: the instructor's "character".
PROFILES: dict[str, tuple[float, dict[str, float]]] = {
    "okafor": (
        4.45,
        {
            "challenging": 0.4,
            "enthusiasm": 0.4,
            "clarity": 0.15,
            "feedback": -0.75,
            "fair": -0.2,
            "inclusive": 0.2,
            "available": 0.1,
            "timeuse": 0.05,
        },
    ),
    "lee": (
        4.3,
        {
            "syllabus": 0.35,
            "feedback": 0.3,
            "fair": 0.2,
            "enthusiasm": -0.35,
            "inclass": -0.1,
            "prepared": 0.3,
            "clarity": 0.05,
        },
    ),
    "nunez": (
        4.0,
        {
            "clarity": 0.3,
            "prepared": 0.3,
            "fair": -0.4,
            "available": -0.25,
            "challenging": 0.5,
            "feedback": -0.3,
        },
    ),
    "obrien": (
        4.4,
        {
            "inclusive": 0.45,
            "enthusiasm": 0.45,
            "challenging": -0.7,
            "feedback": -0.3,
            "learned": -0.1,
        },
    ),
    "fitz": (
        3.75,
        {
            "feedback": -0.6,
            "syllabus": -0.45,
            "materials": -0.2,
            "enthusiasm": 0.35,
            "inclusive": 0.3,
            "clarity": -0.15,
        },
    ),
    "rama": (
        4.2,
        {
            "challenging": 0.6,
            "assignments": 0.2,
            "clarity": 0.25,
            "prepared": 0.3,
            "available": 0.15,
            "learned": 0.3,
        },
    ),
    "kowal": (
        3.3,
        {
            "clarity": -0.5,
            "enthusiasm": -0.65,
            "timeuse": -0.3,
            "fair": 0.35,
            "prepared": 0.2,
            "available": 0.1,
        },
    ),
    "dubois": (
        3.9,
        {
            "online_community": -0.7,
            "online_tech": 0.4,
            "enthusiasm": 0.3,
            "feedback": -0.35,
            "fair": -0.15,
        },
    ),
    "haddad": (
        4.1,
        {"available": 0.4, "inclusive": 0.25, "feedback": 0.25, "clarity": -0.2, "timeuse": -0.15},
    ),
    "schafer": (4.3, {"clarity": 0.35, "fair": 0.3, "enthusiasm": 0.05}),
    "mbeki": (
        4.5,
        {
            "inclusive": 0.4,
            "enthusiasm": 0.2,
            "online_instr": 0.2,
            "online_community": 0.05,
            "challenging": -0.3,
        },
    ),
}
COURSE_OFFSETS = {
    "CS5800": {"challenging": 0.2},
    "EECE2322": {"challenging": 0.2, "assignments": 0.1},
    "PSYC1101": {"challenging": -0.2},
    "ECON1116": {"challenging": -0.1},
}


def S(
    stem, course, section, term, instr, enr, resp, dec, *, drift=0.0, hours=None, online=False, crn
):
    return dict(
        stem=stem,
        course=course,
        section=section,
        term=term,
        instr=instr,
        enr=enr,
        resp=resp,
        dec=dec,
        drift=drift,
        hours=hours,
        online=online,
        crn=crn,
    )


# resp: "Responses Incl Declines" (collegenet) or "Responded" (blue); dec None on blue.
SECTIONS = [
    S(
        "cs5800-fa21-01",
        "CS5800",
        "01",
        "Fall 2021",
        ["okafor"],
        52,
        35,
        2,
        drift=-0.15,
        hours=12.0,
        crn="14210",
    ),
    S(
        "cs5800-fa22-01",
        "CS5800",
        "01",
        "Fall 2022",
        ["okafor"],
        60,
        41,
        1,
        drift=-0.05,
        hours=12.0,
        crn="15022",
    ),
    S(
        "cs5800-fa23-01",
        "CS5800",
        "01",
        "Fall 2023",
        ["okafor"],
        45,
        32,
        2,
        hours=12.5,
        crn="41457",
    ),
    S("cs5800-fa23-02", "CS5800", "02", "Fall 2023", ["lee"], 48, 30, 0, hours=10.0, crn="41458"),
    S(
        "cs5800-sp24-01",
        "CS5800",
        "01",
        "Spring 2024",
        ["lee"],
        40,
        27,
        1,
        drift=0.05,
        hours=10.5,
        crn="30114",
    ),
    S(
        "cs5800-fa24-01",
        "CS5800",
        "01",
        "Fall 2024",
        ["okafor"],
        66,
        44,
        3,
        drift=0.1,
        hours=12.0,
        crn="17745",
    ),
    S(
        "cs5800-sp25-01",
        "CS5800",
        "01",
        "Spring 2025",
        ["lee"],
        38,
        22,
        0,
        drift=0.1,
        hours=10.0,
        crn="31820",
    ),
    S(
        "cs5800-fa25-01",
        "CS5800",
        "01",
        "Fall 2025",
        ["okafor"],
        58,
        36,
        None,
        drift=0.15,
        hours=11.5,
        crn="18391",
    ),
    S("ds5110-fa21-01", "DS5110", "01", "Fall 2021", ["fitz"], 55, 30, 2, drift=-0.3, crn="14877"),
    S("ds5110-fa22-01", "DS5110", "01", "Fall 2022", ["lee"], 50, 33, 1, hours=8.0, crn="15530"),
    S(
        "ds5110-fa23-01",
        "DS5110",
        "01",
        "Fall 2023",
        ["fitz"],
        62,
        37,
        0,
        drift=-0.1,
        hours=8.5,
        crn="41902",
    ),
    S("ds5110-sp24-01", "DS5110", "01", "Spring 2024", ["lee"], 44, 31, 2, hours=8.0, crn="30562"),
    S(
        "ds5110-fa24-01",
        "DS5110",
        "01",
        "Fall 2024",
        ["fitz"],
        58,
        40,
        1,
        drift=0.2,
        hours=8.0,
        crn="17990",
    ),
    S("ds5110-sp25-01", "DS5110", "01", "Spring 2025", ["lee"], 47, 29, 0, hours=7.5, crn="32011"),
    S(
        "ds5110-fa25-01",
        "DS5110",
        "01",
        "Fall 2025",
        ["fitz"],
        60,
        38,
        None,
        drift=0.45,
        hours=8.0,
        crn="18602",
    ),
    S(
        "ds5110-sp26-01",
        "DS5110",
        "01",
        "Spring 2026",
        ["lee"],
        45,
        26,
        None,
        hours=7.5,
        crn="33217",
    ),
    S(
        "eece2322-sp22-01",
        "EECE2322",
        "01",
        "Spring 2022",
        ["rama"],
        40,
        28,
        1,
        drift=-0.1,
        hours=13.5,
        crn="31005",
    ),
    S(
        "eece2322-fa22-01",
        "EECE2322",
        "01",
        "Fall 2022",
        ["kowal"],
        36,
        21,
        2,
        hours=10.0,
        crn="15871",
    ),
    S(
        "eece2322-sp24-01",
        "EECE2322",
        "01",
        "Spring 2024",
        ["rama"],
        42,
        30,
        0,
        hours=14.0,
        crn="30790",
    ),
    S(
        "eece2322-fa24-01",
        "EECE2322",
        "01",
        "Fall 2024",
        ["rama"],
        38,
        25,
        1,
        hours=13.5,
        crn="18114",
    ),
    S(
        "eece2322-fa24-02",
        "EECE2322",
        "02",
        "Fall 2024",
        ["kowal"],
        35,
        19,
        0,
        drift=0.05,
        hours=10.5,
        crn="18115",
    ),
    S(
        "eece2322-sp25-01",
        "EECE2322",
        "01",
        "Spring 2025",
        ["rama"],
        41,
        29,
        2,
        drift=0.1,
        hours=14.0,
        crn="32240",
    ),
    S(
        "eece2322-fa25-01",
        "EECE2322",
        "01",
        "Fall 2025",
        ["rama"],
        44,
        27,
        None,
        hours=13.0,
        crn="18977",
    ),
    S(
        "math2331-fa21-01",
        "MATH2331",
        "01",
        "Fall 2021",
        ["nunez"],
        35,
        24,
        1,
        drift=0.1,
        hours=7.0,
        crn="14433",
    ),
    S(
        "math2331-sp22-02",
        "MATH2331",
        "02",
        "Spring 2022",
        ["kowal"],
        32,
        18,
        0,
        hours=7.5,
        crn="31292",
    ),
    S(
        "math2331-fa23-01",
        "MATH2331",
        "01",
        "Fall 2023",
        ["nunez"],
        38,
        27,
        2,
        hours=7.0,
        crn="42075",
    ),
    S(
        "math2331-fa23-02",
        "MATH2331",
        "02",
        "Fall 2023",
        ["kowal"],
        34,
        20,
        1,
        drift=0.05,
        hours=7.5,
        crn="42076",
    ),
    S(
        "math2331-sp24-01",
        "MATH2331",
        "01",
        "Spring 2024",
        ["nunez"],
        36,
        25,
        0,
        drift=-0.1,
        hours=7.0,
        crn="30933",
    ),
    S(
        "math2331-s1-25-01",
        "MATH2331",
        "01",
        "Summer 1 2025",
        ["nunez"],
        9,
        4,
        None,
        drift=0.8,
        hours=6.0,
        crn="60118",
    ),
    S(
        "math2331-fa25-01",
        "MATH2331",
        "01",
        "Fall 2025",
        ["nunez"],
        37,
        24,
        None,
        drift=-0.15,
        hours=7.0,
        crn="19204",
    ),
    S(
        "psyc1101-sp21-01",
        "PSYC1101",
        "01",
        "Spring 2021",
        ["obrien"],
        160,
        58,
        3,
        online=True,
        crn="30021",
    ),
    S(
        "psyc1101-fa22-01",
        "PSYC1101",
        "01",
        "Fall 2022",
        ["obrien"],
        175,
        66,
        4,
        hours=3.5,
        crn="15210",
    ),
    S(
        "psyc1101-fa23-01",
        "PSYC1101",
        "01",
        "Fall 2023",
        ["obrien"],
        182,
        71,
        2,
        hours=3.5,
        crn="41120",
    ),
    S(
        "psyc1101-fa24-01",
        "PSYC1101",
        "01",
        "Fall 2024",
        ["obrien"],
        170,
        62,
        1,
        drift=0.05,
        hours=4.0,
        crn="17402",
    ),
    S(
        "psyc1101-sp26-01",
        "PSYC1101",
        "01",
        "Spring 2026",
        ["obrien"],
        165,
        57,
        None,
        hours=3.5,
        crn="33050",
    ),
    S(
        "cs2500-fa21-01",
        "CS2500",
        "01",
        "Fall 2021",
        ["okafor"],
        80,
        52,
        2,
        drift=-0.1,
        hours=10.0,
        crn="14101",
    ),
    S(
        "cs2500-fa22-01",
        "CS2500",
        "01",
        "Fall 2022",
        ["haddad"],
        78,
        49,
        1,
        hours=10.0,
        crn="15002",
    ),
    S(
        "cs2500-fa23-01",
        "CS2500",
        "01",
        "Fall 2023",
        ["haddad"],
        85,
        51,
        3,
        hours=10.5,
        crn="41301",
    ),
    S(
        "cs2500-fa23-02",
        "CS2500",
        "02",
        "Fall 2023",
        ["okafor", "haddad"],
        74,
        47,
        0,
        hours=10.0,
        crn="41302",
    ),
    S(
        "cs2500-fa24-01",
        "CS2500",
        "01",
        "Fall 2024",
        ["haddad"],
        82,
        55,
        2,
        drift=0.05,
        hours=9.5,
        crn="17301",
    ),
    S(
        "cs2500-fa25-01",
        "CS2500",
        "01",
        "Fall 2025",
        ["haddad"],
        88,
        50,
        None,
        drift=0.1,
        hours=9.5,
        crn="18304",
    ),
    S(
        "biol1111-sp21-01",
        "BIOL1111",
        "01",
        "Spring 2021",
        ["dubois"],
        120,
        61,
        2,
        drift=-0.2,
        online=True,
        crn="30401",
    ),
    S(
        "biol1111-sp21-04",
        "BIOL1111",
        "04",
        "Spring 2021",
        ["dubois"],
        140,
        66,
        1,
        drift=-0.25,
        online=True,
        crn="30404",
    ),
    S(
        "biol1111-fa22-01",
        "BIOL1111",
        "01",
        "Fall 2022",
        ["dubois"],
        130,
        70,
        3,
        hours=5.0,
        crn="15640",
    ),
    S(
        "biol1111-fa24-01",
        "BIOL1111",
        "01",
        "Fall 2024",
        ["dubois"],
        125,
        69,
        2,
        drift=0.15,
        hours=5.0,
        crn="17650",
    ),
    S(
        "econ1116-sp23-01",
        "ECON1116",
        "01",
        "Spring 2023",
        ["schafer"],
        55,
        36,
        1,
        hours=4.5,
        crn="31788",
    ),
    S(
        "econ1116-s2-24-01",
        "ECON1116",
        "01",
        "Summer 2 2024",
        ["schafer"],
        7,
        3,
        0,
        drift=0.65,
        hours=4.0,
        crn="70412",
    ),
    S(
        "econ1116-fa24-01",
        "ECON1116",
        "01",
        "Fall 2024",
        ["schafer"],
        52,
        34,
        2,
        hours=4.5,
        crn="17822",
    ),
    S(
        "econ1116-s1-25-02",
        "ECON1116",
        "02",
        "Summer 1 2025",
        ["schafer"],
        8,
        4,
        None,
        drift=0.7,
        crn="60247",
    ),
    S(
        "econ1116-fa25-01",
        "ECON1116",
        "01",
        "Fall 2025",
        ["schafer"],
        50,
        31,
        None,
        hours=5.0,
        crn="19010",
    ),
    S(
        "phil1145-sp21-01",
        "PHIL1145",
        "01",
        "Spring 2021",
        ["mbeki"],
        30,
        21,
        1,
        online=True,
        crn="30675",
    ),
    S(
        "phil1145-fs23-01",
        "PHIL1145",
        "01",
        "Full Summer 2023",
        ["mbeki"],
        25,
        16,
        0,
        online=True,
        hours=4.0,
        crn="50902",
    ),
    S(
        "phil1145-sp24-01",
        "PHIL1145",
        "01",
        "Spring 2024",
        ["mbeki"],
        32,
        22,
        1,
        online=True,
        drift=0.05,
        hours=4.0,
        crn="30681",
    ),
    S(
        "phil1145-sp26-01",
        "PHIL1145",
        "01",
        "Spring 2026",
        ["mbeki"],
        30,
        19,
        None,
        online=True,
        hours=4.5,
        crn="33420",
    ),
    S(
        "cs7180-sp24-01",
        "CS7180",
        "01",
        "Spring 2024",
        ["fitz", "haddad"],
        28,
        19,
        1,
        hours=7.0,
        crn="30999",
    ),
    S(
        "cs7180-sp25-01",
        "CS7180",
        "01",
        "Spring 2025",
        ["fitz", "haddad"],
        8,
        4,
        0,
        drift=0.55,
        hours=7.0,
        crn="32108",
    ),
    S(
        "cs7180-fa25-01",
        "CS7180",
        "01",
        "Fall 2025",
        ["haddad"],
        26,
        17,
        None,
        hours=7.5,
        crn="19333",
    ),
]

SEASON_ORDER = ("Spring", "Summer 1", "Full Summer", "Summer 2", "Fall", "Winter")


def split_term(label: str) -> tuple[str, int]:
    season, year = label.rsplit(" ", 1)
    return season, int(year)


def term_key(label: str) -> int:
    season, year = split_term(label)
    return year * 10 + SEASON_ORDER.index(season)


def is_blue(label: str) -> bool:
    return term_key(label) >= term_key("Summer 1 2025")


def round2(value: Fraction | float, places: str = "0.01") -> float:
    """Half-up rounding of an exact value (a Fraction keeps 2.345 from becoming 2.34)."""
    frac = Fraction(value)
    dec = Decimal(frac.numerator) / Decimal(frac.denominator)
    return float(dec.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def allocate(n: int, target: float, points: list[float], spread: float) -> list[int]:
    """Counts over `points` summing to n whose mean is close to `target` (largest remainder)."""
    if n == 0:
        return [0] * len(points)

    def weights(mu: float) -> list[float]:
        return [math.exp(-((p - mu) ** 2) / (2 * spread**2)) for p in points]

    def mean(mu: float) -> float:
        w = weights(mu)
        return sum(p * x for p, x in zip(points, w, strict=True)) / sum(w)

    lo, hi = points[0] - 10 * spread, points[-1] + 10 * spread
    for _ in range(80):
        mid = (lo + hi) / 2
        if mean(mid) < target:
            lo = mid
        else:
            hi = mid
    w = weights((lo + hi) / 2)
    total = sum(w)
    raw = [n * x / total for x in w]
    counts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: n - sum(counts)]:
        counts[i] += 1
    return counts


def median(values: list[int]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


def seeded(*parts: str) -> random.Random:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


def reference_mean(kind: str, *parts: str) -> tuple[float, float]:
    """Department or university mean and median for one question and term (shared by sections)."""
    rng = seeded(kind, *parts)
    base = 4.02 if kind == "dept" else 4.12
    mean = round(base + rng.uniform(-0.12, 0.25), 2)
    return mean, 5.0 if mean >= 4.3 else 4.0


def question_keys(sec: dict) -> list[str]:
    keys = [k for k, _, _ in QUESTIONS if not k.startswith("online_") and k != "career"]
    subject = COURSES[sec["course"]][0]
    if subject == "CS" and term_key(sec["term"]) >= term_key("Fall 2023"):
        keys.insert(2, "career")  # a Khoury departmental question, Fall 2023 onwards
    if sec["online"]:
        keys += [k for k, _, _ in QUESTIONS if k.startswith("online_")]
    return keys


def build_report(sec: dict, comments: list[dict]) -> dict:
    blue = is_blue(sec["term"])
    subject, number, title = COURSES[sec["course"]]
    season, year = split_term(sec["term"])
    rng = seeded(sec["stem"])
    respondents = sec["resp"] - (sec["dec"] or 0)
    qinfo = {k: (heading, text) for k, heading, text in QUESTIONS}
    profiles = [PROFILES[i] for i in sec["instr"]]
    questions = []
    for key in question_keys(sec):
        level = sum(b + off.get(key, 0.0) for b, off in profiles) / len(profiles)
        level += sec["drift"] + COURSE_OFFSETS.get(sec["course"], {}).get(key, 0.0)
        level += rng.uniform(-0.12, 0.12)
        level = min(4.93, max(1.4, level))
        if key == "overall":
            responses = respondents
        else:
            responses = max(1, respondents - rng.choice((0, 0, 0, 0, 0, 1, 1, 2)))
        na = 0
        if key in ("available", "online_tech", "career", "feedback") and responses > 6:
            na = rng.choice((0, 0, 1, 1, 2))
        counts = allocate(responses - na, level, [1.0, 2.0, 3.0, 4.0, 5.0], 0.9)
        answered = sum(counts)
        total = sum(c * (i + 1) for i, c in enumerate(counts))
        values = [i + 1 for i, c in enumerate(counts) for _ in range(c)]
        dept_mean, dept_median = reference_mean("dept", subject, sec["term"], key)
        univ_mean, univ_median = reference_mean("univ", sec["term"], key)
        heading, text = qinfo[key]
        questions.append(
            {
                "section": heading,
                "text": text,
                "responses": responses,
                "response_rate": None if blue else round2(Fraction(responses, sec["enr"])),
                "course_mean": round2(Fraction(total, answered)),
                "dept_mean": dept_mean,
                "univ_mean": univ_mean,
                "course_median": median(values),
                "dept_median": dept_median,
                "univ_median": univ_median,
                "std_dev": None,
                "distribution": (
                    {
                        "5": counts[4],
                        "4": counts[3],
                        "3": counts[2],
                        "2": counts[1],
                        "1": counts[0],
                        "na": na,
                    }
                    if blue
                    else None
                ),
            }
        )
    frequencies = []
    if sec["hours"] is not None:
        answered = max(1, respondents - rng.choice((0, 0, 1, 1, 2)))
        counts = allocate(answered, sec["hours"], [2.5, 6.5, 10.5, 14.5, 18.5], 3.6)
        frequencies.append({"text": HOURS_TEXT, "bins": dict(zip(HOUR_BINS, counts, strict=True))})
    name = f"{sec['stem']}.json"
    return {
        "file": name,
        "sha256": hashlib.sha256(name.encode()).hexdigest(),
        "layout": "blue" if blue else "collegenet",
        "course": {
            "code": sec["course"],
            "subject": subject,
            "number": number,
            "section": sec["section"],
            "title": title,
            "crn": sec["crn"],
        },
        "term": {"label": sec["term"], "season": season, "year": year},
        "instructors": [
            {"last": INSTRUCTORS[i][0], "first": INSTRUCTORS[i][1]} for i in sec["instr"]
        ],
        "enrollment": sec["enr"],
        "responses_incl_declines": sec["resp"],
        "declines": None if blue else sec["dec"],
        "questions": questions,
        "frequencies": frequencies,
        "comments": [
            {"prompt": c["prompt"], "number": c["number"], "text": c["text"]} for c in comments
        ],
        "warnings": [],
    }


def parse_comments(path: Path) -> dict[str, list[dict]]:
    """Read comments.txt into {stem: [comment with labels and facets]}, numbered per prompt."""
    blocks: dict[str, list[dict]] = {}
    stem = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            stem = line[3:].strip()
            blocks.setdefault(stem, [])
            continue
        code, themes, tone, facets, text = (part.strip() for part in line.split("|", 4))
        if stem is None or code not in PROMPTS or tone not in TONES:
            raise ValueError(f"comments.txt:{lineno}: bad line {line!r}")
        theme_tones = {}
        for token in themes.split():
            if token == "-":
                continue
            theme_tones[THEMES[token[:-1]]] = MARKS[token[-1]]
        prompt = PROMPTS[code]
        number = 1 + sum(1 for c in blocks[stem] if c["prompt"] == prompt)
        blocks[stem].append(
            {
                "prompt": prompt,
                "number": number,
                "text": text,
                "themes": list(theme_tones),
                "tone": TONES[tone],
                "theme_tones": theme_tones,
                "facets": [f for f in facets.split() if f != "-"],
            }
        )
    order = list(PROMPTS.values())
    for items in blocks.values():  # a report lists its comments prompt by prompt
        items.sort(key=lambda c: (order.index(c["prompt"]), c["number"]))
    return blocks


def short_key(stem: str, comment: dict) -> str:
    """`cs5800-fa23-01:B3`: the way search_spec.jsonl names a comment (prompt code + number)."""
    code = next(k for k, v in PROMPTS.items() if v == comment["prompt"])
    return f"{stem}:{code}{comment['number']}"


def resolve_search(specs: list[dict], comments: dict[str, list[dict]]) -> list[dict]:
    """Turn each query's hand-picked short keys into full comment keys."""
    index = {short_key(stem, c): (stem, c) for stem, items in comments.items() for c in items}
    course_of = {s["stem"]: s["course"] for s in SECTIONS}
    rows = []
    for spec in specs:
        relevant = []
        for key in spec["keys"]:
            if key not in index:
                raise SystemExit(f"search_spec {spec['id']}: no comment {key}")
            stem, c = index[key]
            if spec.get("course") and course_of[stem] != spec["course"]:
                raise SystemExit(f"search_spec {spec['id']}: {key} is outside {spec['course']}")
            relevant.append({"file": f"{stem}.json", "prompt": c["prompt"], "number": c["number"]})
        if len({(r["file"], r["prompt"], r["number"]) for r in relevant}) != len(relevant):
            raise SystemExit(f"search_spec {spec['id']}: duplicate keys")
        row = {"id": spec["id"], "query": spec["query"]}
        if spec.get("course"):
            row["course"] = spec["course"]
        row["relevant"] = relevant
        rows.append(row)
    return rows


def main(out: Path = HERE) -> None:
    comments = parse_comments(HERE / "comments.txt")
    stems = {s["stem"] for s in SECTIONS}
    unknown = set(comments) - stems
    if unknown:
        raise SystemExit(f"comments for unknown sections: {sorted(unknown)}")
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("*.json"):
        old.unlink()
    labels = []
    for sec in SECTIONS:
        items = comments.get(sec["stem"], [])
        report = build_report(sec, items)
        (corpus / report["file"]).write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        for c in items:
            labels.append(
                {
                    "file": report["file"],
                    "prompt": c["prompt"],
                    "number": c["number"],
                    "themes": c["themes"],
                    "tone": c["tone"],
                    "theme_tones": c["theme_tones"],
                }
            )
    with (out / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for row in labels:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    specs = [
        json.loads(line)
        for line in (HERE / "search_spec.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with (out / "search.jsonl").open("w", encoding="utf-8") as fh:
        for row in resolve_search(specs, comments):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
