-- Embedding spaces and full-text search over comments.
--
-- A space is (model, version, backend, dimension, embedded text). Each space's vectors live in
-- their own table, comment_vectors_<space id>, created with the space (embeddings/spaces.py),
-- so spaces of different dimensions coexist, each with its own HNSW cosine index, and a retired
-- space is dropped whole.
CREATE TABLE embedding_spaces (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    model       text NOT NULL,
    version     text NOT NULL,
    backend     text NOT NULL,
    dimension   integer NOT NULL CHECK (dimension BETWEEN 1 AND 16000),
    text_mode   text NOT NULL CHECK (text_mode IN ('comment', 'prompt', 'context')),
    status      text NOT NULL DEFAULT 'ready' CHECK (status IN ('building', 'ready', 'retired')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model, version, backend, dimension, text_mode)
);

ALTER TABLE comments
    ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED;
CREATE INDEX comments_tsv_idx ON comments USING gin (tsv);

ALTER TABLE reports
    ADD COLUMN embedded_comments integer NOT NULL DEFAULT 0,
    ADD COLUMN embedding_space text;
