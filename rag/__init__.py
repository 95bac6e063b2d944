"""Search over comments (rag.search) and answering questions (rag.answer)."""
