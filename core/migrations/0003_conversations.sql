-- Conversations of the ask endpoint: follow-up questions resolve against earlier turns.
CREATE TABLE conversations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    principal   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversation_turns (
    conversation_id  uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position         integer NOT NULL,
    question         text NOT NULL,
    route            text NOT NULL,
    answer           jsonb NOT NULL,
    entities         jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, position)
);
