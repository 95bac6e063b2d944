-- Themes and tone of each comment, computed once when the comment is stored (rag.themes
-- .tag_comments, called by the worker), so answering reads them instead of embedding every
-- sentence of every comment in scope at question time. `detector` names the detector version
-- and `source_md5` the text they were computed from: rows of another version or an edited
-- comment are recomputed.
CREATE TABLE comment_themes (
    comment_id  bigint PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    source_md5  text NOT NULL,
    detector    text NOT NULL,
    themes      text[] NOT NULL,
    compound    double precision NOT NULL,
    tone        text NOT NULL CHECK (tone IN ('positive', 'negative', 'mixed', 'neutral')),
    sentences   double precision[] NOT NULL DEFAULT '{}'
);

CREATE INDEX comment_themes_themes ON comment_themes USING gin (themes);
