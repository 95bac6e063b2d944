"""Getting reports in: validation, parsers, the parse sandbox, storing, queues and workers."""
