-- Model changes as batch jobs: an `active` space status, and re-embed checkpoints per shard.
--
-- Status of a space: building (a re-embed is filling it), ready (complete, not serving),
-- active (the registry's champion: the one the service searches), retired (replaced).
-- New uploads are embedded into the worker's space and every active or building one, so a
-- switch loses nothing (embeddings/indexing.py).
ALTER TABLE embedding_spaces DROP CONSTRAINT embedding_spaces_status_check;
ALTER TABLE embedding_spaces ADD CONSTRAINT embedding_spaces_status_check
    CHECK (status IN ('building', 'ready', 'active', 'retired'));
CREATE UNIQUE INDEX embedding_spaces_one_active ON embedding_spaces ((true))
    WHERE status = 'active';

-- One re-embed job per target space; re-running the command resumes it.
CREATE TABLE reembed_jobs (
    space_id      bigint PRIMARY KEY REFERENCES embedding_spaces (id) ON DELETE CASCADE,
    model_uri     text NOT NULL,
    model_version text NOT NULL,
    shard_count   integer NOT NULL CHECK (shard_count >= 1),
    first_id      bigint NOT NULL,
    last_id       bigint NOT NULL,
    status        text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'embedded', 'promoted', 'challenger')),
    decision      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

-- Shard i covers comment ids [start_id, end_id); the last shard is open-ended (end_id NULL),
-- so the shards tile the id line with no overlap and no gap. `done_id` is the checkpoint: the
-- highest id whose vector is committed, written in the same transaction as the vectors.
CREATE TABLE reembed_shards (
    space_id    bigint NOT NULL REFERENCES reembed_jobs (space_id) ON DELETE CASCADE,
    shard       integer NOT NULL CHECK (shard >= 0),
    start_id    bigint NOT NULL,
    end_id      bigint,
    done_id     bigint,
    embedded    bigint NOT NULL DEFAULT 0,
    seconds     double precision NOT NULL DEFAULT 0,
    done        boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (space_id, shard),
    CHECK (end_id IS NULL OR end_id >= start_id)
);
