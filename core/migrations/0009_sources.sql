-- Saved Blue web pages and instructors' own survey exports (CSV, xlsx, DOCX, text, e-mail):
-- the layouts they parse as; the upload form's course, term and title, kept with the report for
-- the parser (a survey export may not name them itself); and every section marked with the kind
-- of source it holds. A survey is a section of its own beside the TRACE section of the same
-- course and term, keyed also by its title (a corrected export of one survey merges with it),
-- and never merged into a TRACE section.
ALTER TABLE reports DROP CONSTRAINT reports_layout_check;
ALTER TABLE reports ADD CONSTRAINT reports_layout_check CHECK (layout IN (
    'collegenet', 'blue', 'xlsx', 'blue-html',
    'survey-csv', 'survey-xlsx', 'survey-docx', 'survey-txt', 'survey-eml'));
ALTER TABLE reports ADD COLUMN form_course text;
ALTER TABLE reports ADD COLUMN form_term text;
ALTER TABLE reports ADD COLUMN form_title text;

ALTER TABLE sections ADD COLUMN source_type text NOT NULL DEFAULT 'trace'
    CHECK (source_type IN ('trace', 'survey'));
ALTER TABLE sections ADD COLUMN survey_key text NOT NULL DEFAULT '';
ALTER TABLE sections ADD CONSTRAINT sections_survey_key_check
    CHECK ((source_type = 'survey') = (survey_key <> ''));
ALTER TABLE sections DROP CONSTRAINT sections_course_id_term_id_section_key;
ALTER TABLE sections ADD CONSTRAINT sections_identity_key
    UNIQUE (course_id, term_id, section, source_type, survey_key);
CREATE INDEX sections_source_type_idx ON sections (source_type);
