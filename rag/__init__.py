"""Retrieval over comments (hybrid search, filters, fusion) and, later, answering questions."""
