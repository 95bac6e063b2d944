"""What the generated corpus is made of: the rating scales and questions TRACE prints, the comment
prompts, the hours-per-week bins, the courses and the instructors' names."""

from __future__ import annotations

from typing import Literal

from core.report import (
    parse_term,
)

Scale = Literal["agreement", "effectiveness"]


COURSE_RELATED = "Course Related Questions"


LEARNING_RELATED = "Learning Related Questions"


INSTRUCTOR_RELATED = "Instructor Related Questions"


EFFECTIVENESS = "Instructor Effectiveness"


ONLINE = "Online Experience Questions"


STANDARD_QUESTIONS: tuple[tuple[str, str], ...] = (
    (
        COURSE_RELATED,
        "The syllabus was accurate and helpful in delineating expectations and course outcomes.",
    ),
    (
        COURSE_RELATED,
        "Required and additional course materials were helpful in achieving course outcomes.",
    ),
    (LEARNING_RELATED, "In-class sessions were helpful for learning."),
    (LEARNING_RELATED, "Out-of-class assignments and/or fieldwork were helpful for learning."),
    (LEARNING_RELATED, "This course was intellectually challenging."),
    (LEARNING_RELATED, "I learned a lot in this course."),
    (INSTRUCTOR_RELATED, "The instructor came to class prepared to teach."),
    (INSTRUCTOR_RELATED, "The instructor used class time effectively."),
    (INSTRUCTOR_RELATED, "The instructor clearly communicated ideas and information."),
    (INSTRUCTOR_RELATED, "The instructor provided sufficient feedback."),
    (INSTRUCTOR_RELATED, "The instructor fairly evaluated my performance."),
    (INSTRUCTOR_RELATED, "The instructor was available to assist students outside of class."),
    (
        INSTRUCTOR_RELATED,
        "The instructor facilitated a respectful and inclusive learning environment.",
    ),
    (INSTRUCTOR_RELATED, "The instructor displayed enthusiasm for the course."),
    (EFFECTIVENESS, "What is your overall rating of this instructor's teaching effectiveness?"),
)


ONLINE_QUESTIONS = (
    "Online course materials were organized to help me navigate through the course week by week.",
    "Online interactions with my instructor created a sense of connection in the virtual "
    "classroom.",
    "Online course interactions created a sense of community and connection to my classmates.",
    "I had the necessary computer skills and technology to successfully complete the course.",
)


CUSTOM_QUESTIONS = (
    "The laboratory sessions were well coordinated with the lecture material and helped me "
    "understand the underlying concepts, methods, and their limitations in practice.",
    "The teaching assistants were knowledgeable, available, and helpful in recitations, "
    "office hours, and on the course discussion board throughout the entire semester.",
    "The course helped me develop skills that I expect to use on co-op.",
    "The writing assignments improved my ability to communicate complex ideas to a general "
    "audience.",
    "Problem sets were graded promptly.",
    "The course's online homework system (e.g. Gradescope or WebAssign) worked reliably.",
    "Studio critiques gave me 2 or 3 concrete ideas to improve each project.",
)


PROMPT_STRENGTHS = "What were the strengths of this course and/or this instructor?"


PROMPT_IMPROVE = "What could the instructor do to make this course better?"


PROMPT_INCLUSIVE = (
    "Please expand on the instructor's strengths and/or areas for improvement "
    "in facilitating inclusive learning."
)


PROMPT_ONLINE = (
    "Please comment on your experience of the online course environment in the open-ended text box."
)


PROMPT_SELF = "What I could have done to make this course better for myself."


PROMPTS = (PROMPT_STRENGTHS, PROMPT_IMPROVE, PROMPT_INCLUSIVE, PROMPT_ONLINE, PROMPT_SELF)


PROMPT_KIND = dict(
    zip(PROMPTS, ("strengths", "improve", "inclusive", "online", "self"), strict=True)
)


FREQUENCY_TEXT = (
    "What is the average number of hours per week you devoted to this course outside of class?"
)


FREQUENCY_BINS = ("1-4", "5-8", "9-12", "13-16", "17-20")


COURSES: dict[str, tuple[tuple[str, str], ...]] = {
    "CS": (
        ("2500", "Fundamentals of Computer Science 1"),
        ("3500", "Object-Oriented Design"),
        ("3650", "Computer Systems"),
        ("5800", "Algorithms"),
        ("6140", "Machine Learning"),
        ("7180", "Special Topics (AI Ethics) 2"),
    ),
    "DS": (
        ("2000", "Programming with Data"),
        ("3000", "Foundations of Data Science"),
        ("4400", "Machine Learning and Data Mining 1"),
    ),
    "EECE": (
        ("2150", "Circuits and Signals: Biomedical Applications"),
        ("2160", "Embedded Design Enabling Robotics"),
        ("5554", "Special Topics (Quantum Devices) 1"),
    ),
    "MATH": (
        ("1341", "Calculus 1 for Science and Engineering"),
        ("2331", "Linear Algebra"),
        ("3081", "Probability and Statistics"),
    ),
    "PHYS": (("1151", "Physics for Engineering 1"), ("2303", "Modern Physics")),
    "ENGW": (
        ("1111", "First-Year Writing"),
        ("3302", "Advanced Writing in the Technical Professions"),
    ),
    "ECON": (
        ("1115", "Principles of Macroeconomics"),
        ("1116", "Principles of Microeconomics"),
        ("3916", "Intermediate Microeconomic Theory"),
    ),
    "PSYC": (("1101", "Foundations of Psychology"), ("3404", "Developmental Psychology")),
    "BIOL": (("1111", "General Biology 1"), ("2301", "Genetics and Molecular Biology")),
    "ME": (
        ("2350", "Simulation and Design Tools"),
        ("3475", "Mechanical Engineering Lab 2 (Fluids)"),
    ),
    "ARTG": (("2250", "Interactive Design 1 & 2 Studio"),),
}


INSTRUCTOR_NAMES: tuple[tuple[str, str], ...] = (
    ("O'Brien-Smith", "Mary Ann"),
    ("Núñez", "José"),
    ("St. John", "A."),
    ("Doe", "Jane"),
    ("van der Berg", "Pieter"),
    ("Nguyen", "Thi Thanh Huong"),
    ("Müller", "Jürgen"),
    ("D'Angelo", "Christopher J."),
    ("García-Márquez", "Ana Lucía"),
    ("Zhang", "Wei"),
    ("Chen", "Li"),
    ("Okafor", "Chiamaka"),
    ("Patel", "Rohan"),
    ("McAllister", "Sarah Jane"),
    ("Lefèvre", "Élodie"),
    ("Björk", "Sven"),
    ("Kowalski", "Zoë"),
    ("Smith", "John Paul"),
    ("Ramírez", "María"),
    ("Goldberg", "Ruth"),
    ("Kim", "Min-jun"),
    ("Johnson", "Marcus"),
    ("Rossi", "Giulia"),
    ("Haddad", "Omar"),
    ("Fitzgerald", "Seán"),
    ("Ivanova", "Anna"),
    ("Brown", "Emily R."),
    ("Silva", "João Pedro"),
    ("Cohen", "David"),
    ("Tanaka", "Hiroshi"),
    ("Williams-Ortiz", "Keisha"),
    ("O'Neil", "Patrick"),
    ("Dubois", "Amélie"),
    ("Park", "Ji-woo"),
    ("Schneider", "Lukas"),
    ("Mensah", "Kwame"),
    ("Lopez", "Carmen"),
    ("Anderson", "Eric"),
    ("Singh", "Harpreet"),
    ("Moreau", "Benoît"),
    ("Ali", "Fatima"),
    ("Wright", "Thomas E."),
    ("Larsen", "Ingrid"),
    ("Costa", "Inês"),
    ("Murphy", "Siobhan"),
    ("Yilmaz", "Emre"),
    ("Baker", "Laura"),
    ("Hernández", "Luis Ángel"),
)


SEASON_DRAWS = (
    "Fall",
    "Spring",
    "Fall",
    "Spring",
    "Summer 1",
    "Summer 2",
    "Full Summer",
    "Winter",
)


_FIRST_BLUE = parse_term("Summer 1 2025")
assert _FIRST_BLUE is not None


FIRST_BLUE_KEY = _FIRST_BLUE.sort_key


BLUE_LAYOUTS = ("blue", "blue-html")
"""The Blue report and its saved web page print the same things."""
