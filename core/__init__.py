"""Cross-cutting pieces: settings, errors, domain types, observability, database, blobs, backups."""
