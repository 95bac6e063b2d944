-- Redaction reaches the uploaded file (issue 15): a comment redacted after publication is
-- still in the PDF or spreadsheet it came from, so the files that hold it are removed from the
-- blob store. The report keeps its rows (parsed data, with the comment blanked) and remembers
-- when its file went; `blob_removals` is the to-do list `collect_blobs` works through after
-- the redaction commits (and again at start-up, should the process die in between).

ALTER TABLE reports ADD COLUMN file_removed_at timestamptz;

CREATE TABLE blob_removals (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    requested_at timestamptz NOT NULL DEFAULT now(),
    removed_at   timestamptz
);
