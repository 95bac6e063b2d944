"""Cross-cutting pieces: settings, database, blobs, domain types, errors, CLI."""
