-- A failed report's reason as a short stable code (ParseError.reason), beside its message,
-- so failures can be counted by reason and re-queued by reason after a parser upgrade.
ALTER TABLE reports ADD COLUMN error_code text;
CREATE INDEX reports_failed_reason_idx ON reports (error_code) WHERE status = 'failed';
