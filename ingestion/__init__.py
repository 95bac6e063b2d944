"""Getting reports in: validation, TRACE parsers, the corpus generator, queue and worker."""
