-- Who may call the API, and what the TRACE privacy rules keep from whom.
--
-- An API key is shown once; only its argon2 hash is stored, found by its public prefix. A key
-- holds one or more roles (viewer, instructor, analyst, uploader, admin); an instructor key
-- names the instructor whose sections' comments it may read (the orphan sweep keeps an
-- instructor a key names; a merge moves the keys over). Revoked keys stay, for the audit.
CREATE TABLE api_keys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prefix         text NOT NULL UNIQUE,
    hash           text NOT NULL,
    name           text NOT NULL,
    roles          text[] NOT NULL CHECK (
        cardinality(roles) > 0
        AND roles <@ ARRAY['viewer', 'instructor', 'analyst', 'uploader', 'admin']::text[]),
    instructor_id  bigint REFERENCES instructors (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    CHECK (NOT ('instructor' = ANY (roles)) OR instructor_id IS NOT NULL)
);

-- A redacted comment keeps its row and number (so counts stay honest) and loses its text.
ALTER TABLE comments ADD COLUMN redacted_at timestamptz;
