"""Getting reports in: upload validation, TRACE parsers, the test-corpus generator, the queue and the worker."""
