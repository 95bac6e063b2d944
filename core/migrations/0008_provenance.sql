-- Provenance: every report's parsed JSON is kept as a source (json, not jsonb: key order,
-- such as a frequency block's bins, is part of it), and a section is the merge of
-- the sources that describe it (ingestion.merge). The section tables stay the merged view that
-- answers read; each value records the report it came from, and disagreements are conflicts.

CREATE TABLE report_sources (
    report_id   bigint PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
    section_id  bigint NOT NULL REFERENCES sections (id),
    parsed      json NOT NULL,
    stored_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_sources_section_idx ON report_sources (section_id);

-- Sections stored before provenance: their one report's data, rebuilt from the view tables.
INSERT INTO report_sources (report_id, section_id, parsed)
SELECT s.report_id, s.id, json_build_object(
    'file', r.filename, 'sha256', r.sha256, 'layout', coalesce(r.layout, 'collegenet'),
    'course', json_build_object('code', c.code, 'subject', c.subject, 'number', c.number,
                                 'section', s.section, 'title', s.title, 'crn', s.crn),
    'term', json_build_object('label', t.label, 'season', t.season, 'year', t.year),
    'instructors', coalesce((SELECT json_agg(json_build_object('last', i.last_name,
                                                                 'first', i.first_name)
                                              ORDER BY si.position)
                               FROM section_instructors si
                               JOIN instructors i ON i.id = si.instructor_id
                              WHERE si.section_id = s.id), '[]'::json),
    'enrollment', s.enrollment, 'responses_incl_declines', s.responses_incl_declines,
    'declines', s.declines,
    'questions', coalesce((SELECT json_agg(json_build_object(
            'section', qs.heading, 'text', q.text, 'responses', qs.responses,
            'response_rate', qs.response_rate::float8, 'course_mean', qs.course_mean::float8,
            'dept_mean', qs.dept_mean::float8, 'univ_mean', qs.univ_mean::float8,
            'course_median', qs.course_median::float8, 'dept_median', qs.dept_median::float8,
            'univ_median', qs.univ_median::float8, 'std_dev', qs.std_dev::float8,
            'distribution', CASE WHEN qs.dist_5 IS NULL THEN NULL ELSE json_build_object(
                '5', qs.dist_5, '4', qs.dist_4, '3', qs.dist_3, '2', qs.dist_2, '1', qs.dist_1,
                'na', qs.dist_na) END) ORDER BY qs.position)
          FROM question_scores qs JOIN questions q ON q.id = qs.question_id
         WHERE qs.section_id = s.id), '[]'::json),
    'frequencies', coalesce((SELECT json_agg(json_build_object('text', f.prompt, 'bins', f.bins))
          FROM (SELECT prompt, json_object_agg(bin, count ORDER BY position) AS bins,
                       min(position) AS first
                  FROM frequency_counts WHERE section_id = s.id GROUP BY prompt) f), '[]'::json),
    'comments', coalesce((SELECT json_agg(json_build_object('prompt', m.prompt,
                                                              'number', m.number,
                                                              'text', m.text) ORDER BY m.id)
          FROM comments m WHERE m.section_id = s.id), '[]'::json),
    'warnings', '[]'::json)
  FROM sections s
  JOIN reports r ON r.id = s.report_id
  JOIN courses c ON c.id = s.course_id
  JOIN terms t ON t.id = s.term_id;

-- A section outlives the report that last described it while another report still does.
ALTER TABLE sections ALTER COLUMN report_id DROP NOT NULL;
ALTER TABLE sections DROP CONSTRAINT sections_report_id_fkey;
ALTER TABLE sections ADD CONSTRAINT sections_report_id_fkey
    FOREIGN KEY (report_id) REFERENCES reports (id) ON DELETE SET NULL;

-- Which report each shown value came from ({field: report_id}); the newest carrying it wins.
ALTER TABLE sections ADD COLUMN sources jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE question_scores ADD COLUMN sources jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE frequency_counts ADD COLUMN report_id bigint;
ALTER TABLE comments ADD COLUMN report_id bigint;
UPDATE frequency_counts f SET report_id = s.report_id FROM sections s WHERE s.id = f.section_id;
UPDATE comments m SET report_id = s.report_id FROM sections s WHERE s.id = m.section_id;

-- Two sources disagreeing on a value both carry: every value, newest first.
CREATE TABLE section_conflicts (
    section_id  bigint NOT NULL REFERENCES sections (id) ON DELETE CASCADE,
    item        text NOT NULL,
    field       text NOT NULL,
    "values"    jsonb NOT NULL,
    PRIMARY KEY (section_id, item, field)
);

-- Identity: an instructor is a normalised name within a subject (department); an admin can
-- merge and split (tracelens instructors merge|split), and the aliases say who is who.
ALTER TABLE instructors DROP CONSTRAINT instructors_last_name_first_name_key;
ALTER TABLE instructors ADD COLUMN name_key text;
UPDATE instructors SET name_key =
    regexp_replace(lower(translate(last_name,
        'áàâäãåéèêëíìîïóòôöõúùûüñçýÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ',
        'aaaaaaeeeeiiiiooooouuuuncyAAAAAAEEEEIIIIOOOOOUUUUNCY')), '[^a-z]', '', 'g')
    || '|' ||
    regexp_replace(lower(translate(first_name,
        'áàâäãåéèêëíìîïóòôöõúùûüñçýÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ',
        'aaaaaaeeeeiiiiooooouuuuncyAAAAAAEEEEIIIIOOOOOUUUUNCY')), '[^a-z]', '', 'g');
ALTER TABLE instructors ALTER COLUMN name_key SET NOT NULL;
CREATE INDEX instructors_name_key_idx ON instructors (name_key);

CREATE TABLE instructor_aliases (
    name_key       text NOT NULL,
    subject        text NOT NULL,
    instructor_id  bigint NOT NULL REFERENCES instructors (id) ON DELETE CASCADE,
    printed        text NOT NULL,
    manual         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (name_key, subject)
);
CREATE INDEX instructor_aliases_instructor_idx ON instructor_aliases (instructor_id);
INSERT INTO instructor_aliases (name_key, subject, instructor_id, printed)
SELECT DISTINCT ON (i.name_key, c.subject) i.name_key, c.subject, i.id,
       i.last_name || ', ' || i.first_name
  FROM instructors i
  JOIN section_instructors si ON si.instructor_id = i.id
  JOIN sections s ON s.id = si.section_id
  JOIN courses c ON c.id = s.course_id
 ORDER BY i.name_key, c.subject, i.id;

-- A deleted report leaves a tombstone in the same transaction; its file is collected after
-- the commit (and on the next start if a crash came in between).
CREATE TABLE report_tombstones (
    report_id     bigint PRIMARY KEY,
    sha256        text NOT NULL,
    deleted_at    timestamptz NOT NULL DEFAULT now(),
    blob_removed  timestamptz
);
CREATE INDEX report_tombstones_pending_idx ON report_tombstones (deleted_at)
    WHERE blob_removed IS NULL;

-- Append-only record of who changed what.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    principal   text NOT NULL,
    action      text NOT NULL,
    report_id   bigint,
    section_id  bigint,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
