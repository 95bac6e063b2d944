-- The ingestion spine: reports and their jobs, and what a parsed report holds.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE reports (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256        text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    filename      text NOT NULL,
    media_type    text NOT NULL,
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    layout        text CHECK (layout IN ('collegenet', 'blue', 'xlsx')),
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'processing', 'processed', 'failed')),
    error         text,
    attempts      integer NOT NULL DEFAULT 0,
    warnings      jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz
);
CREATE INDEX reports_status_idx ON reports (status, created_at);

-- The Postgres queue: one pending job per report, taken with FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id     bigint NOT NULL UNIQUE REFERENCES reports (id) ON DELETE CASCADE,
    available_at  timestamptz NOT NULL DEFAULT now(),
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_available_idx ON jobs (available_at);

CREATE TABLE courses (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject  text NOT NULL,
    number   text NOT NULL,
    code     text GENERATED ALWAYS AS (subject || number) STORED UNIQUE,
    title    text NOT NULL,
    UNIQUE (subject, number)
);

CREATE TABLE terms (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label     text NOT NULL UNIQUE,
    season    text NOT NULL
              CHECK (season IN ('Fall', 'Spring', 'Summer 1', 'Summer 2', 'Full Summer', 'Winter')),
    year      integer NOT NULL,
    sort_key  integer NOT NULL UNIQUE
);

CREATE TABLE instructors (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    last_name   text NOT NULL,
    first_name  text NOT NULL,
    UNIQUE (last_name, first_name)
);

-- A section is (course, term, section); the report that last described it owns its rows.
CREATE TABLE sections (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    course_id                bigint NOT NULL REFERENCES courses (id),
    term_id                  bigint NOT NULL REFERENCES terms (id),
    section                  text NOT NULL,
    crn                      text,
    title                    text NOT NULL,
    enrollment               integer,
    responses_incl_declines  integer,
    declines                 integer,
    report_id                bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    UNIQUE (course_id, term_id, section)
);
CREATE INDEX sections_report_idx ON sections (report_id);
CREATE INDEX sections_term_idx ON sections (term_id);

CREATE TABLE section_instructors (
    section_id     bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    instructor_id  bigint NOT NULL REFERENCES instructors (id),
    position       integer NOT NULL,
    PRIMARY KEY (section_id, instructor_id)
);
CREATE INDEX section_instructors_instructor_idx ON section_instructors (instructor_id);

-- Questions are keyed by their text; the heading they are printed under is kept when known.
CREATE TABLE questions (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text     text NOT NULL UNIQUE,
    heading  text
);

CREATE TABLE question_scores (
    section_id     bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    question_id    bigint NOT NULL REFERENCES questions (id),
    position       integer NOT NULL,
    heading        text,
    responses      integer,
    response_rate  numeric(4, 2),
    course_mean    numeric(4, 2),
    dept_mean      numeric(4, 2),
    univ_mean      numeric(4, 2),
    course_median  numeric(4, 2),
    dept_median    numeric(4, 2),
    univ_median    numeric(4, 2),
    std_dev        numeric(4, 2),
    dist_5         integer,
    dist_4         integer,
    dist_3         integer,
    dist_2         integer,
    dist_1         integer,
    dist_na        integer,
    PRIMARY KEY (section_id, question_id)
);
CREATE INDEX question_scores_question_idx ON question_scores (question_id);

CREATE TABLE frequency_counts (
    section_id  bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    prompt      text NOT NULL,
    bin         text NOT NULL,
    position    integer NOT NULL,
    count       integer NOT NULL,
    PRIMARY KEY (section_id, prompt, bin)
);

CREATE TABLE comments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    section_id  bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    prompt      text NOT NULL,
    number      integer NOT NULL,
    text        text NOT NULL,
    UNIQUE (section_id, prompt, number)
);
