-- One vector per distinct embedded text in each embedding space (issue 17).
--
-- A space N held comment_vectors_N (comment_id, source_md5, embedding): one vector per comment,
-- though 13% of comments repeat a text exactly; identical vectors formed islands in the HNSW
-- graph (recall varied between index builds) and filled a result page with one sentence.
-- Now:
--   text_vectors_N  (text_md5, embedding)      one row per distinct embedded text, HNSW-indexed
--   comment_texts_N (comment_id, source_md5)   which text (md5 of the embedded text) a comment has
--   comment_vectors_N                          a view joining the two, for readers by comment
-- Deleting or re-pointing the last comment with a text removes that text's vector (trigger).

CREATE OR REPLACE FUNCTION release_text_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.source_md5 = OLD.source_md5 THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'DELETE FROM %I t WHERE t.text_md5 = $1'
        ' AND NOT EXISTS (SELECT 1 FROM %I m WHERE m.source_md5 = $1)',
        'text_vectors_' || TG_ARGV[0], TG_TABLE_NAME
    ) USING OLD.source_md5;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION create_space_tables(space bigint, dim integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    texts   text := 'text_vectors_' || space;
    mapping text := 'comment_texts_' || space;
BEGIN
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I (text_md5 text PRIMARY KEY,'
        ' embedding vector(%s) NOT NULL)', texts, dim);
    EXECUTE format(
        'CREATE TABLE IF NOT EXISTS %I ('
        ' comment_id bigint PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,'
        ' source_md5 text NOT NULL REFERENCES %I (text_md5))', mapping, texts);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (source_md5)', mapping || '_md5', mapping);
    EXECUTE format(
        'CREATE OR REPLACE VIEW %I AS SELECT m.comment_id, m.source_md5, t.embedding'
        ' FROM %I m JOIN %I t ON t.text_md5 = m.source_md5',
        'comment_vectors_' || space, mapping, texts);
    EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I AFTER DELETE OR UPDATE OF source_md5 ON %I'
        ' FOR EACH ROW EXECUTE FUNCTION release_text_vector(%s)',
        mapping || '_release', mapping, space);
END $$;

DO $$
DECLARE
    s record;
    old text;
    indexed boolean;
BEGIN
    FOR s IN SELECT id, dimension FROM embedding_spaces ORDER BY id LOOP
        IF to_regclass('comment_vectors_' || s.id) IS NULL THEN
            CONTINUE;
        END IF;
        old := 'comment_vectors_' || s.id || '_per_comment';
        indexed := to_regclass('comment_vectors_' || s.id || '_hnsw') IS NOT NULL;
        EXECUTE format('ALTER TABLE %I RENAME TO %I', 'comment_vectors_' || s.id, old);
        PERFORM create_space_tables(s.id, s.dimension);
        EXECUTE format(
            'INSERT INTO %I (text_md5, embedding) SELECT DISTINCT ON (source_md5) source_md5,'
            ' embedding FROM %I ORDER BY source_md5, comment_id', 'text_vectors_' || s.id, old);
        EXECUTE format(
            'INSERT INTO %I (comment_id, source_md5) SELECT comment_id, source_md5 FROM %I',
            'comment_texts_' || s.id, old);
        EXECUTE format('DROP TABLE %I', old);
        IF indexed THEN
            EXECUTE format(
                'CREATE INDEX %I ON %I USING hnsw (embedding vector_cosine_ops)'
                ' WITH (m = 16, ef_construction = 64)',
                'text_vectors_' || s.id || '_hnsw', 'text_vectors_' || s.id);
        END IF;
    END LOOP;
END $$;
