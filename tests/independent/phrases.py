"""Words the independent generator draws from: courses, people, questions and student comments.

Everything here was written for this package from the format page alone; none of it is taken
from the project's own corpus generator.
"""

from __future__ import annotations

# Subject -> (catalog number range, titles). Some titles are long enough to wrap, some carry
# parentheses, digits, colons or an ampersand.
COURSES: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {
    "CS": (
        (1800, 7999),
        (
            "Algorithms",
            "Fundamentals of Computer Science 1",
            "Object-Oriented Design",
            "Machine Learning",
            "Database Management Systems",
            "Special Topics (AI Ethics) 2",
            "Foundations of Artificial Intelligence",
            "Building Scalable Distributed Systems and Cloud Services for Data-Intensive Work",
            "Programming in C++ (Accelerated)",
        ),
    ),
    "DS": (
        (2000, 5999),
        (
            "Foundations of Data Science",
            "Data Mining Techniques",
            "Introduction to Data Management and Processing",
            "Data Visualization (Graduate)",
        ),
    ),
    "EECE": (
        (2100, 7399),
        (
            "Circuits and Signals: Biomedical Applications",
            "Embedded Design: Enabling Robotics",
            "Electromagnetics 2",
            "Fundamentals of Engineering Design (Cornerstone) 1",
            "Digital Signal Processing",
        ),
    ),
    "MATH": (
        (1241, 5111),
        (
            "Calculus 3 for Science and Engineering",
            "Linear Algebra",
            "Probability and Statistics",
            "Differential Equations and Linear Algebra for Engineering",
            "Real Analysis 1",
        ),
    ),
    "PSYC": (
        (1101, 5600),
        (
            "Foundations of Psychology",
            "Cognition",
            "Research in Social Psychology (Lab)",
            "Developmental Psychology",
        ),
    ),
    "BIOL": (
        (1107, 5589),
        (
            "General Biology 1",
            "Cell and Molecular Biology",
            "Genetics and Molecular Biology Laboratory",
            "Microbiology (with Lab)",
        ),
    ),
    "ENGW": (
        (1111, 3315),
        (
            "First-Year Writing",
            "Advanced Writing in the Technical Professions",
            "Writing for the Web 2.0",
        ),
    ),
    "PHIL": (
        (1101, 4999),
        (
            "Ethics",
            "Philosophy of Mind",
            "Logic and Critical Thinking",
            "Technology and Human Values (Honors)",
        ),
    ),
    "ECON": ((1115, 6999), ("Principles of Microeconomics", "Econometrics 1")),
    "POLS": ((1150, 4999), ("Law & Society", "Politics of the Middle East since 1945")),
}

LAST_NAMES = (
    "Doe",
    "O'Brien-Smith",
    "Núñez",
    "García Márquez",
    "St. John",
    "Nguyen",
    "van der Berg",
    "D'Angelo",
    "Kowalski",
    "Zhang",
    "Okafor",
    "Müller",
    "Lefèvre",
    "MacLeod",
    "Chakraborty",
    "Björk",
    "Abu-Hamdan",
    "Rossi",
    "Dvořák",
    "Wójcik",
    "Nguyễn",
    "Smith Jr.",
    "Park",
    "Ó Súilleabháin",
)

FIRST_NAMES = (
    "Jane",
    "Mary Ann",
    "José",
    "Jean-Luc",
    "Ana María",
    "J. Robert",
    "Wei",
    "Chidinma",
    "Siobhán",
    "Zoë",
    "François",
    "Thomas A.",
    "Kwame",
    "Priya",
    "Renée",
    "Antonín",
    "Łukasz",
    "Thị Minh",
    "Samuel",
    "Li",
)

USUAL_QUESTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Course Related Questions",
        (
            "The syllabus was accurate and helpful in delineating expectations and course "
            "outcomes.",
            "Required and additional course materials were helpful in achieving course outcomes.",
        ),
    ),
    (
        "Learning Related Questions",
        (
            "In-class sessions were helpful for learning.",
            "Out-of-class assignments and/or fieldwork were helpful for learning.",
            "This course was intellectually challenging.",
            "I learned a lot in this course.",
        ),
    ),
    (
        "Instructor Related Questions",
        (
            "The instructor came to class prepared to teach.",
            "The instructor used class time effectively.",
            "The instructor clearly communicated ideas and information.",
            "The instructor provided sufficient feedback.",
            "The instructor fairly evaluated my performance.",
            "The instructor was available to assist students outside of class.",
            "The instructor facilitated a respectful and inclusive learning environment.",
            "The instructor displayed enthusiasm for the course.",
        ),
    ),
    (
        "Instructor Effectiveness",
        ("What is your overall rating of this instructor's teaching effectiveness?",),
    ),
)

ONLINE_SECTION = "Online Experience Questions"
ONLINE_QUESTIONS = (
    "Online course materials were organized to help me navigate through the course week by week.",
    "Online interactions with my instructor created a sense of connection in the virtual "
    "classroom.",
    "Online course interactions created a sense of community and connection to my classmates.",
    "I had the necessary computer skills and technology to successfully complete the course.",
)
EFFECTIVENESS_SECTION = "Instructor Effectiveness"

# Departmental additions (agreement scale); they go into the course or learning section.
EXTRA_QUESTIONS = (
    "Lab sessions were well coordinated with the lecture material.",
    "The course improved my ability to communicate technical ideas in writing and in oral "
    "presentations to both expert and general audiences.",
    "Feedback on problem sets was returned within 2 weeks.",
    "The studio/workshop format supported my learning.",
    "Team projects (including peer review) were a valuable part of the course.",
    "I would recommend this course to other students in my program.",
    "The course helped me develop skills I can use in my co-op or future career.",
    "Programming assignments were clearly specified and tested.",
    "The textbook (4th edition) was useful.",
    "Recitation sections complemented the lectures.",
    "The experiential learning component connected course concepts to practice outside the "
    "classroom in a meaningful way.",
)

AGREE_LABELS = ("Strongly Agree", "Agree", "Neutral", "Disagree", "Strongly Disagree")
EFFECT_LABELS = (
    "Almost Always Effective",
    "Usually Effective",
    "Sometimes Effective",
    "Rarely Effective",
    "Never Effective",
)

HOURS_QUESTION = (
    "What is the average number of hours per week you devoted to this course outside of class?"
)
HOURS_BINS = ("1-4", "5-8", "9-12", "13-16", "17-20")

PROMPT_STRENGTHS = "What were the strengths of this course and/or this instructor?"
PROMPT_IMPROVE = "What could the instructor do to make this course better?"
PROMPT_INCLUSIVE = (
    "Please expand on the instructor's strengths and/or areas for improvement in facilitating "
    "inclusive learning."
)
PROMPT_ONLINE = (
    "Please comment on your experience of the online course environment in the open-ended text box."
)
PROMPT_SELF = "What I could have done to make this course better for myself."

STRENGTHS = (
    "The professor explained every proof step by step, which made the hard weeks manageable.",
    "The weekly quizzes kept me from falling behind.",
    "Lecture notes went up before class so I could listen instead of copying.",
    "She always stayed after class to answer questions, even when it ran 20 minutes over.",
    "The projects felt like real work and not busywork.",
    "Great use of examples from industry.",
    "I really liked the group project, my team learned a ton from each other.",
    "Grading was transparent and the rubrics were posted in advance.",
    "He made a dry subject genuinely fun.",
    "The TA sessions on Thursdays were a lifesaver.",
    "Clear expectations from day one.",
    "I appreciated that 3 late days were built into the policy.",
    "The readings were well chosen and never too long.",
    "Lectures were recorded, which helped a lot when I was sick for a week.",
    "The instructor knew everyone's name by week 3.",
    "Homework feedback was detailed and came back within a few days.",
    "The final project let us pick our own topic, which kept me motivated.",
    "Best course I have taken here so far.",
    "The pace was about right for a 4000-level class.",
    "Discussions were lively and everyone got a chance to speak.",
    "The in-class exercises made the theory click for me.",
    "Office hours were never crowded and always useful.",
    "She was honest when she did not know an answer and followed up the next class.",
    "Labs were well organized and the handouts were easy to follow.",
    "I liked the mix of short lectures and hands-on work.",
    "We had two guest speakers and both were excellent.",
    "Slides were clean and easy to study from.",
    "Exams matched the material we practiced.",
    "He cared about whether we understood, not just whether we passed.",
    "Very approachable and patient, even with basic questions.",
    "The course site was organized by week, so I always knew what was due.",
    "The case studies were interesting and current.",
    "I finally understand recursion after this class.",
    "The worked examples on the board were the most helpful part of lecture.",
    "Feedback on my essay drafts improved my writing more than any other class.",
    "The lab reports taught me how to write up results properly.",
    "Class started and ended on time every single day.",
    "The review sessions before each midterm were very thorough.",
    "Participation could be earned online as well as in class, which I liked.",
    "Enthusiastic and clearly loves the material.",
    "The problem sets were hard but fair.",
    "Polls during lecture checked our understanding and kept everyone engaged.",
    "Each unit built on the one before it, so the course hung together well.",
    "Working with real datasets made the assignments feel meaningful.",
    "Kind, funny and extremely knowledgeable.",
    "The syllabus was followed closely, no surprises.",
)

IMPROVE = (
    "Post the slides before lecture rather than after.",
    "The exams were much harder than the homework suggested.",
    "Some lectures ran long and we rushed through the last topic.",
    "More practice problems with solutions would help a lot.",
    "Grades took almost a month to come back on the midterm.",
    "The textbook was barely used, so maybe drop it from the required list.",
    "Please speak a little slower when going over derivations.",
    "Group work was uneven and there was no way to flag teammates who did nothing.",
    "The second half of the course felt rushed compared to the first.",
    "Instructions for the final project changed twice after it was assigned.",
    "It would be nice to have more office hours in the week before exams.",
    "Assignments were sometimes released late on Friday and due Monday morning.",
    "The workload was heavy for a 4 credit course.",
    "A single weekly summary would be easier to follow than a dozen announcements.",
    "I would have liked more examples before being asked to apply the concepts.",
    "Handwriting on the board was hard to read from the back of the room.",
    "Some of the recordings had no audio.",
    "Less time reviewing the homework and more time on new material.",
    "The rubric for participation was unclear.",
    "Quizzes at 8 am were rough.",
    "Some weeks had over 60 pages of reading on top of the problem sets.",
    "Please provide solutions to past exams.",
    "The autograder was very strict about formatting and cost me points for trivial things.",
    "Lab equipment was often broken or missing parts.",
    "Return feedback on drafts before the final version is due.",
    "Nothing major, maybe a few more breaks in the 3 hour lecture.",
    "Many of us were lost in week 2 without a statistics background.",
    "Clarify which topics will be on the exam.",
    "More real world applications would make the material stick.",
    "TA grading was inconsistent between sections.",
    "Sometimes questions in class were brushed off.",
    "Assign the group project earlier in the term.",
    "Avoid scheduling the midterm right after break.",
    "I wish there were fewer but more substantial assignments.",
    "A study guide before the final would be really appreciated.",
    "The first three weeks were too slow and then everything sped up.",
    "Some of the reading questions were ambiguous.",
    "Please use a microphone, the room is big.",
    "Explain the grading scale at the start, not in week 10.",
    "Setting up the coding environment took a whole week.",
    "Cut back on the number of small deliverables.",
    "Be clearer about how late submissions are handled.",
    "Lecture notes as searchable PDFs instead of photos would help.",
    "Not much, it was a solid course.",
)

INCLUSIVE = (
    "Everyone's opinion was respected, even when the discussion got heated.",
    "She used our preferred names and pronouns from the first day.",
    "Examples came from many different cultures and backgrounds.",
    "Sometimes the same few students dominated the discussion.",
    "He made sure international students were comfortable asking questions.",
    "Accommodations were handled quickly and without any fuss.",
    "The way people were called on felt fair.",
    "I felt comfortable sharing my perspective in class.",
    "A few jokes in lecture landed badly, but overall the class felt welcoming.",
    "Groups were randomized, which helped us meet people outside our usual circle.",
    "Scheduling group meetings was hard for commuter students.",
    "More readings by authors from outside the US would be good.",
    "Breakout groups were managed well so quieter students could contribute.",
    "Very inclusive environment.",
    "She checked in with students who seemed to be struggling.",
)

ONLINE = (
    "The weekly modules were easy to follow.",
    "Live sessions were interactive, not just a recorded lecture.",
    "The instructor's connection dropped a few times during live sessions.",
    "The discussion boards felt like busywork.",
    "Having recordings available made it easy to review.",
    "It was hard to feel connected to classmates online.",
    "The breakout rooms were awkward at first but got better.",
    "Quizzes were open for 48 hours, which was fair across time zones.",
    "I liked the short videos instead of one long lecture.",
    "Virtual office hours were very convenient.",
    "Some links in the modules were broken.",
    "The online format worked surprisingly well for this course.",
)

SELF = (
    "I should have started the projects earlier.",
    "Going to office hours more often would have helped me.",
    "I could have done the readings before class instead of after.",
    "Honestly I skipped too many lectures in October.",
    "I should have asked for help sooner when I fell behind.",
    "Forming a study group earlier would have made a difference.",
    "Spending more time on the practice problems.",
    "I took 20 credits this semester and could not give this class enough time.",
    "Reviewing my notes each week rather than cramming.",
    "Participating more in discussions.",
    "I could have used the tutoring center.",
    "Nothing, I put in the effort and it paid off.",
    "Keeping up with the weekly quizzes instead of making them up at the end.",
    "Taking the prerequisite more seriously last year.",
    "Sleep more, procrastinate less.",
)

# Sentences with typographic punctuation or letters outside ASCII; the generator keeps only
# those the report's font can draw.
NON_ASCII = (
    "The “optional” readings were not really optional — they showed up on the exam.",
    "The professor’s enthusiasm was contagious.",
    "Le cours était excellent, merci beaucoup !",
    "Die Übungen waren sehr hilfreich.",
    "The café-style seminar format… worked well.",
    "Temperature units in the labs (°C vs °F) were mixed up twice.",
    "The textbook cost about €90, which is a lot for a book we opened twice.",
    "“Just look it up” is not a helpful answer to a question.",
    "Muchas gracias, profesora. Aprendí mucho.",
    "The 2×2 factorial design unit was the best part.",
    "Naïve Bayes finally makes sense to me.",
    "The notation (Σ, μ, σ) was confusing at first.",
    "Спасибо за отличный курс!",
    "The grading cutoffs (A ≥ 93) were stricter than in other sections.",
    "Cảm ơn thầy rất nhiều!",
    "I didn’t expect to enjoy a 9 a.m. class, but I did.",
)

# Openers and closers that turn sentences into comments of different shapes.
LIST_INTROS = ("Pros:", "Three things that helped:", "Things to fix", "Suggestions:")
LIST_ITEMS = (
    "weekly quizzes",
    "the review sheets",
    "office hours on Zoom",
    "clear slides",
    "fair exams",
    "too much reading",
    "autograder timeouts",
    "late feedback",
    "more worked examples",
    "shorter problem sets",
)
NUMBER_LED = (
    "The midterm was fine but the final had\n{n} questions in 90 minutes, which was too many.",
    "We were told to expect 5 labs and got\n{n} of them, each with a full write-up.",
    "My favourite part of the term:\n{n} short case studies that we argued about in groups.",
)
PARAGRAPHS = (
    "Great class.\n\nWould recommend to anyone in the major.",
    "Hard course.\nWorth it though.",
    "Overall a good experience.\n\nThe last two weeks were stressful but we got through it.",
)
