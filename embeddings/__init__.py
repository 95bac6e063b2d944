"""Embedding comments: the Embedder interface, its backends, spaces, batch embedding and the
model in service."""
